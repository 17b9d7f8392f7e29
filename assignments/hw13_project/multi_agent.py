"""Multi-agent learning: independent Q-learners (your hw10 IQL) speaking PettingZoo's parallel API.

A team acts for every live agent of a PettingZoo ``ParallelEnv`` at once, with the dicts the env uses::

    team = IQL(observation_spaces, action_spaces, seed=seed, **hparams)   # {name: Discrete}, {name: Discrete}
    actions = team.act(observations, deterministic=False)                 # {name: obs} -> {name: int}
    team.observe(observations, actions, rewards, next_observations, terminations, truncations)
    team.save(path); team.load(path)

The arguments of ``observe`` are what ``env.step(actions)`` returned, restricted to the agents that acted.
Exploration is ε-greedy with ε decaying linearly from ``eps_start`` to ``eps_end`` over ``eps_decay_steps``
calls of ``observe`` (one per env step).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from .checkpoint import Checkpoint
from .hw10_multi_agent.learners import IndependentQLearners


class IQL(Checkpoint, IndependentQLearners):
    """Your hw10 ``IndependentQLearners`` (copied into ``hw10_multi_agent/``) behind the library's team API.

    Agents are the keys of ``observation_spaces``, in that order; every observation space is ``Discrete(n_states)``
    and every action space ``Discrete(n_actions)`` (the same for all agents). ``step`` counts ``observe`` calls.
    """

    def __init__(
        self,
        observation_spaces: dict[str, gym.spaces.Discrete],
        action_spaces: dict[str, gym.spaces.Discrete],
        *,
        seed: int,
        alpha: float = 0.1,
        gamma: float = 0.9,
        eps_start: float = 1.0,
        eps_end: float = 0.05,
        eps_decay_steps: int = 400,
    ) -> None:
        """Build the hw10 learners with ``rng = np.random.default_rng(seed)`` and ``epsilon = eps_start``;
        ``step = 0``."""
        raise NotImplementedError("IQL.__init__ — fill this in (see its docstring in multi_agent.py)")

    def act(self, observations: dict[str, int], deterministic: bool = False) -> dict[str, int]:
        """``{name: int}`` for every agent in ``observations``: hw10's ε-greedy ``act``, or with ``deterministic``
        the greedy action ``int(np.argmax(Q[name][s]))`` (lowest index on ties; draws nothing from ``rng``)."""
        raise NotImplementedError("IQL.act — fill this in (see its docstring in multi_agent.py)")

    def observe(
        self,
        observations: dict[str, int],
        actions: dict[str, int],
        rewards: dict[str, float],
        next_observations: dict[str, int],
        terminations: dict[str, bool],
        truncations: dict[str, bool],
    ) -> None:
        """hw10's ``update`` with these dicts, then ``step += 1`` and
        ``epsilon = eps_start + (eps_end − eps_start) · min(step / eps_decay_steps, 1)``."""
        raise NotImplementedError("IQL.observe — fill this in (see its docstring in multi_agent.py)")
