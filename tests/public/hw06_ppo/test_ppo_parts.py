"""Public checks of hw06's PPO pieces (``ppo.py``): GAE, advantage normalisation, the clipped surrogate, the
(clipped) value loss, approx-KL and the clip fraction, and the minibatches of an epoch.

Every expected number can be worked out by hand from the inputs below. Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.harness.actor_critic import CARTPOLE_OBS, TWO_ACTIONS, generator_state
from grader.harness.calls import seed_global_rngs_of
from grader.harness.validate import as_float, as_float_array, as_tensor_array

RATIOS = np.array([0.5, 0.9, 1.0, 1.3, 1.5, 0.7])
SIGNS = np.array([1.0, 1.0, -1.0, 1.0, -1.0, -1.0])


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_gae_cuts_at_episode_ends(impl):
    """gae: 3 envs × 3 steps, γ = 0.5, λ = 0.8; no end / terminated at t = 1 / truncated at t = 1"""
    gae = impl.attr("ppo", "gae")
    ones = np.ones((3, 3))
    terminated = np.zeros((3, 3), bool)
    truncated = np.zeros((3, 3), bool)
    terminated[1, 1] = True
    truncated[1, 2] = True
    got = as_float_array(gae(ones, ones, np.ones(3), terminated, truncated, 0.5, 0.8), "gae(...)", (3, 3))
    # r = V = 1 everywhere: δ = 1 + 0.5·1 − 1 = 0.5, except δ = 1 + 0 − 1 = 0 at the terminated step.
    # env 0: A = [0.5 + 0.4·0.7, 0.5 + 0.4·0.5, 0.5] = [0.78, 0.7, 0.5]
    # env 1: the sum stops at the terminated step: A = [0.5 + 0.4·0, 0, 0.5]
    # env 2: the truncated step still bootstraps (δ = 0.5) but the sum stops: A = [0.5 + 0.4·0.5, 0.5, 0.5]
    want = np.array([[0.78, 0.5, 0.7], [0.7, 0.0, 0.5], [0.5, 0.5, 0.5]])
    assert np.allclose(got, want, atol=1e-6), (
        f"gae(...) with r = V = 1, γ = 0.5, λ = 0.8 (columns: env 0 never ends, env 1 terminates at t = 1, env 2 is "
        f"truncated at t = 1) = {np.round(got, 6).tolist()}; expected {want.tolist()}. A terminated step does not "
        "bootstrap; a truncated one does (V of its final observation); no sum crosses an episode end"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_normalize_advantages(impl):
    """normalize_advantages: [1, 2, 3, 4] → ±1.1619, ±0.3873 (Bessel-corrected std); constant or single → zeros"""
    normalize = impl.attr("ppo", "normalize_advantages")
    got = as_tensor_array(normalize(torch.tensor([1.0, 2.0, 3.0, 4.0])), "normalize_advantages([1, 2, 3, 4])", (4,))
    std = math.sqrt(5 / 3)  # Σ (x − 2.5)² / (4 − 1)
    want = (np.array([1.0, 2.0, 3.0, 4.0]) - 2.5) / (std + 1e-8)
    assert np.allclose(got, want, atol=1e-5), (
        f"normalize_advantages([1, 2, 3, 4]) = {np.round(got, 5).tolist()}; expected (A − 2.5) / (1.29099 + 1e-8) "
        f"= {np.round(want, 5).tolist()} (torch.std's default divides by B − 1; dividing by B gives ±1.3416)"
    )
    for case, n in ((torch.full((3,), 7.0), 3), (torch.tensor([2.5]), 1)):
        got = as_tensor_array(normalize(case), f"normalize_advantages({case.tolist()})", (n,))
        assert np.all(np.isfinite(got)) and np.allclose(got, 0.0, atol=1e-6), (
            f"normalize_advantages({case.tolist()}) = {got.tolist()}; expected zeros (the eps keeps a constant batch "
            "finite; a single element has no std)"
        )


def surrogate(impl, clip: float = 0.2):
    """clipped_surrogate_loss on RATIOS (as log π − log π_old, log π_old = 0.3) and SIGNS, with leaf tensors."""
    loss_fn = impl.attr("ppo", "clipped_surrogate_loss")
    old = torch.full((6,), 0.3, requires_grad=True)
    log_probs = torch.tensor(np.log(RATIOS) + 0.3, dtype=torch.float32, requires_grad=True)
    advantages = torch.tensor(SIGNS, dtype=torch.float32, requires_grad=True)
    loss = loss_fn(log_probs, old, advantages, clip)
    return loss, log_probs, old, advantages


@pytest.mark.points(5)
@pytest.mark.timeout(20)
def test_clipped_surrogate_value_and_gradients(impl):
    """clipped surrogate: ρ = [.5,.9,1,1.3,1.5,.7], A = [1,1,−1,1,−1,−1], ε = .2 → 0.1167; zero gradient on 4 and 6"""
    loss, log_probs, old, advantages = surrogate(impl)
    value = as_float(as_tensor_array(loss, "clipped_surrogate_loss(...)", ()), "the loss")
    # −min(ρA, clip(ρ)A) per element: −0.5, −0.9, 1, −1.2 (clipped), 1.5, 0.8 (clipped); mean 0.7 / 6
    assert abs(value - 0.7 / 6) < 1e-5, (
        f"clipped_surrogate_loss = {value:.6f}; expected −mean(min(ρA, clip(ρ, 0.8, 1.2) A)) = 0.7 / 6 = 0.116667 "
        "(per element −0.5, −0.9, 1, −1.2, 1.5, 0.8). max instead of min gives −0.0167, clip(ρA) instead of clip(ρ)·A "
        "0.1, ρ = exp(log π_old − log π) 0.0247"
    )
    loss.backward()
    grad = as_tensor_array(log_probs.grad, "∂loss/∂log_probs", (6,)) if log_probs.grad is not None else None
    want = -RATIOS * SIGNS / 6 * np.array([1, 1, 1, 0, 1, 0])  # ∂(−ρA/6)/∂log π = −ρA/6 where not clipped
    assert grad is not None and np.allclose(grad, want, atol=1e-6), (
        f"∂loss/∂log_probs = {None if grad is None else np.round(grad, 6).tolist()}; expected −ρ_i A_i / 6 where the "
        f"unclipped term is the minimum and exactly 0 where the clipped one is (elements 4 and 6): "
        f"{np.round(want, 6).tolist()}"
    )
    for name, tensor in (("old_log_probs", old), ("advantages", advantages)):
        g = tensor.grad
        assert g is None or not np.any(as_tensor_array(g, f"∂loss/∂{name}", (6,)) != 0), (
            f"the loss sent a gradient into {name}: they are constants of the loss (detach them): π_old is the policy "
            "that collected the data, not a function of θ"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_clipped_value_loss(impl):
    """value loss: V = [1,3,0], V_old = [2,2,2], R = [0,5,2]: 3 unclipped; 4.1667 with ε = 0.5 (centred on V_old)"""
    loss_fn = impl.attr("ppo", "clipped_value_loss")

    def run(clip):
        values = torch.tensor([1.0, 3.0, 0.0], requires_grad=True)
        old = torch.tensor([2.0, 2.0, 2.0], requires_grad=True)
        returns = torch.tensor([0.0, 5.0, 2.0], requires_grad=True)
        loss = loss_fn(values, old, returns, clip)
        got = as_float(as_tensor_array(loss, f"clipped_value_loss(..., clip={clip})", ()), "the loss")
        loss.backward()
        leaks = [n for n, t in (("old_values", old), ("returns", returns)) if t.grad is not None and t.grad.any()]
        return got, leaks

    plain, leaks = run(None)
    assert abs(plain - 3.0) < 1e-5, (
        f"clipped_value_loss(clip=None) = {plain:.6f}; expected mean((V − R)²) = (1+4+4)/3 = 3"
    )
    clipped, leaks_clipped = run(0.5)
    assert abs(clipped - 12.5 / 3) < 1e-5, (
        f"clipped_value_loss(clip=0.5) = {clipped:.6f}; expected 4.166667: V_clip = V_old + clip(V − V_old, ±0.5) = "
        "[1.5, 2.5, 1.5], max((V − R)², (V_clip − R)²) = [2.25, 6.25, 4]. Centring the clip on the returns gives 3"
    )
    assert not leaks and not leaks_clipped, (
        f"the value loss sent a gradient into {sorted(set(leaks + leaks_clipped))}: they are constants (detach them)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_approx_kl_and_clip_fraction(impl):
    """approx-KL = mean((ρ − 1) − log ρ) = 0.06456 and clip fraction 4/6 for the ratios above, ε = 0.2"""
    fn = impl.attr("ppo", "approx_kl_and_clip_fraction")
    out = fn(torch.tensor(np.log(RATIOS) + 0.3, dtype=torch.float32), torch.full((6,), 0.3), 0.2)
    assert type(out) is tuple and len(out) == 2, "approx_kl_and_clip_fraction must return a pair (approx_kl, fraction)"
    kl, fraction = as_float(out[0], "approx-KL"), as_float(out[1], "the clip fraction")
    want = float(np.mean(RATIOS - 1 - np.log(RATIOS)))
    assert abs(kl - want) < 1e-5, f"approx-KL = {kl:.6f}; expected mean((ρ − 1) − log ρ) = {want:.6f}"
    assert abs(fraction - 4 / 6) < 1e-6, (
        f"clip fraction = {fraction:.6f}; expected 4/6 (|ρ − 1| > 0.2 for ρ = 0.5, 1.3, 1.5, 0.7)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_minibatches_cover_every_sample_once(impl):
    """minibatch_indices(10, 4): slices of one randperm per epoch: sizes 4, 4, 2; every index exactly once"""
    fn = impl.attr("ppo", "minibatch_indices")
    agent_cls = impl.attr("ppo", "PPOAgent")
    seed_global_rngs_of(agent_cls, 0)
    agent = agent_cls(CARTPOLE_OBS, TWO_ACTIONS, seed=5, n_envs=1)
    generator, reference = agent.generator, torch.Generator()  # a generator of your code's, and its copy
    reference.set_state(torch.tensor(np.frombuffer(generator_state(agent), dtype=np.uint8).copy()))
    epochs = []
    for epoch in range(3):
        batches = fn(10, 4, generator)
        assert type(batches) is list, f"minibatch_indices must return a list of tensors, got {type(batches).__name__}"
        got = [
            as_tensor_array(b, "a minibatch of indices", tuple(b.shape)[:1], "int64").astype(np.int64) for b in batches
        ]
        sizes = [len(b) for b in got]
        assert sizes == [4, 4, 2], f"minibatch sizes {sizes}; expected [4, 4, 2] for 10 samples in minibatches of 4"
        joined = np.concatenate(got)
        assert sorted(joined.tolist()) == list(range(10)), (
            f"epoch {epoch + 1}'s minibatches hold the indices {joined.tolist()}: every sample must appear exactly "
            "once per epoch (a permutation, not draws with replacement)"
        )
        want = torch.randperm(10, generator=reference).numpy()
        assert np.array_equal(joined, want), (
            f"epoch {epoch + 1}: the indices {joined.tolist()} are not consecutive slices of torch.randperm(10, "
            f"generator=generator) = {want.tolist()} (one call per epoch, nothing else drawn from the generator)"
        )
        epochs.append(joined)
    assert not np.array_equal(epochs[0], epochs[1]), "two epochs used the same order: draw a new permutation each"
