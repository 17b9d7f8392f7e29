"""Value decomposition networks (VDN; Sunehag et al. 2018): cooperative deep Q-learning with one Q-network per
agent, trained through their sum.

A cooperative team gets one reward r per step. VDN writes the team's action value as a sum of per-agent values,
each computed from the agent's own observation:

    Q_tot(s, a) = Σ_i Q_i(s_i, a_i)

and trains it with a DQN-style TD loss on Q_tot, so every agent's network learns from the team reward while the
greedy team action stays decentralised: argmax_a Q_tot = (argmax_{a_i} Q_i(s_i, a_i))_i, each agent on its own.

:class:`VDNTeam` answers the same calls of the grader's multi-agent loop as the tabular teams of
``learners.py`` (``grader/harness/loops.py``, ``train_parallel``): the grader sets ``team.epsilon`` before every
episode, then per step calls ``team.act(observations)`` and ``team.update(observations, actions, rewards,
next_observations, terminations, truncations)``, dicts keyed by agent name — **match them by name, never by
position**. After training the grader plays ``act`` with ``epsilon = 0`` on its own evaluation episodes.

Observations are ints in ``[0, n_obs)``; a network sees ``one_hot(obs, n_obs)``. Batches hold the agents in the
order of the team's ``agents`` (column i = ``agents[i]``): observations and actions int64 ``(B, n_agents)``,
rewards and ``terminated`` float32 ``(B,)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class JointBatch(NamedTuple):
    """A batch of team transitions; column i of ``obs``, ``actions`` and ``next_obs`` belongs to ``agents[i]``."""

    obs: torch.Tensor  # int64 (B, n_agents)
    actions: torch.Tensor  # int64 (B, n_agents)
    rewards: torch.Tensor  # float32 (B,): the team reward
    next_obs: torch.Tensor  # int64 (B, n_agents)
    terminated: torch.Tensor  # float32 (B,): 1.0 when the team's episode ended in a terminal state


def one_hot(obs: torch.Tensor, n_obs: int) -> torch.Tensor:
    """The float32 one-hot encoding ``(…, n_obs)`` of int observations ``(…)``: a network's input. Given."""
    return F.one_hot(obs.long(), n_obs).float()


def agent_network(n_obs: int, n_actions: int, hidden: int) -> nn.Sequential:
    """One agent's Q-network ``one_hot(s_i) (B, n_obs) → (B, n_actions)``: Linear, ReLU, Linear. Given."""
    return nn.Sequential(nn.Linear(n_obs, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))


def team_q_values(q_values: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q_tot(s, a) = Σ_i Q_i(s_i, a_i) per row: ``q_values`` ``(B, n_agents, n_actions)`` holds every agent's
    action values, ``actions`` int64 ``(B, n_agents)`` the action each agent took. Returns ``(B,)``, with gradient.

    Row b is Σ_i ``q_values[b, i, actions[b, i]]``; e.g. Q_0(s_0) = [1, 5, 0], Q_1(s_1) = [2, 0, 4] and actions
    [1, 2] give 5 + 4 = 9."""
    raise NotImplementedError("team_q_values — fill this in (see its docstring in vdn.py)")


def vdn_targets(
    rewards: torch.Tensor, next_q_values: torch.Tensor, terminated: torch.Tensor, gamma: float
) -> torch.Tensor:
    """VDN's team targets ``(B,)``, without gradient (``torch.no_grad()`` or ``.detach()``):

        y = r + γ · (1 − terminated) · Σ_i max_a Q_i⁻(s'_i, a)

    ``next_q_values`` ``(B, n_agents, n_actions)`` are the TARGET networks' values at the next observations. Each
    agent maximises over its OWN actions (the max of a sum of independent terms is the sum of the maxima), and the
    team reward r counts once, not once per agent. E.g. next maxima [3, 4], r = 1, γ = 0.9: y = 1 + 0.9 · 7 = 7.3;
    y = r when terminated.
    """
    raise NotImplementedError("vdn_targets — fill this in (see its docstring in vdn.py)")


class VDNTeam:
    """A team of VDN agents with a shared replay memory and target networks, driven by the grader's loop.

    Attributes the checks read and drive:
        agents: the agent names as given; column i of every batch is ``agents[i]``.
        q_nets: ``{name: agent_network(n_obs, n_actions, hidden)}``, one separate network per agent.
        target_nets: ``{name: network}``, copies of ``q_nets`` (``load_state_dict``) at the start and after every
            sync; never trained by the optimizer.
        optimizer: ONE ``torch.optim.Adam`` over every agent's parameters, in the order of ``agents``, then each
            network's ``parameters()``.
        epsilon: the exploration rate; the grader sets it before every episode.
        step: the number of ``update`` calls so far (env steps).
        rng: ``np.random.default_rng(seed)``: every exploration draw and every replay sample.
    """

    def __init__(
        self,
        agents: list[str],
        n_obs: int,
        n_actions: int,
        *,
        seed: int,
        lr: float = 1e-3,
        gamma: float = 0.95,
        epsilon: float = 1.0,
        hidden: int = 64,
        buffer_size: int = 10_000,
        batch_size: int = 32,
        learning_starts: int = 200,
        train_every: int = 1,
        target_update_every: int = 100,
    ) -> None:
        """Store the arguments; ``rng = np.random.default_rng(seed)``; build ``q_nets``, ``target_nets`` (copies),
        ``optimizer`` (see the class docstring), an empty replay memory of ``buffer_size`` transitions (oldest
        overwritten first) and ``step = 0``. The networks are initialised from torch's global RNG, seeded by the
        grader."""
        self.agents = list(agents)
        self.n_obs, self.n_actions = n_obs, n_actions
        self.gamma, self.epsilon = gamma, epsilon
        self.batch_size, self.learning_starts = batch_size, learning_starts
        self.train_every, self.target_update_every = train_every, target_update_every
        self.rng = np.random.default_rng(seed)
        raise NotImplementedError("VDNTeam.__init__ — fill this in (see its docstring in vdn.py)")

    def sync_targets(self) -> None:
        """Copy every agent's ``q_nets[name]`` into ``target_nets[name]`` (``load_state_dict``)."""
        raise NotImplementedError("VDNTeam.sync_targets — fill this in (see its docstring in vdn.py)")

    def act(self, observations: dict[str, int]) -> dict[str, int]:
        """ε-greedy action of every agent in ``observations``, each from its OWN network and observation: per
        agent, draw ``u = rng.random()``; if u < ε ``int(rng.integers(n_actions))``, else argmax_a Q_i(s_i, a)
        (without gradient). Returns ``{name: int}``; changes no network."""
        raise NotImplementedError("VDNTeam.act — fill this in (see its docstring in vdn.py)")

    def update(
        self,
        observations: dict[str, int],
        actions: dict[str, int],
        rewards: dict[str, float],
        next_observations: dict[str, int],
        terminations: dict[str, bool],
        truncations: dict[str, bool],
    ) -> None:
        """One env step of the team, in this order:

        1. store the joint transition (columns in the order of ``agents``, matched by name), with the team reward
           r = the mean of ``rewards`` (in a cooperative env every agent gets the same r) and terminated = every
           agent terminated (a truncation is not terminal); ``step += 1``;
        2. if ``step >= learning_starts`` and ``step % train_every == 0``: ``train_step(sample(batch_size))``;
        3. if ``step % target_update_every == 0``: ``sync_targets()``.
        """
        raise NotImplementedError("VDNTeam.update — fill this in (see its docstring in vdn.py)")

    def sample(self, batch_size: int) -> JointBatch:
        """``batch_size`` stored transitions drawn uniformly with replacement (``rng.integers(size, size=B)``),
        as a :class:`JointBatch` of tensors."""
        raise NotImplementedError("VDNTeam.sample — fill this in (see its docstring in vdn.py)")

    def q_values(self, nets: dict[str, nn.Module], obs: torch.Tensor) -> torch.Tensor:
        """Every agent's action values ``(B, n_agents, n_actions)``: column i is ``nets[agents[i]]`` applied to
        ``one_hot(obs[:, i], n_obs)``."""
        raise NotImplementedError("VDNTeam.q_values — fill this in (see its docstring in vdn.py)")

    def train_step(self, batch: JointBatch) -> float:
        """One gradient step on ``batch``; returns the loss before the step as a ``float``:

            y = vdn_targets(rewards, q_values(target_nets, next_obs), terminated, gamma)
            L = (1/B) Σ_b (team_q_values(q_values(q_nets, obs), actions)_b − y_b)²     (mean squared TD error)

        then ``optimizer.zero_grad()``, ``L.backward()``, ``optimizer.step()`` (no gradient clipping). Every agent's
        q_net changes (each gets the gradient of the team's error); the target networks do not.
        """
        raise NotImplementedError("VDNTeam.train_step — fill this in (see its docstring in vdn.py)")
