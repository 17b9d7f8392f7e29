"""Hidden checks of hw09 part 1 (``options.py``): run_option with other γ, paths and a time limit that ends the
episode on the goal step, a random termination (β = 0.5: k geometric), SMDP and intra-option updates with other
numbers (a self-loop step, an unavailable best option), and the learning checks on other seeds and the
deterministic Four Rooms."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.four_rooms import N_STATES, index
from grader.harness.options import OptionsSpec, assert_option_result, option_trial_checked
from grader.harness.validate import as_float_array, close, mismatch

UP, RIGHT, DOWN = 0, 1, 2

SMDP_DETERMINISTIC = OptionsSpec(
    check="test_hidden_smdp_options_beat_primitives_deterministic",
    agent="SMDPQLearning",
    against="primitives",
    episodes=20,
    runs=10,
    seed=21,
    high=0.8,
    env_kwargs={"success_prob": 1.0, "start": (1, 1)},
)
INTRA_OTHER_SEED = OptionsSpec(
    check="test_hidden_intra_options_beat_primitives_other_seed",
    agent="IntraOptionQLearning",
    against="untrained",
    episodes=20,
    runs=6,
    seed=22,
    high=0.85,
)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_run_option_other_paths(impl):
    """run_option with γ = 0.5: 5 steps down (R = 0.0625), 3 up (R = 0.25); a time limit on the goal step"""
    run_option = impl.attr("options", "run_option")
    zeros = np.zeros(N_STATES)
    for start, action, gamma, max_steps, want in (
        ((2, 9), DOWN, 0.5, 1000, (index((7, 9)), 0.0625, 5, True, False)),
        ((10, 9), UP, 0.5, 1000, (index((7, 9)), 0.25, 3, True, False)),
        ((4, 9), DOWN, 0.9, 3, (index((7, 9)), 0.81, 3, True, True)),
    ):
        got, steps, after = option_trial_checked(run_option, start, action, zeros, gamma, max_steps)
        setting = (
            f"from {start}, action {action} everywhere, β = 0, γ = {gamma}, time limit {max_steps} steps "
            "(return the env's terminated and truncated flags of the last step as they are)"
        )
        assert_option_result(got, steps, after, want, setting)


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_hidden_run_option_random_termination(impl):
    """run_option with β = 0.5 everywhere: k is geometric (mean 2, P(k = 1) = 0.5) over 300 generators"""
    run_option = impl.attr("options", "run_option")
    beta = np.full(N_STATES, 0.5)
    ks = []
    for seed in range(300):
        got, steps, after = option_trial_checked(run_option, (1, 1), RIGHT, beta, 0.9, 1000, rng_seed=seed)
        assert after == 0 and got[2] == steps, f"run_option returned k = {got[2]} after {steps} env steps"
        ks.append(got[2])
    ks_arr = np.array(ks)
    share, mean = float(np.mean(ks_arr == 1)), float(ks_arr.mean())
    assert abs(share - 0.5) <= 0.13 and abs(mean - 2.0) <= 0.4, (
        f"with β = 0.5 in every state, 300 executions of an option (rng = default_rng(seed), seeds 0-299) stopped "
        f"after 1 step in {share:.2f} of them (expected 0.5) and lasted {mean:.2f} steps on average (expected 2): "
        "after each step draw u = rng.random() and stop if u < beta[s']"
    )


def learner(cls, gamma=0.8):
    """Options 0-2 over 3 states; option 2 is not available in state 1; α = 0.25, ε = 0."""
    initiation = np.ones((3, 3), dtype=bool)
    initiation[2, 1] = False
    policy = np.array([[1, 1, 0], [0, 0, 0], [1, 1, 1]], dtype=np.int64)
    beta = np.array([[0.0, 0.4, 1.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5]])
    return cls(initiation, policy, beta, 0.25, gamma, 0.0, rng=np.random.default_rng(0))


def assert_q(agent, expected, setting):
    raw = getattr(agent, "Q", None)
    got = as_float_array(raw, f"{type(agent).__name__}.Q", expected.shape)
    assert close(got, expected, raw, 1e-9), (
        f"{setting}: {mismatch(got, expected, raw, 'Q')}; Q after {np.round(got, 6).tolist()}, expected "
        f"{np.round(expected, 6).tolist()}"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_smdp_update_other_numbers(impl):
    """SMDP update with α = 0.25, γ = 0.8: k = 2 (1.355), k = 1 (a primitive), an unavailable best option in s'"""
    cls = impl.attr("options", "SMDPQLearning")
    start = np.array([[1.0, 0.0, 0.0], [3.0, -1.0, 10.0], [0.0, 0.5, 2.0]])
    # s'=1: option 2 (10) unavailable, max = 3. k=2: target 0.5 + 0.64·3 = 2.42 → 1 + 0.25·1.42 = 1.355.
    # k=1 from s=2, o=1: target −1 + 0.8·3 = 1.4 → 0.5 + 0.25·0.9 = 0.725.
    for s, o, ret, k, want in ((0, 0, 0.5, 2, 1.355), (2, 1, -1.0, 1, 0.725)):
        agent = learner(cls)
        agent.Q = start.copy()
        agent.update(s, o, ret, k, 1, False)
        expected = start.copy()
        expected[s, o] = want
        assert_q(
            agent,
            expected,
            f"update(s={s}, o={o}, R={ret}, k={k}, s'=1, terminated=False), α = 0.25, γ = 0.8, Q[1] = [3, −1, 10] "
            "with option 2 unavailable in state 1 (target R + γ^k max over the options available in s')",
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_intra_update_self_loop(impl):
    """Intra-option update: a self-loop step (U from the table before the step), an option unavailable in s"""
    cls = impl.attr("options", "IntraOptionQLearning")
    # s = s' = 0, a = 1, r = 0, γ = 0.9. Consistent in state 0: options 0 and 2 (policy[:, 0] = [1, 0, 1]).
    # Q[0] = [6, 4, 2], max available in 0 = 6. Option 0, β(0) = 0: U = 6, target 5.4 → 6 + 0.25·(−0.6) = 5.85.
    # Option 2, β(0) = 0.5: U = 0.5·2 + 0.5·6 = 4, target 3.6 → 2 + 0.25·1.6 = 2.4.
    agent = learner(cls, gamma=0.9)
    agent.Q = np.array([[6.0, 4.0, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    expected = agent.Q.copy()
    expected[0] = [5.85, 4.0, 2.4]
    agent.update(0, 1, 0.0, 0, False)
    # Then s = 1, a = 1, r = 1, s' = 2: option 2 would take action 1 in state 1 but may not start there
    # (initiation[2, 1] is False): only option 0 is consistent. β_0(2) = 1: U = max Q[2] = 1, target 1.9,
    # Q[1, 0] = 0 + 0.25·1.9 = 0.475.
    agent.update(1, 1, 1.0, 2, False)
    expected[1, 0] = 0.475
    assert_q(
        agent,
        expected,
        "update(s=0, a=1, r=0, s'=0, terminated=False), α = 0.25, γ = 0.9, Q[0] = [6, 4, 2], policy[:, 0] = "
        "[1, 0, 1], β[:, 0] = [0, 1, 0.5] (options 0 and 2 are consistent; each U uses Q as it was before this "
        "step's updates, even though s' = s), then update(s=1, a=1, r=1, s'=2, terminated=False) (option 2 takes "
        "action 1 in state 1 but is not available there: only option 0 is consistent)",
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_smdp_options_beat_primitives_deterministic(impl):
    """SMDP Q-learning, deterministic Four Rooms, other seed: options ∪ primitives ≤ 0.8× the steps of primitives"""
    SMDP_DETERMINISTIC.assert_learns(impl.attr("options", "SMDPQLearning"), "see the exact checks of SMDPQLearning")


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_intra_options_beat_primitives_other_seed(impl):
    """Intra-option Q-learning, other seed: options ∪ primitives ≤ 0.85× the evaluation steps of an untrained table"""
    INTRA_OTHER_SEED.assert_learns(
        impl.attr("options", "IntraOptionQLearning"), "see the exact checks of IntraOptionQLearning"
    )
