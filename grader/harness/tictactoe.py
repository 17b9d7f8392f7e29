"""Tic-tac-toe: the kit's small two-player game (hw08's Monte-Carlo tree search; reusable by later weeks).

**TicTacToe-v0.** The board is 9 cells in row-major order, each ``0`` (empty), ``1`` (X) or ``2`` (O); X moves
first. The agent plays one side (``agent_mark``, X by default) against an opponent built into the env, so the
env is a plain single-agent Gymnasium env:

* observation: the board, an int64 array ``(9,)`` (``MultiDiscrete([3] * 9)``), always with the agent to move;
* action: the cell to mark, ``Discrete(9)``;
* ``step(a)`` marks cell ``a`` for the agent, then (unless the game is over) lets the opponent answer;
* reward: +1 when the agent wins, −1 when it loses, 0 for a draw and for every other step; an occupied cell is an
  illegal move, which ends the episode with −1 (``info["illegal"] = True``);
* ``info["winner"]``: 0 while the game runs or for a draw, else the winner's mark (1 or 2).

The opponent is ``opponent(board, rng) -> cell`` (a tuple board and the env's ``np_random``); by default it plays
a uniformly random empty cell. The grader's perfect player is :func:`grader.oracles.tictactoe.perfect_opponent`.
When the agent plays O, ``reset`` lets the opponent open. ``reset(seed=...)`` seeds the opponent's RNG.

Make it with ``gym.make("grader.harness.tictactoe:TicTacToe-v0", agent_mark=2, opponent=...)`` (Gymnasium imports
this module, which registers the id, before looking it up; the trusted loops use
:func:`grader.harness.envs.make_env`). :func:`winner` and :func:`empty_cells` are the rules in two functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

TICTACTOE = "TicTacToe-v0"
LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
Board = tuple[int, ...]
Opponent = Callable[[Board, np.random.Generator], int]


def winner(board: Board) -> int | None:
    """The mark (1 or 2) with three in a line, 0 for a full board without one (a draw), ``None`` while it runs."""
    for i, j, k in LINES:
        if board[i] != 0 and board[i] == board[j] == board[k]:
            return board[i]
    return 0 if all(board) else None


def empty_cells(board: Board) -> list[int]:
    return [i for i, mark in enumerate(board) if mark == 0]


def to_move(board: Board) -> int:
    """The mark of the player to move: X (1) when both have marked as many cells, else O (2)."""
    return 1 if board.count(1) == board.count(2) else 2


def random_opponent(board: Board, rng: np.random.Generator) -> int:
    cells = empty_cells(board)
    return cells[int(rng.integers(len(cells)))]


class TicTacToeEnv(gym.Env):
    """Tic-tac-toe against a built-in opponent (module docstring): +1 win, −1 loss or illegal move, 0 draw."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, agent_mark: int = 1, opponent: Opponent | None = None) -> None:
        if agent_mark not in (1, 2):
            raise ValueError(f"TicTacToe: agent_mark is 1 (X) or 2 (O), got {agent_mark!r}")
        self.agent_mark = agent_mark
        self.opponent = opponent or random_opponent
        self.observation_space = gym.spaces.MultiDiscrete([3] * 9)
        self.action_space = gym.spaces.Discrete(9)
        self._board: list[int] = [0] * 9

    def _obs(self) -> np.ndarray:
        return np.array(self._board, dtype=np.int64)

    def _opponent_moves(self) -> None:
        board = tuple(self._board)
        cell = int(self.opponent(board, self.np_random))
        if board[cell] != 0:
            raise RuntimeError(f"TicTacToe: the opponent chose the occupied cell {cell} on {board}")
        self._board[cell] = 3 - self.agent_mark

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._board = [0] * 9
        if self.agent_mark == 2:
            self._opponent_moves()
        return self._obs(), {"winner": 0}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        cell = int(action)
        if not 0 <= cell < 9 or self._board[cell] != 0:
            return self._obs(), -1.0, True, False, {"winner": 0, "illegal": True}
        self._board[cell] = self.agent_mark
        result = winner(tuple(self._board))
        if result is None:
            self._opponent_moves()
            result = winner(tuple(self._board))
        if result is None:
            return self._obs(), 0.0, False, False, {"winner": 0}
        reward = 0.0 if result == 0 else (1.0 if result == self.agent_mark else -1.0)
        return self._obs(), reward, True, False, {"winner": result}


if TICTACTOE not in gym.registry:
    gym.register(id=TICTACTOE, entry_point=TicTacToeEnv)
