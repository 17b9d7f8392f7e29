"""Hidden checks of hw02's Monte Carlo methods: edge cases, other episodes, seeds and ε than the public ones."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.tabular_models import (
    MCControlSpec,
    blackjack_episodes,
    checked_q,
    checked_value_dict,
)
from grader.harness.validate import as_float_array, close, float_tolerance, mismatch
from grader.oracles.tabular import first_visit_values

# Calibration (rlgrade calibrate hw02, 30 unseen seeds 1000-1029): reference -0.0662 ± 0.0043 (worst -0.0787),
# 30/30 pass, threshold at +7.8 sd (false fail ≈ 3e-15). Mutants (0/10 pass): MC3-control-last-return-only
# -0.176 ± 0.013 (best -0.158), MC5-epsilon-not-applied -0.131 ± 0.017 (best -0.106), MC5-greedy-mass-not-shared
# raises.
LEARNS_OTHER_SEED = MCControlSpec(
    check="test_hidden_mc_control_learns_blackjack_other_seed",
    epsilon=0.15,
    episodes=50_000,
    seed=31,
    threshold=-0.10,
)


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_discounted_returns_edge_cases(impl):
    """discounted_returns of an empty episode, one reward, γ = 0 and negative rewards"""
    discounted_returns = impl.attr("mc", "discounted_returns")
    for rewards, gamma, expected in (
        ([], 0.9, []),
        ([4.0], 0.3, [4.0]),
        ([1.0, 2.0, 3.0], 0.0, [1.0, 2.0, 3.0]),
        ([-1.0, -1.0, -1.0, 10.0], 0.8, [2.68, 4.6, 7.0, 10.0]),
    ):
        raw = discounted_returns(list(rewards), gamma)
        got = as_float_array(raw, "discounted_returns", (len(rewards),))
        assert close(got, expected, raw, 1e-9), (
            f"discounted_returns({rewards}, gamma={gamma}) = {got.tolist()}; expected {expected}"
            + (f": {mismatch(got, expected, raw, 'G')}" if rewards else "")
        )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_mc_prediction_other_episodes(impl):
    """mc_prediction on integer states with several revisits, γ = 0.8, both first- and every-visit"""
    mc_prediction = impl.attr("mc", "mc_prediction")
    episodes = [
        ([0, 1, 0, 1, 0, 2], [0.0, 1.0, 0.0, -2.0, 1.0, 5.0]),
        ([2, 2, 1], [1.0, 1.0, 1.0]),
        ([3], [-4.0]),
    ]
    states = {s for ep_states, _ in episodes for s in ep_states}
    for first_visit in (True, False):
        name = f"mc_prediction(..., gamma=0.8, first_visit={first_visit})"
        got = checked_value_dict(mc_prediction(episodes, 0.8, first_visit=first_visit), name, states)
        expected = first_visit_values(episodes, 0.8, first_visit)
        tol = float_tolerance(np.float32(0), 1e-9, max(abs(v) for v in expected.values()))  # float32 returns allowed
        bad = {s: round(got[s], 4) for s in expected if abs(got[s] - expected[s]) > tol}
        assert not bad, (
            f"{name} on {episodes}: wrong values {bad}; expected "
            f"{ {s: round(v, 4) for s, v in sorted(expected.items())} }"
        )


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_hidden_mc_prediction_blackjack_other_seed(impl):
    """mc_prediction on 3000 Blackjack episodes (other seed), every-visit flag (no revisits in Blackjack)"""
    mc_prediction = impl.attr("mc", "mc_prediction")
    episodes = blackjack_episodes(3000, seed=77)
    states = {s for ep_states, _ in episodes for s in ep_states}
    expected = first_visit_values(episodes, 1.0)
    for first_visit in (True, False):
        name = f"mc_prediction(blackjack episodes, 1.0, first_visit={first_visit})"
        got = checked_value_dict(mc_prediction(episodes, 1.0, first_visit=first_visit), name, states)
        worst = max(expected, key=lambda s: abs(got[s] - expected[s]))
        assert abs(got[worst] - expected[worst]) <= float_tolerance(np.float32(0), 1e-9, 1.0), (
            f"on 3000 Blackjack-v1 episodes (seed 77), γ = 1, first_visit={first_visit}: V{worst} = "
            f"{got[worst]:.5f}, expected {expected[worst]:.5f}"
        )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_eps_soft_extremes(impl):
    """policy_probs with ε = 1 (uniform), ε = 0 (greedy, ties shared) and 3 tied actions out of 5"""
    MCControlAgent = impl.attr("mc", "MCControlAgent")
    q = np.array([[1.0, -1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 2.0]])
    cases = (
        (1.0, 0, [0.2] * 5),
        (0.0, 0, [1 / 3, 0.0, 1 / 3, 1 / 3, 0.0]),
        (0.0, 1, [0.0, 0.0, 0.0, 0.0, 1.0]),
        (0.5, 0, [0.1 + 0.5 / 3, 0.1, 0.1 + 0.5 / 3, 0.1 + 0.5 / 3, 0.1]),
    )
    for epsilon, state, expected in cases:
        agent = MCControlAgent(2, 5, epsilon, 1.0, rng=np.random.default_rng(0))
        agent.q = q.copy()
        raw = agent.policy_probs(state)
        got = as_float_array(raw, f"policy_probs({state})", (5,))
        assert close(got, expected, raw, 1e-9), (
            f"with ε = {epsilon} and q[{state}] = {q[state].tolist()}, policy_probs({state}) = "
            f"{np.round(got, 4).tolist()}; expected {np.round(expected, 4).tolist()}"
        )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_mc_control_update_gamma_one(impl):
    """update_episode with γ = 1 and a pair (s, a) repeated three times in one episode"""
    MCControlAgent = impl.attr("mc", "MCControlAgent")
    agent = MCControlAgent(2, 2, 0.1, 1.0, rng=np.random.default_rng(0))
    states, actions, rewards = [0, 0, 1, 0, 0], [1, 1, 0, 1, 0], [1.0, 2.0, -1.0, 3.0, 0.5]
    agent.update_episode(states, actions, rewards)
    agent.update_episode([0], [1], [-2.0])
    # first visits: (0,1) at t=0 with G = 5.5, (1,0) at t=2 with G = 2.5, (0,0) at t=4 with G = 0.5
    expected_q = np.array([[0.5, (5.5 - 2.0) / 2], [2.5, 0.0]])
    expected_n = np.array([[1, 2], [1, 0]])
    got_q = checked_q(agent.q, "MCControlAgent.q", 2, 2)
    got_n = checked_q(agent.n, "MCControlAgent.n", 2, 2)
    assert np.array_equal(got_n, expected_n) and close(got_q, expected_q, agent.q, 1e-9), (
        f"after the episodes (states {states}, actions {actions}, rewards {rewards}) and ([0], [1], [-2]) with "
        f"γ = 1: q = {got_q.tolist()}, n = {got_n.tolist()}; expected q = {expected_q.tolist()}, n = "
        f"{expected_n.tolist()}"
        + (f" ({mismatch(got_q, expected_q, agent.q, 'q')})" if np.array_equal(got_n, expected_n) else "")
    )


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_hidden_mc_control_learns_blackjack_other_seed(impl):
    """ε-soft MC control (ε = 0.15) on Blackjack, other seeds: greedy expected return ≥ −0.10 after 50000 episodes"""
    spec = LEARNS_OTHER_SEED
    value = spec.value(impl.attr("mc", "MCControlAgent"))
    assert value >= spec.threshold, f"{spec.describe(value)}. The optimal policy scores −0.047"
