"""Public checks of hw07's DDPG/TD3 pieces (``td3.py``) and of the agent that puts them together.

Exact checks give your functions hand-made inputs, or plug fixture networks with known weights into your agent
(μ'(s) = 1.5, Q1'(s, a) = s0 + a, Q2'(s, a) = s1 − a + 1), so every expected number below can be worked out by
hand. The update checks drive ``TD3Agent.train_step`` on fixed batches and look at which networks moved and
whether each one's own objective improved, measured on your networks. The learning checks train your agent on
Pendulum-v1 with the grader's loop (``grader/harness/deep_control.py``). Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all, global_rng_digests_of, seed_global_rngs_of
from grader.harness.continuous_fixtures import (
    DDPG_HPARAMS,
    PENDULUM_ACTIONS,
    SKEWED_ACTIONS,
    TD3_HPARAMS,
    LinearActor,
    LinearCritic,
    call_net,
    changed,
    distance,
    generator_state,
    load_parameters,
    make_agent,
    named_parameters,
    same,
)
from grader.harness.deep_control import DeepSpec
from grader.harness.loops import checked_action
from grader.harness.validate import as_float, as_int, as_tensor_array

NETS = ("actor", "critic1", "critic2", "actor_target", "critic1_target", "critic2_target")


def snapshot(agent) -> dict[str, dict[str, np.ndarray]]:
    """The parameters of every network of a twin-critic agent."""
    return {name: named_parameters(getattr(agent, name), f"agent.{name}") for name in NETS}


def batch_of(impl, obs, actions, rewards, next_obs, terminated):
    """A ``replay.Batch`` of float32 tensors made from the five fields."""
    fields = [torch.tensor(np.asarray(x), dtype=torch.float32) for x in (obs, actions, rewards, next_obs, terminated)]
    return impl.attr("replay", "Batch")(*fields)


def random_batch(impl, rng: np.random.Generator, size: int, terminated: float | None = None):
    """A batch of Pendulum-like transitions (``terminated`` = 1 everywhere, 0 everywhere, or 30 % at random)."""
    flags = (rng.random(size) < 0.3).astype(np.float32) if terminated is None else np.full(size, terminated)
    return batch_of(
        impl,
        rng.uniform(-1, 1, (size, 3)),
        rng.uniform(-2, 2, (size, 1)),
        rng.normal(size=size),
        rng.uniform(-1, 1, (size, 3)),
        flags,
    )


# ---------------------------------------------------------------------------------------------------
# Networks and pure functions on given tensors
# ---------------------------------------------------------------------------------------------------


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
TARGET_BATCH = (
    np.zeros((4, 3)),
    np.zeros((4, 1)),
    [1.0, -1.0, 0.5, 0.0],
    [[0.5, 3, 0], [1, 0, 0], [-1, 2, 0], [2, 2, 0]],
)
TD3_TARGETS = [2.8, -0.55, 0.5, 1.554400]
DDPG_TARGETS = [2.8, 1.25, 0.5, 3.15]  # ã = μ'(s') = 1.5, no noise, y = r + 0.9 (1 − terminated) Q1'(s', ã)


def plug_fixture_targets(agent) -> None:
    agent.actor_target = LinearActor([[0.0, 0.0, 0.0]], [1.5])
    agent.critic1_target = LinearCritic([1.0, 0.0, 0.0], [1.0], 0.0)
    agent.critic2_target = LinearCritic([0.0, 1.0, 0.0], [-1.0], 1.0)


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_agent_targets_with_fixture_networks(impl):
    """TD3Agent.targets: smoothing noise from agent.rng, clipped double-Q of the TARGET nets; DDPG: Q1' of μ'(s')"""
    batch = batch_of(impl, *TARGET_BATCH, [0.0, 0.0, 1.0, 0.0])
    agent = make_agent(impl, "td3", "TD3Agent", gamma=0.9, target_noise=0.2, noise_clip=0.5)
    plug_fixture_targets(agent)
    agent.rng = np.random.default_rng(3)
    got = as_tensor_array(agent.targets(batch), "TD3Agent.targets(batch) for a batch of 4", (4,))
    assert np.allclose(got, TD3_TARGETS, atol=1e-4), (
        f"TD3Agent(gamma=0.9, target_noise=0.2, noise_clip=0.5) on Pendulum's box (scale 2) with μ'(s) = 1.5, "
        f"Q1'(s, a) = s0 + a, Q2'(s, a) = s1 − a + 1 and rng = default_rng(3) gave targets "
        f"{np.round(got, 4).tolist()}; "
        f"expected {TD3_TARGETS}: draw ε = 0.4 · rng.standard_normal((4, 1)) = [0.8164, −1.0223, 0.1672, −0.2271], "
        "clip it to ±1 (noise_clip · scale), ã = clip(μ'(s') + ε, −2, 2) = [2.0, 0.5, 1.6672, 1.2729], then "
        "y = r + γ (1 − terminated) min(Q1'(s', ã), Q2'(s', ã)) with the TARGET networks"
    )
    assert not agent.targets(batch).requires_grad, "TD3Agent.targets must return a tensor without gradient"
    ddpg = make_agent(impl, "td3", "TD3Agent", gamma=0.9, twin=False, policy_delay=1, target_noise=0.0)
    plug_fixture_targets(ddpg)
    before = generator_state(ddpg.rng, "agent.rng")
    got = as_tensor_array(ddpg.targets(batch), "TD3Agent(twin=False).targets(batch)", (4,))
    assert np.allclose(got, DDPG_TARGETS, atol=1e-4), (
        f"TD3Agent(twin=False, target_noise=0) — DDPG — with μ'(s) = 1.5 and Q1'(s, a) = s0 + a gave targets "
        f"{np.round(got, 4).tolist()}; expected y = r + 0.9 (1 − terminated) Q1'(s', μ'(s')) = {DDPG_TARGETS}"
    )
    assert generator_state(ddpg.rng, "agent.rng") == before, (
        "with target_noise = 0 the targets must draw no smoothing noise from agent.rng"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_act_explores_only_when_asked(impl):
    """act: μ(s) with deterministic=True even at the widest noise (no draw from rng); else μ + N(0, σ²), clipped"""
    agent = make_agent(impl, "td3", "TD3Agent", expl_noise=1.0, learning_starts=0)
    rng = np.random.default_rng(4)
    states = rng.uniform(-1, 1, (5, 3)).astype(np.float32)
    mu = call_net(agent.actor, (states,), (5, 1), "agent.actor(obs)")
    before, digests = generator_state(agent.rng, "agent.rng"), global_rng_digests_of(agent.act)
    for i, obs in enumerate(states):
        got = checked_action(agent.act(obs, deterministic=True), PENDULUM_ACTIONS, "act(obs, deterministic=True)")
        assert np.allclose(got, mu[i], atol=1e-5), (
            f"act(obs, deterministic=True) with expl_noise = 1.0 (σ = 2) returned {got.tolist()}; the actor gives "
            f"μ(obs) = {mu[i].tolist()}: no exploration noise when deterministic"
        )
    assert generator_state(agent.rng, "agent.rng") == before, (
        "act(obs, deterministic=True) drew from agent.rng: the deterministic action takes no noise"
    )
    assert global_rng_digests_of(agent.act) == digests, "act() must not use np.random or random"
    what = "act(obs) with expl_noise = 1 (σ = 2)"
    wide = [checked_action(a, PENDULUM_ACTIONS, what) for a in call_all([(agent.act, (states[0],))] * 500)]
    at_bounds = float(np.mean(np.abs(np.array(wide)) >= 2.0 - 1e-6))
    assert at_bounds > 0.15, (
        f"with expl_noise = 1 (σ = 2) and μ(obs) = {mu[0, 0]:.3f}, μ + noise leaves [−2, 2] about a third of the time "
        f"and clip() puts it on the bound; {100 * at_bounds:.0f} % of 500 actions were on a bound: clip the noisy "
        "action to the bounds (do not resample or squash it)"
    )
    warm = make_agent(impl, "td3", "TD3Agent", learning_starts=10_000)
    got = checked_action(warm.act(states[0], deterministic=True), PENDULUM_ACTIONS, "act(obs, deterministic=True)")
    mu0 = call_net(warm.actor, (states[:1],), (1, 1), "agent.actor(obs)")[0]
    assert np.allclose(got, mu0, atol=1e-5), (
        f"during warm-up (step 0 < learning_starts) act(obs, deterministic=True) returned {got.tolist()}, not μ(obs) = "
        f"{mu0.tolist()}: the evaluated policy is the actor, also before learning starts"
    )
    n = 2000
    samples = np.array(
        [checked_action(a, PENDULUM_ACTIONS, "act(obs)")[0] for a in call_all([(warm.act, (states[0],))] * n)]
    )
    quarter = float(np.mean(samples < -1.0))
    tolerance = binomial_tolerance(0.25, n)
    assert abs(quarter - 0.25) <= tolerance and samples.std() > 1.0, (
        f"during warm-up act(obs) must be uniform over [−2, 2] (rng.uniform(low, high)): of {n} actions "
        f"{100 * quarter:.1f} % fell in [−2, −1) (expected 25 ± {100 * tolerance:.1f} %), sd {samples.std():.3f} "
        "(expected 1.155)"
    )
    noisy = make_agent(impl, "td3", "TD3Agent", expl_noise=0.1, learning_starts=0)
    mu0 = call_net(noisy.actor, (states[:1],), (1, 1), "agent.actor(obs)")[0, 0]
    digests, before = global_rng_digests_of(noisy.act), generator_state(noisy.rng, "agent.rng")
    samples = np.array(
        [checked_action(a, PENDULUM_ACTIONS, "act(obs)")[0] for a in call_all([(noisy.act, (states[0],))] * n)]
    )
    assert global_rng_digests_of(noisy.act) == digests and generator_state(noisy.rng, "agent.rng") != before, (
        "the exploration noise must come from agent.rng (rng.standard_normal(act_dim)), not np.random or random"
    )
    sd, mean = float(samples.std()), float(samples.mean())
    assert abs(sd - 0.2) <= 0.2 * 4.5 / math.sqrt(2 * n) and abs(mean - mu0) <= 4.5 * 0.2 / math.sqrt(n), (
        f"after warm-up, act(obs) with expl_noise = 0.1 on Pendulum (scale 2) must be μ(obs) + N(0, 0.2²): {n} "
        f"actions had mean {mean:.4f} (μ = {mu0:.4f}) and sd {sd:.4f} (expected 0.2 = expl_noise · scale)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_observe_warms_up_then_trains(impl):
    """observe: no update before learning_starts, one per step from then on; a truncated step is not terminal"""
    agent = make_agent(impl, "td3", "TD3Agent", learning_starts=5, batch_size=4)
    rng = np.random.default_rng(5)
    start = snapshot(agent)
    steps = [(False, False), (False, True), (True, False), (False, False), (False, False), (False, False)]
    for k, (terminated, truncated) in enumerate(steps, start=1):
        obs, next_obs = rng.uniform(-1, 1, 3).astype(np.float32), rng.uniform(-1, 1, 3).astype(np.float32)
        agent.observe(obs, np.array([0.5], np.float32), float(k), next_obs, terminated, truncated)
        assert as_int(agent.step, "agent.step", 0, 10**9) == k, f"agent.step after {k} observe() calls is not {k}"
        moved = changed(start["critic1"], named_parameters(agent.critic1, "agent.critic1"))
        if k < 5:
            assert not moved, f"the critic changed at step {k} < learning_starts = 5: learn from step 5 on"
        else:
            assert moved, f"at step {k} ≥ learning_starts = 5 observe() must call train_step (the critic did not move)"
    assert as_int(agent.updates, "agent.updates", 0, 10**9) == 2, "steps 5 and 6 must give two updates"
    batch = agent.buffer.sample(400)
    rewards = as_tensor_array(batch.rewards, "agent.buffer.sample(400).rewards", (400,))
    flags = as_tensor_array(batch.terminated, "agent.buffer.sample(400).terminated", (400,))
    for k, (terminated, truncated) in enumerate(steps, start=1):
        rows = flags[rewards == k]
        assert rows.size and np.all(rows == float(terminated)), (
            f"step {k} (terminated={terminated}, truncated={truncated}) is stored with terminated = "
            f"{sorted(set(rows.tolist()))}; expected {float(terminated)}: Pendulum's time limit is not a terminal state"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(30)
def test_critic_update_moves_only_the_critics(impl):
    """train_step 1 (policy_delay 2): both critics move, actor and targets do not; each critic's loss falls"""
    agent = make_agent(impl, "td3", "TD3Agent", critic_lr=1e-2, policy_delay=2, learning_starts=10**9)
    # Every transition terminal: the target is y = r, so each critic's own loss is mean((Q(s, a) − r)²).
    batch = random_batch(impl, np.random.default_rng(6), 64, terminated=1.0)
    obs, actions, rewards = batch.obs.numpy(), batch.actions.numpy(), batch.rewards.numpy().astype(np.float64)

    def critic_losses() -> list[float]:
        return [
            float(
                np.mean((call_net(getattr(agent, c), (obs, actions), (64,), f"agent.{c}(obs, actions)") - rewards) ** 2)
            )
            for c in ("critic1", "critic2")
        ]

    start, losses = snapshot(agent), critic_losses()
    returned = as_float(agent.train_step(batch), "agent.train_step(batch)")
    assert abs(returned - sum(losses)) <= 1e-4 * max(1.0, sum(losses)), (
        f"train_step returned the critic loss {returned:.6f}; on this all-terminal batch (y = r) the grader measures "
        f"mean((Q1 − r)²) + mean((Q2 − r)²) = {losses[0]:.6f} + {losses[1]:.6f} = {sum(losses):.6f} before the step"
    )
    after = snapshot(agent)
    for name in ("critic1", "critic2"):
        assert changed(start[name], after[name]), f"update 1 did not move {name}: the critic step trains both critics"
    for name in ("actor", "actor_target", "critic1_target", "critic2_target"):
        assert same(start[name], after[name]), (
            f"update 1 of policy_delay = 2 changed {name} ({', '.join(changed(start[name], after[name]))}): only the "
            "critics move on updates that are not a multiple of policy_delay"
        )
    for _ in range(19):
        agent.train_step(batch)
    final = critic_losses()
    for i, name in enumerate(("critic1", "critic2")):
        assert final[i] < 0.8 * losses[i], (
            f"{name}'s own loss mean((Q − y)²) on a fixed all-terminal batch went from {losses[i]:.4f} to "
            f"{final[i]:.4f} in 20 updates (critic_lr = 0.01); it must fall (below 80 %): each critic regresses on y, "
            "and the critic optimizer holds the parameters of both critics"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(30)
def test_actor_update_moves_only_the_actor(impl):
    """The actor step raises Q1(s, μ(s)) (not Q2), leaves every critic as it is; targets follow their networks"""
    agent = make_agent(impl, "td3", "TD3Agent", critic_lr=0.0, actor_lr=1e-3, policy_delay=1, tau=0.2)
    # Critic 2 := critic 1 with its output layer negated (Q2 = −Q1): an actor that climbs Q2, or min(Q1, Q2),
    # instead of Q1 does not raise Q1.
    c1 = named_parameters(agent.critic1, "agent.critic1")
    names = list(named_parameters(agent.critic2, "agent.critic2"))
    flipped = [v if i < len(c1) - 2 else -v for i, v in enumerate(c1.values())]
    load_parameters(agent.critic2, dict(zip(names, flipped, strict=True)))
    batch = random_batch(impl, np.random.default_rng(7), 64)
    obs = batch.obs.numpy()
    start = snapshot(agent)

    def q1_of_policy() -> float:
        mu = call_net(agent.actor, (obs,), (64, 1), "agent.actor(obs)")
        return float(np.mean(call_net(agent.critic1, (obs, mu), (64,), "agent.critic1(obs, μ(obs))")))

    j0 = q1_of_policy()
    agent.train_step(batch)
    after = snapshot(agent)
    for name in ("critic1", "critic2"):
        assert same(start[name], after[name]), (
            f"with critic_lr = 0 an update changed {name} ({', '.join(changed(start[name], after[name]))}): the actor "
            "step must move only the actor (its optimizer holds the actor's parameters only)"
        )
    assert changed(start["actor"], after["actor"]), "with policy_delay = 1 every train_step must update the actor"
    j1 = q1_of_policy()
    assert j1 > j0, (
        f"one actor step (actor_lr = 0.001) changed mean Q1(s, μ(s)) on the batch from {j0:.5f} to {j1:.5f}; the actor "
        "loss −Q1(s, μ(s)).mean() must make it rise (minimise −Q1, with critic 1 — not critic 2, not min(Q1, Q2))"
    )
    # soft updates with τ = 0.2: each target ends 0.8 of the way from its old value to its network's new value
    for name, online in (("actor_target", "actor"), ("critic2_target", "critic2")):
        gap0, gap1 = distance(start[name], after[online]), distance(after[name], after[online])
        assert 0 < gap1 < gap0, (
            f"after an actor update {name} must move towards the updated {online} (soft_update with τ = 0.2): their "
            f"distance went from {gap0:.5f} to {gap1:.5f}"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_policy_delay_schedule(impl):
    """policy_delay = 3: the critics move every update, the actor and all targets at updates 3 and 6 only"""
    agent = make_agent(impl, "td3", "TD3Agent", policy_delay=3, learning_starts=10**9)
    rng = np.random.default_rng(8)
    for k in range(1, 8):
        before = snapshot(agent)
        agent.train_step(random_batch(impl, rng, 32))
        after = snapshot(agent)
        assert as_int(agent.updates, "agent.updates", 0, 10**9) == k, f"agent.updates after {k} train_step calls"
        for name in ("critic1", "critic2"):
            assert changed(before[name], after[name]), f"update {k}: {name} did not move (critics learn every update)"
        for name in ("actor", "actor_target", "critic1_target", "critic2_target"):
            moved = bool(changed(before[name], after[name]))
            assert moved == (k % 3 == 0), (
                f"policy_delay = 3: {name} {'moved' if moved else 'did not move'} at update {k}; the actor and the "
                "target networks move at updates 3 and 6 only (updates % policy_delay == 0)"
            )


# ---------------------------------------------------------------------------------------------------
# Learning checks: the grader's loop and evaluation, fixed seed and budget, calibrated thresholds
# ---------------------------------------------------------------------------------------------------

# Calibration: see calibration/hw07_continuous.md (rlgrade calibrate hw07). Random play ≈ −1200 (−1500 to −1100),
# a good swing-up policy ≈ −150.
TD3_PENDULUM = DeepSpec(
    check="test_td3_pendulum",
    module="td3",
    agent="TD3Agent",
    env_id="Pendulum-v1",
    steps=10_000,
    seed=1,
    low=-200.0,
    semantics="best",
    eval_every=1000,
    eval_episodes=10,
    hparams=TD3_HPARAMS,
)


@pytest.mark.points(10)
@pytest.mark.timeout(90)
def test_td3_pendulum(impl):
    """TD3 learns Pendulum-v1: best mean deterministic return ≥ −200 over 10 episodes within 10k env steps"""
    TD3_PENDULUM.assert_learns(
        impl.attr("td3", "TD3Agent"),
        "the grader evaluates act(obs, deterministic=True) every 1000 steps and stops at the first evaluation ≥ −200; "
        "random play gets ≈ −1200 and a correct agent passes after 4k-6k steps. Check the exact checks first: the "
        "actor's scale, the targets, which networks each update moves, the sign of the actor loss",
    )


DDPG_PENDULUM = DeepSpec(
    check="test_ddpg_pendulum",
    module="td3",
    agent="TD3Agent",
    env_id="Pendulum-v1",
    steps=8000,
    seed=2,
    low=-200.0,
    semantics="best",
    eval_every=1000,
    eval_episodes=10,
    hparams=DDPG_HPARAMS,
)


@pytest.mark.points(6)
@pytest.mark.timeout(90)
def test_ddpg_pendulum(impl):
    """DDPG (twin=False, policy_delay=1, target_noise=0) learns Pendulum-v1: best mean return ≥ −200 within 8k steps"""
    DDPG_PENDULUM.assert_learns(
        impl.attr("td3", "TD3Agent"),
        "the same agent with one critic, no delay and no smoothing; a correct DDPG passes after 3k-4k steps",
    )
