"""Public checks of hw07's TD3/DDPG agent (``td3.py``: ``TD3Agent``).

Exact checks plug fixture networks with known weights into your agent (μ'(s) = 1.5, Q1'(s, a) = s0 + a,
Q2'(s, a) = s1 − a + 1), so every expected number below can be worked out by hand. The update checks drive
``TD3Agent.train_step`` on fixed batches and look at which networks moved and whether each one's own objective
improved, measured on your networks. The learning checks train your agent on Pendulum-v1 with the grader's loop
(``grader/harness/deep_control.py``). Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.calibration import normal_cdf
from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all, global_rng_digests_of
from grader.harness.continuous_fixtures import (
    DDPG_HPARAMS,
    PENDULUM_ACTIONS,
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


TARGET_BATCH = (
    np.zeros((4, 3)),
    np.zeros((4, 1)),
    [1.0, -1.0, 0.5, 0.0],
    [[0.5, 3, 0], [1, 0, 0], [-1, 2, 0], [2, 2, 0]],
)
TD3_TARGETS = [2.8, -0.55, 0.5, 1.554400]
DDPG_TARGETS = [2.8, 1.25, 0.5, 3.15]  # ã = μ'(s') = 1.5, no noise, y = r + 0.9 (1 − terminated) Q1'(s', ã)


def clipped_normal(mu: float, sigma: float, low: float, high: float) -> tuple[float, float, float]:
    """For X = clip(μ + σ·z, low, high), z ~ N(0, 1): P(X on a bound), E[X] and sd(X) (α, β: the bounds in z units).
    The act check compares your exploring actions with these, so it holds wherever your actor puts μ(obs)."""
    a, b = (low - mu) / sigma, (high - mu) / sigma
    cdf = [normal_cdf(x) for x in (a, b)]
    pdf = [math.exp(-x * x / 2) / math.sqrt(2 * math.pi) for x in (a, b)]
    inside = cdf[1] - cdf[0]
    mean = low * cdf[0] + high * (1 - cdf[1]) + mu * inside + sigma * (pdf[0] - pdf[1])
    square = low**2 * cdf[0] + high**2 * (1 - cdf[1]) + (mu**2 + sigma**2) * inside
    square += 2 * mu * sigma * (pdf[0] - pdf[1]) + sigma**2 * (a * pdf[0] - b * pdf[1])
    return cdf[0] + 1 - cdf[1], mean, math.sqrt(max(square - mean**2, 0.0))


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
    p_bound = clipped_normal(float(mu[0, 0]), 2.0, -2.0, 2.0)[0]
    assert abs(at_bounds - p_bound) <= binomial_tolerance(p_bound, len(wide)), (
        f"with expl_noise = 1 (σ = 2) and μ(obs) = {mu[0, 0]:.3f}, μ + noise leaves [−2, 2] with probability "
        f"{p_bound:.3f} and clip() puts it on the bound; {100 * at_bounds:.1f} % of 500 actions were on a bound: "
        "add N(0, σ²) noise from agent.rng and clip the noisy action to the bounds (do not resample or squash it)"
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
    _, want_mean, want_sd = clipped_normal(float(mu0), 0.2, -2.0, 2.0)
    assert abs(sd - want_sd) <= want_sd * 4.5 / math.sqrt(2 * n) + 1e-6 and abs(mean - want_mean) <= (
        4.5 * want_sd / math.sqrt(n) + 1e-6
    ), (
        "after warm-up, act(obs) with expl_noise = 0.1 on Pendulum (scale 2) must be clip(μ(obs) + N(0, 0.2²), −2, "
        f"2): {n} actions had mean {mean:.4f} and sd {sd:.4f}; with μ = {mu0:.4f} expected {want_mean:.4f} and "
        f"{want_sd:.4f} (sd 0.2 = expl_noise · scale where μ is far from the bounds)"
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
    low=-250.0,
    semantics="best",
    eval_every=1000,
    eval_episodes=10,
    hparams=TD3_HPARAMS,
)


@pytest.mark.points(10)
@pytest.mark.timeout(90)
def test_td3_pendulum(impl):
    """TD3 learns Pendulum-v1: best mean deterministic return ≥ −250 over 10 episodes within 10k env steps"""
    TD3_PENDULUM.assert_learns(
        impl.attr("td3", "TD3Agent"),
        "the grader evaluates act(obs, deterministic=True) every 1000 steps and stops at the first evaluation ≥ −250; "
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
    low=-250.0,
    semantics="best",
    eval_every=1000,
    eval_episodes=10,
    hparams=DDPG_HPARAMS,
)


@pytest.mark.points(6)
@pytest.mark.timeout(90)
def test_ddpg_pendulum(impl):
    """DDPG (twin=False, policy_delay=1, target_noise=0) learns Pendulum-v1: best mean return ≥ −250 within 8k steps"""
    DDPG_PENDULUM.assert_learns(
        impl.attr("td3", "TD3Agent"),
        "the same agent with one critic, no delay and no smoothing; a correct DDPG passes after 3k-4k steps",
    )
