"""Hidden checks of hw07's DDPG/TD3 pieces (``td3.py``), run only by the graders.

The same specification as the public checks with other numbers (3-d actions with unequal bounds, per-dimension
noise clips, γ = 0.5, other τ), and the grader's own replay of several consecutive updates
(:class:`grader.oracles.continuous_control.ReplayedTD3`): the parameters of every network after each update are
compared with the grader's, which catches what the loss alone does not (optimizer state, the order of the steps,
the delays, the target networks). Learning on other seeds and on the kit's PointMass.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.continuous_fixtures import (
    PENDULUM_ACTIONS,
    PENDULUM_OBS,
    SKEWED_ACTIONS,
    TD3_HPARAMS,
    LinearActor,
    LinearCritic,
    call_net,
    generator_state,
    make_agent,
    named_parameters,
)
from grader.harness.deep_control import DeepSpec
from grader.harness.loops import checked_action
from grader.harness.validate import as_float, as_tensor_array
from grader.oracles.continuous_control import (
    ReplayedTD3,
    TD3Settings,
    bootstrapped_target,
    smoothed_actions,
)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_smoothing_and_targets_other_numbers(impl):
    """smooth_target_actions with 3-d actions and per-dimension clips; td3_target/ddpg_target with γ = 0.5"""
    rng = np.random.default_rng(21)
    mu = rng.uniform(-1.5, 2.5, (6, 3))
    noise = rng.normal(scale=0.8, size=(6, 3))
    clip = np.array([0.3, 0.5, 1.0])
    low, high = np.array([-1.0, -2.0, 0.0]), np.array([2.0, 1.0, 2.5])
    out = impl.attr("td3", "smooth_target_actions")(
        *(torch.tensor(x, dtype=torch.float32) for x in (mu, noise, clip, low, high))
    )
    got = as_tensor_array(out, "smooth_target_actions(μ' (6, 3), noise (6, 3), c (3,), low (3,), high (3,))", (6, 3))
    want = smoothed_actions(mu, noise, clip, low, high)
    assert np.allclose(got, want, atol=1e-5), (
        f"smooth_target_actions with per-dimension clips c = {clip.tolist()}, low = {low.tolist()}, high = "
        f"{high.tolist()}: row 0 gave {np.round(got[0], 5).tolist()} for μ' = {np.round(mu[0], 4).tolist()}, "
        f"ε = {np.round(noise[0], 4).tolist()}; expected {np.round(want[0], 5).tolist()} (all rows: largest error "
        f"{np.abs(got - want).max():.3g})"
    )
    r, done = rng.normal(size=5), np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    q1, q2 = rng.normal(size=5) * 3, rng.normal(size=5) * 3
    args = [torch.tensor(x, dtype=torch.float32) for x in (r, done, q1, q2)]
    got = as_tensor_array(impl.attr("td3", "td3_target")(*args, 0.5), "td3_target(...) (B = 5)", (5,))
    want = bootstrapped_target(r, done, np.minimum(q1, q2), 0.5)
    assert np.allclose(got, want, atol=1e-5), (
        f"td3_target(r = {np.round(r, 3).tolist()}, terminated = {done.tolist()}, q1' = {np.round(q1, 3).tolist()}, "
        f"q2' = {np.round(q2, 3).tolist()}, γ = 0.5) = {np.round(got, 4).tolist()}; expected "
        f"{np.round(want, 4).tolist()}"
    )
    got = as_tensor_array(impl.attr("td3", "ddpg_target")(*args[:3], 0.5), "ddpg_target(...) (B = 5)", (5,))
    want = bootstrapped_target(r, done, q1, 0.5)
    assert np.allclose(got, want, atol=1e-5), f"ddpg_target gave {np.round(got, 4).tolist()}; expected {want}"


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_soft_update_twice(impl):
    """soft_update with τ = 0.3 twice in a row: 0.51 of the online network"""
    online, target = LinearActor([[1.0, -2.0]], [4.0]), LinearActor([[3.0, 0.0]], [-1.0])
    soft_update = impl.attr("td3", "soft_update")
    soft_update(target, online, 0.3)
    soft_update(target, online, 0.3)
    got = [as_tensor_array(p, "a target parameter", tuple(p.shape)).ravel().tolist() for p in target.parameters()]
    want = [[0.51 * 1 + 0.49 * 3, 0.51 * -2 + 0.49 * 0], [0.51 * 4 + 0.49 * -1]]
    assert np.allclose(np.concatenate(got), np.concatenate(want), atol=1e-6), (
        f"two soft_update(target, online, tau=0.3) calls gave {got}; expected {want} (0.51 online + 0.49 target)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_hidden_act_on_a_skewed_box(impl):
    """act on a 2-d box with unequal bounds: deterministic = μ(s) at wide noise; noise σ_j = expl_noise · scale_j"""
    agent = make_agent(impl, "td3", "TD3Agent", (PENDULUM_OBS, SKEWED_ACTIONS), expl_noise=0.05, learning_starts=0)
    obs = np.array([0.2, -0.4, 0.1], np.float32)
    mu = call_net(agent.actor, (obs[None],), (1, 2), "agent.actor(obs)")[0]
    before = generator_state(agent.rng, "agent.rng")
    got = checked_action(agent.act(obs, deterministic=True), SKEWED_ACTIONS, "act(obs, deterministic=True)")
    assert np.allclose(got, mu, atol=1e-5) and generator_state(agent.rng, "agent.rng") == before, (
        f"act(obs, deterministic=True) gave {got.tolist()} (μ(obs) = {mu.tolist()}) or drew from agent.rng"
    )
    samples = np.array([checked_action(agent.act(obs), SKEWED_ACTIONS, "act(obs)") for _ in range(1500)])
    inside = np.all((samples > SKEWED_ACTIONS.low + 1e-6) & (samples < SKEWED_ACTIONS.high - 1e-6), axis=1)
    sd = samples[inside].std(axis=0)
    want = 0.05 * np.array([2.0, 0.5])
    assert np.allclose(sd, want, rtol=0.15), (
        f"on the box low = [−1, 0], high = [3, 1] (scale [2, 0.5]) with expl_noise = 0.05 the exploration noise must "
        f"have sd expl_noise · scale = {want.tolist()} per dimension; measured {np.round(sd, 4).tolist()}"
    )


# ---------------------------------------------------------------------------------------------------
# Consecutive updates against the grader's replay
# ---------------------------------------------------------------------------------------------------

HIDDEN = (16, 16)
STEP_RTOL = 2e-3  # distance to the grader's parameters, relative to how far the update moved them (float32 noise)


def copy_generator(rng: object) -> np.random.Generator:
    """A copy of the agent's generator (its current state), to draw what the agent will draw."""
    copy = np.random.Generator(np.random.PCG64())
    copy.bit_generator.state = generator_state(rng, "agent.rng")
    return copy


def batch_tensors(rng: np.random.Generator, size: int) -> dict[str, torch.Tensor]:
    raw = {
        "obs": rng.uniform(-1, 1, (size, 3)),
        "actions": rng.uniform(-2, 2, (size, 1)),
        "rewards": rng.normal(scale=3.0, size=size),
        "next_obs": rng.uniform(-1, 1, (size, 3)),
        "terminated": (rng.random(size) < 0.3).astype(float),
    }
    return {k: torch.tensor(v, dtype=torch.float32) for k, v in raw.items()}


def compare(net: str, update: int, got: list[np.ndarray], want: list[np.ndarray], before: list[np.ndarray]) -> str:
    """'' when the student's parameters match the grader's after this update, else what differs."""
    error = float(np.sqrt(sum(np.sum((g - w) ** 2) for g, w in zip(got, want, strict=True))))
    moved = float(np.sqrt(sum(np.sum((w - b) ** 2) for w, b in zip(want, before, strict=True))))
    if error <= STEP_RTOL * moved + 1e-6:
        return ""
    made = float(np.sqrt(sum(np.sum((g - b) ** 2) for g, b in zip(got, before, strict=True))))
    return (
        f"after update {update} {net} is {error:.3g} away from the grader's (its update moved it {made:.3g}, the "
        f"grader's {moved:.3g})"
    )


def check_updates(impl, hparams: dict, updates: int, seed: int) -> None:
    """Run ``updates`` consecutive train_step calls and compare every intermediate with :class:`ReplayedTD3`."""
    full = {
        "hidden": HIDDEN, "gamma": 0.9, "tau": 0.2, "actor_lr": 3e-3, "critic_lr": 5e-3, "twin": True,
        "policy_delay": 2, "target_noise": 0.3, "noise_clip": 0.4, "learning_starts": 10**9,
    } | hparams  # fmt: skip
    agent = make_agent(impl, "td3", "TD3Agent", **full)
    nets = [n for n in ReplayedTD3.NETS if full["twin"] or "critic2" not in n]
    read = {n: list(named_parameters(getattr(agent, n), f"agent.{n}").values()) for n in nets}
    settings = TD3Settings(
        full["gamma"], full["tau"], full["actor_lr"], full["critic_lr"], full["twin"], full["policy_delay"],
        full["target_noise"], full["noise_clip"], PENDULUM_ACTIONS.low, PENDULUM_ACTIONS.high,
    )  # fmt: skip
    replay = ReplayedTD3(read, HIDDEN, settings)
    Batch = impl.attr("replay", "Batch")
    rng = np.random.default_rng(seed)
    kind = "TD3" if full["twin"] else "DDPG"
    what = ", ".join(f"{k}={v}" for k, v in full.items() if k != "learning_starts")
    for update in range(1, updates + 1):
        tensors = batch_tensors(rng, 48)
        batch = Batch(*(tensors[k].clone() for k in ("obs", "actions", "rewards", "next_obs", "terminated")))
        state = copy_generator(agent.rng)
        record = replay.update(tensors, copy_generator(agent.rng))
        targets = as_tensor_array(agent.targets(batch), f"agent.targets(batch) before update {update}", (48,))
        agent.rng = state  # targets() drew the smoothing noise: give the update the same draw
        where = f"{kind} agent ({what}), update {update} of {updates} on a batch of 48 (30 % terminal)"
        assert np.allclose(targets, record.targets, atol=1e-4), (
            f"{where}: targets(batch) differ from the grader's y = r + γ (1 − terminated) · "
            f"{'min(Q1′, Q2′)' if full['twin'] else 'Q1′'}(s′, ã) from your target networks: first rows "
            f"{np.round(targets[:4], 4).tolist()} vs {np.round(record.targets[:4], 4).tolist()}"
        )
        loss = as_float(agent.train_step(batch), f"agent.train_step(batch) (update {update})")
        assert abs(loss - record.critic_loss) <= 1e-4 * max(1.0, abs(record.critic_loss)), (
            f"{where}: train_step returned the critic loss {loss:.6f}; the grader's is {record.critic_loss:.6f} "
            f"(mean((Q1 − y)²){' + mean((Q2 − y)²)' if full['twin'] else ''} before the step, from your critics)"
        )
        want = replay.parameters()
        problems = []
        for net in nets:
            got = list(named_parameters(getattr(agent, net), f"agent.{net}").values())
            problem = compare(net, update, got, want[net], read[net])
            if problem:
                problems.append(problem)
            read[net] = got
        stage = (
            "critic step"
            if not record.actor_updated
            else "critic step, actor step (−Q1(s, μ(s)).mean()) and soft updates"
        )
        assert not problems, (
            f"{where}: the targets and the critic loss match the grader's, but the parameters after the update do not "
            f"({stage}; Adam moments carried over from the previous updates): " + "; ".join(problems)
        )


@pytest.mark.points(4)
@pytest.mark.timeout(60)
def test_hidden_td3_updates_match_the_grader(impl):
    """Four consecutive TD3 updates (policy_delay 2): every network's parameters equal the grader's after each"""
    check_updates(impl, {}, 4, seed=31)


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_ddpg_updates_match_the_grader(impl):
    """Three consecutive DDPG updates (twin=False, policy_delay 1, no smoothing): parameters equal the grader's"""
    check_updates(impl, {"twin": False, "policy_delay": 1, "target_noise": 0.0}, 3, seed=32)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_agent_targets_skewed_box(impl):
    """TD3Agent.targets on a 2-d box with unequal bounds, fixture target networks and a given rng"""
    agent = make_agent(impl, "td3", "TD3Agent", (PENDULUM_OBS, SKEWED_ACTIONS), gamma=0.5, target_noise=0.5)
    agent.actor_target = LinearActor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]], [1.0, 0.4])
    agent.critic1_target = LinearCritic([1.0, 1.0, 0.0], [1.0, -2.0], 0.0)
    agent.critic2_target = LinearCritic([0.0, -1.0, 1.0], [0.5, 1.0], 0.5)
    agent.rng = np.random.default_rng(41)
    rng = np.random.default_rng(42)
    next_obs = rng.uniform(-2, 2, (6, 3))
    rewards, done = rng.normal(size=6), np.array([0, 0, 1, 0, 0, 1.0])
    Batch = impl.attr("replay", "Batch")
    batch = Batch(
        *(torch.tensor(x, dtype=torch.float32) for x in (np.zeros((6, 3)), np.zeros((6, 2)), rewards, next_obs, done))
    )
    got = as_tensor_array(agent.targets(batch), "TD3Agent.targets(batch)", (6,))
    scale, low, high = np.array([2.0, 0.5]), SKEWED_ACTIONS.low, SKEWED_ACTIONS.high
    mu = next_obs @ np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]]).T + np.array([1.0, 0.4])
    eps = 0.5 * scale * np.random.default_rng(41).standard_normal((6, 2))
    a = smoothed_actions(mu, eps, 0.5 * scale, low, high)
    q1 = next_obs @ np.array([1.0, 1.0, 0.0]) + a @ np.array([1.0, -2.0])
    q2 = next_obs @ np.array([0.0, -1.0, 1.0]) + a @ np.array([0.5, 1.0]) + 0.5
    want = bootstrapped_target(rewards, done, np.minimum(q1, q2), 0.5)
    assert np.allclose(got, want, atol=1e-4), (
        f"targets on the box low = [−1, 0], high = [3, 1] (scale [2, 0.5]; σ = target_noise · scale, c = noise_clip · "
        f"scale per dimension) gave {np.round(got, 4).tolist()}; the grader's y = {np.round(want, 4).tolist()}"
    )


# ---------------------------------------------------------------------------------------------------
# Learning checks on other seeds and another task
# ---------------------------------------------------------------------------------------------------

# The public check's spec on another seed (7): its calibration applies unchanged.
HIDDEN_PENDULUM = DeepSpec(
    check="test_hidden_td3_pendulum_other_seed",
    module="td3",
    agent="TD3Agent",
    env_id="Pendulum-v1",
    steps=10_000,
    seed=7,
    low=-250.0,
    semantics="best",
    eval_every=1000,
    eval_episodes=10,
    hparams=TD3_HPARAMS,
)


@pytest.mark.points(6)
@pytest.mark.timeout(90)
def test_hidden_td3_pendulum_other_seed(impl):
    """TD3 learns Pendulum-v1 on another seed: best mean return ≥ −250 within 10k env steps"""
    HIDDEN_PENDULUM.assert_learns(impl.attr("td3", "TD3Agent"), "the same task as the public check, another seed")


# The kit's PointMass in 2-D (speed 0.1, 50 steps): the return is the percentage of the way to the goal covered
# (random play ≈ 0, heading straight for the goal ≈ 99.7). The same hyperparameters as Pendulum.
HIDDEN_POINT_MASS = DeepSpec(
    check="test_hidden_td3_point_mass",
    module="td3",
    agent="TD3Agent",
    env_id="grader.harness.point_mass:PointMass-v0",
    steps=5000,
    seed=8,
    low=60.0,
    semantics="best",
    eval_every=1000,
    eval_episodes=10,
    hparams=TD3_HPARAMS,
)


@pytest.mark.points(5)
@pytest.mark.timeout(90)
def test_hidden_td3_point_mass(impl):
    """TD3 on the kit's PointMass (2-D, 50 steps): best mean return ≥ 60 (% of the way) within 5k env steps"""
    HIDDEN_POINT_MASS.assert_learns(
        impl.attr("td3", "TD3Agent"),
        "two actions in [−1, 1]: the velocity; heading straight for the goal covers ≈ 99.7 % of the way, random play 0",
    )
