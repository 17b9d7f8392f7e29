"""Public checks of hw07's DDPG/TD3 pieces (``td3.py``): the actor, the critic, the replay buffer, the soft
update, target-policy smoothing and the TD3/DDPG targets.

Exact checks give your functions hand-made inputs, so every expected number below can be worked out by hand.
The agent that puts the pieces together is checked in ``test_ddpg_td3_agent.py``. Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.harness.calls import seed_global_rngs_of
from grader.harness.continuous_fixtures import (
    PENDULUM_ACTIONS,
    SKEWED_ACTIONS,
    LinearActor,
    call_net,
    load_parameters,
    named_parameters,
)
from grader.harness.validate import as_int, as_tensor_array


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_actor_squashes_into_the_bounds(impl):
    """Actor: the MLP of the docstring, then bias + scale · tanh: every action inside the env's bounds (not ±1)"""
    Actor = impl.attr("td3", "Actor")
    seed_global_rngs_of(Actor, 0)
    actor = Actor(3, SKEWED_ACTIONS, (8,))
    params = named_parameters(actor, "Actor(3, box [-1, 0]..[3, 1], hidden=(8,))")
    shapes = [tuple(p.shape) for p in params.values()]
    assert shapes == [(8, 3), (8,), (2, 8), (2,)], (
        f"Actor(obs_dim=3, act_dim=2, hidden=(8,)) has parameters of shapes {shapes}; expected those of "
        "mlp([3, 8, 2]): [(8, 3), (8,), (2, 8), (2,)] (the scale and bias are buffers, not parameters)"
    )
    names = list(params)
    # Every weight 0 and the output bias [atanh(0.5), −atanh(0.5)]: f(s) = [atanh(0.5), −atanh(0.5)] for any s.
    load_parameters(actor, {n: np.zeros_like(p) for n, p in params.items()} | {names[-1]: [math.atanh(0.5), -0.5493]})
    obs = np.random.default_rng(0).normal(size=(4, 3))
    got = call_net(actor, (obs,), (4, 2), "Actor(...)(obs) for a batch of 4")
    tanh = [0.5, math.tanh(-0.5493)]
    want = [1.0 + 2.0 * tanh[0], 0.5 + 0.5 * tanh[1]]
    assert np.allclose(got, [want] * 4, atol=1e-4), (
        f"with the action box low = [−1, 0], high = [3, 1] (scale (high − low)/2 = [2, 0.5], bias (high + low)/2 = "
        f"[1, 0.5]) and f(s) = [0.5493, −0.5493] (tanh = ±0.5), the actor gave {np.round(got[0], 4).tolist()}; "
        f"expected bias + scale · tanh(f(s)) = {np.round(want, 4).tolist()}"
        + ("; [0.5, −0.5] is tanh without the scale and bias" if np.allclose(got[0], [0.5, -0.5], atol=1e-3) else "")
    )
    pendulum = Actor(3, PENDULUM_ACTIONS, (8,))
    big = named_parameters(pendulum, "Actor(3, Pendulum's box)")
    load_parameters(pendulum, {n: np.zeros_like(p) for n, p in big.items()} | {list(big)[-1]: [10.0]})
    got = call_net(pendulum, (obs,), (4, 1), "Actor(3, Pendulum's box ±2)(obs)")
    assert np.allclose(got, 2.0 * math.tanh(10.0), atol=1e-4), (
        f"Pendulum's actions lie in [−2, 2]: with f(s) = 10 the actor must give 2 · tanh(10) ≈ 2.0, got "
        f"{got[0, 0]:.4f} (≈ 1.0 means the tanh is not scaled to the bounds)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_critic_outputs_one_value_per_row(impl):
    """Critic: Q(s, a) = mlp([s, a]) (observation first), output shape (B,), gradient reaches the action"""
    Critic = impl.attr("td3", "Critic")
    seed_global_rngs_of(Critic, 0)
    critic = Critic(3, 1, (2,))
    params = named_parameters(critic, "Critic(3, 1, hidden=(2,))")
    shapes = [tuple(p.shape) for p in params.values()]
    assert shapes == [(2, 4), (2,), (1, 2), (1,)], (
        f"Critic(obs_dim=3, act_dim=1, hidden=(2,)) has parameters of shapes {shapes}; expected those of "
        "mlp([4, 2, 1]): [(2, 4), (2,), (1, 2), (1,)]"
    )
    # Q(s, a) = 1 · ReLU(s0) + 10 · ReLU(a) + 0.5 when the input is [s0, s1, s2, a]
    weights = [[[1, 0, 0, 0], [0, 0, 0, 1]], [0, 0], [[1, 10]], [0.5]]
    load_parameters(critic, dict(zip(params, [np.array(w, dtype=np.float64) for w in weights], strict=True)))
    obs = torch.tensor([[1.0, 2.0, 3.0], [2.0, -1.0, 0.0], [-1.0, 0.0, 5.0]])
    action = torch.tensor([[0.5], [0.2], [1.5]], requires_grad=True)
    out = critic(obs, action)
    got = as_tensor_array(out, "Critic(3, 1)(obs (3, 3), action (3, 1))", (3,))
    want = [6.5, 4.5, 15.5]
    assert np.allclose(got, want, atol=1e-5), (
        f"with weights making Q(s, a) = ReLU(s0) + 10 · ReLU(a) + 0.5 for the input [s0, s1, s2, a], the critic gave "
        f"{np.round(got, 4).tolist()} for obs {obs.tolist()} and actions {action.detach().ravel().tolist()}; "
        f"expected {want}: concatenate [obs, action] (observation first)"
    )
    out.sum().backward()
    grad = as_tensor_array(action.grad, "the gradient of the critic's output w.r.t. the action", (3, 1))
    assert np.allclose(grad.ravel(), [10, 10, 10], atol=1e-5), (
        f"∂Q/∂a = {grad.ravel().tolist()}, expected [10, 10, 10]: the actor learns through ∂Q/∂a, keep the graph"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_replay_buffer_keeps_float_actions(impl):
    """ReplayBuffer (hw04's, float actions): capacity 5 after 7 adds holds transitions 2-6, actions kept as floats"""
    buffer = impl.attr("replay", "ReplayBuffer")(5, 3, 2, seed=0)
    for k in range(7):
        obs = np.full(3, k, np.float32)
        buffer.add(obs, np.array([k + 0.25, -k - 0.5], np.float32), float(k), obs + 0.5, k == 4)
    size = as_int(len(buffer), "len(buffer) after 7 adds", 0, 10**9)
    assert size == 5, f"ReplayBuffer(capacity=5): len after 7 adds is {size}; expected 5"
    batch = buffer.sample(1000)
    rewards = as_tensor_array(batch.rewards, "sample(1000).rewards", (1000,))
    actions = as_tensor_array(batch.actions, "sample(1000).actions", (1000, 2))
    obs = as_tensor_array(batch.obs, "sample(1000).obs", (1000, 3))
    next_obs = as_tensor_array(batch.next_obs, "sample(1000).next_obs", (1000, 3))
    flags = as_tensor_array(batch.terminated, "sample(1000).terminated", (1000,))
    assert batch.actions.dtype == torch.float32, f"sample().actions must be float32, got {batch.actions.dtype}"
    assert sorted(set(rewards.tolist())) == [2.0, 3.0, 4.0, 5.0, 6.0], (
        f"capacity 5 after 7 adds must hold transitions 2-6 (slot k % 5); the sampled rewards are "
        f"{sorted(set(rewards.tolist()))}"
    )
    k = rewards
    whole = (
        np.allclose(actions, np.stack([k + 0.25, -k - 0.5], axis=1))
        and np.allclose(obs, k[:, None])
        and np.allclose(next_obs, k[:, None] + 0.5)
        and np.array_equal(flags, (k == 4).astype(float))
    )
    assert whole, (
        f"sampled rows are not the stored transitions: rewards {k[:4].tolist()} came with actions "
        f"{actions[:4].tolist()} (stored [k + 0.25, −k − 0.5]); keep actions as float32 rows of act_dim, and use "
        "one index array for all five fields"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_soft_update(impl):
    """soft_update: θ' ← τ θ + (1 − τ) θ' in place (τ = 0.01 gives [1.01, 1.98]); τ = 1 copies; online untouched"""
    soft_update = impl.attr("td3", "soft_update")
    online, target = LinearActor([[2.0]], [0.0]), LinearActor([[1.0]], [2.0])
    tensors = list(target.parameters())
    soft_update(target, online, 0.01)
    got = [float(as_tensor_array(p, "a target parameter", tuple(p.shape)).ravel()[0]) for p in target.parameters()]
    assert np.allclose(got, [1.01, 1.98], atol=1e-6), (
        f"soft_update(target, online, tau=0.01) with target (w, b) = (1, 2) and online (w, b) = (2, 0) gave "
        f"{np.round(got, 6).tolist()}; expected [1.01, 1.98] = 0.01 · online + 0.99 · target"
        + ("; [1.99, 0.02] means τ and 1 − τ are swapped" if np.allclose(got, [1.99, 0.02], atol=1e-6) else "")
    )
    assert all(p is q for p, q in zip(target.parameters(), tensors, strict=True)), (
        "soft_update must change the target's parameters in place (mul_/add_/copy_ under torch.no_grad()), not "
        "replace them: the optimizer-free target networks are read through the same tensors"
    )
    online_now = [float(p.detach().ravel()[0]) for p in online.parameters()]
    assert online_now == [2.0, 0.0], f"soft_update changed the online network to {online_now}"
    soft_update(target, online, 1.0)
    got = [float(p.detach().ravel()[0]) for p in target.parameters()]
    assert np.allclose(got, [2.0, 0.0], atol=1e-7), f"soft_update(tau=1) must copy the online network, got {got}"
    assert all(p.grad is None for p in target.parameters()), "soft_update must not create gradients"


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_smooth_target_actions(impl):
    """smooth_target_actions: noise clipped to ±c BEFORE it is added, the sum clipped to the bounds: [1.0, 0.8, 0.4]"""
    smooth = impl.attr("td3", "smooth_target_actions")
    mu, noise = torch.full((3, 1), 0.9), torch.tensor([[0.7], [-0.1], [-0.6]])
    out = smooth(mu, noise, 0.5, torch.tensor([-1.0]), torch.tensor([1.0]))
    got = as_tensor_array(out, "smooth_target_actions(μ' (3, 1), noise (3, 1), 0.5, low, high)", (3, 1)).ravel()
    hints = {
        (1.0, 0.8, 0.3): "the noise was not clipped to ±c before it was added",
        (1.4, 0.8, 0.4): "the sum was not clipped to the action bounds",
    }
    hint = next((h for k, h in hints.items() if np.allclose(got, k, atol=1e-5)), "")
    assert np.allclose(got, [1.0, 0.8, 0.4], atol=1e-6), (
        f"smooth_target_actions with μ'(s') = 0.9, noise [0.7, −0.1, −0.6], c = 0.5, bounds ±1 gave "
        f"{np.round(got, 6).tolist()}; expected clip(0.9 + clip(ε, −0.5, 0.5), −1, 1) = [1.0, 0.8, 0.4]"
        + (f" ({hint})" if hint else "")
    )
    mu = torch.tensor([[2.5, 0.1], [-0.8, 0.6]])
    noise = torch.tensor([[0.3, -0.4], [-0.9, 0.2]])
    out = smooth(mu, noise, 0.5, torch.tensor([-1.0, 0.0]), torch.tensor([3.0, 1.0]))
    got = as_tensor_array(out, "smooth_target_actions(μ' (2, 2), noise (2, 2), 0.5, low, high)", (2, 2))
    want = [[2.8, 0.0], [-1.0, 0.8]]
    assert np.allclose(got, want, atol=1e-6), (
        f"with per-dimension bounds low = [−1, 0], high = [3, 1], μ' = {mu.tolist()}, noise = {noise.tolist()}, "
        "c = 0.5: "
        f"got {np.round(got, 6).tolist()}; expected {want} (clip each dimension to its own bounds)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_td3_and_ddpg_targets(impl):
    """td3_target uses min(Q1', Q2'): [2.98, 1.0]; ddpg_target uses Q': [3.97, 1.0]; shape (B,), detached"""
    td3_target, ddpg_target = impl.attr("td3", "td3_target"), impl.attr("td3", "ddpg_target")
    r, done = torch.tensor([1.0, 1.0]), torch.tensor([0.0, 1.0])
    q1 = torch.tensor([3.0, 1.0], requires_grad=True)
    q2 = torch.tensor([2.0, 4.0], requires_grad=True)
    out = td3_target(r, done, q1, q2, 0.99)
    got = as_tensor_array(out, "td3_target(r, terminated, q1' (2,), q2' (2,), 0.99)", (2,))
    assert np.allclose(got, [2.98, 1.0], atol=1e-5), (
        f"td3_target with q1' = [3, 1], q2' = [2, 4], r = [1, 1], terminated = [0, 1], γ = 0.99 gave "
        f"{np.round(got, 5).tolist()}; expected [1 + 0.99 · min(3, 2), 1] = [2.98, 1.0] (3.475 would be the mean of "
        "the two critics, 3.97 the first one only; the terminated step does not bootstrap)"
    )
    assert not out.requires_grad, "td3_target must return a detached tensor: y is a fixed label (.detach())"
    out = ddpg_target(r, done, q1, 0.99)
    got = as_tensor_array(out, "ddpg_target(r, terminated, q' (2,), 0.99)", (2,))
    assert np.allclose(got, [3.97, 1.0], atol=1e-5), (
        f"ddpg_target with q' = [3, 1], r = [1, 1], terminated = [0, 1], γ = 0.99 gave {np.round(got, 5).tolist()}; "
        "expected [1 + 0.99 · 3, 1] = [3.97, 1.0]"
    )
    assert not out.requires_grad, "ddpg_target must return a detached tensor: y is a fixed label (.detach())"
    q1, q2 = torch.tensor([-1.0, 0.5, 2.0]), torch.tensor([-3.0, 0.5, 1.0])
    got = as_tensor_array(
        td3_target(torch.tensor([0.0, -1.0, 0.5]), torch.zeros(3), q1, q2, 0.5), "td3_target(...) (B = 3)", (3,)
    )
    assert np.allclose(got, [-1.5, -0.75, 1.0], atol=1e-5), (
        f"td3_target with q1' = [−1, 0.5, 2], q2' = [−3, 0.5, 1], r = [0, −1, 0.5], γ = 0.5 gave "
        f"{np.round(got, 5).tolist()}; expected r + 0.5 · min = [−1.5, −0.75, 1.0] (the smaller value, also when "
        "negative)"
    )


# ---------------------------------------------------------------------------------------------------
# The agent, driven like the grader's loop drives it
# ---------------------------------------------------------------------------------------------------

# The targets of the agent with fixture target networks μ'(s) = 1.5, Q1'(s, a) = s0 + a, Q2'(s, a) = s1 − a + 1, on
# Pendulum's box (scale 2), γ = 0.9, target_noise 0.2 (σ = 0.4), noise_clip 0.5 (c = 1.0), and agent.rng =
# np.random.default_rng(3), whose rng.standard_normal((4, 1)) is [2.0409, −2.5557, 0.4181, −0.5678]:
#   ε = 0.4 · draw = [0.8164, −1.0223, 0.1672, −0.2271] → clipped to ±1: [0.8164, −1.0, 0.1672, −0.2271]
#   ã = clip(1.5 + ε, −2, 2) = [2.0, 0.5, 1.6672, 1.2729]
#   s' = [[0.5, 3, 0], [1, 0, 0], [−1, 2, 0], [2, 2, 0]]:
#   Q1' = [2.5, 1.5, 0.6672, 3.2729], Q2' = [2.0, 0.5, 1.3328, 1.7271]
#   r = [1, −1, 0.5, 0], terminated = [0, 0, 1, 0]: y = r + 0.9 (1 − terminated) min(Q1', Q2')
