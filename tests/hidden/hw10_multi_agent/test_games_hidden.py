"""Hidden checks of hw10 part 1 (``games.py``): the same specification on other games, so that answers tuned to
the public games do not pay — Rock-Paper-Scissors, the Penalty game, Stag Hunt, an asymmetric 2×2 game whose mixed
equilibrium is (1/3, 1/4), and fictitious play there, compared round by round with the grader's own."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.matrix_games import CLIMBING, checked_equilibria, checked_mix, int_list, penalty
from grader.harness.validate import InvalidOutput, matching_cause
from grader.oracles.multi_agent import fictitious_play as trusted_fictitious_play
from grader.oracles.multi_agent import mixed_nash_2x2 as trusted_mixed_nash

RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
STAG_HUNT = (np.array([[4.0, 0.0], [3.0, 3.0]]), np.array([[4.0, 3.0], [0.0, 3.0]]))  # NE (0,0), (1,1), mixed (¾, ¾)
ASYMMETRIC = (np.array([[3.0, 0.0], [0.0, 1.0]]), np.array([[0.0, 2.0], [1.0, 0.0]]))  # only a mixed NE (1/3, 1/4)
CHICKEN = (np.array([[0.0, -1.0], [1.0, -10.0]]), np.array([[0.0, 1.0], [-1.0, -10.0]]))  # mixed NE (0.9, 0.9)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_best_responses_other_games(impl):
    """best_responses on Rock-Paper-Scissors (all three tie against the uniform mix) and the Penalty game"""
    best_responses = impl.attr("games", "best_responses")
    penalty_payoff = penalty(-20.0)[0]
    cases = (
        (RPS, [1 / 3, 1 / 3, 1 / 3], [0, 1, 2]),
        (RPS, [0.5, 0.5, 0.0], [1]),  # paper: 0.5 vs rock −0.5, scissors 0
        (penalty_payoff, [0.5, 0.0, 0.5], [1]),  # −5, 0, −5
        (penalty_payoff, [0.0, 0.0, 1.0], [2]),
        (CLIMBING[1].T, [0.0, 0.0, 1.0], [2]),  # column player of Climbing against row 2: B[2] = 0, 0, 5
    )
    for payoff, mix, want in cases:
        got = int_list(best_responses(payoff.copy(), np.array(mix)), "best_responses(...)", payoff.shape[0])
        assert got == want, (
            f"best_responses(payoff={payoff.tolist()}, opponent_mix={np.round(mix, 4).tolist()}) = {got}; expected "
            f"{want} (u = payoff @ mix = {np.round(payoff @ np.array(mix), 4).tolist()})"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_pure_nash_other_games(impl):
    """pure_nash_equilibria on the Penalty game (three), Stag Hunt (two), RPS (none), a 2×3 game"""
    pure_nash_equilibria = impl.attr("games", "pure_nash_equilibria")
    two_by_three = (np.array([[1.0, 4.0, 2.0], [3.0, 0.0, 2.0]]), np.array([[2.0, 1.0, 2.0], [0.0, 3.0, 1.0]]))
    cases = (
        (penalty(-20.0), [(0, 0), (1, 1), (2, 2)]),
        (STAG_HUNT, [(0, 0), (1, 1)]),
        ((RPS, -RPS), []),
        (two_by_three, [(0, 2)]),  # a tie in column 2 for the row player
    )
    for (A, B), want in cases:
        got = checked_equilibria(pure_nash_equilibria(A.copy(), B.copy()), "pure_nash_equilibria(A, B)", A.shape)
        assert got == want, f"pure_nash_equilibria(A={A.tolist()}, B={B.tolist()}) = {got}; expected {want}"


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_hidden_mixed_nash_other_games(impl):
    """mixed_nash_2x2 on an asymmetric game (1/3, 1/4), Stag Hunt, Chicken; ValueError without a mixed NE"""
    mixed_nash_2x2 = impl.attr("games", "mixed_nash_2x2")
    for A, B in (ASYMMETRIC, STAG_HUNT, CHICKEN):
        want = trusted_mixed_nash(A, B)
        got = np.array(checked_mix(mixed_nash_2x2(A.copy(), B.copy()), "mixed_nash_2x2(A, B)"))
        assert np.allclose(got, want, rtol=0, atol=1e-9), (
            f"mixed_nash_2x2(A={A.tolist()}, B={B.tolist()}) = {got.tolist()}; expected {list(want)}"
            + matching_cause(got, {"p and q swapped (each player's own indifference mix)": want[::-1]}, 1e-9)
        )
    dominated = (np.array([[2.0, 3.0], [1.0, 0.0]]), np.array([[1.0, 0.0], [2.0, 3.0]]))  # row 0 dominates
    constant = (np.ones((2, 2)), np.ones((2, 2)))  # denominators 0
    for A, B in (dominated, constant):
        try:
            got = mixed_nash_2x2(A.copy(), B.copy())
        except ValueError:
            continue
        raise AssertionError(
            f"mixed_nash_2x2(A={A.tolist()}, B={B.tolist()}) returned {got!r:.60}; it must raise ValueError (no fully "
            "mixed equilibrium: a denominator is 0 or p, q is not strictly inside (0, 1))"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_hidden_fictitious_play_other_games(impl):
    """fictitious_play: round by round on RPS (40 rounds) and on an asymmetric game (3000 rounds)"""
    fictitious_play = impl.attr("games", "fictitious_play")
    for label, (A, B), rounds in (("RPS", (RPS, -RPS), 40), ("the asymmetric game", ASYMMETRIC, 3000)):
        result = fictitious_play(A.copy(), B.copy(), rounds)
        if not isinstance(result, (list, tuple)) or len(result) != 2:
            raise InvalidOutput(f"fictitious_play must return (row_actions, col_actions), got {result!r:.60}")
        rows, cols = int_list(result[0], "row_actions", A.shape[0]), int_list(result[1], "col_actions", A.shape[1])
        want_rows, want_cols = trusted_fictitious_play(A, B, rounds)
        for who, got, want in (("row", rows, want_rows), ("column", cols, want_cols)):
            first = next((t for t in range(rounds) if t >= len(got) or got[t] != want[t]), None)
            assert first is None and len(got) == rounds, (
                f"fictitious_play on {label} (A={A.tolist()}, B={B.tolist()}), {rounds} rounds: the {who} player's "
                f"actions differ first in round {first}: {got[max(0, (first or 0) - 3) : (first or 0) + 3]} where "
                f"{want[max(0, (first or 0) - 3) : (first or 0) + 3]} was expected"
            )
