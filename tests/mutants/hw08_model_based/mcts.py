"""Known bugs of hw08's UCT search (our own: the MCTS rows are new to the bug catalog).

Each mutant patches ``solutions/hw08_model_based/mcts.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw08_model_based"
_F = "mcts.py"

MUTANTS = [
    Mutant(
        id="backup-no-sign-flip",
        assignment=_A,
        description="backup adds the same value at every level (no negamax sign flip)",
        file=_F,
        old="""        node.value_sum += value
        value = -value""",
        new="""        node.value_sum += value""",
        killed_by=("test_backup_alternates_sign", "test_hidden_backup_two_nodes", "test_search_wins_and_blocks"),
    ),
    Mutant(
        id="backup-skips-root",
        assignment=_A,
        description="backup stops below the root, so the root's visit count (N_parent of UCB) stays 0",
        file=_F,
        old="    for node in reversed(path):",
        new="    for node in reversed(path[1:]):",
        killed_by=("test_backup_alternates_sign", "test_hidden_backup_two_nodes"),
    ),
    Mutant(
        id="result-for-wrong-player",
        assignment=_A,
        description="the rollout's result is scored for the player to move at the leaf, not the one who moved in",
        file=_F,
        old="        mover = 3 - to_move(node.board)",
        new="        mover = to_move(node.board)",
        killed_by=(
            "test_search_wins_and_blocks",
            "test_uct_never_loses_to_random",
            "test_hidden_uct_draws_perfect_play",
        ),
    ),
    Mutant(
        id="ucb-no-log",
        assignment=_A,
        description="the exploration term uses N_parent instead of ln N_parent",
        file=_F,
        old="    return child_value_sum / child_visits + c * math.sqrt(math.log(parent_visits) / child_visits)",
        new="    return child_value_sum / child_visits + c * math.sqrt(parent_visits / child_visits)",
        killed_by=("test_ucb_score",),
    ),
    Mutant(
        id="ucb-unvisited-zero",
        assignment=_A,
        description="an unvisited child scores 0 instead of +inf",
        file=_F,
        old="        return math.inf",
        new="        return 0.0",
        killed_by=("test_ucb_score",),
    ),
    Mutant(
        id="select-lowest-ucb",
        assignment=_A,
        description="select_child picks the child with the LOWEST score",
        file=_F,
        old="    best = np.flatnonzero(scores == scores.max())",
        new="    best = np.flatnonzero(scores == scores.min())",
        killed_by=("test_select_child", "test_search_wins_and_blocks"),
    ),
]
