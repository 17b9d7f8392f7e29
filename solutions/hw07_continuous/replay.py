"""Experience replay for continuous actions, and a replay buffer that returns histories (LSTM-TD3).

:class:`ReplayBuffer` is hw04's uniform circular buffer with float actions ``(act_dim,)``: copy yours over.
:class:`HistoryReplayBuffer` (new) returns, with each transition, the steps of its episode that came
before it — what a memory-based agent (Meng et al. 2021, "Memory-based Deep Reinforcement Learning for
POMDPs") feeds its LSTM.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch


class Batch(NamedTuple):
    """A minibatch of ``B`` transitions as torch tensors (this field order; given)."""

    obs: torch.Tensor  # (B, obs_dim) float32
    actions: torch.Tensor  # (B, act_dim) float32
    rewards: torch.Tensor  # (B,) float32
    next_obs: torch.Tensor  # (B, obs_dim) float32
    terminated: torch.Tensor  # (B,) float32: 1.0 where s' is terminal, else 0.0


class ReplayBuffer:
    """hw04's circular buffer of the last ``capacity`` transitions with uniform sampling, with float actions
    ``(act_dim,)`` instead of ints: copy your hw04 ``ReplayBuffer`` and store the actions as float32 rows.

    ``add`` writes transition number k into slot ``k % capacity`` (the oldest is overwritten when full); ``len``
    is ``min(number added, capacity)``; ``sample`` draws ``idx = self.rng.integers(len(self), size=batch_size)``
    from the filled slots only and returns a :class:`Batch` of new tensors (one index array for all five fields).
    """

    def __init__(self, capacity: int, obs_dim: int, act_dim: int, *, seed: int) -> None:
        """Allocate the storage (float32; actions ``(capacity, act_dim)``) and create ``self.rng =
        np.random.default_rng(seed)``, the only source of randomness of :meth:`sample`."""
        self.capacity = capacity
        self.rng = np.random.default_rng(seed)
        # BEGIN SOLUTION
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros((capacity, act_dim), dtype=np.float32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.pos = 0
        self.size = 0
        # END SOLUTION

    def add(self, obs: np.ndarray, action: np.ndarray, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """Store one transition in slot ``pos``, then ``pos = (pos + 1) % capacity``."""
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
        """``batch_size`` transitions drawn uniformly with replacement from the filled slots, as a :class:`Batch`."""
        # BEGIN SOLUTION
        idx = self.rng.integers(self.size, size=batch_size)
        return Batch(
            torch.from_numpy(self.obs[idx]),
            torch.from_numpy(self.actions[idx]),
            torch.from_numpy(self.rewards[idx]),
            torch.from_numpy(self.next_obs[idx]),
            torch.from_numpy(self.terminated[idx]),
        )
        # END SOLUTION


class HistoryBatch(NamedTuple):
    """A minibatch of ``B`` transitions with the history of each (this field order; given).

    A history is the last ``h`` (observation, action) pairs of the episode BEFORE the transition's own step,
    oldest first, in the first ``h`` of ``L = history_length`` rows; the rows after them are zeros. ``h`` is at
    most ``L`` and at most the number of earlier steps in the episode (0 at its first step)."""

    obs: torch.Tensor  # (B, obs_dim) float32: o_t
    actions: torch.Tensor  # (B, act_dim) float32: a_t
    rewards: torch.Tensor  # (B,) float32
    next_obs: torch.Tensor  # (B, obs_dim) float32: o_{t+1}
    terminated: torch.Tensor  # (B,) float32
    hist_obs: torch.Tensor  # (B, L, obs_dim) float32: o_{t-h} … o_{t-1}, then zeros
    hist_actions: torch.Tensor  # (B, L, act_dim) float32: a_{t-h} … a_{t-1}, then zeros
    hist_len: torch.Tensor  # (B,) int64: h
    next_hist_obs: torch.Tensor  # (B, L, obs_dim): the history of o_{t+1}: o_{t-h'+1} … o_t (h' = min(h + 1, L))
    next_hist_actions: torch.Tensor  # (B, L, act_dim): a_{t-h'+1} … a_t
    next_hist_len: torch.Tensor  # (B,) int64: h' = min(h + 1, L)


class HistoryReplayBuffer:
    """A circular buffer of the last ``capacity`` transitions, each stored with its history (LSTM-TD3).

    Transition number k goes into slot ``k % capacity`` (the oldest is overwritten when full). ``add`` stores,
    with each transition, a copy of the history that precedes it — the last ``min(t, L)`` observations and
    actions of its episode, t being the step's index in the episode — so a history never crosses an episode
    boundary and stays whole when older slots are overwritten. An episode ends at a step that is
    ``terminated`` or ``truncated``; the next ``add`` starts a new one, with an empty history.
    """

    def __init__(self, capacity: int, obs_dim: int, act_dim: int, history_length: int, *, seed: int) -> None:
        """Allocate the storage (float32; history lengths int64) and create ``self.rng =
        np.random.default_rng(seed)``, the only source of randomness of :meth:`sample`. ``history_length`` ≥ 1."""
        self.capacity = capacity
        self.history_length = history_length
        self.rng = np.random.default_rng(seed)
        # BEGIN SOLUTION
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros((capacity, act_dim), dtype=np.float32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.hist_obs = np.zeros((capacity, history_length, obs_dim), dtype=np.float32)
        self.hist_actions = np.zeros((capacity, history_length, act_dim), dtype=np.float32)
        self.hist_len = np.zeros(capacity, dtype=np.int64)
        self.episode: list[tuple[np.ndarray, np.ndarray]] = []  # the last L (obs, action) of the running episode
        self.pos = 0
        self.size = 0
        # END SOLUTION

    def add(
        self,
        obs: np.ndarray,
        action: np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """Store one transition with its history in slot ``pos``, then ``pos = (pos + 1) % capacity``; append
        (obs, action) to the running episode's history (keep the last L), or empty it when the step ends the
        episode (``terminated or truncated``). Only ``terminated`` is stored as the flag."""
        # BEGIN SOLUTION
        h = len(self.episode)
        self.hist_obs[self.pos] = 0.0
        self.hist_actions[self.pos] = 0.0
        for i, (past_obs, past_action) in enumerate(self.episode):
            self.hist_obs[self.pos, i] = past_obs
            self.hist_actions[self.pos, i] = past_action
        self.hist_len[self.pos] = h
        self.obs[self.pos] = obs
        self.actions[self.pos] = action
        self.rewards[self.pos] = reward
        self.next_obs[self.pos] = next_obs
        self.terminated[self.pos] = float(terminated)
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)
        episode_ends = terminated or truncated
        self.episode = (
            [] if episode_ends else [*self.episode, (np.array(obs), np.array(action))][-self.history_length :]
        )
        # END SOLUTION

    def __len__(self) -> int:
        """The number of stored transitions: ``min(number added, capacity)``."""
        # BEGIN SOLUTION
        return self.size
        # END SOLUTION

    def batch(self, indices: np.ndarray) -> HistoryBatch:
        """The transitions in slots ``indices`` (int array ``(B,)``, each < ``len(self)``), as a
        :class:`HistoryBatch` of new tensors. The next history is the history shifted by one step: the
        transition's own (o_t, a_t) appended after its h real rows, the oldest dropped when h = L."""
        # BEGIN SOLUTION
        idx = np.asarray(indices, dtype=np.int64)
        n, length = len(idx), self.history_length
        hist_obs, hist_actions, hist_len = self.hist_obs[idx], self.hist_actions[idx], self.hist_len[idx]
        rows = np.arange(n)
        extended_obs = np.concatenate([hist_obs, np.zeros_like(hist_obs[:, :1])], axis=1)
        extended_actions = np.concatenate([hist_actions, np.zeros_like(hist_actions[:, :1])], axis=1)
        extended_obs[rows, hist_len] = self.obs[idx]
        extended_actions[rows, hist_len] = self.actions[idx]
        full = (hist_len == length)[:, None, None]
        next_hist_obs = np.where(full, extended_obs[:, 1:], extended_obs[:, :length])
        next_hist_actions = np.where(full, extended_actions[:, 1:], extended_actions[:, :length])
        return HistoryBatch(
            torch.from_numpy(self.obs[idx]),
            torch.from_numpy(self.actions[idx]),
            torch.from_numpy(self.rewards[idx]),
            torch.from_numpy(self.next_obs[idx]),
            torch.from_numpy(self.terminated[idx]),
            torch.from_numpy(hist_obs),
            torch.from_numpy(hist_actions),
            torch.from_numpy(hist_len),
            torch.from_numpy(np.ascontiguousarray(next_hist_obs)),
            torch.from_numpy(np.ascontiguousarray(next_hist_actions)),
            torch.from_numpy(np.minimum(hist_len + 1, length)),
        )
        # END SOLUTION

    def sample(self, batch_size: int) -> HistoryBatch:
        """``batch(self.rng.integers(len(self), size=batch_size))``: uniform, with replacement, filled slots only."""
        # BEGIN SOLUTION
        return self.batch(self.rng.integers(self.size, size=batch_size))
        # END SOLUTION
