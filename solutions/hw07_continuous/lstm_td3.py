"""LSTM-TD3 (Meng et al. 2021, "Memory-based Deep Reinforcement Learning for POMDPs"): TD3 whose actor and
critics also read the recent history of the episode through an LSTM, for tasks where the current observation
does not tell the whole state (a cue seen earlier, a velocity that is not observed).

The update is TD3's (:class:`td3.TD3Agent`, unchanged); what changes is what the networks see of each
transition (:meth:`LSTMTD3Agent.inputs`): besides o_t, its history — the last ``h ≤ L`` observations and
actions of the episode before step t, oldest first, zero-padded to ``L`` rows, with its true length ``h``. For
the target, the history of o_{t+1} is that of o_t shifted by one step (:class:`replay.HistoryBatch`).

The grader's loop keeps the history of the running episode and passes it to ``act``:
``act(obs, hist_obs, hist_actions, deterministic=False)`` with ``hist_obs`` ``(h, obs_dim)`` and
``hist_actions`` ``(h, act_dim)`` (h = 0 at the first step of an episode), oldest first — real rows only.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from .replay import HistoryBatch, HistoryReplayBuffer
from .td3 import TD3Agent, action_scale_and_bias, mlp


class HistoryEncoder(nn.Module):
    """The memory of a history: an embedding z_k = ReLU(W [o_k, a_k] + b) of each row (``self.embed``, an
    ``nn.Linear(obs_dim + act_dim, memory)``), an LSTM over z_1 … z_L (``self.lstm``, ``nn.LSTM(memory, memory,
    batch_first=True)``, zero initial state), and, for each row of the batch, the LSTM's output after its last
    real step h (index h − 1) — a vector of zeros when h = 0. Because the LSTM reads oldest to newest and the
    padding comes after the real steps, the result does not depend on the padding."""

    def __init__(self, obs_dim: int, act_dim: int, memory: int = 32) -> None:
        super().__init__()
        # BEGIN SOLUTION
        self.embed = nn.Linear(obs_dim + act_dim, memory)
        self.lstm = nn.LSTM(memory, memory, batch_first=True)
        # END SOLUTION

    def forward(self, hist_obs: torch.Tensor, hist_actions: torch.Tensor, hist_len: torch.Tensor) -> torch.Tensor:
        """``(B, L, obs_dim)``, ``(B, L, act_dim)``, int64 ``(B,)`` → ``(B, memory)``."""
        # BEGIN SOLUTION
        z = torch.relu(self.embed(torch.cat([hist_obs, hist_actions], dim=-1)))
        out, _ = self.lstm(z)
        last = out[torch.arange(out.shape[0]), (hist_len - 1).clamp(min=0)]
        return last * (hist_len > 0).unsqueeze(-1).to(last.dtype)
        # END SOLUTION


class RecurrentActor(nn.Module):
    """μ(history, o) = bias + scale · tanh(f([m, o])), with m = ``self.encoder`` (a :class:`HistoryEncoder`) of the
    history and f = ``self.head = mlp([memory + obs_dim, *hidden, act_dim])``; ``scale``/``bias`` as for
    :class:`td3.Actor` (buffers ``action_scale``, ``action_bias``)."""

    def __init__(
        self, obs_dim: int, action_space: gym.spaces.Box, hidden: tuple[int, ...] = (64, 64), memory: int = 32
    ) -> None:
        super().__init__()
        # BEGIN SOLUTION
        act_dim = int(action_space.shape[0])
        scale, bias = action_scale_and_bias(action_space)
        self.encoder = HistoryEncoder(obs_dim, act_dim, memory)
        self.head = mlp([memory + obs_dim, *hidden, act_dim])
        self.register_buffer("action_scale", scale)
        self.register_buffer("action_bias", bias)
        # END SOLUTION

    def forward(
        self, hist_obs: torch.Tensor, hist_actions: torch.Tensor, hist_len: torch.Tensor, obs: torch.Tensor
    ) -> torch.Tensor:
        """History ``(B, L, ·)`` with lengths ``(B,)`` and observation ``(B, obs_dim)`` → actions ``(B, act_dim)``."""
        # BEGIN SOLUTION
        memory = self.encoder(hist_obs, hist_actions, hist_len)
        return self.action_bias + self.action_scale * torch.tanh(self.head(torch.cat([memory, obs], dim=-1)))
        # END SOLUTION


class RecurrentCritic(nn.Module):
    """Q(history, o, a) = g([m, o, a]), with m = ``self.encoder`` (a :class:`HistoryEncoder`) of the history and
    g = ``self.head = mlp([memory + obs_dim + act_dim, *hidden, 1])``; output shape **(B,)**."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: tuple[int, ...] = (64, 64), memory: int = 32) -> None:
        super().__init__()
        # BEGIN SOLUTION
        self.encoder = HistoryEncoder(obs_dim, act_dim, memory)
        self.head = mlp([memory + obs_dim + act_dim, *hidden, 1])
        # END SOLUTION

    def forward(
        self,
        hist_obs: torch.Tensor,
        hist_actions: torch.Tensor,
        hist_len: torch.Tensor,
        obs: torch.Tensor,
        action: torch.Tensor,
    ) -> torch.Tensor:
        """History ``(B, L, ·)`` with lengths ``(B,)``, observation and action → Q-values ``(B,)``."""
        # BEGIN SOLUTION
        memory = self.encoder(hist_obs, hist_actions, hist_len)
        return self.head(torch.cat([memory, obs, action], dim=-1)).squeeze(-1)
        # END SOLUTION


def padded_history(
    hist_obs: np.ndarray, hist_actions: np.ndarray, length: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The last ``h = min(len(hist_obs), length)`` rows of a history given as real rows only (``(n, obs_dim)``,
    ``(n, act_dim)``, oldest first), as a batch of one: ``(1, length, obs_dim)`` and ``(1, length, act_dim)``
    float32 tensors (real rows first, then zeros) and the int64 length ``(1,)``."""
    # BEGIN SOLUTION
    hist_obs = np.asarray(hist_obs, dtype=np.float32)[len(hist_obs) - min(len(hist_obs), length) :]
    hist_actions = np.asarray(hist_actions, dtype=np.float32)[len(hist_actions) - len(hist_obs) :]
    h = len(hist_obs)
    obs = torch.zeros((1, length, hist_obs.shape[1]), dtype=torch.float32)
    actions = torch.zeros((1, length, hist_actions.shape[1]), dtype=torch.float32)
    obs[0, :h] = torch.from_numpy(hist_obs)
    actions[0, :h] = torch.from_numpy(hist_actions)
    return obs, actions, torch.tensor([h], dtype=torch.int64)
    # END SOLUTION


class LSTMTD3Agent(TD3Agent):
    """TD3 with recurrent networks and a :class:`replay.HistoryReplayBuffer` (``history_length`` = L steps,
    ``memory`` = the LSTM's size). Every other argument, attribute and step of the update is
    :class:`td3.TD3Agent`'s; the factories and :meth:`inputs` below are what differ."""

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Box,
        *,
        seed: int,
        history_length: int = 4,
        memory: int = 32,
        **kwargs: object,
    ) -> None:
        self.history_length, self.memory = history_length, memory
        super().__init__(observation_space, action_space, seed=seed, **kwargs)

    def new_actor(self) -> nn.Module:
        """A new :class:`RecurrentActor`. Given."""
        return RecurrentActor(self.obs_dim, self.action_space, self.hidden, self.memory)

    def new_critic(self) -> nn.Module:
        """A new :class:`RecurrentCritic`. Given."""
        return RecurrentCritic(self.obs_dim, self.act_dim, self.hidden, self.memory)

    def new_buffer(self, capacity: int, seed: int) -> HistoryReplayBuffer:
        """A new :class:`replay.HistoryReplayBuffer` with ``history_length`` steps of history. Given."""
        return HistoryReplayBuffer(capacity, self.obs_dim, self.act_dim, self.history_length, seed=seed)

    def inputs(self, batch: HistoryBatch, next_step: bool) -> tuple[torch.Tensor, ...]:
        """``(hist_obs, hist_actions, hist_len, obs)`` of each row, or for s' (``next_step``) the shifted
        history and the next observation: ``(next_hist_obs, next_hist_actions, next_hist_len, next_obs)``."""
        # BEGIN SOLUTION
        if next_step:
            return batch.next_hist_obs, batch.next_hist_actions, batch.next_hist_len, batch.next_obs
        return batch.hist_obs, batch.hist_actions, batch.hist_len, batch.obs
        # END SOLUTION

    def act(  # type: ignore[override]
        self, obs: np.ndarray, hist_obs: np.ndarray, hist_actions: np.ndarray, deterministic: bool = False
    ) -> np.ndarray:
        """As :meth:`td3.TD3Agent.act`, with the actor reading the history (:func:`padded_history` of the last
        ``history_length`` rows): warm-up :meth:`random_action`, else :meth:`explore` of μ, or μ itself when
        ``deterministic`` (no draw from ``rng``)."""
        # BEGIN SOLUTION
        if not deterministic and self.step < self.learning_starts:
            return self.random_action()
        history = padded_history(hist_obs, hist_actions, self.history_length)
        with torch.no_grad():
            action = self.actor(*history, torch.as_tensor(obs, dtype=torch.float32).unsqueeze(0))[0].numpy()
        return action.astype(np.float32) if deterministic else self.explore(action)
        # END SOLUTION

    def observe(
        self,
        obs: np.ndarray,
        action: np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """As :meth:`td3.TD3Agent.observe`, but the buffer also needs ``truncated`` to know where an episode ends:
        ``buffer.add(obs, action, reward, next_obs, terminated, truncated)``."""
        # BEGIN SOLUTION
        self.buffer.add(obs, action, reward, next_obs, terminated, truncated)
        self.step += 1
        if self.step >= self.learning_starts and self.step % self.train_every == 0:
            self.train_step(self.buffer.sample(self.batch_size))
        # END SOLUTION
