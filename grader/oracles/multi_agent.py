"""The grader's own hw10 answers (course-only, never released): mixed equilibria and fictitious play."""

from __future__ import annotations

import numpy as np

TIE = 1e-9


def mixed_nash_2x2(A: np.ndarray, B: np.ndarray) -> tuple[float, float]:
    """(p, q) = (P(row plays 0), P(column plays 0)) from the two indifference conditions (q from A, p from B)."""
    q = (A[1, 1] - A[0, 1]) / (A[0, 0] - A[0, 1] - A[1, 0] + A[1, 1])
    p = (B[1, 1] - B[1, 0]) / (B[0, 0] - B[1, 0] - B[0, 1] + B[1, 1])
    return float(p), float(q)


def fictitious_play(A: np.ndarray, B: np.ndarray, iterations: int) -> tuple[list[int], list[int]]:
    """Simultaneous fictitious play from counts of one, lowest-index best responses to the empirical mixes."""
    seen_cols, seen_rows = np.ones(A.shape[1]), np.ones(A.shape[0])
    rows, cols = [], []
    for _ in range(iterations):
        row_values = A @ (seen_cols / seen_cols.sum())
        col_values = B.T @ (seen_rows / seen_rows.sum())
        i = int(np.flatnonzero(row_values >= row_values.max() - TIE)[0])
        j = int(np.flatnonzero(col_values >= col_values.max() - TIE)[0])
        seen_rows[i] += 1
        seen_cols[j] += 1
        rows.append(i)
        cols.append(j)
    return rows, cols
