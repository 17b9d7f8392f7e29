"""Public checks of hw11, part "robotics": forward kinematics and the Jacobian of a planar arm, and a compact TD3
agent (``robotics.py``) that learns to reach targets on the kit's ``PlanarArm-v0`` (``grader/harness/planar_arm.py``).

Exact checks compare your numbers with the ones worked out in this file. The agent checks build your
``ReachingTD3`` on small spaces and set some of its networks to known weights, so the expected actions and targets
can be worked out by hand. The learning check trains your agent with the grader's loop for 8000 env steps (160
episodes of 50 steps) and evaluates act(obs, deterministic=True) on 20 fresh episodes the grader seeds: the return
of an episode is minus the summed distance (in link lengths) from the end effector to the target over its 50
steps. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.arm_fixtures import ARM_HPARAMS, last_layer_zero, update_target
from grader.harness.calls import global_rng_digests_of
from grader.harness.continuous_fixtures import generator_state, make_agent
from grader.harness.deep_control import DeepSpec
from grader.harness.loops import checked_action
from grader.harness.validate import as_float_array, as_tensor_array, assert_close

REACHING = DeepSpec(
    check="test_td3_reaches_targets",
    module="robotics",
    agent="ReachingTD3",
    env_id="grader.harness.planar_arm:PlanarArm-v0",
    steps=8000,
    seed=1151,
    low=-30.0,
    eval_episodes=20,
    hparams=ARM_HPARAMS,
)

SKEWED = gym.spaces.Box(-2.0, 0.5, shape=(1,), dtype=np.float32)  # bias (high + low) / 2 = −0.75, scale 1.25


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_forward_kinematics(impl):
    """forward_kinematics([0, π/2], [1, 1]) = (1, 1); ([π/2, −π/2], [2, 1]) = (1, 2); ([π, 0], [1, .5]) = (−1.5, 0)."""
    fk = impl.attr("robotics", "forward_kinematics")
    hint = ": p = Σ_i l_i (cos φ_i, sin φ_i) with the cumulative angles φ_i = q_1 + … + q_i"
    assert_close(fk(np.array([0.0, np.pi / 2]), np.array([1.0, 1.0])), [1.0, 1.0], "fk([0, π/2], [1, 1])", 1e-9, hint)
    # φ = [π/2, 0]: the first link (length 2) straight up, the second along x → (0 + 1, 2 + 0)
    assert_close(
        fk(np.array([np.pi / 2, -np.pi / 2]), np.array([2.0, 1.0])), [1.0, 2.0], "fk([π/2, −π/2], [2, 1])", 1e-9, hint
    )
    assert_close(fk(np.array([np.pi, 0.0]), np.array([1.0, 0.5])), [-1.5, 0.0], "fk([π, 0], [1, .5])", 1e-9, hint)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_jacobian(impl):
    """jacobian([0, π/2], [1, 1]) = [[−1, −1], [1, 0]], ([π/2, −π/2], [2, 1]) = [[−2, 0], [1, 1]]; finite diff."""
    jac, fk = impl.attr("robotics", "jacobian"), impl.attr("robotics", "forward_kinematics")
    hint = ": column j is ∂p/∂q_j = Σ_{i ≥ j} l_i (−sin φ_i, cos φ_i), rows x and y"
    assert_close(
        jac(np.array([0.0, np.pi / 2]), np.array([1.0, 1.0])),
        [[-1, -1], [1, 0]],
        "jacobian([0, π/2], [1, 1])",
        1e-9,
        hint,
    )
    # φ = [π/2, 0]: column 1 = 2 (−1, 0) + 1 (0, 1) = (−2, 1); column 2 = 1 (0, 1)
    assert_close(
        jac(np.array([np.pi / 2, -np.pi / 2]), np.array([2.0, 1.0])),
        [[-2, 0], [1, 1]],
        "jacobian([π/2, −π/2], [2, 1])",
        1e-9,
        hint,
    )
    q, links, h = np.array([0.3, 1.1]), np.array([1.0, 0.7]), 1e-6
    numeric = np.zeros((2, 2))
    for j in range(2):
        step = np.eye(2)[j] * h
        plus = as_float_array(fk(q + step, links), "forward_kinematics(q + h e_j, links)", (2,))
        minus = as_float_array(fk(q - step, links), "forward_kinematics(q − h e_j, links)", (2,))
        numeric[:, j] = (plus - minus) / (2 * h)
    assert_close(
        jac(q.copy(), links.copy()), numeric, "jacobian([.3, 1.1], [1, .7]) vs finite differences of fk", 1e-5, hint
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_td3_target(impl):
    """td3_target(r = [1, −1], terminated = [0, 1], q1' = [3, 5], q2' = [2, 4], γ = .9) = [2.8, −1.0], detached."""
    q1 = torch.tensor([3.0, 5.0], requires_grad=True)
    got = impl.attr("robotics", "td3_target")(
        torch.tensor([1.0, -1.0]), torch.tensor([0.0, 1.0]), q1, torch.tensor([2.0, 4.0]), 0.9
    )
    assert_close(
        as_tensor_array(got, "td3_target(...)", (2,)),
        [2.8, -1.0],
        "td3_target(...)",
        1e-6,
        ": y = r + γ (1 − terminated) min(q1', q2'): 1 + .9 · min(3, 2) = 2.8; a terminated step keeps r = −1",
    )
    assert not got.requires_grad, "td3_target must return a detached tensor (a fixed label, no gradient)"


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_act_deterministic_and_bounds(impl):
    """act(obs, deterministic=True) = −0.75 on [−2, .5] with the actor's last layer at 0, no draw; noisy acts clipped.

    With the last layer at 0, μ(s) = bias + scale · tanh(0) = (high + low)/2; act(obs) at expl_noise = 5 (σ = 6.25)
    must put about 42 % of the actions on each bound (clipped, not resampled)."""
    obs_space = gym.spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)
    agent = make_agent(impl, "robotics", "ReachingTD3", (obs_space, SKEWED), learning_starts=0, expl_noise=5.0)
    last_layer_zero(agent.actor, "agent.actor")
    states = np.random.default_rng(5).uniform(-1, 1, (5, 3)).astype(np.float32)
    before, digests = generator_state(agent.rng, "agent.rng"), global_rng_digests_of(agent.act)
    for obs in states:
        got = checked_action(agent.act(obs.copy(), deterministic=True), SKEWED, "act(obs, deterministic=True)")
        assert abs(float(got[0]) + 0.75) < 1e-6, (
            f"act(obs, deterministic=True) = {float(got[0]):.4f} with the actor's last layer at 0, expected "
            "μ(s) = bias + scale · tanh(0) = (0.5 + (−2))/2 = −0.75: scale and shift tanh to the action box"
        )
    assert generator_state(agent.rng, "agent.rng") == before, (
        "act(obs, deterministic=True) drew from agent.rng: the evaluated action takes no noise"
    )
    assert global_rng_digests_of(agent.act) == digests, "act() must not use np.random, random or torch's RNG"
    actions = np.array(
        [checked_action(agent.act(states[0].copy()), SKEWED, "act(obs) with expl_noise = 5")[0] for _ in range(200)]
    )
    assert generator_state(agent.rng, "agent.rng") != before, "act(obs) must draw its exploration noise from agent.rng"
    at_low, at_high = float(np.mean(actions <= -2.0 + 1e-6)), float(np.mean(actions >= 0.5 - 1e-6))
    assert at_low > 0.2 and at_high > 0.2, (
        f"with σ = 5 · 1.25 around −0.75 about 42 % of the noisy actions fall past each bound and clip() puts them on "
        f"it; got {100 * at_low:.0f} % at −2 and {100 * at_high:.0f} % at 0.5: add N(0, σ²) noise, then clip"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(30)
def test_update_target(impl):
    """One update's critic target, from the target networks set to known weights: y = 1.9, 0.95, 2.0 (terminated).

    Target actor at 0.5, Q'1 = s_0 + a, Q'2 = s_1 − a + 1, online critics 0, γ = .9: critic loss 2 y² with
    y = 1.9 (r = 1, s' = [2, .5]), 0.95 (r = .5, s' = [0, 3]), 2.0 (terminated, r = 2)."""
    rows = [(1.0, [2.0, 0.5], 0.0, 1.9), (0.5, [0.0, 3.0], 0.0, 0.95), (2.0, [1.0, 1.0], 1.0, 2.0)]
    for reward, next_obs, terminated, want in rows:
        got = update_target(impl, 0.9, reward, next_obs, terminated)
        assert abs(got - want) < 1e-5, (
            f"r = {reward}, s' = {next_obs}, terminated = {terminated:g}: the critic loss gives y = {got:.4f}, "
            f"expected {want}: ã = μ'(s') = 0.5 from the TARGET actor, y = r + γ (1 − terminated) "
            "min(Q'1(s', ã), Q'2(s', ã)) from the TARGET critics (here Q'1 = s'_0 + ã, Q'2 = s'_1 − ã + 1); "
            "loss = mean((Q1 − y)²) + mean((Q2 − y)²)"
        )


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_td3_reaches_targets(impl):
    """ReachingTD3 reaches random targets: mean return ≥ −30 (20 deterministic episodes) after 8000 env steps.

    −30 is a mean distance of 0.6 link lengths per step over the 50 steps of an episode."""
    torch.set_num_threads(1)
    REACHING.assert_learns(
        impl.attr("robotics", "ReachingTD3"),
        "random actions and a still arm get about −80; a correct agent −15 to −23 (30 seeds). Check the exact checks "
        "first: the actor's scale, the targets, the sign of the actor loss (−Q1(s, μ(s)))",
    )
