"""The Dyna maze: the kit's small deterministic grid world for planning with a learned model (hw08's Dyna-Q).

**DynaMaze-v0** is the 6 × 9 maze of Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed.),
Figure 8.2: the start S at row 2, column 0, the goal G at row 0, column 8, and seven wall cells::

    . . . . . . . # G
    . . # . . . . # .
    S . # . . . . # .
    . . # . . . . . .
    . . . . . # . . .
    . . . . . . . . .

States are the cells, numbered ``row · 9 + column`` (``Discrete(54)``; wall cells are never visited). Actions
``0 up, 1 right, 2 down, 3 left`` (``Discrete(4)``) move one cell; a move into a wall or off the grid leaves the
agent where it is. The reward is 1 on reaching G (the episode terminates) and 0 otherwise; with γ < 1 the
shortest path (14 steps) is optimal. The maze is deterministic, so ``reset(seed=...)`` only seeds
``self.np_random`` (Gymnasium's contract); every episode starts at S. Gymnasium's ``TimeLimit`` truncates an
episode after ``max_episode_steps`` (5000 by default), so an agent that never finds G cannot hang a loop.

Make it with ``gym.make("grader.harness.dyna_maze:DynaMaze-v0")`` (Gymnasium imports this module, which registers
the id, before looking it up; the trusted loops use :func:`grader.harness.envs.make_env`).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

DYNA_MAZE = "DynaMaze-v0"
ROWS, COLS = 6, 9
START, GOAL = (2, 0), (0, 8)
WALLS = frozenset({(1, 2), (2, 2), (3, 2), (4, 5), (0, 7), (1, 7), (2, 7)})
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left
SHORTEST_PATH = 14


def cell_index(row: int, col: int) -> int:
    return row * COLS + col


class DynaMazeEnv(gym.Env):
    """Sutton & Barto's Dyna maze (module docstring): reward 1 at the goal, 0 elsewhere; walls block moves."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Discrete(ROWS * COLS)
        self.action_space = gym.spaces.Discrete(len(MOVES))
        self._cell = START

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        self._cell = START
        return cell_index(*self._cell), {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"DynaMaze: action must be an int in [0, 3], got {action!r}")
        d_row, d_col = MOVES[int(action)]
        row, col = self._cell[0] + d_row, self._cell[1] + d_col
        if 0 <= row < ROWS and 0 <= col < COLS and (row, col) not in WALLS:
            self._cell = (row, col)
        reached = self._cell == GOAL
        return cell_index(*self._cell), 1.0 if reached else 0.0, reached, False, {}


if DYNA_MAZE not in gym.registry:
    gym.register(id=DYNA_MAZE, entry_point=DynaMazeEnv, max_episode_steps=5000)
