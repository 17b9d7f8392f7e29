"""Hidden checks of hw11, part "games": the update on a random table, never losing to a random player, perfect
play on another seed."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.nim import NimSpec, moves_of, play
from grader.harness.validate import assert_close

PERFECT_HIDDEN = NimSpec(
    check="test_self_play_perfect_hidden",
    module="games",
    agent="AfterstateQLearner",
    alpha=0.5,
    epsilon=0.2,
    games=6000,
    seed=2131,
    metric="perfect",
    threshold=1.0,
)
NEVER_LOSES = NimSpec(
    check="test_never_loses_to_random_hidden",
    module="games",
    agent="AfterstateQLearner",
    alpha=0.5,
    epsilon=0.2,
    games=6000,
    seed=2132,
    metric="losses",
    threshold=0,
    eval_games=300,
)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_update_random_table(impl):
    """Three updates on a random V equal the negamax Q-learning formula."""
    rng = np.random.default_rng(31)
    agent = impl.attr("games", "AfterstateQLearner")(0.3, 0.0, rng=np.random.default_rng(0))
    V = rng.uniform(-1, 1, (2, 4, 6, 8))
    agent.V = V.copy()
    for after in [(1, 2, 0, 3), (0, 0, 0, 0), (0, 3, 5, 1)]:
        target = 1.0 if not sum(after) else -max(V[play(after, m)] for m in moves_of(after))
        V[after] += 0.3 * (target - V[after])
        agent.update(after)
    assert_close(agent.V, V, "V after 3 updates (α = 0.3)", 1e-12)


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_never_loses_to_random_hidden(impl):
    """After 6000 self-play games the greedy policy loses none of 300 games against a random player."""
    NEVER_LOSES.assert_learns(impl.attr("games", "AfterstateQLearner"), "check the exact checks first")


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_self_play_perfect_hidden(impl):
    """Perfect play in every winnable position after 6000 self-play games on another seed."""
    PERFECT_HIDDEN.assert_learns(impl.attr("games", "AfterstateQLearner"), "check the exact checks first")
