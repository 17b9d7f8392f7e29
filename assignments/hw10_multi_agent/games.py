"""Game theory on matrix games: best responses, pure and mixed Nash equilibria, fictitious play.

A two-player matrix game is a pair of payoff matrices ``A`` (the row player's) and ``B`` (the column player's),
float arrays of shape ``(n_rows, n_cols)``: when the row player plays i and the column player plays j, they get
``A[i, j]`` and ``B[i, j]``. A mixed strategy is a probability vector over a player's actions. The games the
checks use are in ``grader/harness/matrix_games.py`` (Prisoner's Dilemma, Matching Pennies, Battle of the Sexes,
and the Climbing and Penalty games of Claus & Boutilier, 1998).

Every function here is pure and deterministic: it draws no random numbers. Where several actions are equally
good, "equally" means within ``TIE_TOLERANCE`` of the best value, and the lowest index comes first.
"""

from __future__ import annotations

import numpy as np

TIE_TOLERANCE = 1e-9


def best_responses(payoff: np.ndarray, opponent_mix: np.ndarray) -> np.ndarray:
    """The pure best responses of the row player of ``payoff`` to the opponent's mixed strategy ``opponent_mix``.

        u[i] = Σ_j payoff[i, j] · opponent_mix[j]          (expected payoff of pure action i)
        best responses = { i : u[i] ≥ max_k u[k] − TIE_TOLERANCE }

    Returns the best actions as an int array in increasing order (at least one). For the column player of a game
    (A, B), call ``best_responses(B.T, row_mix)``. E.g. in Matching Pennies against (½, ½) both actions are best:
    ``[0, 1]``.
    """
    raise NotImplementedError("best_responses — fill this in (see its docstring in games.py)")


def pure_nash_equilibria(A: np.ndarray, B: np.ndarray) -> list[tuple[int, int]]:
    """Every pure Nash equilibrium (i, j) of the game (A, B), in row-major order (i first, then j).

    (i, j) is an equilibrium when i is a best response to j (``A[i, j] ≥ max_k A[k, j] − TIE_TOLERANCE``) and j
    is a best response to i (``B[i, j] ≥ max_l B[i, l] − TIE_TOLERANCE``). E.g. the Prisoner's Dilemma has one,
    (defect, defect) = (1, 1); Matching Pennies has none: ``[]``.
    """
    raise NotImplementedError("pure_nash_equilibria — fill this in (see its docstring in games.py)")


def mixed_nash_2x2(A: np.ndarray, B: np.ndarray) -> tuple[float, float]:
    """The fully mixed Nash equilibrium ``(p, q)`` of a 2×2 game: p = P(row plays 0), q = P(column plays 0).

    Each player mixes so that the *other* player is indifferent between its two actions:

        q makes the row player indifferent:     q·A[0,0] + (1−q)·A[0,1] = q·A[1,0] + (1−q)·A[1,1]
            ⇒ q = (A[1,1] − A[0,1]) / (A[0,0] − A[0,1] − A[1,0] + A[1,1])
        p makes the column player indifferent:  p·B[0,0] + (1−p)·B[1,0] = p·B[0,1] + (1−p)·B[1,1]
            ⇒ p = (B[1,1] − B[1,0]) / (B[0,0] − B[1,0] − B[0,1] + B[1,1])

    So p comes from B and q from A (Battle of the Sexes A = [[2, 0], [0, 1]], B = [[1, 0], [0, 2]]: p = 2/3,
    q = 1/3). Returns two plain floats. Raises ``ValueError`` when the game has no fully mixed equilibrium: a
    denominator is 0 (within ``TIE_TOLERANCE``) or p or q is not strictly between 0 and 1.
    """
    raise NotImplementedError("mixed_nash_2x2 — fill this in (see its docstring in games.py)")


def fictitious_play(A: np.ndarray, B: np.ndarray, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """Simultaneous fictitious play (Brown, 1951) for ``iterations`` rounds; returns the actions played.

    Each player keeps counts of the opponent's past actions, starting from one imaginary play of every action
    (counts = 1). In round t both players, at the same time, play the *lowest-index* pure best response
    (``best_responses(...)[0]``) to the opponent's *empirical* mixed strategy counts / counts.sum() — never to
    the opponent's last action — and then both counts are updated with the actions just played.

    Returns ``(row_actions, col_actions)``: two int arrays of length ``iterations``. In Matching Pennies the
    empirical frequencies of the actions played converge to the mixed equilibrium (½, ½) (Robinson, 1951).
    """
    raise NotImplementedError("fictitious_play — fill this in (see its docstring in games.py)")
