"""A cooperative multi-agent environment in the PettingZoo parallel API: Rendezvous on a line.

Every agent stands on a cell of a line of ``size`` cells and moves one cell at a time; the team is rewarded only
when **all** agents stand on the ``goal`` cell at the same time. PettingZoo's parallel API
(https://pettingzoo.farama.org/api/parallel/):

* ``possible_agents``: ``["agent_0", …, f"agent_{n_agents - 1}"]``; ``agents``: the agents still in the episode
  (empty before the first ``reset`` and after the episode ended: an agent is removed once it is terminated or
  truncated);
* ``observation_space(agent)`` = ``Discrete(size)`` (the agent's own cell), ``action_space(agent)`` =
  ``Discrete(3)``: 0 = left, 1 = stay, 2 = right; a move off the line leaves the agent where it is;
* ``reset(seed=None, options=None) -> (observations, infos)``: every agent in ``agents`` again; the start cells are
  ``options["positions"]`` (a dict ``{agent: cell}``) when given, else drawn per agent, in ``possible_agents``
  order, with ``self.np_random.integers(size)``; a ``seed`` re-creates ``self.np_random`` from it
  (``gymnasium.utils.seeding.np_random(seed)``), so the same seed gives the same episode;
* ``step(actions) -> (observations, rewards, terminations, truncations, infos)``, dicts keyed by the agents that
  were alive before the step: all move at once; then if every agent is on ``goal`` each gets reward +1 and is
  terminated, else each gets −0.1, and after ``max_steps`` steps of the episode all are truncated.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

LEFT, STAY, RIGHT = 0, 1, 2
GOAL_REWARD, STEP_REWARD = 1.0, -0.1


class RendezvousEnv(ParallelEnv):
    """Rendezvous: ``n_agents`` agents must all stand on ``goal`` at once (see the module docstring)."""

    metadata = {"name": "rendezvous_v0", "render_modes": []}

    def __init__(self, size: int = 5, goal: int = 2, n_agents: int = 2, max_steps: int = 20) -> None:
        """Store the arguments; ``possible_agents`` = ``[f"agent_{i}" for i in range(n_agents)]``, ``agents`` = [],
        one space object per agent, and ``self.np_random`` (``seeding.np_random()``: unseeded until a reset with a
        seed)."""
        self.size = size
        self.goal = goal
        self.max_steps = max_steps
        self.render_mode = None
        # BEGIN SOLUTION
        self.possible_agents = [f"agent_{i}" for i in range(n_agents)]
        self.observation_spaces = {name: spaces.Discrete(size) for name in self.possible_agents}
        self.action_spaces = {name: spaces.Discrete(3) for name in self.possible_agents}
        self.agents = []
        self.positions: dict[str, int] = {}
        self.steps = 0
        self.np_random, _ = seeding.np_random()
        # END SOLUTION

    def observation_space(self, agent: str) -> spaces.Space:
        """``Discrete(size)``: the agent's own cell; the same object at every call (PettingZoo's test checks it)."""
        # BEGIN SOLUTION
        return self.observation_spaces[agent]
        # END SOLUTION

    def action_space(self, agent: str) -> spaces.Space:
        """``Discrete(3)``: 0 = left, 1 = stay, 2 = right; the same object at every call."""
        # BEGIN SOLUTION
        return self.action_spaces[agent]
        # END SOLUTION

    def reset(self, seed: int | None = None, options: dict | None = None) -> tuple[dict, dict]:
        """Start an episode (see the module docstring); returns ``({agent: cell}, {agent: {}})``."""
        # BEGIN SOLUTION
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
        self.agents = self.possible_agents.copy()
        if options and "positions" in options:
            self.positions = {name: int(options["positions"][name]) for name in self.agents}
        else:
            self.positions = {name: int(self.np_random.integers(self.size)) for name in self.agents}
        self.steps = 0
        return dict(self.positions), {name: {} for name in self.agents}
        # END SOLUTION

    def step(self, actions: dict[str, int]) -> tuple[dict, dict, dict, dict, dict]:
        """Move every live agent by its own action (matched by name), reward the team, end the episode when all are
        on the goal (terminated) or after ``max_steps`` steps (truncated); finished agents leave ``agents``."""
        # BEGIN SOLUTION
        alive = list(self.agents)
        for name in alive:
            move = int(actions[name]) - 1  # −1, 0, +1
            self.positions[name] = int(np.clip(self.positions[name] + move, 0, self.size - 1))
        self.steps += 1
        together = all(self.positions[name] == self.goal for name in alive)
        reward = GOAL_REWARD if together else STEP_REWARD
        truncated = not together and self.steps >= self.max_steps
        observations = {name: self.positions[name] for name in alive}
        rewards = {name: reward for name in alive}
        terminations = {name: together for name in alive}
        truncations = {name: truncated for name in alive}
        infos = {name: {} for name in alive}
        if together or truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos
        # END SOLUTION
