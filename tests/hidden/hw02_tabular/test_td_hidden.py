"""Hidden checks of hw02's TD-control agents (``td.py``), run only by the graders.

They test the same specification as the public checks with other numbers (α = 1, γ = 1, negative rewards,
self-loops s' = s, ties in the greedy set, ε = 0 and ε = 1), the Double Q coin, reproducibility from
``rng``, and learning on other tasks and seeds (SARSA and Double Q on Taxi-v4, Expected SARSA on the
slippery FrozenLake-v1), so tuning a submission to the public numbers does not pay.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all, global_rng_digests_of, seed_global_rngs_of
from grader.harness.tabular_control import ControlSpec, agent_table, train
from grader.harness.validate import as_float_array, as_int

# ---------------------------------------------------------------------------------------------------
# Exact checks with other numbers
# ---------------------------------------------------------------------------------------------------

# (s, a, r, s', terminated, truncated, a'): a self-loop, a truncation, a termination and a repeated pair.
TRANSITIONS = (
    (0, 1, -1.0, 0, False, False, 2),
    (0, 2, 2.0, 1, False, True, 0),
    (1, 0, -3.0, 2, True, False, None),
    (2, 1, 0.5, 0, False, False, 1),
    (0, 1, -1.0, 1, False, False, 2),
    (1, 2, 4.0, 1, False, False, 2),
)
Q0 = np.array([[1.0, 0.0, 1.0], [-2.0, 3.0, 3.0], [0.5, -1.0, 2.0]])  # ties in states 0 and 1


def trusted_updates(kind: str, alpha: float, gamma: float, epsilon: float) -> np.ndarray:
    """The grader's own SARSA / Q-learning / Expected SARSA updates over TRANSITIONS, starting from Q0."""
    q = Q0.copy()
    for s, a, r, s2, terminated, _, a2 in TRANSITIONS:
        if terminated:
            target = r
        elif kind == "sarsa":
            target = r + gamma * q[s2, a2]
        elif kind == "q":
            target = r + gamma * q[s2].max()
        else:
            greedy = q[s2] == q[s2].max()
            pi = np.full(3, epsilon / 3) + greedy * (1 - epsilon) / greedy.sum()
            target = r + gamma * float(pi @ q[s2])
        q[s, a] += alpha * (target - q[s, a])
    return q


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_hidden_update_sequences(impl):
    """SARSA, Q-learning and Expected SARSA: six updates with self-loops, α = 1 or 0.3, γ = 1 or 0.5"""
    agents = (("SarsaAgent", "sarsa"), ("QLearningAgent", "q"), ("ExpectedSarsaAgent", "expected"))
    for name, kind in agents:
        for alpha, gamma, epsilon in ((1.0, 1.0, 0.3), (0.3, 0.5, 0.6)):
            agent = impl.attr("td", name)(3, 3, alpha, gamma, epsilon, rng=np.random.default_rng(7))
            agent.Q = Q0.copy()
            for s, a, r, s2, terminated, truncated, a2 in TRANSITIONS:
                agent.update(s, a, r, s2, terminated, truncated, next_action=a2)
            got = agent_table(agent, 3, 3)
            expected = trusted_updates(kind, alpha, gamma, epsilon)
            assert np.allclose(got, expected, rtol=0, atol=1e-9), (
                f"{name}(α={alpha}, γ={gamma}, ε={epsilon}) starting from Q = {Q0.tolist()} after the updates "
                f"(s, a, r, s', terminated, truncated, next_action) = {list(TRANSITIONS)}: Q = "
                f"{np.round(got, 5).tolist()}; expected {np.round(expected, 5).tolist()}. Read Q(s', ·) before "
                "writing Q(s, a) (s' may equal s), bootstrap on truncated steps, never on terminated ones"
            )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_expected_sarsa_extreme_epsilon(impl):
    """Expected SARSA: ε = 0 splits π among tied greedy actions (target = max); ε = 1 is the uniform mean"""
    ExpectedSarsaAgent = impl.attr("td", "ExpectedSarsaAgent")
    q = np.zeros((2, 4))
    q[1] = [4.0, -2.0, 4.0, 2.0]
    for epsilon, pi, value in ((0.0, [0.5, 0, 0.5, 0], 4.0), (1.0, [0.25] * 4, 2.0), (0.4, [0.4, 0.1, 0.4, 0.1], 3.2)):
        agent = ExpectedSarsaAgent(2, 4, 0.5, 1.0, epsilon, rng=np.random.default_rng(0))
        agent.Q = q.copy()
        probs = as_float_array(agent.policy_probs(1), f"policy_probs(1) with ε = {epsilon}", (4,))
        assert np.allclose(probs, pi, rtol=0, atol=1e-12), (
            f"with ε = {epsilon} and Q(1, ·) = {q[1].tolist()} (actions 0 and 2 tied), policy_probs(1) = {probs}; "
            f"expected {pi} (ε/|A| everywhere, 1 − ε split equally among the tied greedy actions)"
        )
        agent.update(0, 3, 0.0, 1, False, False, next_action=1)
        got = agent_table(agent, 2, 4)[0, 3]
        assert np.isclose(got, 0.5 * value, rtol=0, atol=1e-9), (
            f"with ε = {epsilon}, α = 0.5, γ = 1, r = 0 and Q(s', ·) = {q[1].tolist()}, the update gave Q(s, a) = "
            f"{got:.6g}; expected 0.5 · Σ_a π(a|s') Q(s', a) = {0.5 * value:g}"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_double_q_coin(impl):
    """Double Q-learning: each table is updated about half of the time, reproducibly from rng"""
    DoubleQLearningAgent = impl.attr("td", "DoubleQLearningAgent")
    updates = 2000
    choices = []
    rows, actions = np.arange(updates), np.arange(updates) % 2
    for _ in range(2):
        # update i is on its own state i (α = 1, γ = 0, r = 1, all tables zero): it must set exactly one table's
        # entry (i, i % 2) to 1.0. All updates go in one sandbox message.
        agent = DoubleQLearningAgent(updates, 2, 1.0, 0.0, 0.1, rng=np.random.default_rng(31))
        agent.Q1, agent.Q2 = np.zeros((updates, 2)), np.zeros((updates, 2))
        call_all([(agent.update, (i, i % 2, 1.0, i, False, False)) for i in range(updates)], next_action=None)
        q1, q2 = agent_table(agent, updates, 2, "Q1"), agent_table(agent, updates, 2, "Q2")
        in1, in2 = q1[rows, actions] == 1.0, q2[rows, actions] == 1.0
        wrong = np.flatnonzero((in1 == in2) | (q1.sum(axis=1) + q2.sum(axis=1) != 1.0))
        assert wrong.size == 0, (
            f"update {wrong[0] if wrong.size else 0} (α = 1, γ = 0, r = 1, all tables zero, on its own state) gave "
            f"Q1 = {q1[wrong[:1]].tolist()}, Q2 = {q2[wrong[:1]].tolist()} in that state; expected exactly one "
            "of them to hold 1.0 at the updated action"
        )
        choices.append(in1.tolist())
    frac = float(np.mean(choices[0]))
    tolerance = binomial_tolerance(0.5, updates)
    assert abs(frac - 0.5) <= tolerance, (
        f"over {updates} updates Q1 was chosen {frac:.3f} of the time; expected 0.5 ± {tolerance:.3f} (a fair coin)"
    )
    assert choices[0] == choices[1], "two agents with the same rng seed chose different tables: use self.rng only"


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_hidden_greedy_action_ignores_epsilon(impl):
    """greedy_action(state) with ε = 1 is argmax_a Q(state, a) every time (a unique maximum): it never explores"""
    q = np.array([[0.0, 2.0, -1.0, 1.0], [3.0, 0.0, 0.0, 0.0], [-1.0, -2.0, -3.0, -0.5]])
    for name in ("SarsaAgent", "QLearningAgent", "ExpectedSarsaAgent"):
        agent = impl.attr("td", name)(3, 4, 0.5, 0.9, 1.0, rng=np.random.default_rng(6))
        agent.Q = q.copy()
        for state, best in enumerate(q.argmax(axis=1).tolist()):
            got = [
                as_int(a, f"{name}.greedy_action({state})", 0, 4)
                for a in call_all([(agent.greedy_action, (state,))] * 200)
            ]
            wrong = sum(a != best for a in got)
            assert not wrong, (
                f"{name} with ε = 1 and Q({state}, ·) = {q[state].tolist()}: greedy_action({state}) returned another "
                f"action than {best} (the unique argmax) in {wrong} of 200 calls: the greedy action ignores ε"
            )


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_hidden_reproducible(impl):
    """SARSA draws every random number from its rng: same seed, same Q after training, global RNGs untouched"""
    SarsaAgent = impl.attr("td", "SarsaAgent")
    tables = []
    for global_seed in (1, 2):
        seed_global_rngs_of(SarsaAgent, global_seed)
        before = global_rng_digests_of(SarsaAgent)
        agent = SarsaAgent(48, 4, 0.5, 1.0, 0.1, rng=np.random.default_rng(5))
        train(agent, "CliffWalking-v1", {}, 30, (0.3, 0.1, 20), 12, 500)
        assert global_rng_digests_of(SarsaAgent)["numpy"] == before["numpy"], (
            "SarsaAgent changed the global np.random state during 30 training episodes: use self.rng"
        )
        tables.append(agent_table(agent, 48, 4))
    assert np.array_equal(tables[0], tables[1]), (
        "two SarsaAgents with the same rng seed, trained on the same seeded CliffWalking-v1 episodes, ended with "
        "different Q tables: draw all randomness from self.rng"
    )


# ---------------------------------------------------------------------------------------------------
# Learning checks on other tasks and seeds (calibration: rlgrade calibrate hw02 → calibration/hw02_tabular.md)
# ---------------------------------------------------------------------------------------------------

# Calibration (30 unseen seeds): reference 7.57 ± 0.30 (worst 6.80), 30/30 pass, +8.4 sd (false fail ≈ 2e-17).
SARSA_TAXI = ControlSpec(
    check="test_hidden_sarsa_taxi",
    agent="SarsaAgent",
    env_id="Taxi-v4",
    episodes=3000,
    alpha=0.5,
    gamma=0.99,
    eps_start=1.0,
    eps_end=0.01,
    eps_decay_episodes=1500,
    seed=7,
    eval_episodes=100,
    low=5.0,
)


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_sarsa_taxi(impl):
    """SARSA (α = 0.5, γ = 0.99) learns Taxi-v4 in 3000 episodes: greedy mean return ≥ 5 over 100 episodes"""
    SARSA_TAXI.assert_learns(
        impl.attr("td", "SarsaAgent"),
        "a correct agent gets ≈ 7.6; a wrong sign of the TD error or a misplaced α give about -200",
    )


# Calibration (30 unseen seeds): reference 7.83 ± 0.62 (worst 5.43: one looping greedy episode), 30/30 pass,
# +4.5 sd (false fail ≈ 3e-6).
DOUBLE_Q_TAXI = ControlSpec(
    check="test_hidden_double_q_taxi",
    agent="DoubleQLearningAgent",
    env_id="Taxi-v4",
    episodes=3000,
    alpha=0.5,
    gamma=0.99,
    eps_start=1.0,
    eps_end=0.01,
    eps_decay_episodes=1500,
    seed=8,
    eval_episodes=100,
    low=5.0,
)


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_hidden_double_q_taxi(impl):
    """Double Q-learning (α = 0.5, γ = 0.99) learns Taxi-v4 in 3000 episodes: greedy mean return ≥ 5"""
    DOUBLE_Q_TAXI.assert_learns(
        impl.attr("td", "DoubleQLearningAgent"),
        "a correct agent gets ≈ 7.8 (the grader evaluates argmax of your Q = (Q1 + Q2) / 2)",
    )


# Calibration (30 unseen seeds): reference 0.728 ± 0.027 (worst 0.632), 30/30 pass, +4.7 sd (false fail ≈ 2e-6).
# Mutants: TD-no-exploration 0.046 ± 0.061 (best 0.22), 0/10 pass; TD4-expected-sarsa-uniform 0.30 ± 0.17, 1/10
# pass (not listed; the exact checks catch it).
EXPECTED_SARSA_FROZENLAKE = ControlSpec(
    check="test_hidden_expected_sarsa_frozenlake",
    agent="ExpectedSarsaAgent",
    env_id="FrozenLake-v1",
    env_kwargs={"is_slippery": True},
    episodes=3000,
    alpha=0.1,
    gamma=0.99,
    eps_start=1.0,
    eps_end=0.01,
    eps_decay_episodes=1500,
    seed=9,
    eval_episodes=500,
    metric="success_rate",
    low=0.6,
)


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_hidden_expected_sarsa_frozenlake(impl):
    """Expected SARSA (α = 0.1, γ = 0.99) on slippery FrozenLake-v1: greedy success rate ≥ 0.6 after 3000 episodes"""
    EXPECTED_SARSA_FROZENLAKE.assert_learns(
        impl.attr("td", "ExpectedSarsaAgent"),
        "a correct agent reaches ≈ 0.73 (the optimal policy ≈ 0.74); the only reward is 1 at the goal",
    )
