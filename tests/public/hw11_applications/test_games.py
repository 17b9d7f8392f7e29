"""Public checks of hw11, part "games": Nim (heaps 1, 3, 5, 7) learned by self-play with Q-learning on
afterstates (``games.py``).

Exact checks compare your numbers with the ones worked out in this file. The learning checks train your learner
with the grader's self-play loop (``grader/harness/loops.py``, ``train_nim_selfplay``: 6000 games from random start
positions, ε = 0.2), then read ``V`` and play its greedy policy in the grader, against Bouton's rule (perfect
play: leave a nim-sum of 0, ``grader/harness/nim.py``) and against a random player.
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.nim import NimSpec
from grader.harness.validate import InvalidOutput, as_int, assert_close

PERFECT = NimSpec(
    check="test_self_play_learns_perfect_play",
    module="games",
    agent="AfterstateQLearner",
    alpha=0.5,
    epsilon=0.2,
    games=6000,
    seed=1131,
    metric="perfect",
    threshold=1.0,
)
AGAINST_RANDOM = NimSpec(
    check="test_self_play_never_loses_to_random",
    module="games",
    agent="AfterstateQLearner",
    alpha=0.5,
    epsilon=0.2,
    games=6000,
    seed=1132,
    metric="losses",
    threshold=0,
    eval_games=300,
)


def learner(impl, epsilon: float = 0.0, seed: int = 0):
    return impl.attr("games", "AfterstateQLearner")(0.5, epsilon, rng=np.random.default_rng(seed))


def checked_move(value: object, what: str) -> tuple[int, int]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise InvalidOutput(f"{what} must be a (heap, count) pair, got {type(value).__name__}")
    return as_int(value[0], f"{what}[0]", 0, 4), as_int(value[1], f"{what}[1]", 1, 8)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_legal_moves_and_afterstate(impl):
    """legal_moves((1, 0, 2, 0)) = [(0, 1), (2, 1), (2, 2)]; afterstate((1, 3, 5, 7), (2, 4)) = (1, 3, 1, 7)."""
    got = impl.attr("games", "legal_moves")((1, 0, 2, 0))
    moves = [checked_move(m, "legal_moves((1, 0, 2, 0)) entry") for m in list(got)]
    assert moves == [(0, 1), (2, 1), (2, 2)], f"legal_moves((1, 0, 2, 0)) = {moves}, expected [(0, 1), (2, 1), (2, 2)]"
    after = impl.attr("games", "afterstate")((1, 3, 5, 7), (2, 4))
    after = tuple(as_int(h, "afterstate entry", 0, 8) for h in list(after))
    assert after == (1, 3, 1, 7), f"afterstate((1, 3, 5, 7), (2, 4)) = {after}, expected (1, 3, 1, 7)"


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_update_and_greedy(impl):
    """V starts at 0; update((0,0,0,0)) → V = 0.5; update((1,0,0,0)) → −0.25; greedy picks the first best move."""
    agent = learner(impl)
    assert_close(agent.V, np.zeros((2, 4, 6, 8)), "AfterstateQLearner.V at the start")
    agent.update((0, 0, 0, 0))  # the mover took the last object: target +1 → 0 + 0.5·(1 − 0) = 0.5
    agent.update((1, 0, 0, 0))  # the opponent's best reply reaches (0,0,0,0) worth 0.5: target −0.5 → −0.25
    want = np.zeros((2, 4, 6, 8))
    want[0, 0, 0, 0], want[1, 0, 0, 0] = 0.5, -0.25
    assert_close(agent.V, want, "V after update((0,0,0,0)) and update((1,0,0,0))", 1e-12, " (α = 0.5; negamax target)")
    # at (1, 1, 0, 0): (0, 1) → (0, 1, 0, 0) worth 0, (1, 1) → (1, 0, 0, 0) worth −0.25: greedy (0, 1)
    assert checked_move(agent.act((1, 1, 0, 0)), "act((1, 1, 0, 0))") == (0, 1), "ε = 0: the move to the best V"
    want[0, 1, 0, 0] = -1.0
    agent.V = want  # a whole new table: now (1, 1) → (1, 0, 0, 0) worth −0.25 beats (0, 1) worth −1
    assert checked_move(agent.act((1, 1, 0, 0)), "act((1, 1, 0, 0))") == (1, 1), "ε = 0: the move to the best V"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_exploration_draws(impl):
    """ε = 1: every move is uniform over the legal moves, drawn as rng.random() then rng.integers(len(moves))."""
    agent = learner(impl, epsilon=1.0, seed=5)
    rng = np.random.default_rng(5)
    position = (1, 3, 5, 7)
    moves = [(h, c) for h, size in enumerate(position) for c in range(1, size + 1)]
    for i in range(20):
        rng.random()
        want = moves[int(rng.integers(len(moves)))]
        got = checked_move(agent.act(position), f"act #{i + 1} with ε = 1")
        assert got == want, f"act #{i + 1} with ε = 1 returned {got}, expected {want} (rng.random(), then integers)"


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_self_play_learns_perfect_play(impl):
    """After 6000 self-play games the greedy policy plays every winnable position perfectly (Bouton's rule)."""
    PERFECT.assert_learns(impl.attr("games", "AfterstateQLearner"), "a correct learner gets 100 % (checks above first)")


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_self_play_never_loses_to_random(impl):
    """After 6000 self-play games the greedy policy loses none of 300 seeded games against a random player."""
    AGAINST_RANDOM.assert_learns(impl.attr("games", "AfterstateQLearner"), "a correct learner loses none")
