"""Uniform experience replay for off-policy deep Q-learning (Mnih et al. 2015, "Human-level control ...").

The buffer keeps the last ``capacity`` transitions ``(s, a, r, s', terminated)`` in preallocated numpy
arrays and overwrites the oldest one when it is full (a circular buffer). ``sample`` draws a minibatch
uniformly, with replacement, from the filled part only, using the buffer's own ``np.random.default_rng(seed)``
(never ``np.random.*``), and returns torch tensors ready for a training step.

``terminated`` means s' is a terminal state: its value is 0 and the target does not bootstrap. A transition
cut by a time limit (``truncated``) is stored with ``terminated=False``: s' is not terminal, so its target
still bootstraps from s'.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch


class Batch(NamedTuple):
    """A minibatch of ``B`` transitions as torch tensors (this field order; given, nothing to implement)."""

    obs: torch.Tensor  # (B, obs_dim) float32
    actions: torch.Tensor  # (B,) int64
    rewards: torch.Tensor  # (B,) float32
    next_obs: torch.Tensor  # (B, obs_dim) float32
    terminated: torch.Tensor  # (B,) float32: 1.0 where s' is terminal, else 0.0


class ReplayBuffer:
    """A circular buffer of the last ``capacity`` transitions with uniform sampling.

    ``add`` writes transition number k (counting from 0) into slot ``k % capacity``, so once the buffer is
    full every new transition replaces the oldest one; ``len(buffer)`` is ``min(number added, capacity)``.
    """

    def __init__(self, capacity: int, obs_dim: int, *, seed: int) -> None:
        """Allocate the storage (float32 observations, int64 actions, float32 rewards and flags) and create
        ``self.rng = np.random.default_rng(seed)``, the only source of randomness of :meth:`sample`."""
        self.capacity = capacity
        self.obs_dim = obs_dim
        self.rng = np.random.default_rng(seed)
        # BEGIN SOLUTION
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.pos = 0
        self.size = 0
        # END SOLUTION

    def add(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """Store one transition in the slot of the oldest one (``pos``), then ``pos = (pos + 1) % capacity``."""
        # BEGIN SOLUTION
        self.obs[self.pos] = obs
        self.actions[self.pos] = action
        self.rewards[self.pos] = reward
        self.next_obs[self.pos] = next_obs
        self.terminated[self.pos] = float(terminated)
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)
        # END SOLUTION

    def __len__(self) -> int:
        """The number of stored transitions: ``min(number added, capacity)``."""
        # BEGIN SOLUTION
        return self.size
        # END SOLUTION

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement from the ``len(self)`` stored ones
        (``idx = self.rng.integers(len(self), size=batch_size)``), as a :class:`Batch` of new tensors with the
        dtypes and shapes stated there. Never returns an empty (never written) slot."""
        # BEGIN SOLUTION
        idx = self.rng.integers(self.size, size=batch_size)
        return Batch(
            obs=torch.from_numpy(self.obs[idx]),
            actions=torch.from_numpy(self.actions[idx]),
            rewards=torch.from_numpy(self.rewards[idx]),
            next_obs=torch.from_numpy(self.next_obs[idx]),
            terminated=torch.from_numpy(self.terminated[idx]),
        )
        # END SOLUTION
