"""Hidden checks of hw08: the public checks' rules with other numbers, other states and other seeds."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.model_based import PERFECT_PLAYER, DynaSpec, MPCSpec, SearchSpec
from grader.harness.tabular_control import agent_table
from grader.harness.validate import as_float, as_float_array, as_int, close, mismatch

DYNA_OTHER_SEED = DynaSpec(check="test_hidden_dyna_other_seed", seed=108, low=1.5, episodes=5, runs=3)
MPC_OTHER_SEED = MPCSpec(
    check="test_hidden_mpc_other_seed",
    seed=122,
    metric="mpc_return",
    low=-400.0,
    hparams={"horizon": 15, "population": 100, "n_elites": 10, "iterations": 3},
)
UCT_VS_PERFECT = SearchSpec(
    check="test_hidden_uct_draws_perfect_play", seed=32, opponent=PERFECT_PLAYER, games=10, simulations=2000
)
UCT_RANDOM_OTHER_SEED = SearchSpec(
    check="test_hidden_uct_random_other_seed", seed=131, opponent="random", games=20, simulations=400
)


def oracle(states: np.ndarray, actions: np.ndarray) -> np.ndarray:
    return np.asarray(states) + np.asarray(actions)


def reward_next_state(states: np.ndarray, actions: np.ndarray, next_states: np.ndarray) -> np.ndarray:
    return -(np.asarray(next_states)[:, 0] ** 2)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_planning_other_numbers(impl):
    """α = 0.25, n = 3, reward 2 on a terminal step: Q = 2·(1 − 0.75⁴) = 1.3671875"""
    cls = impl.attr("dyna", "DynaQAgent")
    agent = cls(7, 3, 0.25, 0.9, 0.0, planning_steps=3, rng=np.random.default_rng(4))
    agent.update(6, 2, 2.0, 0, True, False, next_action=None)
    raw, got = agent.Q, agent_table(agent, 7, 3)
    expected = np.zeros((7, 3))
    expected[6, 2] = 1.3671875
    assert close(got, expected, raw, 1e-9), (
        f"DynaQAgent(α=0.25, planning_steps=3), update(s=6, a=2, r=2, s'=0, terminated): "
        f"{mismatch(got[6, 2], 1.3671875, raw, 'Q[6, 2]')}; the rest of Q must stay 0 (4 updates toward 2)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_dyna_other_seed(impl):
    """Dyna maze, another seed: steps per episode fall with more planning"""
    DYNA_OTHER_SEED.assert_learns(impl.attr("dyna", "DynaQAgent"), "see the public Dyna checks")


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_hidden_planners_other_state(impl):
    """Oracle s' = s + a in the box [−2, 2] from s = −1.5, reward −s'²: first action ≈ +1.5"""
    low, high = np.array([-2.0]), np.array([2.0])
    obs = np.array([-1.5])
    shooting, cem = impl.attr("mpc", "random_shooting"), impl.attr("mpc", "cem_plan")
    got = as_float_array(
        shooting(oracle, reward_next_state, obs, 2, 3000, low, high, np.random.default_rng(5)), "a", (1,)
    )
    assert abs(got[0] - 1.5) < 0.1, (
        f"random_shooting from s = −1.5 (box ±2, horizon 2) returned {got.tolist()}; expected ≈ [1.5]"
    )
    got = as_float_array(
        cem(oracle, reward_next_state, obs, 2, 200, 20, 6, low, high, np.random.default_rng(6)), "a", (1,)
    )
    assert abs(got[0] - 1.5) < 0.05, (
        f"cem_plan from s = −1.5 (box ±2, horizon 2) returned {got.tolist()}; expected ≈ [1.5]"
    )


@pytest.mark.points(4)
@pytest.mark.timeout(60)
def test_hidden_mpc_other_seed(impl):
    """CEM-MPC with a learned model on other data and other evaluation episodes: mean return ≥ −400"""
    MPC_OTHER_SEED.assert_learns(impl.attr("mpc", "MPCAgent"), "see the public MPC checks")


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_backup_two_nodes(impl):
    """backup on [root, leaf] with v = 0.5, 0.5, −1, 1: leaf (4 visits, value_sum 1.0), root (4, −1.0)"""
    node, backup = impl.attr("mcts", "Node"), impl.attr("mcts", "backup")
    root = node((0,) * 9)
    leaf = node((0,) * 8 + (1,), root, 8)
    for value in (0.5, 0.5, -1.0, 1.0):
        backup([root, leaf], value)
    got = [(as_int(n.visits, "visits", 0, 99), as_float(n.value_sum, "value_sum")) for n in (root, leaf)]
    assert got == [(4, -1.0), (4, 1.0)], f"(visits, value_sum) of [root, leaf] = {got}; expected [(4, −1.0), (4, 1.0)]"


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_uct_random_other_seed(impl):
    """20 other games against a random player: no game lost"""
    UCT_RANDOM_OTHER_SEED.assert_learns(impl.attr("mcts", "uct_search"), "see the public MCTS checks")


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_hidden_uct_draws_perfect_play(impl):
    """10 games against the grader's perfect player (2000 simulations per move): every game drawn, none lost"""
    UCT_VS_PERFECT.assert_learns(
        impl.attr("mcts", "uct_search"),
        "perfect play cannot be beaten, only drawn; a loss means the search missed a threat: check the signs in "
        "backup and which child is returned",
    )
