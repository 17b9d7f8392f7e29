"""Public checks of hw09 part 1: executing an option, ε-greedy over available options, SMDP Q-learning and
intra-option Q-learning (``options.py``).

Exact checks run your ``run_option`` on the kit's Four Rooms with deterministic moves (``success_prob=1``; the
grader's wrapper counts the env steps) and give your learners hand-made tables and one transition, comparing the
result with the numbers worked out in this file. Learning checks train your learners with the grader's own loop
(``grader/harness/option_loops.py``: it executes the options and counts the steps) with the 8 hallway options and
the 4 primitives, and with the primitives alone. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all
from grader.harness.four_rooms import N_STATES, index
from grader.harness.options import OptionsSpec, assert_option_result, option_trial_checked
from grader.harness.validate import as_float_array, as_int, close, mismatch

DOWN, RIGHT = 2, 1

SMDP_VS_PRIMITIVES = OptionsSpec(
    check="test_smdp_options_beat_primitives",
    agent="SMDPQLearning",
    against="primitives",
    episodes=20,
    runs=10,
    seed=1,
    high=0.8,
)
SMDP_LEARNS = OptionsSpec(
    check="test_smdp_options_beat_primitives",
    agent="SMDPQLearning",
    against="untrained",
    episodes=20,
    runs=6,
    seed=1,
    high=0.75,
)
INTRA_VS_PRIMITIVES = OptionsSpec(
    check="test_intra_options_beat_primitives",
    agent="IntraOptionQLearning",
    against="primitives",
    episodes=20,
    runs=10,
    seed=2,
    high=0.9,
)
INTRA_LEARNS = OptionsSpec(
    check="test_intra_options_beat_primitives",
    agent="IntraOptionQLearning",
    against="untrained",
    episodes=20,
    runs=6,
    seed=2,
    high=0.85,
)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_run_option_discounted_return(impl):
    """run_option: 3 steps down into the goal (rewards 0, 0, 1), γ = 0.9 → R = 0.81, k = 3, terminated"""
    run_option = impl.attr("options", "run_option")
    got, steps, after = option_trial_checked(run_option, (4, 9), DOWN, np.zeros(N_STATES))
    assert_option_result(
        got,
        steps,
        after,
        (index((7, 9)), 0.81, 3, True, False),
        "from (4, 9), policy 'down' everywhere, β = 0 everywhere, γ = 0.9 (goal (7, 9) three steps down)",
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_run_option_stops_on_beta(impl):
    """run_option stops on reaching a state with β = 1 (after 2 steps here), and after 1 step with β = 1 everywhere"""
    run_option = impl.attr("options", "run_option")
    beta = np.zeros(N_STATES)
    beta[index((6, 9))] = 1.0
    got, steps, after = option_trial_checked(run_option, (4, 9), DOWN, beta)
    assert_option_result(
        got, steps, after, (index((6, 9)), 0.0, 2, False, False), "from (4, 9), policy 'down', β = 1 only on (6, 9)"
    )
    got, steps, after = option_trial_checked(run_option, (1, 1), RIGHT, np.ones(N_STATES))
    assert_option_result(
        got,
        steps,
        after,
        (index((1, 2)), 0.0, 1, False, False),
        "from (1, 1), policy 'right', β = 1 everywhere (a primitive action)",
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_run_option_truncated(impl):
    """run_option stops when the time limit truncates the episode (max_episode_steps = 2): k = 2, truncated"""
    run_option = impl.attr("options", "run_option")
    got, steps, after = option_trial_checked(run_option, (1, 1), RIGHT, np.zeros(N_STATES), max_steps=2)
    assert_option_result(
        got,
        steps,
        after,
        (index((1, 3)), 0.0, 2, False, True),
        "from (1, 1), policy 'right', β = 0, the env truncates after 2 steps",
    )


AVAILABLE = np.array([True, False, True, True, False])
Q_ROW = np.array([1.0, 9.0, 3.0, 3.0, 7.0])  # the unavailable options 1 and 4 have the largest values


def checked_options(values, n):
    return [as_int(v, "epsilon_greedy_option(...)", 0, n) for v in values]


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_epsilon_greedy_option(impl):
    """ε-greedy over the available options only: ties among them at random (ε = 0), uniform over them (ε = 1)"""
    choose = impl.attr("options", "epsilon_greedy_option")
    calls = 1200
    for epsilon, want in ((0.0, [0, 0, 0.5, 0.5, 0]), (1.0, [1 / 3, 0, 1 / 3, 1 / 3, 0])):
        seeded = [(choose, (Q_ROW, AVAILABLE, epsilon, np.random.default_rng(seed))) for seed in range(calls)]
        counts = np.bincount(checked_options(call_all(seeded), 5), minlength=5)
        assert counts[1] == counts[4] == 0, (
            f"epsilon_greedy_option(Q[s] = {Q_ROW.tolist()}, available = {AVAILABLE.tolist()}, ε = {epsilon:g}) chose "
            f"the unavailable options 1 and 4 {counts[1]} and {counts[4]} times in {calls} calls; an option outside "
            "its initiation set must never be chosen, whatever its Q value"
        )
        freq = counts / calls
        tolerance = binomial_tolerance(1 / 2, calls)
        assert np.all(np.abs(freq - want) <= tolerance), (
            f"epsilon_greedy_option(Q[s] = {Q_ROW.tolist()}, available = {AVAILABLE.tolist()}, ε = {epsilon:g}) over "
            f"{calls} generators chose the options with frequencies {np.round(freq, 3).tolist()}, expected "
            f"{np.round(want, 3).tolist()} ± {tolerance:.3f} ("
            + ("greedy among the available options, ties broken at random" if epsilon == 0 else "uniform over them")
            + ")"
        )


def fresh_learner(cls, n_states=3):
    """Options 0-2 over ``n_states`` states (option 2 is not available in state 2); α = 0.5, γ = 0.9, ε = 0."""
    initiation = np.ones((3, n_states), dtype=bool)
    initiation[2, 2] = False
    policy = np.array([[0, 1, 1], [0, 0, 0], [1, 1, 1]], dtype=np.int64)
    beta = np.array([[0.0, 0.3, 0.3], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5]])
    return cls(initiation, policy, beta, 0.5, 0.9, 0.0, rng=np.random.default_rng(0))


def table(agent, shape) -> np.ndarray:
    return as_float_array(getattr(agent, "Q", None), f"{type(agent).__name__}.Q", shape)


def assert_table(agent, expected, setting):
    got, raw = table(agent, expected.shape), agent.Q
    assert close(got, expected, raw, 1e-9), (
        f"{setting}: {mismatch(got, expected, raw, 'Q')}; Q after the update {np.round(got, 6).tolist()}, expected "
        f"{np.round(expected, 6).tolist()}"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_smdp_update(impl):
    """SMDP update: α = 0.5, Q = 0, R = 0.81, k = 3, max over options available in s' = 2 → 1.134; terminated → R"""
    cls = impl.attr("options", "SMDPQLearning")
    start = np.zeros((3, 3))
    start[2] = [2.0, 1.0, 8.0]  # option 2 (value 8) is not available in state 2: max_available = 2
    for terminated, want in ((False, 1.134), (True, 0.405)):
        agent = fresh_learner(cls)
        assert table(agent, (3, 3)).tolist() == np.zeros((3, 3)).tolist(), "a fresh Q must be zeros (states, options)"
        agent.Q = start.copy()
        agent.update(0, 1, 0.81, 3, 2, terminated)
        expected = start.copy()
        expected[0, 1] = want
        assert_table(
            agent,
            expected,
            (
                f"update(s=0, o=1, R=0.81, k=3, s'=2, terminated={terminated}) with α = 0.5, γ = 0.9, "
                "Q[2] = [2, 1, 8] and option 2 not available in state 2 "
                "(target R + γ^k max over AVAILABLE options; R alone when terminated)"
            ),
        )


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_intra_option_update(impl):
    """Intra-option update: every option consistent with the action; U = (1 − β)Q(s', o) + β max = 2.9"""
    cls = impl.attr("options", "IntraOptionQLearning")
    start = np.zeros((3, 3))
    start[1] = [2.0, 5.0, 9.0]
    start[0] = [1.0, 1.0, 1.0]
    # Step s=0, a=0, r=1, s'=1. Consistent: options 0 and 1 (policy[o, 0] == 0); option 2 takes action 1.
    # max over options available in state 1 = 9. Option 0: β(1) = 0.3: U = 0.7·2 + 0.3·9 = 4.1, target 1 + 0.9·4.1
    # = 4.69 → 1 + 0.5·3.69 = 2.845. Option 1: β = 1: U = 9, target 9.1 → 5.05.
    for terminated, want in ((False, [2.845, 5.05, 1.0]), (True, [1.0, 1.0, 1.0])):
        agent = fresh_learner(cls)
        agent.Q = start.copy()
        agent.update(0, 0, 1.0, 1, terminated)
        expected = start.copy()
        expected[0] = want
        assert_table(
            agent,
            expected,
            (
                f"update(s=0, a=0, r=1, s'=1, terminated={terminated}) with α = 0.5, γ = 0.9, Q[0] = [1, 1, 1], Q[1] = "
                "[2, 5, 9], policy[:, 0] = [0, 0, 1], β[:, 1] = [0.3, 1, 0.5]: options 0 and 1 are consistent with "
                "a = 0 (option 2 is not and keeps its value); "
                "U(s', o) = (1 − β_o(s'))Q[s', o] + β_o(s') max_o' Q[s', o']"
            ),
        )
    # The example of the assignment: β(s') = 0.3, Q(s', o) = 2, max = 5 → U = 2.9; from Q[s, o] = 0 with r = 0:
    agent = fresh_learner(cls)
    agent.Q = np.array([[0.0, 0.0, 0.0], [2.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    agent.update(0, 0, 0.0, 1, False)
    got = table(agent, (3, 3))
    assert close(got[0, 0], 0.5 * 0.9 * 2.9, agent.Q, 1e-9), (
        f"with β_0(1) = 0.3, Q[1, 0] = 2 and max Q[1] = 5, U = 2.9 and Q[0, 0] ← 0 + 0.5·(0 + 0.9·2.9) = 1.305; "
        f"got {got[0, 0]:.6g}"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_act_only_available_options(impl):
    """SMDPQLearning.act with ε = 1 and ε = 0 never returns an option outside its initiation set"""
    cls = impl.attr("options", "SMDPQLearning")
    agent = fresh_learner(cls)
    agent.Q = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.0, 9.0]])
    for epsilon in (1.0, 0.0):
        agent.epsilon = epsilon
        chosen = checked_options(call_all([(agent.act, (2,))] * 600), 3)
        assert 2 not in chosen, (
            f"with ε = {epsilon:g}, act(2) chose option 2 {chosen.count(2)} times in 600 calls, but option 2 is not "
            "available in state 2 (initiation[2, 2] is False), although its Q value 9 is the largest"
        )
        if epsilon == 0:
            assert set(chosen) == {1}, (
                f"with ε = 0 and Q[2] = [0, 1, 9], act(2) must choose option 1, got {set(chosen)}"
            )


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_smdp_options_beat_primitives(impl):
    """SMDP Q-learning, 20 episodes: options ∪ primitives ≤ 0.8× the steps of primitives, ≤ 0.75× untrained"""
    cls = impl.attr("options", "SMDPQLearning")
    hint = "the exact checks of act, update and epsilon_greedy_option say which part differs"
    SMDP_VS_PRIMITIVES.assert_learns(cls, hint)
    SMDP_LEARNS.assert_learns(cls, hint)


@pytest.mark.points(4)
@pytest.mark.timeout(60)
def test_intra_options_beat_primitives(impl):
    """Intra-option Q-learning, 20 episodes: options ∪ primitives ≤ 0.9× the steps of primitives, ≤ 0.85× untrained"""
    cls = impl.attr("options", "IntraOptionQLearning")
    hint = "the exact checks of the intra-option update say which part differs"
    INTRA_VS_PRIMITIVES.assert_learns(cls, hint)
    INTRA_LEARNS.assert_learns(cls, hint)
