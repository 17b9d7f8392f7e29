"""Hidden checks of hw05's pieces with other numbers: random rollouts against the grader's own GAE and n-step
returns (explicit sums), the network's log-probabilities and entropies against the grader's (from your own
logits / mean and log σ), a buffer of continuous actions, and the loss on other tensors.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.calls import seed_global_rngs_of
from grader.harness.validate import as_float_array, as_tensor_array, mismatch
from grader.oracles import actor_critic as oracle


def random_rollout(seed: int, steps: int, envs: int, flags_as_float: bool) -> dict:
    rng = np.random.default_rng(seed)
    terminated, truncated = rng.random((steps, envs)) < 0.2, rng.random((steps, envs)) < 0.15
    kind = np.float64 if flags_as_float else bool
    return {
        "rewards": rng.normal(size=(steps, envs)),
        "values": rng.normal(size=(steps, envs)),
        "last_values": rng.normal(size=envs),
        "terminated": terminated.astype(kind),
        "truncated": truncated.astype(kind),
    }


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_hidden_gae_random_rollouts(impl):
    """gae on random 9 × 5 rollouts (flags bool or 0/1), γ, λ in {0, 0.5, 0.9, 1}: the grader's sums; inputs kept"""
    gae = impl.attr("advantages", "gae")
    for seed, (gamma, lam) in enumerate(((0.99, 0.95), (0.9, 0.0), (0.5, 1.0), (1.0, 0.5), (0.8, 0.9))):
        data = random_rollout(seed, 9, 5, flags_as_float=seed % 2 == 1)
        copies = {k: v.copy() for k, v in data.items()}
        got = as_float_array(gae(**copies, gamma=gamma, lam=lam), "gae(...)", (9, 5))
        want = oracle.gae(**data, gamma=gamma, lam=lam)
        assert all(np.array_equal(copies[k], data[k]) for k in data), "gae must not modify its inputs"
        assert np.allclose(got, want, rtol=0, atol=1e-6), (
            f"gae on a random 9 × 5 rollout (seed {seed}, γ = {gamma}, λ = {lam}, terminated at "
            f"{np.argwhere(data['terminated']).tolist()}, truncated at {np.argwhere(data['truncated']).tolist()} "
            f"as [step, env]): {mismatch(got, np.asarray(want), got, 'entry ')}"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_n_step_random_rollouts(impl):
    """n_step_returns on random 8 × 4 rollouts for n = 1 … 9: the grader's sums"""
    n_step = impl.attr("advantages", "n_step_returns")
    for n in range(1, 10):
        data = random_rollout(100 + n, 8, 4, flags_as_float=n % 3 == 0)
        got = as_float_array(n_step(**{k: v.copy() for k, v in data.items()}, gamma=0.9, n=n), "n_step_returns", (8, 4))
        want = oracle.n_step_returns(**data, gamma=0.9, n=n)
        assert np.allclose(got, want, rtol=0, atol=1e-6), (
            f"n_step_returns on a random 8 × 4 rollout (seed {100 + n}, γ = 0.9, n = {n}, terminated at "
            f"{np.argwhere(data['terminated']).tolist()}, truncated at {np.argwhere(data['truncated']).tolist()}): "
            f"{mismatch(got, np.asarray(want), got, 'entry ')}"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_network_outputs(impl):
    """evaluate_actions: log π and entropy = the grader's, from your logits (5 actions) / your mean and log σ (3-d)"""
    ActorCritic = impl.attr("networks", "ActorCritic")
    obs = torch.tensor(np.random.default_rng(7).normal(size=(6, 5)), dtype=torch.float32)
    for shared in (True, False):
        seed_global_rngs_of(ActorCritic, 3)
        net = ActorCritic(5, gym.spaces.Discrete(5), (32,), shared)
        actions = torch.tensor([4, 0, 2, 2, 1, 3])
        logits = as_tensor_array(net(obs)[0], "forward(obs)[0]", (6, 5))
        got = [as_tensor_array(t, "evaluate_actions", (6,)) for t in net.evaluate_actions(obs, actions)[:2]]
        want = (oracle.categorical_log_probs(logits, actions.numpy()), oracle.categorical_entropy(logits))
        for name, g, w in zip(("log π(a|s)", "the entropy"), got, want, strict=True):
            assert np.allclose(g, w, atol=1e-5), (
                f"ActorCritic(5, Discrete(5), (32,), shared={shared}).evaluate_actions: {name} = "
                f"{np.round(g, 6).tolist()}; the "
                f"grader's from your logits: {np.round(w, 6).tolist()}"
            )
    seed_global_rngs_of(ActorCritic, 4)
    net = ActorCritic(5, gym.spaces.Box(-2.0, 2.0, shape=(3,)), (16,), False, -0.7)
    actions = torch.tensor(np.random.default_rng(8).normal(size=(6, 3)) * 3, dtype=torch.float32)
    mean = as_tensor_array(net(obs)[0], "forward(obs)[0] (μ)", (6, 3))
    log_std = as_tensor_array(net.log_std, "log_std", (3,))
    got = [as_tensor_array(t, "evaluate_actions", (6,)) for t in net.evaluate_actions(obs, actions)[:2]]
    want = (oracle.gaussian_log_probs(mean, log_std, actions.numpy()), oracle.gaussian_entropy(log_std, 6))
    for name, g, w in zip(("log π(a|s)", "the entropy"), got, want, strict=True):
        assert np.allclose(g, w, atol=1e-4), (
            f"Gaussian ActorCritic (3-d actions, log σ = −0.7, actions outside the box): {name} = "
            f"{np.round(g, 6).tolist()}; the "
            f"grader's: {np.round(w, 6).tolist()} (summed over the action dimensions)"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_rollout_buffer_box_actions(impl):
    """RolloutBuffer(4, 2, (3,), (2,)): float32 (T, N, 2) actions; reset steps across two rollouts"""
    buffer = impl.attr("a2c", "RolloutBuffer")(4, 2, (3,), (2,))
    flags = [([0, 0], [0, 0]), ([0, 1], [0, 0]), ([0, 0], [0, 0]), ([0, 0], [1, 0])] * 2
    valid = []
    for step, (terminated, truncated) in enumerate(flags):
        buffer.add(
            np.full((2, 3), step, np.float32), np.full((2, 2), step + 0.5, np.float32), np.ones(2),
            np.array(terminated, bool), np.array(truncated, bool),
        )  # fmt: skip
        if step == 3:
            actions = buffer.actions
            assert type(actions) is np.ndarray and actions.dtype == np.float32 and actions.shape == (4, 2, 2), (
                "buffer.actions of a Box(2) rollout must be a float32 array of shape (4, 2, 2)"
            )
            assert np.allclose(as_float_array(actions, "buffer.actions", (4, 2, 2))[:, 0, 0], [0.5, 1.5, 2.5, 3.5])
        if buffer.full():
            valid.append(np.asarray(buffer.valid, dtype=bool).tolist())
            buffer.clear()
    want = [[[True, True], [True, True], [True, False], [True, True]], [[False, True], [True, True], [True, False],
                                                                          [True, True]]]  # fmt: skip
    assert valid == want, (
        f"valid masks of two rollouts (env 1 terminated at step 1, env 0 truncated at step 3, twice): {valid}; "
        f"expected {want}: the step after an end is a reset step, also when the end was a rollout's last step"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_a2c_loss_other_numbers(impl):
    """a2c_loss on B = 6 with vf_coef = 0.25, ent_coef = 0.5: parts and gradients = the grader's"""
    rng = np.random.default_rng(9)
    data = {k: rng.normal(size=6) for k in ("log_probs", "entropy", "values", "returns")}
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in data.items()}
    advantages = leaves["returns"] - leaves["values"]
    out = impl.attr("a2c", "a2c_loss")(
        leaves["log_probs"], leaves["entropy"], leaves["values"], advantages, leaves["returns"], 0.25, 0.5
    )
    if type(out) is not tuple or len(out) != 4:
        raise AssertionError("a2c_loss must return 4 scalar tensors (total, policy, value, entropy)")
    adv = data["returns"] - data["values"]
    want = oracle.a2c_loss(data["log_probs"], data["entropy"], data["values"], adv, data["returns"], 0.25, 0.5)
    for name, tensor, w in zip(("total", "policy", "value", "entropy"), out, vars(want).values(), strict=True):
        got = float(as_tensor_array(tensor, f"a2c_loss(...) {name}", ()))
        assert abs(got - w) <= 1e-9 * max(1.0, abs(w)), f"a2c_loss on other numbers: {name} = {got!r}; expected {w!r}"
    out[0].backward()
    grads = {  # d total / d input with A and R constants
        "log_probs": -adv / 6,
        "entropy": np.full(6, -0.5 / 6),
        "values": 0.25 * 2 * (data["values"] - data["returns"]) / 6,
        "returns": np.zeros(6),
    }
    for name, w in grads.items():
        grad = leaves[name].grad
        got = np.zeros(6) if grad is None else as_tensor_array(grad, f"d total / d {name}", (6,))
        assert np.allclose(got, w, atol=1e-9), (
            f"a2c_loss on other numbers: d total / d {name} = {np.round(got, 6).tolist()}; expected "
            f"{np.round(w, 6).tolist()} (A and R are constants)"
        )
