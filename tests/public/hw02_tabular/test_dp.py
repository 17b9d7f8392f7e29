"""Public checks of hw02's dynamic programming (``dp.py``).

Every answer is computed by the grader's own code (``grader/harness/tabular_models.py``): one-step lookaheads
on a hand-made 3-state MDP, exact values of policies by a linear solve (I − γ P_π) V = r_π, and the optimal
values V* of FrozenLake. The model passed to your functions is always ``P[s][a] = [(prob, next_state,
reward, terminated), ...]``. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.tabular_models import (
    SMALL_MDP_TEXT,
    assert_optimal,
    backup,
    checked_pair,
    checked_policy,
    checked_q,
    checked_values,
    frozen_lake,
    policy_value,
    simulate_success,
    small_mdp,
    success_probability,
    table_of,
)
from grader.harness.validate import close, mismatch

CUSTOM_MAP = ["SFFHF", "FHFFF", "FFFHF", "HFFFF", "FFHFG"]


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_bellman_backup_small_mdp(impl):
    """bellman_backup: Q[s, a] = Σ p (r + γ V[s'] (1 − terminated)) on a 3-state MDP"""
    bellman_backup = impl.attr("dp", "bellman_backup")
    P = small_mdp()
    V = np.array([1.0, 2.0, 7.0])  # the terminal state 2 holds a non-zero value on purpose
    raw = bellman_backup(P, V.copy(), 0.9)
    got = checked_q(raw, "bellman_backup(P, V, 0.9)", 3, 2)
    expected = backup(P, V, 0.9)  # [[1.85, 2.0], [3.98, 2.3], [0.0, 0.0]]
    assert close(got, expected, raw, 1e-9), (
        f"on {SMALL_MDP_TEXT} with V = [1, 2, 7] and γ = 0.9, bellman_backup returned {np.round(got, 4).tolist()}; "
        f"expected {np.round(expected, 4).tolist()} ({mismatch(got, expected, raw, 'Q')}). Q[s, a] sums "
        "p · (r + γ V[s'] (1 − terminated)) over every outcome of P[s][a]: Q[0, 1] = 1.0 · 2 = 2 (its only outcome "
        "terminates; 2 + 0.9 · 7 = 8.3 would bootstrap from the terminal state's stored value)"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_bellman_backup_frozen_lake(impl):
    """bellman_backup on FrozenLake 4x4 (slippery) with arbitrary values, terminal ones included"""
    bellman_backup = impl.attr("dp", "bellman_backup")
    P = table_of(frozen_lake())
    V = np.random.default_rng(7).uniform(-1.0, 2.0, 16)
    raw = bellman_backup(P, V.copy(), 0.95)
    got = checked_q(raw, "bellman_backup(P, V, 0.95)", 16, 4)
    expected = backup(P, V, 0.95)
    assert close(got, expected, raw, 1e-9), (
        f"on slippery FrozenLake 4x4 with V ~ U(-1, 2) (seed 7) and γ = 0.95: {mismatch(got, expected, raw, 'Q')}. "
        "Each action has three outcomes with probability 1/3 each"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_policy_evaluation_synchronous_sweeps(impl):
    """policy_evaluation: sweeps are synchronous (each sweep reads only the previous values)"""
    policy_evaluation = impl.attr("dp", "policy_evaluation")
    P = small_mdp()
    pi = np.full((3, 2), 0.5)
    v0 = np.array([1.0, 2.0, 7.0])
    V = v0.copy()
    for sweeps in (1, 2):
        V = np.sum(pi * backup(P, V, 0.9), axis=1)  # one sweep gives [1.925, 3.14, 0]
        raw = policy_evaluation(P, pi, 0.9, theta=1e-12, v0=v0.copy(), max_sweeps=sweeps)
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
    for label, pi, gamma in (
        ("the uniform policy", np.full((16, 4), 0.25), 0.99),
        ("a random policy (Dirichlet, seed 1)", np.random.default_rng(1).dirichlet(np.ones(4), size=16), 0.9),
    ):
        got = checked_values(policy_evaluation(P, pi, gamma, theta=1e-10), f"policy_evaluation(P, pi, {gamma})", 16)
        expected = policy_value(P, pi, gamma)
        error = np.abs(got - expected)
        s = int(np.argmax(error))
        assert error[s] <= 1e-6, (
            f"{label} on slippery FrozenLake 4x4, γ = {gamma}, θ = 1e-10: V[{s}] = {got[s]:.7f}, exact V^π[{s}] = "
            f"{expected[s]:.7f} (V^π[0] = {expected[0]:.5f}). V(s) = Σ_a π(a|s) Σ p (r + γ V(s') (1 − terminated)) "
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
    assert_optimal(P, 0.99, value_iteration(P, 0.99, theta=1e-10), "value_iteration", "slippery FrozenLake 4x4")


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_value_iteration_8x8_and_custom_map(impl):
    """value_iteration on FrozenLake8x8 (γ = 0.99, V*(0) = 0.415) and on a 5x5 custom map (γ = 0.95)"""
    value_iteration = impl.attr("dp", "value_iteration")
    P = table_of(frozen_lake(map_name="8x8"))
    assert_optimal(P, 0.99, value_iteration(P, 0.99, theta=1e-10), "value_iteration", "slippery FrozenLake 8x8")
    P = table_of(frozen_lake(desc=CUSTOM_MAP))
    where = f"the slippery FrozenLake map {CUSTOM_MAP}"
    assert_optimal(P, 0.95, value_iteration(P, 0.95, theta=1e-10), "value_iteration", where)


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_policy_iteration_matches_value_iteration(impl):
    """policy_iteration stops on a stable policy and finds V* and an optimal policy (FrozenLake 4x4, γ = 0.99)"""
    policy_iteration = impl.attr("dp", "policy_iteration")
    P = table_of(frozen_lake())
    assert_optimal(P, 0.99, policy_iteration(P, 0.99, theta=1e-10), "policy_iteration", "slippery FrozenLake 4x4")


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_value_iteration_policy_succeeds(impl):
    """The policy of value_iteration reaches the goal in 70–80 % of 1000 episodes of slippery FrozenLake 4x4"""
    value_iteration = impl.attr("dp", "value_iteration")
    env = frozen_lake()
    P = table_of(env)
    result = checked_pair(value_iteration(P, 0.99, theta=1e-10), "value_iteration")
    policy = checked_policy(result[1], "the policy returned by value_iteration", 16, 4)
    exact = success_probability(P, policy, horizon=100)
    rate = simulate_success(env, policy, episodes=1000, seed=2024)
    assert 0.70 <= rate <= 0.80, (
        f"the grader played your value_iteration policy (γ = 0.99) on slippery FrozenLake 4x4 for 1000 episodes "
        f"(seed 2024): success rate {rate:.3f} (exact probability within the 100-step limit {exact:.3f}); needed "
        "0.70–0.80 (the optimal policy succeeds 0.740 of the time). A policy planned without the slips (only the "
        "first outcome of P[s][a]) fails far more often"
    )
