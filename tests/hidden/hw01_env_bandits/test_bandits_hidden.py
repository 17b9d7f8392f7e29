"""Hidden checks of hw01's multi-armed bandit agents (``bandits.py``), run only by the graders.

They test the same specification as the public checks on other seeds, arm counts, testbeds and edge
cases (ε = 0 and ε = 1, one arm, c = 0, non-binary rewards for Thompson sampling), so tuning a
submission to the public seeds does not pay.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.harness.bandits import (
    LearningSpec,
    Testbed,
    action_frequencies,
    agent_array,
    assert_reproducible,
    binomial_tolerance,
    play,
)
from grader.harness.validate import as_float_array, close, mismatch

# ---------------------------------------------------------------------------------------------------
# Exact checks: edge cases and other states
# ---------------------------------------------------------------------------------------------------


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_eps_greedy_extreme_epsilon(impl):
    """ε-greedy: ε = 0 is purely greedy, ε = 1 is uniform, ε = 0.3 with 7 arms has the exact frequencies"""
    EpsilonGreedy = impl.attr("bandits", "EpsilonGreedy")
    updates = ((4, 0.5), (1, 0.2), (0, -1.0))  # q = [-1, 0.2, 0, 0, 0.5, 0]: arm 4 is the greedy arm

    agent = EpsilonGreedy(6, 0.0, rng=np.random.default_rng(21))
    for a, r in updates:
        agent.update(a, r)
    freq = action_frequencies(agent, 6, 3000)
    assert freq[4] == 1.0, (
        f"with ε = 0 and Q = [-1, 0.2, 0, 0, 0.5, 0], 3000 act() calls chose the arms with frequencies "
        f"{np.round(freq, 4)}; expected always arm 4 (ε = 0 never explores)"
    )

    agent = EpsilonGreedy(6, 1.0, rng=np.random.default_rng(22))
    for a, r in updates:
        agent.update(a, r)
    calls = 12000
    freq = action_frequencies(agent, 6, calls)
    tolerance = binomial_tolerance(1 / 6, calls)
    assert np.all(np.abs(freq - 1 / 6) <= tolerance), (
        f"with ε = 1 and 6 arms, {calls} act() calls chose the arms with frequencies {np.round(freq, 4)}; "
        f"expected 1/6 ≈ 0.167 each ± {tolerance:.3f} (ε = 1 picks uniformly among ALL arms)"
    )

    k, epsilon, calls = 7, 0.3, 20000
    agent = EpsilonGreedy(k, epsilon, rng=np.random.default_rng(23))
    agent.update(6, 2.0)
    freq = action_frequencies(agent, k, calls)
    expected = np.full(k, epsilon / k)
    expected[6] = 1 - epsilon + epsilon / k
    tolerance = np.array([binomial_tolerance(p, calls) for p in expected])
    assert np.all(np.abs(freq - expected) <= tolerance), (
        f"with ε = {epsilon}, k = {k} and arm 6 greedy, {calls} act() calls chose the arms with frequencies "
        f"{np.round(freq, 4)}; expected {np.round(expected, 4)} ± {np.round(tolerance, 4)}"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_single_arm(impl):
    """All agents work with a single arm (always action 0, finite UCB score, π = [1])"""
    makers = {
        "EpsilonGreedy(epsilon=0.1)": lambda rng: impl.attr("bandits", "EpsilonGreedy")(1, 0.1, rng=rng),
        "UCB1()": lambda rng: impl.attr("bandits", "UCB1")(1, rng=rng),
        "ThompsonBernoulli()": lambda rng: impl.attr("bandits", "ThompsonBernoulli")(1, rng=rng),
        "GradientBandit(alpha=0.1)": lambda rng: impl.attr("bandits", "GradientBandit")(1, 0.1, rng=rng),
    }
    agents = {}
    for label, make in makers.items():
        rng = np.random.default_rng(31)
        agent = make(np.random.default_rng(32))
        actions = play(agent, Testbed.sample("bernoulli", 1, rng), 50, rng)
        assert np.all(actions == 0), f"{label} with one arm returned actions {set(actions.tolist())}"
        agents[label] = agent
    ucb = agents["UCB1()"]
    n = agent_array(ucb, "n", 1)
    raw = ucb.scores()
    scores = as_float_array(raw, "UCB1.scores() with one arm after 50 pulls", (1,))
    expected = agent_array(ucb, "q", 1) + math.sqrt(2) * math.sqrt(math.log(50) / 50)
    assert n[0] == 50 and close(scores, expected, raw, 0.0, rtol=1e-9), (
        f"UCB1 with one arm after 50 pulls: n = {n}, scores() = {scores}; expected n = [50] and {expected}"
    )
    probs = as_float_array(agents["GradientBandit(alpha=0.1)"].probs(), "GradientBandit.probs() with one arm", (1,))
    assert np.allclose(probs, [1.0]), f"GradientBandit with one arm has probs() = {probs}; expected [1.0]"


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_thompson_rejects_bad_rewards(impl):
    """Thompson sampling update(): rewards other than 0 and 1 raise ValueError and change nothing"""
    ThompsonBernoulli = impl.attr("bandits", "ThompsonBernoulli")
    agent = ThompsonBernoulli(2, rng=np.random.default_rng(0))
    for reward in (0, 1, 0.0, 1.0, np.float64(1.0)):
        agent.update(1, reward)
    for reward in (0.5, 2.0, -1.0, 3):
        try:
            agent.update(0, reward)
        except ValueError:
            continue
        raise AssertionError(f"ThompsonBernoulli.update(0, {reward!r}) did not raise ValueError")
    alpha, beta = agent_array(agent, "alpha", 2), agent_array(agent, "beta", 2)
    assert np.array_equal(alpha, [1, 4]) and np.array_equal(beta, [1, 3]), (
        f"after rewards 0, 1, 0.0, 1.0, 1.0 from arm 1 and four rejected rewards for arm 0: alpha = {alpha}, "
        f"beta = {beta}; expected alpha = [1, 4], beta = [1, 3] (a rejected reward changes nothing)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_ucb_ties_and_c0(impl):
    """UCB1: ties among untried arms are random, and c = 0 is greedy (random among tied Q) after trying all"""
    UCB1 = impl.attr("bandits", "UCB1")
    calls = 8000
    freq = action_frequencies(UCB1(4, rng=np.random.default_rng(41)), 4, calls)
    tolerance = binomial_tolerance(0.25, calls)
    assert np.all(np.abs(freq - 0.25) <= tolerance), (
        f"a fresh UCB1 agent (all 4 arms untried, scores +inf) chose the arms with frequencies "
        f"{np.round(freq, 4)}; expected 0.25 each ± {tolerance:.3f} (random tie-break)"
    )
    agent = UCB1(5, 0.0, rng=np.random.default_rng(42))
    for a, r in ((0, 0.3), (1, 0.9), (2, 0.1), (3, 0.9), (4, -0.2)):
        agent.update(a, r)
    freq = action_frequencies(agent, 5, calls)
    tolerance = binomial_tolerance(0.5, calls)
    assert abs(freq[1] - 0.5) <= tolerance and freq[1] + freq[3] == 1.0, (
        f"UCB1 with c = 0 and Q = [0.3, 0.9, 0.1, 0.9, -0.2] (every arm tried once) chose the arms with "
        f"frequencies {np.round(freq, 4)}; expected [0, 0.5, 0, 0.5, 0] ± {tolerance:.3f}"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_ucb_scores_other_state(impl):
    """UCB1 scores() with c = 0.5 and two untried arms"""
    UCB1 = impl.attr("bandits", "UCB1")
    agent = UCB1(5, 0.5, rng=np.random.default_rng(0))
    updates = ((3, 1.0), (1, 2.0), (3, 0.0), (0, -1.0), (3, 2.0), (1, 1.0))
    for a, r in updates:
        agent.update(a, r)
    q = np.array([-1.0, 1.5, 0.0, 1.0, 0.0])
    n = np.array([1, 2, 0, 3, 0])
    tried = n > 0
    expected = np.full(5, np.inf)
    expected[tried] = q[tried] + 0.5 * np.sqrt(math.log(6) / n[tried])
    raw = agent.scores()
    got = as_float_array(raw, "UCB1.scores()", (5,), allow_posinf=True)
    assert np.all(got[~tried] == np.inf) and close(got[tried], expected[tried], raw, 1e-9, rtol=1e-9), (
        f"UCB1 with c = 0.5 after {list(updates)} (t = 6): scores() = {np.round(got, 4).tolist()}; expected "
        f"{np.round(expected, 4).tolist()}"
        + (
            f": {mismatch(got[tried], expected[tried], raw, 'scores() of the tried arms')}"
            if np.all(got[~tried] == np.inf)
            else ""
        )
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_gradient_exact_three_arms(impl):
    """Gradient bandit update with 3 arms and α = 0.25, with and without baseline"""
    GradientBandit = impl.attr("bandits", "GradientBandit")
    cases = (
        (
            True,
            ((2, 1.0), (0, 3.0), (2, -1.0), (1, 0.5), (0, 2.0)),
            [0.5233624696667533, -0.06453146626742448, -0.4588310033993288],
        ),
        (False, ((2, 1.0), (0, 3.0), (2, -1.0)), [0.5607891916052342, -0.25384631816343356, -0.3069428734418006]),
    )
    for baseline, updates, expected in cases:
        agent = GradientBandit(3, 0.25, rng=np.random.default_rng(0), baseline=baseline)
        for a, r in updates:
            agent.update(a, r)
        h = agent_array(agent, "h", 3)
        assert close(h, expected, agent.h, 1e-12, rtol=1e-9), (
            f"GradientBandit(alpha=0.25, baseline={baseline}) after the updates {list(updates)}: "
            f"{mismatch(h, expected, agent.h, 'h')}"
        )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_reproducible_sampling_agents(impl):
    """UCB1, Thompson sampling and the gradient bandit draw all randomness from their own rng"""
    UCB1 = impl.attr("bandits", "UCB1")
    ThompsonBernoulli = impl.attr("bandits", "ThompsonBernoulli")
    GradientBandit = impl.attr("bandits", "GradientBandit")
    assert_reproducible(lambda k, rng: UCB1(k, 0.0, rng=rng), "UCB1(c=0)", n_arms=6)
    assert_reproducible(lambda k, rng: ThompsonBernoulli(k, rng=rng), "ThompsonBernoulli")
    assert_reproducible(lambda k, rng: GradientBandit(k, 0.2, rng=rng), "GradientBandit(alpha=0.2)")


# ---------------------------------------------------------------------------------------------------
# Learning checks on other testbeds, arm counts and seeds
# ---------------------------------------------------------------------------------------------------

# Calibration (rlgrade calibrate hw01 → calibration/hw01_env_bandits.md; the reference on 30 unseen seeds
# 1000-1029, mutants on the first 10, "sd" over seeds of the whole check; false fail: the normal-tail estimate
# Φ(−margin), exact 95 % bound 9.5 % after 0 fails in 30): reference 81.9 ± 2.5 (worst 86.5), 30/30 pass,
# threshold at +19 sd (false fail ≈ 5e-81); graded seed 80.2. Mutant EPS-never-explores 294.9 ± 14.1
# (best 280.9), 0/10 pass.
EPS_BERNOULLI_20 = LearningSpec(
    check="test_hidden_eps_greedy_learns_bernoulli",
    agent="EpsilonGreedy",
    kwargs={"epsilon": 0.1},
    testbed="bernoulli",
    n_arms=20,
    steps=1000,
    runs=200,
    seed=2026,
    metric="regret",
    goal="below",
    threshold=130,
)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_hidden_eps_greedy_learns_bernoulli(impl):
    """ε-greedy (ε = 0.1) learns a 20-armed Bernoulli testbed: mean total regret < 130 after 1000 steps"""
    EPS_BERNOULLI_20.assert_learns(
        impl.attr("bandits", "EpsilonGreedy"), "a correct agent gets ≈ 82 (a purely greedy one ≈ 290)"
    )


# Calibration: reference 0.898 ± 0.016 (worst 0.853), 30/30 pass, threshold at +5.0 sd (false fail ≈ 3e-7);
# graded seed 0.911. Mutants (0/10 pass): UCB-no-bonus 0.651 ± 0.037 (best 0.700), BAN4-ucb-log-of-arm-count
# 0.660 ± 0.038 (best 0.724).
UCB_GAUSSIAN_20 = LearningSpec(
    check="test_hidden_ucb_learns_gaussian_20",
    agent="UCB1",
    kwargs={"c": 1.0},
    testbed="gaussian",
    n_arms=20,
    steps=1000,
    runs=200,
    seed=2026,
    mean_shift=-3.0,
    metric="optimal_last",
    goal="above",
    threshold=0.82,
)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_hidden_ucb_learns_gaussian_20(impl):
    """UCB1 (c = 1) on a 20-armed Gaussian testbed with μ ~ N(−3, 1): best arm ≥ 82% of the last 100 steps"""
    UCB_GAUSSIAN_20.assert_learns(
        impl.attr("bandits", "UCB1"),
        "a correct agent gets ≈ 0.90 (a purely greedy one ≈ 0.65)",
    )


# Calibration: reference 16.8 ± 0.9 (worst 19.2), 30/30 pass, threshold at +8.9 sd (false fail ≈ 4e-19);
# graded seed 16.4. Mutants (0/10 pass): TS-never-updates 331.1 ± 8.3 (best 313.4), TS-posterior-mean-greedy
# 62.6 ± 7.5 (best 47.3).
THOMPSON_BERNOULLI_5 = LearningSpec(
    check="test_hidden_thompson_learns_bernoulli_5",
    agent="ThompsonBernoulli",
    kwargs={},
    testbed="bernoulli",
    n_arms=5,
    steps=1000,
    runs=200,
    seed=2026,
    metric="regret",
    goal="below",
    threshold=25,
)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_hidden_thompson_learns_bernoulli_5(impl):
    """Thompson sampling learns a 5-armed Bernoulli testbed: mean total regret < 25 after 1000 steps"""
    THOMPSON_BERNOULLI_5.assert_learns(
        impl.attr("bandits", "ThompsonBernoulli"),
        "a correct agent gets ≈ 17 (choosing uniformly at random ≈ 334)",
    )


# Calibration, with baseline: reference 0.931 ± 0.012 (worst 0.906), 30/30 pass, threshold at +6.7 sd (false
# fail ≈ 1e-11); graded seed 0.905. Mutant GRAD-no-baseline 0.659 ± 0.047 (best 0.705), 0/10 pass.
GRADIENT_BASELINE_5 = LearningSpec(
    check="test_hidden_gradient_baseline_matters",
    agent="GradientBandit",
    kwargs={"alpha": 0.1},
    testbed="gaussian",
    n_arms=5,
    steps=1000,
    runs=200,
    seed=2026,
    mean_shift=4.0,
    metric="optimal_last",
    goal="above",
    threshold=0.85,
)
# Calibration, baseline=False (an upper bound: R̄ = 0 must really be used): reference 0.660 ± 0.040
# (worst 0.711), 30/30 pass, threshold at +3.6 sd (false fail ≈ 2e-4; the check's, with both specs, ≈ 2e-4);
# graded seed 0.673. Mutant GRAD-baseline-always (ignores baseline=False) 0.933 ± 0.013 (lowest 0.914), 0/10 pass.
GRADIENT_NO_BASELINE_5 = LearningSpec(
    check="test_hidden_gradient_baseline_matters",
    agent="GradientBandit",
    kwargs={"alpha": 0.1, "baseline": False},
    testbed="gaussian",
    n_arms=5,
    steps=1000,
    runs=200,
    seed=2026,
    mean_shift=4.0,
    metric="optimal_last",
    goal="below",
    threshold=0.80,
)


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_hidden_gradient_baseline_matters(impl):
    """Gradient bandit on μ ~ N(4, 1), 5 arms: best arm ≥ 85% with the baseline, < 80% with baseline=False"""
    GradientBandit = impl.attr("bandits", "GradientBandit")
    GRADIENT_BASELINE_5.assert_learns(GradientBandit, "a correct agent gets ≈ 0.93 (uniformly random: 0.20)")
    GRADIENT_NO_BASELINE_5.assert_learns(
        GradientBandit, "with baseline=False R̄ must be 0: a correct agent then gets ≈ 0.66 on this testbed"
    )
