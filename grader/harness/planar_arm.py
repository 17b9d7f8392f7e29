"""PlanarArm-v0: the kit's planar two-link arm that must bring its end effector to a target (hw11, robotics).

The arm's base is at the origin; joint angles q = (q_1, q_2) are measured from the x axis (q_1) and from the
first link (q_2), so the links point along the cumulative angles φ_1 = q_1, φ_2 = q_1 + q_2:

    elbow = l_1 (cos φ_1, sin φ_1)        end effector p(q) = elbow + l_2 (cos φ_2, sin φ_2)

Each step the action a in [−1, 1]² is a joint velocity, a fraction of ``max_speed`` radians per step (the env
clips it to the box):

    q' = wrap(q + max_speed · a)          reward = −‖target − p(q')‖

so the return is minus the summed distance to the target over the episode (0 is unreachable; reaching the target
quickly and staying there is best). The episode never terminates; Gymnasium's ``TimeLimit`` truncates it after
``max_episode_steps`` (50 by default).

``reset(seed=...)`` draws from ``self.np_random`` the start angles, uniform in [−π, π)², then a target at a
distance ``r`` from the base and an angle θ,

    r ~ U(radius[0], radius[1]) · (l_1 + l_2)        θ ~ U(angle[0], angle[1])

``radius`` is a fraction of the reach l_1 + l_2 and must lie within the reachable annulus
[|l_1 − l_2|, l_1 + l_2] / (l_1 + l_2), so every target is reachable.

The observation (float32, 10 numbers) is (cos q_1, sin q_1, cos q_2, sin q_2, target_x, target_y, p_x, p_y,
target_x − p_x, target_y − p_y): positions are in the env's length units (the links' lengths). ``info`` has the
``distance``, the ``angles``, the ``end_effector`` and the ``target``.

Make it with ``gym.make("grader.harness.planar_arm:PlanarArm-v0", links=(1.0, 0.5), max_episode_steps=30)``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

ENV_ID = "PlanarArm-v0"


def end_effector(angles: np.ndarray, links: np.ndarray) -> np.ndarray:
    """The end effector of a planar chain: Σ_i l_i (cos φ_i, sin φ_i) with φ_i = q_1 + … + q_i (the env's own
    kinematics; the students write theirs in hw11's ``robotics.py``)."""
    phi = np.cumsum(angles)
    return np.array([np.sum(links * np.cos(phi)), np.sum(links * np.sin(phi))])


class PlanarArmEnv(gym.Env):
    """A planar two-link arm moved by joint velocities towards a random reachable target; reward = −distance."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(
        self,
        links: tuple[float, float] = (1.0, 1.0),
        max_speed: float = 0.2,
        radius: tuple[float, float] = (0.2, 0.9),
        angle: tuple[float, float] = (-np.pi, np.pi),
    ) -> None:
        self.links = np.asarray(links, dtype=np.float64)
        if self.links.shape != (2,) or not np.all(self.links > 0) or max_speed <= 0:
            raise ValueError(f"PlanarArm needs two positive links and max_speed > 0, got {links}, {max_speed}")
        reach = float(self.links.sum())
        inner = abs(float(self.links[0] - self.links[1])) / reach
        if not inner <= radius[0] <= radius[1] <= 1.0 or not angle[0] <= angle[1]:
            raise ValueError(f"the target region radius {radius} must lie in [{inner:.3f}, 1] (reachable annulus)")
        self.max_speed, self.radius, self.angle, self.reach = float(max_speed), radius, angle, reach
        high = np.array([1, 1, 1, 1, reach, reach, reach, reach, 2 * reach, 2 * reach], dtype=np.float32)
        self.observation_space = gym.spaces.Box(-high, high, dtype=np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self._angles = np.zeros(2)
        self._target = np.zeros(2)

    def _obs(self) -> np.ndarray:
        p = end_effector(self._angles, self.links)
        (c1, c2), (s1, s2) = np.cos(self._angles), np.sin(self._angles)
        return np.concatenate([[c1, s1, c2, s2], self._target, p, self._target - p]).astype(np.float32)

    def _info(self) -> dict[str, Any]:
        p = end_effector(self._angles, self.links)
        return {
            "distance": float(np.linalg.norm(self._target - p)),
            "angles": self._angles.copy(),
            "end_effector": p,
            "target": self._target.copy(),
        }

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._angles = self.np_random.uniform(-np.pi, np.pi, 2)
        r = self.np_random.uniform(*self.radius) * self.reach
        theta = self.np_random.uniform(*self.angle)
        self._target = np.array([r * np.cos(theta), r * np.sin(theta)])
        return self._obs(), self._info()

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        velocity = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        self._angles = (self._angles + self.max_speed * velocity + np.pi) % (2 * np.pi) - np.pi
        info = self._info()
        return self._obs(), -info["distance"], False, False, info


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=PlanarArmEnv, max_episode_steps=50)
