"""PlanarArm-v0 (hw11's robotics part) is a real Gymnasium env: check_env passes, resets are seeded, the kinematics
match the issue's example, every target is reachable, actions are clipped and the time limit truncates."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from grader.harness.envs import make_env
from grader.harness.planar_arm import end_effector

ARM = "grader.harness.planar_arm:PlanarArm-v0"


def test_check_env_and_hidden_variant() -> None:
    check_env(make_env(ARM).unwrapped)
    check_env(make_env(ARM, links=(1.2, 0.6), radius=(0.4, 0.9), angle=(0.0, np.pi)).unwrapped)


def test_forward_kinematics_of_the_issue() -> None:
    assert np.allclose(end_effector(np.array([0.0, np.pi / 2]), np.array([1.0, 1.0])), [1.0, 1.0])


def test_seeded_reachable_targets_and_observation() -> None:
    env = make_env(ARM, links=(1.2, 0.6), radius=(0.4, 0.9))
    first, _ = env.reset(seed=7)
    again, info = env.reset(seed=7)
    assert np.array_equal(first, again)
    for seed in range(50):
        obs, info = env.reset(seed=seed)
        r = np.linalg.norm(info["target"])
        assert 0.4 * 1.8 - 1e-9 <= r <= 0.9 * 1.8 + 1e-9
        assert np.allclose(obs[6:8], end_effector(info["angles"], np.array([1.2, 0.6])), atol=1e-6)
        assert np.allclose(obs[8:], obs[4:6] - obs[6:8], atol=1e-6)
        assert obs.dtype == np.float32 and env.observation_space.contains(obs)


def test_step_clips_the_action_and_truncates_after_50() -> None:
    env = make_env(ARM)
    _, info = env.reset(seed=3)
    q = info["angles"]
    _, reward, terminated, truncated, info = env.step(np.array([5.0, -5.0], dtype=np.float32))
    moved = (q + 0.2 * np.array([1.0, -1.0]) + np.pi) % (2 * np.pi) - np.pi
    assert np.allclose(info["angles"], moved) and reward == pytest.approx(-info["distance"])
    assert not terminated and not truncated
    steps = 1
    while not truncated:
        _, _, terminated, truncated, _ = env.step(np.zeros(2, dtype=np.float32))
        steps += 1
        assert not terminated
    assert steps == 50


def test_unreachable_target_region_is_refused() -> None:
    with pytest.raises(ValueError, match="reachable"):
        make_env(ARM, links=(1.0, 0.2), radius=(0.1, 0.9))
