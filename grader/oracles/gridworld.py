"""The grader's answer to hw01's grid world (course-only, see :mod:`grader.oracles`): where each slip-free move
leads. Cells ``(row, col)``, observation ``row * cols + col``, actions 0-3 up, right, down, left; a move into a
wall ``#`` or off the grid leaves the agent in place."""

from __future__ import annotations

from collections.abc import Sequence

OFFSETS = ((-1, 0), (0, 1), (1, 0), (0, -1))


def grid_moves(layout: Sequence[str]) -> list[list[int]]:
    """``moves[obs][action]``: the observation a slip-free move of ``action`` from cell ``obs`` leads to."""
    rows, cols = len(layout), len(layout[0])

    def lands(row: int, col: int, action: int) -> int:
        r, c = row + OFFSETS[action][0], col + OFFSETS[action][1]
        free = 0 <= r < rows and 0 <= c < cols and layout[r][c] != "#"
        return r * cols + c if free else row * cols + col

    return [[lands(row, col, a) for a in range(4)] for row in range(rows) for col in range(cols)]
