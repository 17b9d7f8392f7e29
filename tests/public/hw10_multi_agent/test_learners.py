"""Public checks of hw10 part 2: independent Q-learners, hysteretic learners and a joint-action learner
(``learners.py``).

Exact checks give a team hand-made tables and one transition (dicts deliberately in another key order than the
team's ``agents``) and compare the tables after ``update`` with the numbers worked out in this file. Learning
checks train several independent teams with the grader's own PettingZoo loop (``grader/harness/multi_agent.py``)
on the kit's Climbing and Penalty games (Claus & Boutilier 1998) and read the greedy joint action from your tables.
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all
from grader.harness.matrix_games import CLIMBING, penalty
from grader.harness.multi_agent import TeamSpec
from grader.harness.validate import InvalidOutput, as_float_array, as_int, close, mismatch

NAMES = ["agent_0", "agent_1"]
ALPHA, BETA, GAMMA = 0.5, 0.1, 0.9
# IQL tables (3 states × 3 actions) and one transition; the dicts list agent_1 first on purpose.
Q_AGENT_0 = [[0.0, 3.0, 0.0], [2.0, 0.0, 4.0], [0.0, 0.0, 0.0]]
Q_AGENT_1 = [[1.0, 0.0, 0.0], [0.0, 3.0, -1.0], [5.0, 0.0, 0.0]]
OBS = {"agent_1": 2, "agent_0": 0}
ACTIONS = {"agent_1": 0, "agent_0": 1}
REWARDS = {"agent_1": -1.0, "agent_0": 1.0}
NEXT_OBS = {"agent_1": 1, "agent_0": 1}
# Q_0[0, 1] = 3: target 1 + 0.9·max(2, 0, 4) = 4.6 → 3 + 0.5·1.6 = 3.8 (terminated: target 1 → 2.0).
# Q_1[2, 0] = 5: target −1 + 0.9·max(0, 3, −1) = 1.7 → 5 + 0.5·(−3.3) = 3.35 (hysteretic, δ < 0: 5 + 0.1·(−3.3) = 4.67).

PENALTY_K = -5.0
IQL_PENALTY = TeamSpec(
    check="test_iql_penalty_game",
    agent="IndependentQLearners",
    game=f"Penalty (k = {PENALTY_K:g})",
    payoff=tuple(map(tuple, penalty(PENALTY_K)[0].tolist())),
    episodes=500,
    alpha=0.1,
    gamma=0.9,
    eps_start=1.0,
    eps_end=0.05,
    eps_decay_episodes=400,
    runs=9,
    seed=10,
    low=6 / 9,
)
CLIMBING_PAYOFF = tuple(map(tuple, CLIMBING[0].tolist()))
HYSTERETIC_CLIMBING = TeamSpec(
    check="test_hysteretic_beats_iql_climbing",
    agent="HystereticQLearners",
    game="Climbing",
    payoff=CLIMBING_PAYOFF,
    episodes=1000,
    alpha=0.2,
    beta=0.02,
    gamma=0.9,
    eps_start=1.0,
    eps_end=0.05,
    eps_decay_episodes=800,
    runs=9,
    seed=11,
    low=7 / 9,
)
IQL_CLIMBING = TeamSpec(
    check="test_hysteretic_beats_iql_climbing",
    agent="IndependentQLearners",
    game="Climbing",
    payoff=CLIMBING_PAYOFF,
    episodes=1000,
    alpha=0.2,
    gamma=0.9,
    eps_start=1.0,
    eps_end=0.05,
    eps_decay_episodes=800,
    runs=9,
    seed=11,
    high=3 / 9,
)
JAL_CLIMBING = TeamSpec(
    check="test_jal_climbing",
    agent="JointActionLearner",
    game="Climbing",
    payoff=CLIMBING_PAYOFF,
    episodes=300,
    alpha=0.2,
    gamma=0.9,
    eps_start=1.0,
    eps_end=0.05,
    eps_decay_episodes=200,
    runs=9,
    seed=12,
    low=7 / 9,
)


def iql_team(cls, **extra):
    team = cls(list(NAMES), 3, 3, ALPHA, GAMMA, 0.0, rng=np.random.default_rng(0), **extra)
    team.Q = {"agent_0": np.array(Q_AGENT_0), "agent_1": np.array(Q_AGENT_1)}
    return team


def agent_tables(team, n_states: int, n_actions: int) -> dict[str, np.ndarray]:
    """The team's per-agent tables ``Q[name]``, checked."""
    cls = type(team).__name__
    tables = getattr(team, "Q", None)
    if not isinstance(tables, dict) or set(tables) != set(NAMES):
        keys = sorted(map(str, tables)) if isinstance(tables, dict) else type(tables).__name__
        raise InvalidOutput(f"{cls}.Q must be a dict with one table per agent {NAMES}, got {keys}")
    return {name: as_float_array(tables[name], f"{cls}.Q[{name!r}]", (n_states, n_actions)) for name in NAMES}


def joint_table(team, n_states: int, n_actions: int) -> np.ndarray:
    return as_float_array(getattr(team, "Q", None), f"{type(team).__name__}.Q", (n_states, n_actions, n_actions))


def checked_actions(value: object, what: str, n_actions: int) -> dict[str, int]:
    if not isinstance(value, dict) or set(value) != set(NAMES):
        keys = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise InvalidOutput(f"{what} must be a dict with one action per agent {NAMES}, got {keys}")
    return {name: as_int(value[name], f"{what}[{name!r}]", 0, n_actions) for name in NAMES}


def check_iql_update(team, kind: str, want: dict[str, float], rule: str) -> None:
    """One update of a team on the hand-made transition; only Q_0[0, 1] and Q_1[2, 0] may change."""
    terminations = {"agent_1": False, "agent_0": kind == "terminated"}
    truncations = {"agent_1": False, "agent_0": kind == "truncated"}
    team.update(dict(OBS), dict(ACTIONS), dict(REWARDS), dict(NEXT_OBS), terminations, truncations)
    got, raw = agent_tables(team, 3, 3), team.Q
    flags = f"agent_0 {kind}" if kind != "step" else "nobody terminated or truncated"
    for name, start, (s, a) in (("agent_0", Q_AGENT_0, (0, 1)), ("agent_1", Q_AGENT_1, (2, 0))):
        expected = np.array(start)
        expected[s, a] = want[name]
        assert close(got[name][s, a], want[name], raw[name], 1e-9), (
            f"{type(team).__name__}.update with α={ALPHA}, γ={GAMMA}, observations {OBS}, actions {ACTIONS}, rewards "
            f"{REWARDS}, next observations {NEXT_OBS} ({flags}), Q['agent_0'] = {Q_AGENT_0}, Q['agent_1'] = "
            f"{Q_AGENT_1}: {mismatch(got[name][s, a], want[name], raw[name], f'Q[{name!r}][{s}, {a}]')} ({rule}; each "
            "agent uses ITS OWN observation, action, reward and table, matched by name)"
        )
        changed = [
            i
            for i in np.argwhere(got[name] != expected).tolist()
            if not close(got[name][tuple(i)], expected[tuple(i)], raw[name], 1e-9)
        ]
        assert not changed, (
            f"{type(team).__name__}: after one update Q[{name!r}] changed at {changed} (now {got[name].tolist()}); "
            f"only Q[{name!r}][{s}, {a}] may change — are the agents' tables separate arrays, not one shared array?"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_argmax_random_tie(impl):
    """argmax_random_tie: the unique maximum's flat index; ties uniformly at random (1-D and 2-D arrays)"""
    argmax_random_tie = impl.attr("learners", "argmax_random_tie")
    rng = np.random.default_rng(5)
    assert as_int(argmax_random_tie(np.array([1.0, 3.0, 2.0]), rng), "argmax_random_tie", 0, 3) == 1
    assert as_int(argmax_random_tie(np.array([[1.0, 0.0], [0.0, 4.0]]), rng), "argmax_random_tie", 0, 4) == 3
    for values, tied in ((np.array([2.0, 0.0, 2.0, 2.0]), [0, 2, 3]), (np.array([[5.0, 1.0], [5.0, 5.0]]), [0, 2, 3])):
        calls = 900  # one generator per call (seeds 0..899): a sandboxed call gets a copy of the generator it is given
        counts = np.zeros(values.size)
        seeded = [(argmax_random_tie, (values, np.random.default_rng(seed))) for seed in range(calls)]
        for index in call_all(seeded):
            counts[as_int(index, "argmax_random_tie(...)", 0, values.size)] += 1
        freq = counts / calls
        want = np.array([1 / 3 if k in tied else 0.0 for k in range(values.size)])
        tolerance = binomial_tolerance(1 / 3, calls)
        assert np.all(np.abs(freq - want) <= tolerance), (
            f"argmax_random_tie({values.tolist()}) over {calls} calls chose the flat indices with frequencies "
            f"{np.round(freq, 4).tolist()}; expected {np.round(want, 4).tolist()} ± {tolerance:.4f} (every tied "
            "maximum equally often over generators with different seeds: drawn with rng)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_iql_updates_only_own_tables(impl):
    """IQL update: each agent from its own observation, action, reward and table; terminated → no bootstrap"""
    cls = impl.attr("learners", "IndependentQLearners")
    rule = "Q_i[s_i, a_i] += α (r_i + γ max_a Q_i[s'_i, a] − Q_i[s_i, a_i]); target r_i when agent i terminated"
    for kind, want in (
        ("step", {"agent_0": 3.8, "agent_1": 3.35}),
        ("terminated", {"agent_0": 2.0, "agent_1": 3.35}),
        ("truncated", {"agent_0": 3.8, "agent_1": 3.35}),
    ):
        check_iql_update(iql_team(cls), kind, want, rule)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_iql_fresh_tables(impl):
    """A fresh IndependentQLearners has one zero table (n_states, n_actions) per agent, and they are separate"""
    cls = impl.attr("learners", "IndependentQLearners")
    team = cls(list(NAMES), 4, 2, ALPHA, GAMMA, 0.1, rng=np.random.default_rng(0))
    tables = agent_tables(team, 4, 2)
    assert all(np.all(q == 0) for q in tables.values()), f"fresh tables {tables}; expected zeros"
    obs, next_obs, rewards = dict.fromkeys(NAMES, 1), dict.fromkeys(NAMES, 2), dict.fromkeys(NAMES, 1.0)
    actions = {"agent_0": 0, "agent_1": 1}
    team.update(obs, actions, rewards, next_obs, dict.fromkeys(NAMES, True), dict.fromkeys(NAMES, False))
    got = agent_tables(team, 4, 2)
    assert got["agent_0"][1].tolist() == [0.5, 0.0] and got["agent_1"][1].tolist() == [0.0, 0.5], (
        "from zero tables, one terminated update with reward 1, α = 0.5, agent_0 taking action 0 and agent_1 action "
        f"1 in state 1 gave Q['agent_0'][1] = {got['agent_0'][1].tolist()} and Q['agent_1'][1] = "
        f"{got['agent_1'][1].tolist()}; expected [0.5, 0.0] and [0.0, 0.5]: the agents must not share one table "
        "(e.g. [np.zeros(...)] * n or dict.fromkeys(agents, np.zeros(...)) makes one array for all)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_iql_act_by_name_and_random_ties(impl):
    """IQL act: greedy action per agent matched by name (any dict order); ties and ε = 1 uniform"""
    team = iql_team(impl.attr("learners", "IndependentQLearners"))
    obs = {"agent_1": 2, "agent_0": 1}
    got = checked_actions(team.act(dict(obs)), "IndependentQLearners.act(...)", 3)
    assert got == {"agent_0": 2, "agent_1": 0}, (
        f"with ε = 0, Q['agent_0'] = {Q_AGENT_0}, Q['agent_1'] = {Q_AGENT_1}, act({obs}) = {got}; expected "
        "{'agent_0': 2, 'agent_1': 0}: each agent's greedy action in ITS OWN observation, matched by name (the "
        "grader's dicts may list the agents in any order)"
    )
    for epsilon, q in ((0.0, np.zeros((3, 3))), (1.0, np.array(Q_AGENT_0))):
        team.Q = {"agent_0": q.copy(), "agent_1": q.copy()}
        team.epsilon = epsilon
        calls = 6000
        counts = {name: np.zeros(3) for name in NAMES}
        for actions in call_all([(team.act, ({"agent_1": 1, "agent_0": 1},))] * calls):
            for name, action in checked_actions(actions, "IndependentQLearners.act(...)", 3).items():
                counts[name][action] += 1
        tolerance = binomial_tolerance(1 / 3, calls)
        for name in NAMES:
            freq = counts[name] / calls
            assert np.all(np.abs(freq - 1 / 3) <= tolerance), (
                f"with ε = {epsilon:g} and Q[{name!r}][1] = {q[1].tolist()}, {calls} act() calls chose {name}'s "
                f"actions with frequencies {np.round(freq, 4).tolist()}; expected 1/3 each ± {tolerance:.4f} ("
                + ("ties broken uniformly at random with rng" if epsilon == 0 else "ε = 1 explores uniformly")
                + ")"
            )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hysteretic_update(impl):
    """Hysteretic update: a TD error δ ≥ 0 at rate α, a negative one at rate β"""
    cls = impl.attr("learners", "HystereticQLearners")
    rule = "Q_i[s_i, a_i] += (α if δ ≥ 0 else β)·δ, δ = r_i + γ max_a Q_i[s'_i, a] − Q_i[s_i, a_i]; α=0.5, β=0.1"
    check_iql_update(iql_team(cls, beta=BETA), "step", {"agent_0": 3.8, "agent_1": 4.67}, rule)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_jal_indexes_joint_table(impl):
    """JAL: Q[s, a_first, a_second] with first = agents[0] by name; target max over joint actions; greedy act"""
    cls = impl.attr("learners", "JointActionLearner")
    q = np.zeros((2, 3, 3))
    q[0, 2, 0] = 1.0
    q[1] = [[0.0, 0.0, 4.0], [1.0, 0.0, 0.0], [0.0, -2.0, 0.0]]
    # agents = ["agent_1", "agent_0"]: the first agent is agent_1. Q[0, 2, 0] = 1: target 2 + 0.9·4 = 5.6 → 3.3.
    for terminated, want in ((False, 3.3), (True, 1.5)):
        team = cls(["agent_1", "agent_0"], 2, 3, ALPHA, GAMMA, 0.0, rng=np.random.default_rng(0))
        team.Q = q.copy()
        obs, next_obs, rewards = dict.fromkeys(NAMES, 0), dict.fromkeys(NAMES, 1), dict.fromkeys(NAMES, 2.0)
        actions = {"agent_0": 0, "agent_1": 2}
        team.update(obs, actions, rewards, next_obs, dict.fromkeys(NAMES, terminated), dict.fromkeys(NAMES, False))
        raw = team.Q
        got = joint_table(team, 2, 3)
        expected = q.copy()
        expected[0, 2, 0] = want
        changed = [
            i for i in np.argwhere(got != expected).tolist() if not close(got[tuple(i)], expected[tuple(i)], raw, 1e-9)
        ]
        assert not changed, (
            f"JointActionLearner(agents=['agent_1', 'agent_0']) after update in state 0 with actions {{'agent_0': 0, "
            f"'agent_1': 2}}, reward 2, next state 1 (max_b Q[1, b] = 4), terminated={terminated}, α = 0.5, γ = 0.9: "
            f"Q[0] = {got[0].tolist()}; expected {expected[0].tolist()} (only Q[s, a_first, a_second] = Q[0, 2, 0] "
            f"changes, to {want:g}; the first agent is agents[0] = 'agent_1'); entries that differ: {changed}"
        )
    team.Q = q.copy()
    got_actions = checked_actions(team.act({"agent_0": 1, "agent_1": 1}), "JointActionLearner.act(...)", 3)
    assert got_actions == {"agent_1": 0, "agent_0": 2}, (
        f"with ε = 0, agents = ['agent_1', 'agent_0'] and Q[1] = {q[1].tolist()} (joint maximum at [0, 2]), "
        f"act(...) = {got_actions}; expected {{'agent_1': 0, 'agent_0': 2}} (row index = the first agent's action)"
    )


@pytest.mark.points(4)
@pytest.mark.timeout(60)
def test_iql_penalty_game(impl):
    """IQL reaches an optimal joint action of the Penalty game (k = −5) in at least 6 of 9 runs"""
    IQL_PENALTY.assert_learns(
        impl.attr("learners", "IndependentQLearners"),
        "the exact checks of update, act and argmax_random_tie say which part differs",
    )


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_hysteretic_beats_iql_climbing(impl):
    """Climbing game: hysteretic learners reach the optimum (0, 0) in ≥ 7 of 9 runs, plain IQL in ≤ 3 of 9"""
    HYSTERETIC_CLIMBING.assert_learns(
        impl.attr("learners", "HystereticQLearners"),
        "hysteretic learners keep the optimum attractive by learning a negative TD error at the small rate β",
    )
    IQL_CLIMBING.assert_learns(
        impl.attr("learners", "IndependentQLearners"),
        "plain independent learners are driven off the optimum by the −30 of miscoordination (Claus & Boutilier): "
        "with the same budget, yours reach it too often — check that IQL uses α for every TD error",
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_jal_climbing(impl):
    """A joint-action learner reaches the optimum (0, 0) of the Climbing game in ≥ 7 of 9 runs"""
    JAL_CLIMBING.assert_learns(
        impl.attr("learners", "JointActionLearner"),
        "the exact checks of the joint table and act() say which part differs",
    )
