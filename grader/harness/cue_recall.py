"""CueRecall: the kit's memory task for continuous control (hw07's LSTM-TD3).

**CueRecall-v0.** A cue c ∈ {−1, +1} is drawn at ``reset`` and shown in the FIRST observation only; every step
the agent must say it back with an action a ∈ [−1, 1]:

    obs_t  = [c if t = 0 else 0,  t / length]          (the cue, then the phase of the episode)
    reward = −(a_t − c)²                                (0 for a perfect recall, −1 for a = 0, −4 for the wrong sign)

and the episode terminates after ``length`` steps (5 by default). With memory the return can reach 0. Without
memory it cannot: after the first step the observation is the same for both cues, so a policy of the current
observation plays the same a_t for both, and over episodes whose cues are k times +1 and n − k times −1 the
best such policy (a_t = the mean cue m = (2k − n)/n) gets 1 − m² less per step than a perfect recall, i.e.
−(length − 1)(1 − m²) per episode on average (−4 with 5 steps and balanced cues). :func:`memoryless_bound`
computes that number for given cues, so a check can show that an agent used its memory.

Make it with ``gym.make("grader.harness.cue_recall:CueRecall-v0", length=5)`` (Gymnasium imports this module,
which registers the id, before looking it up; the trusted loops use :func:`grader.harness.envs.make_env`).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

CUE_RECALL = "CueRecall-v0"


class CueRecallEnv(gym.Env):
    """Recall a ±1 cue seen at the first step only; reward −(a − c)² per step, ``length`` steps. ``info`` has
    the ``cue``."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, length: int = 5) -> None:
        if length < 2:
            raise ValueError(f"CueRecall needs length >= 2, got {length}")
        self.length = length
        self.observation_space = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self._cue = 1.0
        self._t = 0

    def _obs(self) -> np.ndarray:
        return np.array([self._cue if self._t == 0 else 0.0, self._t / self.length], dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._cue = float(2 * self.np_random.integers(2) - 1)
        self._t = 0
        return self._obs(), {"cue": self._cue}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        a = float(np.clip(np.asarray(action, dtype=np.float64).reshape(-1)[0], -1.0, 1.0))
        reward = -((a - self._cue) ** 2)
        self._t += 1
        return self._obs(), reward, self._t >= self.length, False, {"cue": self._cue}


def memoryless_bound(cues: list[float], length: int) -> float:
    """The highest mean return over episodes with these ``cues`` that a policy of the current observation alone
    can reach on CueRecall with ``length`` steps: a perfect first step, then a_t = mean cue (module docstring)."""
    m = float(np.mean(cues))
    return -(length - 1) * (1.0 - m * m)


if CUE_RECALL not in gym.registry:
    gym.register(id=CUE_RECALL, entry_point=CueRecallEnv)
