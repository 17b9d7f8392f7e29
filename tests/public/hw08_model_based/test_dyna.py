"""Public checks of hw08 part 1: Dyna-Q (``dyna.py``).

Exact checks build a model or an agent, feed it hand-made transitions and compare with the numbers worked out in
this file. The learning check trains Dyna-Q with n = 0, 5 and 50 planning steps on the kit's Dyna maze
(``grader/harness/dyna_maze.py``, Sutton & Barto Fig. 8.2) through the grader's own loop, which counts the steps
of every episode. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all
from grader.harness.model_based import DynaSpec
from grader.harness.tabular_control import agent_table
from grader.harness.validate import InvalidOutput, as_bool, as_float, as_int, close, mismatch

ALPHA, GAMMA = 0.5, 0.95
# One real terminal transition (s0 = 3, a = 1, r = 1), then n planning steps on the only stored pair: each update
# halves the gap to the target 1, so after 1 + n updates Q(3, 1) = 1 − 0.5^(1+n): n = 5 → 1 − 0.5⁶ = 0.984375.
# With Q(4, ·) = [2, 0, 0, 0] and the step only truncated, the target is 1 + 0.95·2 = 2.9: Q = 2.9·(1 − 0.5⁶).
DYNA_SPEEDUP = DynaSpec(check="test_dyna_planning_shortens_episodes", seed=8, low=1.5, episodes=5, runs=3)


def dyna_agent(impl, planning_steps: int, alpha: float = ALPHA, n_states: int = 6):
    cls = impl.attr("dyna", "DynaQAgent")
    return cls(n_states, 4, alpha, GAMMA, 0.0, planning_steps=planning_steps, rng=np.random.default_rng(0))


def checked_transition(value: object, what: str) -> tuple[int, int, float, int, bool]:
    if type(value) not in (tuple, list) or len(value) != 5:
        raise InvalidOutput(
            f"{what} must be a tuple (s, a, r, s', terminated), got {type(value).__name__} {value!r:.80}"
        )
    s, a, r, s2, term = value
    return (
        as_int(s, f"{what}[0]", 0, 100),
        as_int(a, f"{what}[1]", 0, 100),
        as_float(r, f"{what}[2]"),
        (as_int(s2, f"{what}[3]", 0, 100)),
        as_bool(term, f"{what}[4]"),
    )


def check_one_transition(agent, n: int, terminated: bool, want: float, q_next: list[float] | None = None) -> None:
    """Apply update(3, 1, 1.0, 4, ...) to ``agent`` and compare the whole table with ``want`` at (3, 1)."""
    if q_next is not None:
        q = agent_table(agent, 6, 4).copy()
        q[4] = q_next
        agent.Q = q
    expected = agent_table(agent, 6, 4).copy()
    expected[3, 1] = want
    agent.update(3, 1, 1.0, 4, terminated, not terminated, next_action=None if terminated else 0)
    raw = agent.Q
    got = agent_table(agent, 6, 4)
    flags = "terminated" if terminated else "truncated (not terminated)"
    start = f"Q(4, ·) = {q_next}" if q_next else "Q all zero"
    assert close(got, expected, raw, 1e-9), (
        f"DynaQAgent(α={ALPHA}, γ={GAMMA}, planning_steps={n}) from {start}, one update(s=3, a=1, r=1, s'=4, "
        f"{flags}): {mismatch(got[3, 1], want, raw, 'Q[3, 1]')}; the whole table should be {expected.tolist()}, got "
        f"{got.tolist()} (1 real + {n} planned Q-learning updates on the only stored pair; a terminated transition "
        "stays terminal in the model and never bootstraps, a truncated one does)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_argmax_random_tie(impl):
    """argmax_random_tie: the unique maximum; ties uniformly at random with rng"""
    argmax_random_tie = impl.attr("dyna", "argmax_random_tie")
    got = as_int(argmax_random_tie(np.array([0.0, 2.0, 1.0]), np.random.default_rng(0)), "argmax_random_tie", 0, 3)
    assert got == 1, f"argmax_random_tie([0, 2, 1]) = {got}; expected 1"
    calls = 900
    counts = np.zeros(4)
    seeded = [(argmax_random_tie, (np.array([1.0, 0.0, 1.0, 1.0]), np.random.default_rng(s))) for s in range(calls)]
    for index in call_all(seeded):
        counts[as_int(index, "argmax_random_tie(...)", 0, 4)] += 1
    freq, tol = counts / calls, binomial_tolerance(1 / 3, calls)
    want = np.array([1 / 3, 0, 1 / 3, 1 / 3])
    assert np.all(np.abs(freq - want) <= tol), (
        f"argmax_random_tie([1, 0, 1, 1]) over {calls} generators chose indices with frequencies "
        f"{np.round(freq, 3).tolist()}; expected {np.round(want, 3).tolist()} ± {tol:.3f} (ties uniformly with rng)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_act_epsilon_greedy(impl):
    """act: ε = 0 greedy with ties uniform; ε = 1 uniform over all actions"""
    agent = dyna_agent(impl, 0)
    q = np.zeros((6, 4))
    q[1] = [0.0, 3.0, 3.0, -1.0]
    q[2] = [0.0, 0.0, 5.0, 0.0]
    calls = 1200
    for epsilon, state, want in ((0.0, 1, [0, 0.5, 0.5, 0]), (1.0, 2, [0.25] * 4)):
        agent.Q, agent.epsilon = q.copy(), epsilon
        counts = np.zeros(4)
        for action in call_all([(agent.act, (state,))] * calls):
            counts[as_int(action, "DynaQAgent.act(s)", 0, 4)] += 1
        freq, tol = counts / calls, binomial_tolerance(0.5, calls)
        assert np.all(np.abs(freq - np.array(want)) <= tol), (
            f"with ε = {epsilon:g} and Q[{state}] = {q[state].tolist()}, {calls} act({state}) calls chose the actions "
            f"with frequencies {np.round(freq, 3).tolist()}; expected {want} ± {tol:.3f} (ε-greedy, ties broken "
            "uniformly at random with rng: with Q = 0 at the start, np.argmax would always walk up)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_model_samples_only_seen_pairs(impl):
    """TabularModel: empty → sample None; stores the latest outcome per pair; samples seen pairs uniformly"""
    model = impl.attr("dyna", "TabularModel")()
    assert as_int(len(model), "len(TabularModel())", 0, 1) == 0, "a fresh TabularModel must have len 0"
    assert model.sample(np.random.default_rng(0)) is None, "sample() of an empty model must return None"
    model.add(0, 1, 0.0, 2, False)
    model.add(2, 3, 1.0, 5, True)
    model.add(0, 1, -1.0, 4, False)  # the same pair again: replaces (0.0, 2, False)
    model.add(4, 0, 0.5, 4, False)
    size = as_int(len(model), "len(model)", 0, 100)
    assert size == 3, (
        f"after add() of the pairs (0, 1), (2, 3), (0, 1) again and (4, 0), len(model) = {size}; expected 3"
    )
    stored = {(0, 1): (-1.0, 4, False), (2, 3): (1.0, 5, True), (4, 0): (0.5, 4, False)}
    calls = 900
    counts = dict.fromkeys(stored, 0)
    for value in call_all([(model.sample, (np.random.default_rng(s),)) for s in range(calls)]):
        s, a, r, s2, term = checked_transition(value, "TabularModel.sample(rng)")
        assert (s, a) in stored, f"sample() returned the pair {(s, a)}, which was never added (seen: {list(stored)})"
        assert (r, s2, term) == stored[(s, a)], (
            f"sample() returned {(s, a, r, s2, term)}; the latest outcome stored for {(s, a)} is {stored[(s, a)]}"
        )
        counts[(s, a)] += 1
    freq, tol = np.array(list(counts.values())) / calls, binomial_tolerance(1 / 3, calls)
    assert np.all(np.abs(freq - 1 / 3) <= tol), (
        f"over {calls} generators sample() drew the seen pairs {list(counts)} with frequencies "
        f"{np.round(freq, 3).tolist()}; expected 1/3 each ± {tol:.3f} (uniform over seen pairs, not over additions)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_q_update(impl):
    """q_update: Q-learning on one transition; terminated → target r"""
    agent = dyna_agent(impl, 0)
    agent.Q = np.arange(24, dtype=float).reshape(6, 4) / 4
    agent.q_update(2, 3, -1.0, 5, False)
    got = agent_table(agent, 6, 4)[2, 3]
    # Q[2, 3] = 11/4 = 2.75; target −1 + 0.95·max(Q[5]) = −1 + 0.95·5.75 = 4.4625 → 2.75 + 0.5·1.7125 = 3.60625
    assert close(got, 3.60625, agent.Q, 1e-9), (
        f"q_update(2, 3, r=−1, s'=5, terminated=False) with Q = arange(24).reshape(6, 4) / 4, α = 0.5, γ = 0.95: "
        f"{mismatch(got, 3.60625, agent.Q, 'Q[2, 3]')} (target r + γ max_b Q[5, b] = 4.4625)"
    )
    agent.q_update(2, 3, -1.0, 5, True)
    got = agent_table(agent, 6, 4)[2, 3]
    assert close(got, 1.303125, agent.Q, 1e-9), (
        f"then q_update(2, 3, r=−1, s'=5, terminated=True): {mismatch(got, 1.303125, agent.Q, 'Q[2, 3]')} "
        "(terminated: target r = −1, no bootstrap)"
    )


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_planning_steps_exact(impl):
    """One real terminal transition + n planning steps: Q(s0, a) = 1 − 0.5^(1+n) (n = 5: 0.984375; n = 0: 0.5)"""
    for n, want in ((5, 0.984375), (0, 0.5), (1, 0.75)):
        check_one_transition(dyna_agent(impl, n), n, True, want)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_planning_keeps_terminal_flags(impl):
    """Planning on a stored terminal transition never bootstraps; on a truncated one it does"""
    check_one_transition(dyna_agent(impl, 5), 5, True, 0.984375, [2.0, 0.0, 0.0, 0.0])
    check_one_transition(dyna_agent(impl, 5), 5, False, 2.9 * 0.984375, [2.0, 0.0, 0.0, 0.0])


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_plan_on_empty_model(impl):
    """plan(k) before any real step changes nothing and does not fail"""
    agent = dyna_agent(impl, 5)
    agent.plan(10)
    q = agent_table(agent, 6, 4)
    assert np.all(q == 0), f"plan(10) on an empty model changed Q to {q.tolist()}; expected all zeros"


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_dyna_planning_shortens_episodes(impl):
    """Dyna maze: mean steps per episode (episodes 2–5) fall with more planning, n = 50 < n = 5 < n = 0"""
    DYNA_SPEEDUP.assert_learns(
        impl.attr("dyna", "DynaQAgent"),
        "if the lengths barely differ, the planning steps are not run (or sample nothing useful); the exact checks "
        "of the model and of planning say which part differs",
    )
