"""Public checks of hw02's dynamic programming (``dp.py``).

Every expected value is data, in ``expected.json`` beside this file (computed in the course repo by the grader's
own code): one-step lookaheads on a hand-made 3-state MDP, exact values of policies by a linear solve
(I − γ P_π) V = r_π, and the optimal values V* and Q* of FrozenLake. The model passed to your functions is
always ``P[s][a] = [(prob, next_state, reward, terminated), ...]``. Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.golden import expected
from grader.harness.tabular_models import (
    SMALL_MDP_TEXT,
    assert_optimal,
    checked_pair,
    checked_policy,
    checked_q,
    checked_values,
    frozen_lake,
    simulate_success,
    small_mdp,
    table_of,
)
from grader.harness.validate import close, mismatch

CUSTOM_MAP = ["SFFHF", "FHFFF", "FFFHF", "HFFFF", "FFHFG"]
SMALL_V = np.array([1.0, 2.0, 7.0])  # the terminal state 2 holds a non-zero value on purpose


def lake_values() -> np.ndarray:
    """Arbitrary values of FrozenLake 4x4's states, terminal ones included."""
    return np.random.default_rng(7).uniform(-1.0, 2.0, 16)


def evaluated_policies() -> list[tuple[str, np.ndarray, float]]:
    """(label, π, γ) of the policies evaluated on FrozenLake 4x4."""
    return [
        ("the uniform policy", np.full((16, 4), 0.25), 0.99),
        ("a random policy (Dirichlet, seed 1)", np.random.default_rng(1).dirichlet(np.ones(4), size=16), 0.9),
    ]


def optimum(name: str) -> tuple[list, list]:
    """(V*, Q*) of the MDP ``name`` in expected.json."""
    values = expected(__file__, name)
    return values["V"], values["Q"]


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_bellman_backup_small_mdp(impl):
    """bellman_backup: Q[s, a] = Σ p (r + γ V[s'] (1 − terminated)) on a 3-state MDP"""
    bellman_backup = impl.attr("dp", "bellman_backup")
    raw = bellman_backup(small_mdp(), SMALL_V.copy(), 0.9)
    got = checked_q(raw, "bellman_backup(P, V, 0.9)", 3, 2)
    want = np.array(expected(__file__, "backup_small_mdp"))  # [[1.85, 2.0], [3.98, 2.3], [0.0, 0.0]]
    assert close(got, want, raw, 1e-9), (
        f"on {SMALL_MDP_TEXT} with V = [1, 2, 7] and γ = 0.9, bellman_backup returned {np.round(got, 4).tolist()}; "
        f"expected {np.round(want, 4).tolist()} ({mismatch(got, want, raw, 'Q')}). Q[s, a] sums "
        "p · (r + γ V[s'] (1 − terminated)) over every outcome of P[s][a]: Q[0, 1] = 1.0 · 2 = 2 (its only outcome "
        "terminates; 2 + 0.9 · 7 = 8.3 would bootstrap from the terminal state's stored value)"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_bellman_backup_frozen_lake(impl):
    """bellman_backup on FrozenLake 4x4 (slippery) with arbitrary values, terminal ones included"""
    bellman_backup = impl.attr("dp", "bellman_backup")
    raw = bellman_backup(table_of(frozen_lake()), lake_values(), 0.95)
    got = checked_q(raw, "bellman_backup(P, V, 0.95)", 16, 4)
    want = np.array(expected(__file__, "backup_frozen_lake"))
    assert close(got, want, raw, 1e-9), (
        f"on slippery FrozenLake 4x4 with V ~ U(-1, 2) (seed 7) and γ = 0.95: {mismatch(got, want, raw, 'Q')}. "
        "Each action has three outcomes with probability 1/3 each"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_policy_evaluation_synchronous_sweeps(impl):
    """policy_evaluation: sweeps are synchronous (each sweep reads only the previous values)"""
    policy_evaluation = impl.attr("dp", "policy_evaluation")
    P, pi = small_mdp(), np.full((3, 2), 0.5)
    for sweeps, V in enumerate(expected(__file__, "synchronous_sweeps"), start=1):  # one sweep: [1.925, 3.14, 0]
        V = np.array(V)
        raw = policy_evaluation(P, pi, 0.9, theta=1e-12, v0=SMALL_V.copy(), max_sweeps=sweeps)
        got = checked_values(raw, f"policy_evaluation(..., max_sweeps={sweeps})", 3)
        assert close(got, V, raw, 1e-9), (
            f"on {SMALL_MDP_TEXT}, uniform policy, γ = 0.9, v0 = [1, 2, 7]: after {sweeps} sweep(s) V = "
            f"{np.round(got, 4).tolist()}; expected {np.round(V, 4).tolist()}. Compute the whole new array from the "
            "previous one (no in-place updates within a sweep) and stop after max_sweeps sweeps"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_policy_evaluation_frozen_lake(impl):
    """policy_evaluation of the uniform and of a random stochastic policy on FrozenLake 4x4 equals V^π to 1e-6"""
    policy_evaluation = impl.attr("dp", "policy_evaluation")
    P = table_of(frozen_lake())
    exact = expected(__file__, "policy_values_frozen_lake")
    for (label, pi, gamma), V_pi in zip(evaluated_policies(), exact, strict=True):
        got = checked_values(policy_evaluation(P, pi, gamma, theta=1e-10), f"policy_evaluation(P, pi, {gamma})", 16)
        V_pi = np.array(V_pi)
        error = np.abs(got - V_pi)
        s = int(np.argmax(error))
        assert error[s] <= 1e-6, (
            f"{label} on slippery FrozenLake 4x4, γ = {gamma}, θ = 1e-10: V[{s}] = {got[s]:.7f}, exact V^π[{s}] = "
            f"{V_pi[s]:.7f} (V^π[0] = {V_pi[0]:.5f}). V(s) = Σ_a π(a|s) Σ p (r + γ V(s') (1 − terminated)) "
            "over every outcome; iterate until max |ΔV| < θ"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_greedy_policy_tie_break(impl):
    """greedy_policy: argmax per state, ties (within 1e-9) go to the lowest action index"""
    greedy_policy = impl.attr("dp", "greedy_policy")
    Q = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [1.0, 3.0, 2.0, 3.0],
            [-1.0, -2.0, -0.5, -3.0],
            [5.0, 5.0 + 1e-12, 4.0, 5.0],
            [0.3, 0.2, 0.3 + 1e-6, 0.1],
        ]
    )
    expected = np.array([0, 1, 2, 0, 2])
    for _ in range(5):
        got = checked_policy(greedy_policy(Q.copy()), "greedy_policy(Q)", 5, 4)
        assert np.array_equal(got, expected), (
            f"greedy_policy({Q.tolist()}) returned {got.tolist()}; expected {expected.tolist()} (every call): "
            "among the actions within 1e-9 of the maximum take the lowest index (a difference of 1e-6 is not a tie)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_value_iteration_frozen_lake(impl):
    """value_iteration on FrozenLake 4x4 (γ = 0.99): V* to 1e-6 (V*(0) = 0.542) and an optimal policy"""
    value_iteration = impl.attr("dp", "value_iteration")
    P = table_of(frozen_lake())
    result = value_iteration(P, 0.99, theta=1e-10)
    assert_optimal(result, *optimum("optimum_frozen_lake"), 0.99, "value_iteration", "slippery FrozenLake 4x4")


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_value_iteration_8x8_and_custom_map(impl):
    """value_iteration on FrozenLake8x8 (γ = 0.99, V*(0) = 0.415) and on a 5x5 custom map (γ = 0.95)"""
    value_iteration = impl.attr("dp", "value_iteration")
    result = value_iteration(table_of(frozen_lake(map_name="8x8")), 0.99, theta=1e-10)
    assert_optimal(result, *optimum("optimum_frozen_lake_8x8"), 0.99, "value_iteration", "slippery FrozenLake 8x8")
    result = value_iteration(table_of(frozen_lake(desc=CUSTOM_MAP)), 0.95, theta=1e-10)
    where = f"the slippery FrozenLake map {CUSTOM_MAP}"
    assert_optimal(result, *optimum("optimum_custom_map"), 0.95, "value_iteration", where)


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_policy_iteration_matches_value_iteration(impl):
    """policy_iteration stops on a stable policy and finds V* and an optimal policy (FrozenLake 4x4, γ = 0.99)"""
    policy_iteration = impl.attr("dp", "policy_iteration")
    result = policy_iteration(table_of(frozen_lake()), 0.99, theta=1e-10)
    assert_optimal(result, *optimum("optimum_frozen_lake"), 0.99, "policy_iteration", "slippery FrozenLake 4x4")


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_value_iteration_policy_succeeds(impl):
    """The policy of value_iteration reaches the goal in 70–80 % of 1000 episodes of slippery FrozenLake 4x4"""
    value_iteration = impl.attr("dp", "value_iteration")
    env = frozen_lake()
    P = table_of(env)
    result = checked_pair(value_iteration(P, 0.99, theta=1e-10), "value_iteration")
    policy = checked_policy(result[1], "the policy returned by value_iteration", 16, 4)
    rate = simulate_success(env, policy, episodes=1000, seed=2024)
    assert 0.70 <= rate <= 0.80, (
        f"the grader played your value_iteration policy (γ = 0.99) on slippery FrozenLake 4x4 for 1000 episodes "
        f"(seed 2024): success rate {rate:.3f}; needed "
        "0.70–0.80 (the optimal policy succeeds 0.740 of the time). A policy planned without the slips (only the "
        "first outcome of P[s][a]) fails far more often"
    )
