"""Hidden checks of hw10 part 2 (``learners.py``): several consecutive updates of every team against the grader's
own recomputation (three agents with other names, dicts in shuffled orders, terminated and truncated agents,
negative rewards, γ = 0.5), and the learning checks on other seeds, with other agent names and the env's agents in
the other order than the team's."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.calls import call_all, global_rng_digests_of, seed_global_rngs_of
from grader.harness.matrix_games import CLIMBING, penalty
from grader.harness.multi_agent import TeamSpec
from grader.harness.validate import InvalidOutput, as_float_array, close, mismatch
from grader.oracles.multi_agent import independent_updates, joint_updates

ALPHA, BETA, GAMMA = 0.3, 0.05, 0.5
TRIO = ["red", "green", "blue"]
T, F = True, False
# (observations, actions, rewards, next observations, terminated, truncated), each dict in its own key order.
TRIO_STEPS = [
    ({"blue": 0, "red": 1, "green": 2}, {"green": 1, "blue": 0, "red": 1}, {"red": 1.0, "blue": -2.0, "green": 0.5},
     {"red": 2, "green": 0, "blue": 1}, {"red": F, "green": F, "blue": F}, {"red": F, "green": F, "blue": F}),
    ({"red": 2, "green": 0, "blue": 1}, {"red": 0, "green": 0, "blue": 1}, {"green": 3.0, "red": -1.0, "blue": 0.0},
     {"blue": 1, "green": 1, "red": 0}, {"red": T, "green": F, "blue": F}, {"red": F, "green": T, "blue": F}),
    ({"green": 1, "blue": 1, "red": 0}, {"blue": 1, "red": 1, "green": 1}, {"red": 2.0, "green": -0.5, "blue": 4.0},
     {"red": 1, "green": 2, "blue": 1}, {"red": F, "green": F, "blue": T}, {"red": F, "green": F, "blue": F}),
    ({"red": 1, "green": 2, "blue": 1}, {"red": 1, "green": 1, "blue": 1}, {"red": -3.0, "green": 1.0, "blue": -1.0},
     {"red": 1, "green": 2, "blue": 0}, {"red": F, "green": F, "blue": F}, {"red": F, "green": F, "blue": F}),
]  # fmt: skip
PAIR = ["blue", "red"]  # the JAL's first agent is "blue"
PAIR_STEPS = [
    ({"red": 0, "blue": 0}, {"red": 1, "blue": 2}, {"red": 1.0, "blue": 1.0}, {"red": 1, "blue": 1},
     {"red": F, "blue": F}, {"red": F, "blue": F}),
    ({"red": 1, "blue": 1}, {"red": 0, "blue": 1}, {"red": -2.0, "blue": -2.0}, {"red": 0, "blue": 0},
     {"red": F, "blue": F}, {"red": T, "blue": T}),
    ({"red": 0, "blue": 0}, {"red": 1, "blue": 2}, {"red": 3.0, "blue": 3.0}, {"red": 1, "blue": 1},
     {"red": T, "blue": T}, {"red": F, "blue": F}),
    ({"blue": 1, "red": 1}, {"blue": 0, "red": 2}, {"blue": 0.5, "red": 0.5}, {"blue": 0, "red": 0},
     {"blue": F, "red": F}, {"blue": F, "red": F}),
]  # fmt: skip
START = {name: np.random.default_rng(k).integers(-2, 3, size=(3, 2)).astype(np.float64) for k, name in enumerate(TRIO)}


def check_independent_sequence(team, beta: float) -> None:
    name_of = type(team).__name__
    team.Q = {name: table.copy() for name, table in START.items()}
    for step, (transition, want) in enumerate(
        zip(TRIO_STEPS, independent_updates(START, TRIO_STEPS, ALPHA, beta, GAMMA), strict=True), 1
    ):
        team.update(*(dict(part) for part in transition))
        tables = team.Q
        if not isinstance(tables, dict) or set(tables) != set(TRIO):
            raise InvalidOutput(f"{name_of}.Q must stay a dict with one table per agent {TRIO}")
        for name in TRIO:
            got = as_float_array(tables[name], f"{name_of}.Q[{name!r}]", (3, 2))
            assert close(got, want[name], tables[name], 1e-9), (
                f"{name_of}(agents={TRIO}, α={ALPHA}, γ={GAMMA}{f', β={beta}' if beta != ALPHA else ''}) after update "
                f"{step} of {len(TRIO_STEPS)} (transitions {TRIO_STEPS[:step]}), starting from Q = "
                f"{ {k: v.tolist() for k, v in START.items()} }: Q[{name!r}] = {got.tolist()}; the grader's own "
                f"updates give {want[name].tolist()}: {mismatch(got, want[name], tables[name], f'Q[{name!r}]')}"
            )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_iql_consecutive_updates(impl):
    """Four consecutive IQL updates of three agents (other names, shuffled dicts) match the grader's own"""
    cls = impl.attr("learners", "IndependentQLearners")
    check_independent_sequence(cls(list(TRIO), 3, 2, ALPHA, GAMMA, 0.1, rng=np.random.default_rng(0)), ALPHA)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_hysteretic_consecutive_updates(impl):
    """Four consecutive hysteretic updates (β = 0.05) of three agents match the grader's own"""
    cls = impl.attr("learners", "HystereticQLearners")
    team = cls(list(TRIO), 3, 2, ALPHA, GAMMA, 0.1, beta=BETA, rng=np.random.default_rng(0))
    check_independent_sequence(team, BETA)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_jal_consecutive_updates(impl):
    """Four consecutive JAL updates (first agent 'blue', shuffled dicts) match the grader's own"""
    cls = impl.attr("learners", "JointActionLearner")
    start = np.random.default_rng(9).integers(-3, 4, size=(2, 3, 3)).astype(np.float64)
    start[1] += 4.0  # max Q[1] ≠ max Q[0]: the target's max is over the next state
    team = cls(list(PAIR), 2, 3, ALPHA, GAMMA, 0.1, rng=np.random.default_rng(0))
    team.Q = start.copy()
    for step, (transition, want) in enumerate(
        zip(PAIR_STEPS, joint_updates(start, PAIR, PAIR_STEPS, ALPHA, GAMMA), strict=True), 1
    ):
        team.update(*(dict(part) for part in transition))
        raw = team.Q
        got = as_float_array(raw, "JointActionLearner.Q", (2, 3, 3))
        differ = [] if close(got, want, raw, 1e-9) else np.argwhere(~np.isclose(got, want, rtol=0, atol=1e-6)).tolist()
        assert not differ, (
            f"JointActionLearner(agents={PAIR}, α={ALPHA}, γ={GAMMA}) after update {step} of {len(PAIR_STEPS)} "
            f"(transitions {PAIR_STEPS[:step]}) from Q = {start.tolist()}: Q differs from the grader's at {differ}: "
            f"got {[got[tuple(i)] for i in differ]}, expected {[want[tuple(i)] for i in differ]}: "
            f"{mismatch(got, want, raw, 'Q')}"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_teams_draw_only_from_rng(impl):
    """Every team draws its random numbers from its rng: same seed, same actions; global RNGs untouched"""
    for name in ("IndependentQLearners", "JointActionLearner"):
        cls = impl.attr("learners", name)
        runs = []
        for global_seed in (1, 2):
            seed_global_rngs_of(cls, global_seed)
            before = global_rng_digests_of(cls)
            team = cls(["left", "right"], 2, 3, ALPHA, GAMMA, 0.5, rng=np.random.default_rng(8))
            actions = call_all([(team.act, ({"right": 1, "left": 1},))] * 300)  # zero tables: greedy = tie
            after = global_rng_digests_of(cls)
            assert after["numpy"] == before["numpy"] and after["random"] == before["random"], (
                f"{name}.act changed the global np.random or random state in 300 calls: draw from self.rng"
            )
            runs.append([(int(a["left"]), int(a["right"])) if isinstance(a, dict) else a for a in actions])
        assert runs[0] == runs[1], (
            f"two {name} teams with rng=np.random.default_rng(8), ε = 0.5 and zero tables chose different actions "
            "in 300 act() calls (after different seeds of the global RNGs): draw every random number from self.rng"
        )


SWAPPED = {"team_agents": ("left", "right"), "env_agents": ("right", "left")}  # the env lists "right" first
IQL_PENALTY_OTHER = TeamSpec(
    check="test_hidden_iql_penalty_other_seed_swapped_agents",
    agent="IndependentQLearners",
    game="Penalty (k = −5)",
    payoff=tuple(map(tuple, penalty(-5.0)[0].tolist())),
    episodes=500,
    alpha=0.1,
    gamma=0.9,
    eps_start=1.0,
    eps_end=0.05,
    eps_decay_episodes=400,
    runs=9,
    seed=20,
    low=6 / 9,
    **SWAPPED,
)
CLIMBING_PAYOFF = tuple(map(tuple, CLIMBING[0].tolist()))
HYSTERETIC_CLIMBING_OTHER = TeamSpec(
    check="test_hidden_hysteretic_climbing_other_seed_swapped_agents",
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
    seed=21,
    low=7 / 9,
    **SWAPPED,
)
JAL_PENALTY = TeamSpec(
    check="test_hidden_jal_penalty_swapped_agents",
    agent="JointActionLearner",
    game="Penalty (k = −20)",
    payoff=tuple(map(tuple, penalty(-20.0)[0].tolist())),
    episodes=300,
    alpha=0.2,
    gamma=0.9,
    eps_start=1.0,
    eps_end=0.05,
    eps_decay_episodes=200,
    runs=9,
    seed=22,
    low=7 / 9,
    **SWAPPED,
)


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_iql_penalty_other_seed_swapped_agents(impl):
    """IQL on the Penalty game (k = −5), other seed, agents 'left'/'right' listed in the other order by the env"""
    IQL_PENALTY_OTHER.assert_learns(
        impl.attr("learners", "IndependentQLearners"), "match observations and actions to agents by name"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_hysteretic_climbing_other_seed_swapped_agents(impl):
    """Hysteretic learners reach the Climbing game's optimum on another seed with swapped agent order"""
    HYSTERETIC_CLIMBING_OTHER.assert_learns(
        impl.attr("learners", "HystereticQLearners"), "a negative TD error is learnt at rate β, a positive one at α"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_hidden_jal_penalty_swapped_agents(impl):
    """JAL reaches an optimum of the Penalty game (k = −20) with the env's agents in the other order"""
    JAL_PENALTY.assert_learns(
        impl.attr("learners", "JointActionLearner"), "the row of Q[s] is the action of agents[0], by name"
    )
