"""Public checks of hw03's cross-entropy method (``cem.py``).

Exact checks: the linear policy's action for given parameters, the refit of (μ, σ) to the elites of a
given population, and the agent's protocol (one θ per episode, a refit after ``population`` episodes, the
mean for deterministic actions), driven step by step by the check. The learning check trains your
``CEMAgent`` with the grader's loop (``grader/harness/deep_control.py``) on CartPole-v1.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from grader.harness.deep_control import DeepSpec
from grader.harness.validate import as_float_array, as_int


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_linear_action(impl):
    """linear_action: argmax of W·obs + b (discrete) and clip(W·obs + b) (box); θ = [W, b] row by row"""
    linear_action = impl.attr("cem", "linear_action")
    theta = np.array([0.5, -1.0, 2.0, 0.1, -0.3, 0.8, 1.0, -0.2])  # M = [[0.5, -1, 2, 0.1], [-0.3, 0.8, 1, -0.2]]
    matrix = theta.reshape(2, 4)
    for obs in (np.array([1.0, 0.5, 0.2]), np.array([-1.0, 1.0, 0.3])):
        y = matrix[:, :3] @ obs + matrix[:, 3]
        got = as_int(linear_action(theta.copy(), obs.copy(), gym.spaces.Discrete(2)), "linear_action(...)", 0, 2)
        assert got == int(np.argmax(y)), (
            f"linear_action(theta={theta.tolist()}, obs={obs.tolist()}, Discrete(2)) = {got}; expected "
            f"{int(np.argmax(y))}: M = theta.reshape(2, 4), scores y = M[:, :3] @ obs + M[:, 3] = "
            f"{np.round(y, 4).tolist()}, action = argmax y"
        )
        box = gym.spaces.Box(-0.5, 0.5, shape=(2,), dtype=np.float32)
        got_box = as_float_array(linear_action(theta.copy(), obs.copy(), box), "linear_action(..., Box)", (2,))
        assert np.allclose(got_box, np.clip(y, -0.5, 0.5), rtol=0, atol=1e-6), (
            f"linear_action(theta={theta.tolist()}, obs={obs.tolist()}, Box(-0.5, 0.5, (2,))) = "
            f"{np.round(got_box, 4).tolist()}; expected clip(y, low, high) = {np.round(np.clip(y, -0.5, 0.5), 4)}"
        )


SAMPLES = np.array([[0.0, 1.0], [2.0, -1.0], [4.0, 3.0], [-2.0, 0.5], [1.0, 1.0], [3.0, -2.0]])
RETURNS = np.array([10.0, 40.0, 25.0, 5.0, 30.0, 15.0])


@pytest.mark.points(5)
@pytest.mark.timeout(10)
def test_cem_update(impl):
    """cem_update: refit to the ⌈elite_frac·N⌉ samples with the HIGHEST returns, std (ddof 0) + extra_std"""
    cem_update = impl.attr("cem", "cem_update")
    for elite_frac, extra_std in ((0.5, 0.0), (0.3, 0.25)):
        samples, returns = SAMPLES.copy(), RETURNS.copy()
        result = cem_update(samples, returns, elite_frac, extra_std)
        assert type(result) is tuple and len(result) == 2, "cem_update must return the pair (mean, std)"
        mean = as_float_array(result[0], "the mean returned by cem_update", (2,))
        std = as_float_array(result[1], "the std returned by cem_update", (2,))
        n_elite = int(np.ceil(elite_frac * len(RETURNS)))
        elites = SAMPLES[np.argsort(-RETURNS)[:n_elite]]
        want_mean, want_std = elites.mean(axis=0), elites.std(axis=0) + extra_std
        assert np.allclose(mean, want_mean, rtol=0, atol=1e-9) and np.allclose(std, want_std, rtol=0, atol=1e-9), (
            f"cem_update(samples={SAMPLES.tolist()}, returns={RETURNS.tolist()}, elite_frac={elite_frac}, "
            f"extra_std={extra_std}) = (mean {mean.tolist()}, std {std.tolist()}); expected (mean "
            f"{want_mean.tolist()}, std {np.round(want_std, 6).tolist()}) from the {n_elite} elites "
            f"{elites.tolist()} (the ⌈{elite_frac}·6⌉ samples with the highest returns; np.std with ddof 0, "
            "then + extra_std)"
        )
        assert np.array_equal(samples, SAMPLES) and np.array_equal(returns, RETURNS), "cem_update modified its inputs"


# Episodes of the protocol check: (rewards per step, ends by termination?) -> returns 1, 5, 3, 4: elites 1 and 3.
EPISODES = (([0.5, 0.5, 0.0], True), ([2.0, 2.0, 1.0], False), ([1.0, 1.0, 1.0], True), ([4.0, 0.0, 0.0], False))
OBS = np.array([[0.3, -0.2, 0.1], [-0.5, 0.4, 0.9], [0.2, 0.2, -0.7]])


@pytest.mark.points(5)
@pytest.mark.timeout(10)
def test_cem_agent_protocol(impl):
    """CEMAgent: one θ ~ N(mean, std²) per episode, played all episode; refit to the best after `population`"""
    obs_space = gym.spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32)
    agent = impl.attr("cem", "CEMAgent")(
        obs_space, gym.spaces.Discrete(2), seed=3, population=4, elite_frac=0.5, init_std=1.0, extra_std=0.0
    )
    mean0 = as_float_array(agent.mean, "CEMAgent.mean after __init__", (8,))
    std0 = as_float_array(agent.std, "CEMAgent.std after __init__", (8,))
    assert np.all(mean0 == 0) and np.allclose(std0, 1.0), (
        f"a new CEMAgent(init_std=1.0) must have mean = zeros(8) and std = ones(8) (8 = 2 actions x (3 + 1)), "
        f"got mean {mean0.tolist()}, std {std0.tolist()}"
    )
    thetas = []
    for episode, (rewards, terminated) in enumerate(EPISODES):
        for t, reward in enumerate(rewards):
            action = as_int(agent.act(OBS[t].copy()), "CEMAgent.act(obs)", 0, 2)
            theta = as_float_array(agent.theta, f"CEMAgent.theta during episode {episode}", (8,))
            if t == 0:
                thetas.append(theta)
            assert np.array_equal(theta, thetas[-1]), (
                f"CEMAgent.theta changed inside episode {episode} (at step {t}); draw θ once, at the first act() "
                "of an episode, and play it until the episode ends"
            )
            matrix = theta.reshape(2, 4)
            want = int(np.argmax(matrix[:, :3] @ OBS[t] + matrix[:, 3]))
            assert action == want, f"CEMAgent.act(obs) = {action}, but linear_action(theta, obs) = {want}"
            last = t == len(rewards) - 1
            agent.observe(
                OBS[t].copy(), action, reward, OBS[(t + 1) % 3].copy(), last and terminated, last and not terminated
            )
        assert agent.theta is None, f"CEMAgent.theta must be None after episode {episode} ended"
    assert not any(np.array_equal(thetas[0], th) for th in thetas[1:]), "every episode must draw a new θ"
    mean = as_float_array(agent.mean, "CEMAgent.mean after 4 episodes", (8,))
    std = as_float_array(agent.std, "CEMAgent.std after 4 episodes", (8,))
    elites = np.array([thetas[1], thetas[3]])
    assert np.allclose(mean, elites.mean(axis=0), atol=1e-9) and np.allclose(std, elites.std(axis=0), atol=1e-9), (
        "after population = 4 episodes with returns [1, 5, 3, 4] (elite_frac 0.5, extra_std 0) CEMAgent must refit "
        f"to the θs of episodes 1 and 3: mean {np.round(elites.mean(axis=0), 4).tolist()}, std "
        f"{np.round(elites.std(axis=0), 4).tolist()}; got mean {np.round(mean, 4).tolist()}, std "
        f"{np.round(std, 4).tolist()}"
    )
    matrix = mean.reshape(2, 4)
    for obs in OBS:
        got = as_int(agent.act(obs.copy(), deterministic=True), "CEMAgent.act(obs, deterministic=True)", 0, 2)
        want = int(np.argmax(matrix[:, :3] @ obs + matrix[:, 3]))
        assert got == want, f"act(obs, deterministic=True) = {got}; expected {want}, the action of the mean θ"
    assert agent.theta is None, "act(obs, deterministic=True) must not draw a θ"


# Calibration (rlgrade calibrate hw03 → calibration/hw03_policy_gradient.md; 30 unseen seeds 1000-1029, mutants on
# the first 10; final semantics): reference 494.5 ± 28.7, min 342.9, 30/30 pass, margin +6.8 sd (false fail ≈ 6e-12
# by the normal estimate; exact 95 % bound 9.5 %), 1.4 CPU s per run. Mutants (0/10 pass): CEM-worst-elites 9.2,
# CEM-never-refits 9.5.
CEM_CARTPOLE = DeepSpec(
    check="test_cem_cartpole",
    module="cem",
    agent="CEMAgent",
    env_id="CartPole-v1",
    steps=100_000,
    seed=1,
    low=300.0,
    hparams={"population": 20, "elite_frac": 0.2, "init_std": 1.0, "extra_std": 0.1},
)


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_cem_cartpole(impl):
    """CEM (population 20, elite 20 %) learns CartPole-v1 in 100k env steps: mean return of the mean θ ≥ 300"""
    CEM_CARTPOLE.assert_learns(
        impl.attr("cem", "CEMAgent"),
        "a correct agent reaches ≈ 500 (a return ≈ 9 is a policy that always pushes the same way). A learning "
        "check cannot say which part is wrong: test_linear_action, test_cem_update and test_cem_agent_protocol "
        "check each part",
    )
