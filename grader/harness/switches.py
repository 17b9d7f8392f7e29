"""The kit's cooperative task for hw10's value decomposition (public: students see every rule here).

**Two switches** (a PettingZoo parallel env). Two agents walk on a line of ``size`` cells. The first agent of
``agents`` owns the switch on cell 0, the second the switch on cell ``size − 1``. Actions (``Discrete(4)``):
0 = left, 1 = stay, 2 = right (a move off the line leaves the agent where it is), 3 = press (the agent stays).
The door opens only when **both** agents press on the same step, each standing on its own switch: each gets +1
and both are terminated. Otherwise each gets −0.05 per step, and −0.1 more when somebody pressed in vain (a
press alone, or off its switch). After ``max_steps`` steps both are truncated.

Each agent observes both cells: ``observation = own_cell · size + other_cell`` (``Discrete(size²)``), so a greedy
agent can wait on its switch until its teammate arrives. Neither agent can open the door alone: the value of
pressing depends on what the teammate does, which is the credit-assignment problem value decomposition answers.
Start cells are drawn with ``self.np_random`` (``integers(size)`` for the first agent, then the second), re-created
from a ``reset`` seed.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

PRESS = 3
OPEN_REWARD, STEP_REWARD, WASTED_PRESS = 1.0, -0.05, -0.1


class SwitchesEnv(ParallelEnv):
    """Two agents must press their switches, at the two ends of a line, on the same step (module docstring)."""

    metadata = {"name": "switches_v0", "render_modes": []}

    def __init__(self, size: int = 4, max_steps: int = 12, agents: tuple[str, ...] = ("agent_0", "agent_1")) -> None:
        if len(agents) != 2 or size < 2:
            raise ValueError("SwitchesEnv takes two agents and a line of at least 2 cells")
        self.size, self.max_steps = size, max_steps
        self.possible_agents = list(agents)
        self.switches = {agents[0]: 0, agents[1]: size - 1}
        self.agents: list[str] = []
        self.render_mode = None
        self._observation_space = spaces.Discrete(size * size)
        self._action_space = spaces.Discrete(4)
        self.cells: dict[str, int] = {}
        self.elapsed = 0
        self.np_random = np.random.default_rng()

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_space

    def _observations(self) -> dict[str, int]:
        first, second = self.possible_agents
        other = {first: second, second: first}
        return {name: self.cells[name] * self.size + self.cells[other[name]] for name in self.possible_agents}

    def reset(self, seed: int | None = None, options: dict | None = None) -> tuple[dict, dict]:
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.agents = list(self.possible_agents)
        self.cells = {name: int(self.np_random.integers(self.size)) for name in self.agents}
        self.elapsed = 0
        return self._observations(), {name: {} for name in self.agents}

    def step(self, actions: dict[str, int]) -> tuple[dict, dict, dict, dict, dict]:
        names = list(self.agents)
        pressed = [name for name in names if int(actions[name]) == PRESS]
        for name in names:
            move = int(actions[name]) - 1 if int(actions[name]) != PRESS else 0
            self.cells[name] = int(np.clip(self.cells[name] + move, 0, self.size - 1))
        self.elapsed += 1
        opened = len(pressed) == 2 and all(self.cells[name] == self.switches[name] for name in names)
        reward = OPEN_REWARD if opened else STEP_REWARD + (WASTED_PRESS if pressed else 0.0)
        truncated = not opened and self.elapsed >= self.max_steps
        observations = self._observations()
        if opened or truncated:
            self.agents = []
        return (
            {name: observations[name] for name in names},
            dict.fromkeys(names, reward),
            dict.fromkeys(names, opened),
            dict.fromkeys(names, truncated),
            {name: {} for name in names},
        )
