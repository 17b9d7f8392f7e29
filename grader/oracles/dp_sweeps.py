"""The grader's own sweeps of iterative dynamic programming, to say which sweep of a student's run differs first.

``value_iteration`` and ``policy_evaluation`` (hw02) take ``max_sweeps``: running the student's function with
``max_sweeps = 1, 2, …`` shows its values after each sweep. Compared with the grader's synchronous sweeps from
the same start, the first sweep that differs points at the backup (sweep 1) or at what carries from one sweep
to the next; when every sweep agrees but the full run does not, the stopping rule is the part that differs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.oracles.tabular import Table, backup

SWEEP_ATOL = 1e-9


def grader_sweeps(
    P: Table, gamma: float, theta: float, pi: np.ndarray | None, limit: int = 100_000
) -> list[np.ndarray]:
    """``[V_0 = 0, V_1, …, V_K]``: synchronous sweeps of value iteration (``pi`` None) or of the evaluation of the
    stochastic policy ``pi``, until the first sweep with ``max |V_k − V_(k−1)| < theta``."""
    values = [np.zeros(len(P))]
    for _ in range(limit):
        q = backup(P, values[-1], gamma)
        values.append(q.max(axis=1) if pi is None else np.sum(pi * q, axis=1))
        if np.max(np.abs(values[-1] - values[-2])) < theta:
            break
    return values


def _stopped(j: int, sweeps: list[np.ndarray], theta: float) -> str:
    change = float(np.max(np.abs(sweeps[j] - sweeps[j - 1]))) if j else float("nan")
    return (
        f"the run stopped after sweep {j} of the grader's {len(sweeps) - 1}, where max_s |V_{j} − V_{j - 1}| = "
        f"{change:.4g} was still ≥ θ = {theta:g}"
    )


def first_difference(run: Callable[[int], np.ndarray], sweeps: list[np.ndarray], got: np.ndarray, theta: float) -> str:
    """Where a student's run ``got`` (its final values) parts from the grader's ``sweeps``: ``run(k)`` returns the
    student's values after ``max_sweeps = k``. Looks at the first three sweeps (a run that returns an earlier
    sweep's values stopped too early), then at whether ``got`` is one of the grader's sweeps."""

    def index(values: np.ndarray, upto: int) -> int | None:
        same = [j for j in range(upto) if np.max(np.abs(values - sweeps[j])) <= SWEEP_ATOL]
        return same[-1] if same else None

    for k in range(1, min(4, len(sweeps))):
        mine = run(k)
        if np.max(np.abs(mine - sweeps[k])) <= SWEEP_ATOL:
            continue
        j = index(mine, k)
        if j is not None:
            return f"with max_sweeps = {k} your function returned the grader's V_{j}: " + _stopped(j, sweeps, theta)
        s = int(np.argmax(np.abs(mine - sweeps[k])))
        return (
            f"the first intermediate that differs is sweep {k} from V_0 = 0: your V_{k}[{s}] = {mine[s]:.6g}, the "
            f"grader's {sweeps[k][s]:.6g} (V_{k - 1}[{s}] = {sweeps[k - 1][s]:.6g})"
        )
    j = index(got, len(sweeps))
    if j is not None:
        return f"sweeps 1–3 agree with the grader's and your final V is its V_{j}: " + _stopped(j, sweeps, theta)
    return (
        f"sweeps 1–3 agree with the grader's, but the final V is none of its {len(sweeps) - 1} sweeps: what differs "
        "comes later (the stopping rule, or the values returned)"
    )
