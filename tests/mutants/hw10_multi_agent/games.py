"""Known bugs of hw10's game theory (bug catalog "Multi-agent": MA5, MA6, and our own).

Each mutant patches ``solutions/hw10_multi_agent/games.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw10_multi_agent"
_F = "games.py"

MUTANTS = [
    Mutant(
        id="MA5-mixed-nash-p-q-swapped",
        assignment=_A,
        description="the mixed-equilibrium solver returns each player's own indifference mix (p from A, q from B)",
        file=_F,
        old="    return float(p), float(q)\n    # END SOLUTION",
        new="    return float(q), float(p)\n    # END SOLUTION",
        killed_by=("test_mixed_nash_2x2", "test_hidden_mixed_nash_other_games"),
    ),
    Mutant(
        id="MA6-fictitious-play-last-action",
        assignment=_A,
        description="fictitious play best-responds to the opponent's last action, not to its empirical frequencies",
        file=_F,
        old="""        i = int(best_responses(A, col_counts / col_counts.sum())[0])
        j = int(best_responses(B.T, row_counts / row_counts.sum())[0])
""",
        new="""        last_col = np.eye(A.shape[1])[col_actions[t - 1]] if t else col_counts / col_counts.sum()
        last_row = np.eye(A.shape[0])[row_actions[t - 1]] if t else row_counts / row_counts.sum()
        i = int(best_responses(A, last_col)[0])
        j = int(best_responses(B.T, last_row)[0])
""",
        killed_by=("test_fictitious_play_first_rounds", "test_hidden_fictitious_play_other_games"),
    ),
    Mutant(
        id="fictitious-play-own-counts",
        assignment=_A,
        description="each player of fictitious play best-responds to the counts of its OWN past actions",
        file=_F,
        old="""        i = int(best_responses(A, col_counts / col_counts.sum())[0])
""",
        new="""        i = int(best_responses(A, row_counts[: A.shape[1]] / row_counts[: A.shape[1]].sum())[0])
""",
        killed_by=(
            "test_fictitious_play_first_rounds",
            "test_fictitious_play_matching_pennies_converges",
            "test_hidden_fictitious_play_other_games",
        ),
    ),
    Mutant(
        id="fictitious-play-sequential",
        assignment=_A,
        description="fictitious play updates the row player's counts before the column player responds",
        file=_F,
        old="""        j = int(best_responses(B.T, row_counts / row_counts.sum())[0])
        row_counts[i] += 1
""",
        new="""        row_counts[i] += 1
        j = int(best_responses(B.T, row_counts / row_counts.sum())[0])
""",
        killed_by=("test_fictitious_play_first_rounds", "test_hidden_fictitious_play_other_games"),
    ),
    Mutant(
        id="fictitious-play-zero-prior",
        assignment=_A,
        description="fictitious play counts start at (almost) 0 instead of one imaginary play of every action",
        file=_F,
        old="    row_counts, col_counts = np.ones(A.shape[0]), np.ones(A.shape[1])",
        new="    row_counts, col_counts = np.full(A.shape[0], 1e-9), np.full(A.shape[1], 1e-9)",
        killed_by=("test_fictitious_play_first_rounds", "test_hidden_fictitious_play_other_games"),
    ),
    Mutant(
        id="best-responses-strict-argmax",
        assignment=_A,
        description="best_responses returns only np.argmax (one action) and drops the tied ones",
        file=_F,
        old="    return np.flatnonzero(values >= values.max() - TIE_TOLERANCE)",
        new="    return np.array([int(np.argmax(values))])",
        killed_by=("test_best_responses", "test_hidden_best_responses_other_games"),
    ),
    Mutant(
        id="best-responses-payoff-transposed",
        assignment=_A,
        description="best_responses weights the payoff's rows (payoff.T @ mix) instead of its columns",
        file=_F,
        old="    values = np.asarray(payoff, dtype=np.float64) @ np.asarray(opponent_mix, dtype=np.float64)",
        new="    values = np.asarray(payoff, dtype=np.float64).T @ np.asarray(opponent_mix, dtype=np.float64)",
        killed_by=("test_best_responses", "test_hidden_best_responses_other_games"),
    ),
    Mutant(
        id="pure-nash-column-uses-A",
        assignment=_A,
        description="pure_nash_equilibria checks the column player's best response with A instead of B",
        file=_F,
        old="    col_best = B.max(axis=1, keepdims=True) - B <= TIE_TOLERANCE",
        new="    col_best = A.max(axis=1, keepdims=True) - A <= TIE_TOLERANCE",
        killed_by=("test_pure_nash_equilibria", "test_hidden_pure_nash_other_games"),
    ),
    Mutant(
        id="mixed-nash-no-range-check",
        assignment=_A,
        description="mixed_nash_2x2 returns indifference mixes outside (0, 1) instead of raising ValueError",
        file=_F,
        old="    if not (0.0 < p < 1.0 and 0.0 < q < 1.0):",
        new="    if not (np.isfinite(p) and np.isfinite(q)):",
        killed_by=("test_mixed_nash_2x2", "test_hidden_mixed_nash_other_games"),
    ),
]
