"""Public checks of hw11, part "recommender": LinUCB (``recommender.py``) and replay evaluation of a policy on a
uniformly random log (Li et al. 2010, 2011).

Exact checks compare your numbers with the ones worked out in this file. The learning check plays 12 runs of
2000 users of the kit's ``Recommender-v0`` (``grader/harness/recommender.py``) with your LinUCB and with the
grader's own ε-greedy ridge baseline on the same users and clicks, and compares the mean total regret.
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.recommender import RegretSpec
from grader.harness.validate import as_float, as_int, assert_close

# LinUCB with 2 arms, d = 2, λ = 1, α = 1. Before any update UCB_a([1, 0]) = 0 + 1·sqrt(1) = 1 for both arms.
# update([1, 0], arm 0, reward 1): A_0 = I + x xᵀ = diag(2, 1), b_0 = [1, 0], θ_0 = [0.5, 0];
# UCB_0([1, 0]) = 0.5 + sqrt(1/2) = 1.2071068, UCB_1([1, 0]) = 1 (arm 1 untouched).
UCB_AFTER = [0.5 + np.sqrt(0.5), 1.0]
# A replay on 4 logged events (x, logged arm, reward) with a fresh LinUCB as above:
#   t0 x=[1,0] a=0 r=1: UCB = [1, 1] → arm 0 (lowest index on ties) = logged: keep r=1, update arm 0.
#   t1 x=[1,0] a=1 r=0: UCB = [1.2071, 1] → arm 0 ≠ 1: skipped, no update.
#   t2 x=[0,1] a=0 r=0: UCB = [0 + 1, 1] → arm 0 = logged: keep r=0, update arm 0 (A_0 = diag(2, 2)).
#   t3 x=[0,1] a=1 r=1: UCB = [sqrt(1/2), 1] → arm 1 = logged: keep r=1, update arm 1 (A_1 = diag(1, 2)).
# → value (1 + 0 + 1) / 3 = 0.666667 over 3 matched events.
REPLAY_LOG = ([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], [0, 1, 0, 1], [1.0, 0.0, 0.0, 1.0])
REPLAY_A = [np.diag([2.0, 2.0]), np.diag([1.0, 2.0])]
REPLAY_B = [[1.0, 0.0], [0.0, 1.0]]

LINUCB_REGRET = RegretSpec(
    check="test_linucb_regret_below_epsilon_greedy",
    module="recommender",
    agent="LinUCB",
    hparams={"alpha": 0.3},
    steps=2000,
    runs=12,
    seed=1101,
    ratio=1.0,
)


def linucb(impl, **kwargs):
    return impl.attr("recommender", "LinUCB")(**{"n_arms": 2, "dim": 2, "alpha": 1.0, "lam": 1.0, **kwargs})


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_linucb_initial_state_and_ties(impl):
    """LinUCB starts with A = λI, b = 0; equal UCBs go to the lowest arm."""
    agent = linucb(impl, lam=0.5)
    assert_close(agent.A, [0.5 * np.eye(2)] * 2, "LinUCB(lam=0.5).A")
    assert_close(agent.b, np.zeros((2, 2)), "LinUCB.b")
    assert_close(agent.ucb(np.array([1.0, 0.0])), [np.sqrt(2.0)] * 2, "LinUCB(lam=0.5).ucb([1, 0])")
    assert as_int(agent.act(np.array([1.0, 0.0])), "LinUCB.act([1, 0])", 0, 2) == 0, "a tie must go to arm 0"


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_linucb_update_and_ucb(impl):
    """After update([1, 0], 0, 1): A_0 = diag(2, 1), b_0 = [1, 0], UCB([1, 0]) = [1.2071, 1]."""
    agent = linucb(impl)
    agent.update(np.array([1.0, 0.0]), 0, 1.0)
    assert_close(agent.A, [np.diag([2.0, 1.0]), np.eye(2)], "A after update([1, 0], 0, 1)")
    assert_close(agent.b, [[1.0, 0.0], [0.0, 0.0]], "b after update([1, 0], 0, 1)")
    assert_close(agent.ucb(np.array([1.0, 0.0])), UCB_AFTER, "ucb([1, 0])", 1e-6, " (θ_0 = A_0⁻¹ b_0 = [0.5, 0])")
    assert as_int(agent.act(np.array([1.0, 0.0])), "act([1, 0])", 0, 2) == 0, "act must pick the largest UCB"


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_replay_evaluate_hand_worked_log(impl):
    """Replay on a 4-event log: value 2/3 over 3 matched events; updates only on matched events."""
    agent = linucb(impl)
    contexts, arms, rewards = (np.array(v, dtype=float if i != 1 else int) for i, v in enumerate(REPLAY_LOG))
    out = impl.attr("recommender", "replay_evaluate")(agent, contexts, arms, rewards)
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise AssertionError(f"replay_evaluate must return (value, n_matched), got {type(out).__name__}")
    value, matched = as_float(out[0], "replay value"), as_int(out[1], "replay n_matched", 0, 5)
    assert matched == 3, f"{matched} matched events, expected 3 (events 0, 2 and 3 match the agent's choice)"
    assert abs(value - 2 / 3) < 1e-9, f"replay value {value:.6f}, expected 0.666667: the mean over matched events"
    hint = ": update the agent on matched events only, with the logged reward"
    assert_close(agent.A, REPLAY_A, "agent.A after the replay", 1e-9, hint)
    assert_close(agent.b, REPLAY_B, "agent.b after the replay", 1e-9, hint)


@pytest.mark.points(5)
@pytest.mark.timeout(40)
def test_linucb_regret_below_epsilon_greedy(impl):
    """LinUCB (α = 0.3): less regret than ε-greedy (ε = 0.1) on 12 runs × 2000 users of Recommender-v0."""
    LINUCB_REGRET.assert_learns(
        impl.attr("recommender", "LinUCB"),
        "a correct LinUCB gets about 0.7-0.85 of the baseline's regret; check the exact checks first",
    )
