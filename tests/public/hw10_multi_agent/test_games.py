"""Public checks of hw10 part 1: game theory on matrix games (``games.py``).

The games are the kit's (``grader/harness/matrix_games.py``): A is the row player's payoff, B the column
player's. Expected values are worked by hand in this file, or data in ``expected.json`` beside it (computed in
the course repo by the grader's own code). Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.golden import expected
from grader.harness.matrix_games import (
    BATTLE_OF_THE_SEXES,
    CLIMBING,
    MATCHING_PENNIES,
    PRISONERS_DILEMMA,
    checked_equilibria,
    checked_mix,
    int_list,
)
from grader.harness.validate import InvalidOutput, matching_cause

GAMES = {
    "Prisoner's Dilemma": PRISONERS_DILEMMA,
    "Matching Pennies": MATCHING_PENNIES,
    "Battle of the Sexes": BATTLE_OF_THE_SEXES,
    "Climbing": CLIMBING,
}
FICTITIOUS_ROUNDS = 12  # rounds compared action by action
CONVERGENCE_ROUNDS = 2000  # rounds of Matching Pennies whose empirical frequencies must be within ±0.03 of ½


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_best_responses(impl):
    """best_responses: the pure best responses (ties within 1e-9, increasing order) to a mixed strategy"""
    best_responses = impl.attr("games", "best_responses")
    A_pd, B_bos = PRISONERS_DILEMMA[0], BATTLE_OF_THE_SEXES[1]
    cases = (
        ("Prisoner's Dilemma, row player", A_pd, [0.5, 0.5], [1]),  # defect dominates
        ("Matching Pennies, row player", MATCHING_PENNIES[0], [0.5, 0.5], [0, 1]),  # indifferent
        ("Matching Pennies, row player", MATCHING_PENNIES[0], [0.6, 0.4], [0]),
        ("Climbing, row player", CLIMBING[0], [0.0, 1.0, 0.0], [1]),  # 7 > 0 > −30
        ("Climbing, row player", CLIMBING[0], [1 / 3, 1 / 3, 1 / 3], [2]),  # −19/3, −17/3, 5/3
        ("Battle of the Sexes, column player (B.T)", B_bos.T, [2 / 3, 1 / 3], [0, 1]),  # 2/3 vs 2/3
    )
    for label, payoff, mix, want in cases:
        got = int_list(best_responses(np.array(payoff), np.array(mix)), "best_responses(...)", payoff.shape[0])
        values = np.array(payoff) @ np.array(mix)
        assert got == want, (
            f"best_responses on {label} (payoff {payoff.tolist()}) against the mix {np.round(mix, 4).tolist()}: "
            f"{got}; expected {want} (expected payoffs u = payoff @ mix = {np.round(values, 4).tolist()}; every "
            "action within 1e-9 of max u, increasing order)"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_pure_nash_equilibria(impl):
    """pure_nash_equilibria: PD (1, 1); Matching Pennies none; BoS (0, 0), (1, 1); Climbing (0, 0), (1, 1)"""
    pure_nash_equilibria = impl.attr("games", "pure_nash_equilibria")
    wanted = {
        "Prisoner's Dilemma": [(1, 1)],
        "Matching Pennies": [],
        "Battle of the Sexes": [(0, 0), (1, 1)],
        "Climbing": [(0, 0), (1, 1)],
    }
    for name, want in wanted.items():
        A, B = GAMES[name]
        got = checked_equilibria(pure_nash_equilibria(A.copy(), B.copy()), "pure_nash_equilibria(A, B)", A.shape)
        assert got == want, (
            f"pure_nash_equilibria on {name} (A = {A.tolist()}, B = {B.tolist()}): {got}; expected {want} (every "
            "(i, j) where i is a best response to j under A and j a best response to i under B, row-major order)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_mixed_nash_2x2(impl):
    """mixed_nash_2x2: Matching Pennies (½, ½); BoS p = 2/3, q = 1/3; ValueError for the Prisoner's Dilemma"""
    mixed_nash_2x2 = impl.attr("games", "mixed_nash_2x2")
    for name, want in (("Matching Pennies", (0.5, 0.5)), ("Battle of the Sexes", (2 / 3, 1 / 3))):
        A, B = GAMES[name]
        got = np.array(checked_mix(mixed_nash_2x2(A.copy(), B.copy()), "mixed_nash_2x2(A, B)"))
        assert np.allclose(got, want, rtol=0, atol=1e-9), (
            f"mixed_nash_2x2 on {name} (A = {A.tolist()}, B = {B.tolist()}): (p, q) = {got.tolist()}; expected "
            f"{list(want)} (p = P(row plays 0) makes the COLUMN player indifferent, so it comes from B; q from A)"
            + matching_cause(got, {"p and q swapped (each player's own indifference mix)": want[::-1]}, 1e-9)
        )
    A, B = PRISONERS_DILEMMA
    try:
        got = mixed_nash_2x2(A.copy(), B.copy())
    except ValueError:
        return
    raise AssertionError(
        f"mixed_nash_2x2 on the Prisoner's Dilemma (A = {A.tolist()}, B = {B.tolist()}) returned {got!r:.60}; it "
        "must raise ValueError: defect dominates, so the indifference mixes fall outside (0, 1)"
    )


def check_fictitious_rounds(fictitious_play, name: str, A: np.ndarray, B: np.ndarray, want: dict) -> None:
    result = fictitious_play(A.copy(), B.copy(), FICTITIOUS_ROUNDS)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise InvalidOutput(f"fictitious_play must return (row_actions, col_actions), got {result!r:.60}")
    rows = int_list(result[0], "row_actions", A.shape[0])
    cols = int_list(result[1], "col_actions", A.shape[1])
    for who, got, expected_actions in (("row", rows, want["rows"]), ("column", cols, want["cols"])):
        assert len(got) == FICTITIOUS_ROUNDS, f"{who}_actions has {len(got)} entries; expected {FICTITIOUS_ROUNDS}"
        first = next((t for t in range(FICTITIOUS_ROUNDS) if got[t] != expected_actions[t]), None)
        assert first is None, (
            f"fictitious_play on {name}, {FICTITIOUS_ROUNDS} rounds: the {who} player's actions are {got}; expected "
            f"{expected_actions} (first difference in round {first}). Counts start at 1 for every action; both "
            "players best-respond at the same time to the opponent's EMPIRICAL mix (counts / total, not its last "
            "action), lowest index on ties; then both counts are updated"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_fictitious_play_first_rounds(impl):
    """fictitious_play: the first 12 rounds of Matching Pennies and of Battle of the Sexes, action by action"""
    fictitious_play = impl.attr("games", "fictitious_play")
    for name in ("Matching Pennies", "Battle of the Sexes"):
        check_fictitious_rounds(fictitious_play, name, *GAMES[name], expected(__file__, "fictitious_play")[name])


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_fictitious_play_matching_pennies_converges(impl):
    """fictitious_play: after 2000 rounds of Matching Pennies both empirical frequencies are within ±0.03 of ½"""
    A, B = MATCHING_PENNIES
    result = impl.attr("games", "fictitious_play")(A.copy(), B.copy(), CONVERGENCE_ROUNDS)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise InvalidOutput(f"fictitious_play must return (row_actions, col_actions), got {result!r:.60}")
    for who, actions in (("row", result[0]), ("column", result[1])):
        played = int_list(actions, f"{who}_actions", 2)
        assert len(played) == CONVERGENCE_ROUNDS, f"{who}_actions has {len(played)} entries; expected 2000"
        frequency = played.count(0) / CONVERGENCE_ROUNDS
        assert abs(frequency - 0.5) <= 0.03, (
            f"fictitious play on Matching Pennies: the {who} player played action 0 in {frequency:.3f} of "
            f"{CONVERGENCE_ROUNDS} rounds; expected within ±0.03 of the mixed equilibrium ½ (the empirical "
            "frequencies of fictitious play converge to it in a zero-sum game)"
        )
