"""Hidden checks of hw11, part "robotics": forward kinematics and the Jacobian on random configurations and other
link lengths (two and three links) against the formulas, the TD3 target of ``update`` on random rows, and the
learning check on another arm (links 1.2 and 0.6) with targets in the upper half-plane, on other seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.arm_fixtures import ARM_HPARAMS, update_target
from grader.harness.deep_control import DeepSpec
from grader.harness.validate import as_float_array, assert_close

REACHING_HIDDEN = DeepSpec(
    check="test_td3_reaches_targets_hidden",
    module="robotics",
    agent="ReachingTD3",
    env_id="grader.harness.planar_arm:PlanarArm-v0",
    steps=8000,
    seed=2151,
    low=-25.0,
    eval_episodes=20,
    hparams=ARM_HPARAMS,
    env_kwargs={"links": (1.2, 0.6), "radius": (0.4, 0.9), "angle": (0.0, np.pi)},
)


def chain(angles: np.ndarray, links: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The end effector Σ l_i (cos φ_i, sin φ_i) and the Jacobian with columns Σ_{i ≥ j} l_i (−sin φ_i, cos φ_i)."""
    phi = np.cumsum(angles)
    p = np.array([links @ np.cos(phi), links @ np.sin(phi)])
    jac = np.array(
        [
            [-(links[j:] @ np.sin(phi[j:])) for j in range(len(links))],
            [links[j:] @ np.cos(phi[j:]) for j in range(len(links))],
        ]
    )
    return p, jac


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_kinematics_random(impl):
    """forward_kinematics and jacobian on 20 random configurations of 2- and 3-link arms equal the formulas."""
    fk, jac = impl.attr("robotics", "forward_kinematics"), impl.attr("robotics", "jacobian")
    rng = np.random.default_rng(51)
    for i in range(20):
        n = 2 + i % 2
        q, links = rng.uniform(-np.pi, np.pi, n), rng.uniform(0.2, 2.0, n)
        p, want = chain(q, links)
        what = f"for q = {np.round(q, 3).tolist()}, l = {np.round(links, 3).tolist()}"
        assert_close(fk(q.copy(), links.copy()), p, f"forward_kinematics {what}", 1e-9)
        got = as_float_array(jac(q.copy(), links.copy()), f"jacobian {what}", (2, n))
        assert_close(got, want, f"jacobian {what}", 1e-9)


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_update_target_random(impl):
    """update's critic target on 6 random one-row batches (γ = .95) equals r + γ (1 − terminated) min(Q'1, Q'2)."""
    rng = np.random.default_rng(52)
    for i in range(6):
        reward, next_obs, terminated = (
            float(rng.uniform(0.1, 2.0)),
            rng.uniform(0.0, 3.0, 2).round(3).tolist(),
            i % 3 == 2,
        )
        want = reward + 0.95 * (1 - terminated) * min(next_obs[0] + 0.5, next_obs[1] + 0.5)
        got = update_target(impl, 0.95, reward, next_obs, float(terminated))
        assert abs(got - want) < 1e-4, (
            f"r = {reward:.4f}, s' = {next_obs}, terminated = {terminated}: y = {got:.5f} from the critic loss, "
            f"expected {want:.5f} (target actor 0.5, Q'1 = s'_0 + ã, Q'2 = s'_1 − ã + 1)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_td3_reaches_targets_hidden(impl):
    """ReachingTD3 reaches targets in the upper half-plane with links (1.2, 0.6): mean return ≥ −25 after 8000 steps."""
    torch.set_num_threads(1)
    REACHING_HIDDEN.assert_learns(impl.attr("robotics", "ReachingTD3"), "check the exact checks first")
