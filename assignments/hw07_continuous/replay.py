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
        raise NotImplementedError("ReplayBuffer.__init__ — fill this in (see its docstring in replay.py)")

    def add(self, obs: np.ndarray, action: np.ndarray, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """Store one transition in slot ``pos``, then ``pos = (pos + 1) % capacity``."""
        raise NotImplementedError("ReplayBuffer.add — fill this in (see its docstring in replay.py)")

    def __len__(self) -> int:
        """The number of stored transitions: ``min(number added, capacity)``."""
        raise NotImplementedError("ReplayBuffer.__len__ — fill this in (see its docstring in replay.py)")

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement from the filled slots, as a :class:`Batch`."""
        raise NotImplementedError("ReplayBuffer.sample — fill this in (see its docstring in replay.py)")


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
        raise NotImplementedError("HistoryReplayBuffer.__init__ — fill this in (see its docstring in replay.py)")

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
        raise NotImplementedError("HistoryReplayBuffer.add — fill this in (see its docstring in replay.py)")

    def __len__(self) -> int:
        """The number of stored transitions: ``min(number added, capacity)``."""
        raise NotImplementedError("HistoryReplayBuffer.__len__ — fill this in (see its docstring in replay.py)")

    def batch(self, indices: np.ndarray) -> HistoryBatch:
        """The transitions in slots ``indices`` (int array ``(B,)``, each < ``len(self)``), as a
        :class:`HistoryBatch` of new tensors. The next history is the history shifted by one step: the
        transition's own (o_t, a_t) appended after its h real rows, the oldest dropped when h = L."""
        raise NotImplementedError("HistoryReplayBuffer.batch — fill this in (see its docstring in replay.py)")

    def sample(self, batch_size: int) -> HistoryBatch:
        """``batch(self.rng.integers(len(self), size=batch_size))``: uniform, with replacement, filled slots only."""
        raise NotImplementedError("HistoryReplayBuffer.sample — fill this in (see its docstring in replay.py)")
