"""PointMass: the kit's small continuous-control task, learnable by a policy-gradient agent in seconds (hw03).

A point in the box ``[-1, 1]^dim`` must reach a goal. Each step the action ``a`` in ``[-1, 1]^dim`` is a
velocity (a fraction of ``max_speed``):

    position' = clip(position + max_speed · a, -1, 1)
    reward    = 100 · (‖goal - position‖ - ‖goal - position'‖) / d_0      d_0 = max(‖goal - position_0‖, max_speed)
    obs       = goal - position'          (the vector from the point to the goal)

so the return is the PERCENTAGE of the start distance covered: 100 = reached (and stayed), 0 = did not move,
negative = moved away; heading straight for the goal at full speed gets ≈ 99.7 on average in 2-D.
``reset(seed=...)`` draws the start and the goal uniformly in the box from ``self.np_random``. The episode
never terminates; it is truncated after ``max_episode_steps`` (50 by default, Gymnasium's ``TimeLimit``).

Make it with ``gym.make("grader.harness.point_mass:PointMass-v0", dim=3, max_speed=0.2, max_episode_steps=30)``
(Gymnasium imports this module, which registers the id, before looking it up).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

ENV_ID = "PointMass-v0"


class PointMassEnv(gym.Env):
    """A point moved by bounded velocity actions towards a random goal; reward = progress in % of the way.
    ``info`` has the ``position`` (and, from ``reset``, the ``goal``) for plotting paths."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, dim: int = 2, max_speed: float = 0.1) -> None:
        if dim < 1 or max_speed <= 0:
            raise ValueError(f"PointMass needs dim >= 1 and max_speed > 0, got dim={dim}, max_speed={max_speed}")
        self.dim = dim
        self.max_speed = max_speed
        self.observation_space = gym.spaces.Box(-2.0, 2.0, shape=(dim,), dtype=np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(dim,), dtype=np.float32)
        self._position = np.zeros(dim)
        self._goal = np.zeros(dim)
        self._scale = 1.0

    def _obs(self) -> np.ndarray:
        return (self._goal - self._position).astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._position = self.np_random.uniform(-1.0, 1.0, self.dim)
        self._goal = self.np_random.uniform(-1.0, 1.0, self.dim)
        self._scale = max(float(np.linalg.norm(self._goal - self._position)), self.max_speed)
        return self._obs(), {"position": self._position.copy(), "goal": self._goal.copy()}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        velocity = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        before = np.linalg.norm(self._goal - self._position)
        self._position = np.clip(self._position + self.max_speed * velocity, -1.0, 1.0)
        distance = float(np.linalg.norm(self._goal - self._position))
        progress = 100.0 * float(before - distance) / self._scale
        return self._obs(), progress, False, False, {"distance": distance, "position": self._position.copy()}


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=PointMassEnv, max_episode_steps=50)
