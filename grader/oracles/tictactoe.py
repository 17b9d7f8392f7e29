"""The grader's perfect tic-tac-toe player (course-only, never released): exact minimax over the whole game."""

from __future__ import annotations

from functools import cache

import numpy as np

from grader.harness.tictactoe import Board, empty_cells, to_move, winner


@cache
def minimax_value(board: Board) -> int:
    """The game's value for the player to move on ``board`` under perfect play: +1 win, 0 draw, −1 loss."""
    result = winner(board)
    if result is not None:
        return 0 if result == 0 else -1  # the player to move did not make the winning line
    mark = to_move(board)
    return max(-minimax_value(board[:cell] + (mark,) + board[cell + 1 :]) for cell in empty_cells(board))


def perfect_moves(board: Board) -> list[int]:
    """Every empty cell whose move keeps the best value for the player to move."""
    mark = to_move(board)
    values = {cell: -minimax_value(board[:cell] + (mark,) + board[cell + 1 :]) for cell in empty_cells(board)}
    best = max(values.values())
    return [cell for cell, value in values.items() if value == best]


def perfect_opponent(board: Board, rng: np.random.Generator) -> int:
    """A perfect player that picks uniformly (with ``rng``) among the optimal moves (a TicTacToe-v0 opponent)."""
    moves = perfect_moves(tuple(int(mark) for mark in board))
    return moves[int(rng.integers(len(moves)))]
