"""Hidden checks of hw02's dynamic programming: other values, policies, maps and discounts than the public ones."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pytest

from grader.harness.tabular_models import (
    SMALL_MDP_TEXT,
    Outcome,
    assert_optimal,
    checked_pair,
    checked_policy,
    checked_q,
    checked_values,
    frozen_lake,
    small_mdp,
    table_of,
)
from grader.harness.validate import close, mismatch
from grader.oracles.dp_sweeps import first_difference, grader_sweeps
from grader.oracles.tabular import backup, optimal_values, policy_value

MAP_6X6 = ["SFFFFF", "FHFFHF", "FFFHFF", "HFFFFH", "FFHFFF", "FHFFHG"]
MAP_4X4 = ["SFHF", "FFFF", "HFHF", "FFFG"]


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_bellman_backup_other_values(impl):
    """bellman_backup with negative values, γ = 0.5, and on FrozenLake 8x8"""
    bellman_backup = impl.attr("dp", "bellman_backup")
    P = small_mdp()
    V = np.array([-3.0, 0.5, -4.0])
    raw = bellman_backup(P, V.copy(), 0.5)
    got = checked_q(raw, "bellman_backup(P, V, 0.5)", 3, 2)
    expected = backup(P, V, 0.5)
    assert close(got, expected, raw, 1e-9), (
        f"on {SMALL_MDP_TEXT} with V = [-3, 0.5, -4] and γ = 0.5: got {np.round(got, 4).tolist()}, expected "
        f"{np.round(expected, 4).tolist()} ({mismatch(got, expected, raw, 'Q')})"
    )
    P = table_of(frozen_lake(map_name="8x8"))
    V = np.random.default_rng(19).normal(size=64)
    raw = bellman_backup(P, V.copy(), 0.9)
    got = checked_q(raw, "bellman_backup(P, V, 0.9)", 64, 4)
    expected = backup(P, V, 0.9)
    assert close(got, expected, raw, 1e-9), (
        f"on slippery FrozenLake 8x8 with V ~ N(0, 1) (seed 19) and γ = 0.9: {mismatch(got, expected, raw, 'Q')}"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_policy_evaluation_sweeps_other_mdp(impl):
    """policy_evaluation: synchronous sweeps and convergence from v0 for a non-uniform policy"""
    policy_evaluation = impl.attr("dp", "policy_evaluation")
    P = small_mdp()
    pi = np.array([[0.2, 0.8], [0.7, 0.3], [0.5, 0.5]])
    v0 = np.array([0.0, 0.0, 10.0])
    V = v0.copy()
    for sweeps in (1, 2, 3):
        V = np.sum(pi * backup(P, V, 0.8), axis=1)
        raw = policy_evaluation(P, pi, 0.8, theta=1e-12, v0=v0.copy(), max_sweeps=sweeps)
        got = checked_values(raw, "policy_evaluation", 3)
        assert close(got, V, raw, 1e-9), (
            f"on {SMALL_MDP_TEXT}, π = {pi.tolist()}, γ = 0.8, v0 = [0, 0, 10]: after {sweeps} sweep(s) V = "
            f"{np.round(got, 4).tolist()}; expected {np.round(V, 4).tolist()} (synchronous sweeps)"
        )
    raw = policy_evaluation(P, pi, 0.8, theta=1e-12, v0=v0.copy())
    got = checked_values(raw, "policy_evaluation", 3)
    expected = policy_value(P, pi, 0.8)
    assert close(got, expected, raw, 1e-8), (
        f"policy_evaluation to θ = 1e-12 from v0 = [0, 0, 10] returned {np.round(got, 6).tolist()}; the exact V^π is "
        f"{np.round(expected, 6).tolist()}"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_hidden_policy_evaluation_8x8_random_policy(impl):
    """policy_evaluation of a random stochastic policy on FrozenLake 8x8 (γ = 0.95) equals V^π to 1e-6"""
    policy_evaluation = impl.attr("dp", "policy_evaluation")
    P = table_of(frozen_lake(map_name="8x8"))
    pi = np.random.default_rng(5).dirichlet(np.ones(4), size=64)
    got = checked_values(policy_evaluation(P, pi, 0.95, theta=1e-10), "policy_evaluation", 64)
    expected = policy_value(P, pi, 0.95)
    error = np.abs(got - expected)
    s = int(np.argmax(error))
    assert error[s] <= 1e-6, (
        f"random policy (Dirichlet, seed 5) on slippery FrozenLake 8x8, γ = 0.95: V[{s}] = {got[s]:.7f}, exact "
        f"V^π[{s}] = {expected[s]:.7f}. Weight every action by π(a|s)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_hidden_value_iteration_other_maps(impl):
    """value_iteration on a 6x6 map (γ = 0.9), a 4x4 map (γ = 0.99) and FrozenLake8x8 (γ = 0.95)"""
    value_iteration = impl.attr("dp", "value_iteration")
    for kwargs, gamma in (({"desc": MAP_6X6}, 0.9), ({"desc": MAP_4X4}, 0.99), ({"map_name": "8x8"}, 0.95)):
        P = table_of(frozen_lake(**kwargs))
        where = f"slippery FrozenLake {kwargs}"
        result = value_iteration(P, gamma, theta=1e-10)
        assert_optimal(result, *optimal_values(P, gamma), gamma, "value_iteration", where)


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_value_iteration_small_mdp_tie(impl):
    """value_iteration breaks ties by the lowest index: the 3-state MDP (γ = 0.5) and FrozenLake's terminal states"""
    value_iteration = impl.attr("dp", "value_iteration")
    P = small_mdp()
    for call in range(3):
        V, policy = checked_pair(value_iteration(P, 0.5, theta=1e-12), "value_iteration")
        values = checked_values(V, "V returned by value_iteration", 3)
        policy = checked_policy(policy, "the policy returned by value_iteration", 3, 2)
        assert close(values, [2.0, 4.0, 0.0], V, 1e-8) and policy.tolist() == [0, 0, 0], (
            f"call {call + 1}: value_iteration on {SMALL_MDP_TEXT} with γ = 0.5, θ = 1e-12 returned V = "
            f"{np.round(values, 6).tolist()}, policy {policy.tolist()}; expected V = [2, 4, 0] and policy [0, 0, 0] "
            "(in state 0 both actions are worth 2, in state 2 both 0: ties go to the lowest index)"
        )
    P = table_of(frozen_lake())
    terminal = [5, 7, 11, 12, 15]  # holes and goal: every action is worth 0
    for call in range(2):
        _, policy = checked_pair(value_iteration(P, 0.99, theta=1e-10), "value_iteration")
        policy = checked_policy(policy, "the policy returned by value_iteration", 16, 4)
        assert policy[terminal].tolist() == [0] * 5, (
            f"call {call + 1}: value_iteration on FrozenLake 4x4 (γ = 0.99) chose the actions "
            f"{policy[terminal].tolist()} in the terminal states {terminal}, where all actions tie at 0; "
            "expected action 0 (the lowest index) in each"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_hidden_policy_iteration_other_map(impl):
    """policy_iteration terminates with V* and an optimal policy on a 6x6 map (γ = 0.95) and FrozenLake8x8"""
    policy_iteration = impl.attr("dp", "policy_iteration")
    for kwargs, gamma in (({"desc": MAP_6X6}, 0.95), ({"map_name": "8x8"}, 0.99)):
        P = table_of(frozen_lake(**kwargs))
        where = f"slippery FrozenLake {kwargs}"
        result = policy_iteration(P, gamma, theta=1e-10)
        assert_optimal(result, *optimal_values(P, gamma), gamma, "policy_iteration", where)


def random_mdp(seed: int, n_states: int, n_actions: int, rewards: tuple[float, float]) -> list[list[list[Outcome]]]:
    """A seeded MDP: each (s, a) has two outcomes (Dirichlet probabilities, distinct next states), rewards uniform
    in ``rewards`` (rounded to 0.01), each outcome terminated with probability 0.15."""
    rng = np.random.default_rng(seed)
    P = []
    for _ in range(n_states):
        row = []
        for _ in range(n_actions):
            nexts, probs = rng.choice(n_states, size=2, replace=False), rng.dirichlet([1.0, 1.0])
            row.append(
                [(float(probs[i]), int(nexts[i]), round(float(rng.uniform(*rewards)), 2), bool(rng.random() < 0.15))
                 for i in range(2)]
            )  # fmt: skip
        P.append(row)
    return P


# Costs only (every value falls from V_0 = 0) and mixed signs (some values rise, some fall): a stopping rule
# that only looks at increases (max(V_new − V) instead of max |V_new − V|) stops after the first sweep.
SIGNED_MDPS = (
    ("costs", random_mdp(41, 6, 3, (-3.0, -0.5)), 0.95),
    ("mixed", random_mdp(42, 7, 2, (-2.0, 2.0)), 0.9),
)


def assert_values(what: str, run: Callable[[int], object], exact: np.ndarray, sweeps: list[np.ndarray]) -> None:
    """``run(max_sweeps)`` (a student's V, validated) to θ = 1e-10 must be ``exact`` within 1e-6; if not, say where
    its sweeps part from the grader's (:func:`grader.oracles.dp_sweeps.first_difference`)."""
    V = run(100_000)
    error = np.abs(V - exact)
    s = int(np.argmax(error))
    if error[s] > 1e-6:
        raise AssertionError(
            f"{what}: V[{s}] = {V[s]:.6f}, exact value {exact[s]:.6f} (exact V = {np.round(exact, 3).tolist()}); "
            + first_difference(run, sweeps, V, 1e-10)
        )


def vi_values(value_iteration: Callable[..., object], P: list, gamma: float, max_sweeps: int) -> np.ndarray:
    V, _ = checked_pair(value_iteration(P, gamma, theta=1e-10, max_sweeps=max_sweeps), "value_iteration")
    return checked_values(V, f"V of value_iteration(max_sweeps={max_sweeps})", len(P))


def pe_values(
    policy_evaluation: Callable[..., object], P: list, pi: np.ndarray, gamma: float, max_sweeps: int
) -> np.ndarray:
    V = policy_evaluation(P, pi, gamma, theta=1e-10, max_sweeps=max_sweeps)
    return checked_values(V, f"policy_evaluation(max_sweeps={max_sweeps})", len(P))


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_dp_negative_and_mixed_rewards(impl):
    """value_iteration and policy_evaluation where values fall from 0: MDPs with costs only and with mixed rewards"""
    value_iteration, policy_evaluation = impl.attr("dp", "value_iteration"), impl.attr("dp", "policy_evaluation")
    for name, P, gamma in SIGNED_MDPS:
        where = (
            f"a seeded {len(P)}-state MDP with {name} rewards (test_dp_hidden.py::SIGNED_MDPS), γ = {gamma}, θ = 1e-10"
        )
        V_star, Q_star = optimal_values(P, gamma)
        sweeps = grader_sweeps(P, gamma, 1e-10, None)
        assert_values(f"value_iteration on {where}", partial(vi_values, value_iteration, P, gamma), V_star, sweeps)
        assert_optimal(value_iteration(P, gamma, theta=1e-10), V_star, Q_star, gamma, "value_iteration", where)
        pi = np.random.default_rng(len(P)).dirichlet(np.ones(len(P[0])), size=len(P))
        sweeps = grader_sweeps(P, gamma, 1e-10, pi)
        run = partial(pe_values, policy_evaluation, P, pi, gamma)
        assert_values(f"policy_evaluation of a random policy on {where}", run, policy_value(P, pi, gamma), sweeps)
