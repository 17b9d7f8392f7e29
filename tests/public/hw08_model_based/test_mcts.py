"""Public checks of hw08 part 3: Monte-Carlo tree search with UCT at tic-tac-toe (``mcts.py``).

Exact checks compare UCB scores, the child selected and the backed-up statistics on hand-made trees with numbers
worked out in this file. Game checks play your ``uct_search`` inside the kit's TicTacToe-v0 env
(``grader/harness/tictactoe.py``) against a random player (the hidden checks also against the grader's perfect
minimax player), half the games as X and half as O; the budget is simulations per move. Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.harness.calls import call_all
from grader.harness.model_based import SearchSpec
from grader.harness.validate import as_float, as_int

VS_RANDOM = SearchSpec(check="test_uct_never_loses_to_random", seed=31, opponent="random", games=20, simulations=400)
EMPTY = (0,) * 9


def node_stats(node, what: str) -> tuple[int, float]:
    return as_int(node.visits, f"{what}.visits", 0, 1 << 30), as_float(node.value_sum, f"{what}.value_sum")


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_ucb_score(impl):
    """ucb_score = W/N + c·sqrt(ln N_parent / N); an unvisited child scores +inf"""
    ucb = impl.attr("mcts", "ucb_score")
    # N_parent 10, N 2, W 1, c √2: 0.5 + √2·sqrt(ln 10 / 2) = 0.5 + 1.517427 = 2.017427
    for args, want in (
        ((10, 2, 1.0, math.sqrt(2)), 0.5 + math.sqrt(2) * math.sqrt(math.log(10) / 2)),
        ((12, 4, -3.0, 0.0), -0.75),
        ((12, 6, 2.0, 1.0), 1 / 3 + math.sqrt(math.log(12) / 6)),
    ):
        got = as_float(ucb(*args), "ucb_score(...)")
        assert abs(got - want) < 1e-9, f"ucb_score{args} = {got!r}; expected {want:.9f} (W/N + c·sqrt(ln N_parent / N))"
    got = ucb(5, 0, 0.0, 1.0)
    assert isinstance(got, (float, int)) and math.isinf(got) and got > 0, (
        f"ucb_score(5, 0, 0, 1) = {got!r}; expected inf"
    )


def hand_tree(impl):
    """A root (12 visits) with three children: move 0 (N 4, W 3), move 4 (N 6, W 2), move 8 (N 2, W −1)."""
    node = impl.attr("mcts", "Node")
    root = node(EMPTY)
    root.visits = 12
    for move, (n, w) in ((0, (4, 3.0)), (4, (6, 2.0)), (8, (2, -1.0))):
        child = node(EMPTY[:move] + (1,) + EMPTY[move + 1 :], root, move)
        child.visits, child.value_sum = n, w
        root.children = {**root.children, move: child}
    return root


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_select_child(impl):
    """select_child: the child of highest UCB for the given c (c = 1 → move 0, c = 5 → move 8)"""
    select = impl.attr("mcts", "select_child")
    # c = 1: 0.75 + 0.788 = 1.538 | 0.333 + 0.643 = 0.977 | −0.5 + 1.115 = 0.615 → move 0
    # c = 5: 0.75 + 3.941 = 4.691 | 0.333 + 3.218 = 3.551 | −0.5 + 5.573 = 5.073 → move 8
    for c, want in ((1.0, 0), (5.0, 8)):
        chosen = select(hand_tree(impl), c, np.random.default_rng(0))
        got = as_int(chosen.action, "select_child(...).action", 0, 9)
        assert got == want, (
            f"root with 12 visits and children move 0 (N 4, W 3), move 4 (N 6, W 2), move 8 (N 2, W −1), c = {c:g}: "
            f"select_child chose move {got}; expected move {want} (largest W/N + c·sqrt(ln 12 / N))"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_backup_alternates_sign(impl):
    """backup: every node on the path gets one visit; the value flips sign at each level up from the leaf"""
    node, backup = impl.attr("mcts", "Node"), impl.attr("mcts", "backup")
    root = node(EMPTY)
    child = node((1, 0, 0, 0, 0, 0, 0, 0, 0), root, 0)
    leaf = node((1, 2, 0, 0, 0, 0, 0, 0, 0), child, 1)
    path = [root, child, leaf]
    backup(path, 1.0)
    backup(path, 0.0)
    backup(path, -1.0)
    backup(path, 1.0)
    got = [node_stats(n, name) for n, name in zip(path, ("root", "child", "leaf"), strict=True)]
    # leaf gets +1, 0, −1, +1 = +1; its parent the opposite, −1; the root +1 again
    want = [(4, 1.0), (4, -1.0), (4, 1.0)]
    assert got == want, (
        f"after backup(path, v) for v = 1, 0, −1, 1 on the path [root, child, leaf] (fresh nodes), (visits, "
        f"value_sum) = {got}; expected {want} (the leaf adds v, its parent −v, the root +v)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_search_wins_and_blocks(impl):
    """uct_search (300 simulations) takes an immediate win, and blocks the opponent's immediate win"""
    search = impl.attr("mcts", "uct_search")
    positions = (
        ((1, 1, 0, 2, 2, 0, 0, 0, 0), 2, "X to move completes the top row"),
        ((1, 0, 0, 2, 2, 0, 1, 0, 0), 5, "X to move blocks O's middle row"),
        ((1, 1, 0, 0, 2, 0, 0, 0, 0), 2, "O to move blocks X's top row"),
    )
    seeded = [
        (search, (board, 300, 1.4, np.random.default_rng(seed))) for board, _, _ in positions for seed in range(3)
    ]
    moves = [as_int(m, "uct_search(...) return value", 0, 9) for m in call_all(seeded)]
    for i, (board, want, what) in enumerate(positions):
        got = moves[3 * i : 3 * i + 3]
        assert got == [want] * 3, (
            f"uct_search({board}, 300 simulations, c = 1.4) on 3 seeds chose cells {got}; expected {want} ({what}; "
            "the result of a simulation counts for the player who moved into the leaf, and the move returned is the "
            "root's most visited child)"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(60)
def test_uct_never_loses_to_random(impl):
    """20 games against a random player (400 simulations per move, X and O alternately): no game lost"""
    VS_RANDOM.assert_learns(
        impl.attr("mcts", "uct_search"), "the exact checks of ucb_score, select_child and backup say which part differs"
    )
