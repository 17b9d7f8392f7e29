"""Public checks of hw02's Monte Carlo methods (``mc.py``).

Exact component checks compare your functions with expected values on given episodes (returns, first- vs
every-visit averages, ε-soft probabilities, control updates); the values that are not written here are in
``expected.json`` beside this file, computed in the course repo by the grader's own code. The Blackjack checks run
the environment in the grader (``grader/harness/tabular_models.py``): it generates the episodes, or it drives
your agent's ``act``/``update_episode`` and then plays the greedy policy of your ``q``.
"""

from __future__ import annotations

import hashlib

import gymnasium as gym
import numpy as np
import pytest

from grader.golden import expected
from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all
from grader.harness.tabular_models import MCControlSpec, blackjack_episodes, checked_q, checked_value_dict
from grader.harness.validate import as_float_array, as_int, close, float_tolerance, mismatch

LOOP_EPISODES = [
    (["A", "B", "A", "C"], [1.0, 0.0, 2.0, 3.0]),
    (["B", "A", "B", "B"], [0.0, -1.0, 4.0, 1.0]),
]
"""Two episodes that revisit states; with γ = 1: first-visit V = {A: 5.5, B: 4.5, C: 3}, every-visit
V = {A: 4.75, B: 4.0, C: 3}."""
BLACKJACK_EPISODES = {"n": 5000, "seed": 11}  # of the policy 'stick on 20 or 21'
UPDATE_EPISODES = [  # (states, actions, rewards)
    ([0, 1, 0, 2, 0], [1, 0, 1, 1, 1], [1.0, -1.0, 2.0, 0.0, 3.0]),
    ([1, 0, 0], [0, 1, 1], [0.5, 1.0, -2.0]),
]

# Calibration (rlgrade calibrate hw02 → calibration/hw02_tabular.md, 30 unseen seeds 1000-1029): reference
# -0.0715 ± 0.0059 (worst -0.0846), 30/30 pass, threshold at +4.8 sd (false fail ≈ 7e-7; exact 95 % bound 9.5 %).
# Mutants (10 seeds, 0/10 pass): MC3-control-last-return-only -0.168 ± 0.012 (best -0.154); MC5-epsilon-not-applied
# -0.131 ± 0.017 (best -0.106, only -1.85 sd below: a pass ≈ 3 % by the normal estimate; the exact checks catch
# it too); MC5-greedy-mass-not-shared raises.
LEARNS = MCControlSpec(
    check="test_mc_control_learns_blackjack",
    epsilon=0.1,
    episodes=50_000,
    seed=7,
    threshold=-0.10,
)


def episodes_digest(episodes: list) -> str:
    """A digest of generated episodes: the expected values of expected.json hold for exactly these."""
    return hashlib.sha256(repr(episodes).encode()).hexdigest()[:16]


def rounded(values: dict) -> dict:
    """``values`` sorted by state, rounded to 4 digits, for messages."""
    return {s: round(v, 4) for s, v in sorted(values.items())}


# mc_prediction returns plain floats, but may average float32 returns (discounted_returns returns a "float array"):
# its values are compared to float32 precision, 64 roundings of their size.
RETURNS_PRECISION = np.float32(0)


def value_dict(mc_prediction, episodes, gamma: float, first_visit: bool) -> dict:
    """Call the code under test and validate its answer against the states of ``episodes``."""
    states = {s for ep_states, _ in episodes for s in ep_states}
    name = f"mc_prediction(..., gamma={gamma}, first_visit={first_visit})"
    return checked_value_dict(mc_prediction(episodes, gamma, first_visit=first_visit), name, states)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_discounted_returns(impl):
    """discounted_returns: G_t = R_{t+1} + γ G_{t+1}, computed backwards"""
    discounted_returns = impl.attr("mc", "discounted_returns")
    noisy = np.random.default_rng(3).normal(size=12).round(2).tolist()
    for rewards, gamma in (([1.0, 0.0, 2.0], 0.5), ([0.0, 0.0, 0.0, 1.0], 0.9), (noisy, 0.95), (noisy, 1.0)):
        expected = np.array([sum(gamma**k * r for k, r in enumerate(rewards[t:])) for t in range(len(rewards))])
        raw = discounted_returns(list(rewards), gamma)
        got = as_float_array(raw, "discounted_returns", (len(rewards),))
        assert close(got, expected, raw, 1e-9), (
            f"discounted_returns({rewards}, gamma={gamma}): {mismatch(got, expected, raw, 'G')}; all of G = "
            f"{np.round(got, 4).tolist()}, expected {np.round(expected, 4).tolist()} (G_t sums the rewards from step t "
            "on: R_(t+1) + γ R_(t+2) + ...)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_mc_prediction_first_vs_every_visit(impl):
    """mc_prediction: first-visit and every-visit averages differ on episodes that revisit a state"""
    mc_prediction = impl.attr("mc", "mc_prediction")
    for gamma in (1.0, 0.9):
        for first_visit in (True, False):
            got = value_dict(mc_prediction, LOOP_EPISODES, gamma, first_visit)
            want = expected(__file__, "mc_loop_episodes")[f"{gamma}/{first_visit}"]
            tol = float_tolerance(RETURNS_PRECISION, 1e-9, max(abs(v) for v in want.values()))
            bad = [s for s in want if abs(got[s] - want[s]) > tol]
            assert not bad, (
                f"mc_prediction on the episodes {LOOP_EPISODES} with γ = {gamma}, first_visit={first_visit}: got "
                f"{rounded(got)}, expected {rounded(want)}. "
                + (
                    "First-visit MC averages one return per episode: the one after the FIRST visit"
                    if first_visit
                    else "Every-visit MC averages the returns after ALL visits"
                )
            )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_mc_prediction_blackjack(impl):
    """mc_prediction on 5000 Blackjack episodes of the policy 'stick on 20 or 21' (S&B example 5.1)"""
    mc_prediction = impl.attr("mc", "mc_prediction")
    episodes = blackjack_episodes(**BLACKJACK_EPISODES)
    want = expected(__file__, "mc_blackjack")
    assert episodes_digest(episodes) == want["digest"], (
        f"this machine's Gymnasium {gym.__version__} deals other Blackjack-v1 episodes (seed 11) than the course's: "
        "the expected values do not apply. Install the versions of the course's pyproject.toml"
    )
    got = {str(s): v for s, v in value_dict(mc_prediction, episodes, 1.0, True).items()}
    error = {s: abs(got[s] - want["values"][s]) for s in want["values"]}
    worst = max(error, key=error.get)
    assert error[worst] <= float_tolerance(RETURNS_PRECISION, 1e-9, max(abs(v) for v in want["values"].values())), (
        f"on 5000 Blackjack-v1 episodes (seed 11) of the policy 'stick on 20 or 21', γ = 1: V{worst} = "
        f"{got[worst]:.5f}, but the mean of its first-visit returns is {want['values'][worst]:.5f} "
        f"({len(want['values'])} states visited). States are tuples (player_sum, dealer_card, usable_ace)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_eps_soft_policy_probs(impl):
    """MCControlAgent.policy_probs: ε/|A| everywhere plus (1 − ε) shared by the greedy actions"""
    MCControlAgent = impl.attr("mc", "MCControlAgent")
    agent = MCControlAgent(3, 4, 0.2, 1.0, rng=np.random.default_rng(0))
    agent.q = np.array([[0.0, 1.0, 1.0, 0.5], [0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    expected = {0: [0.05, 0.45, 0.45, 0.05], 1: [0.05, 0.05, 0.85, 0.05], 2: [0.25, 0.25, 0.25, 0.25]}
    for state, probs in expected.items():
        raw = agent.policy_probs(state)
        got = as_float_array(raw, f"policy_probs({state})", (4,))
        assert close(got, probs, raw, 1e-9), (
            f"with ε = 0.2 and q[{state}] = {agent.q[state].tolist()}, policy_probs({state}) = "
            f"{np.round(got, 4).tolist()}; expected {probs}: ε/|A| = 0.05 for every action plus 1 − ε = 0.8 split "
            "equally among the greedy ones"
        )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_eps_soft_act_frequencies(impl):
    """MCControlAgent.act draws actions with the probabilities of policy_probs"""
    MCControlAgent = impl.attr("mc", "MCControlAgent")
    agent = MCControlAgent(2, 4, 0.3, 1.0, rng=np.random.default_rng(5))
    agent.q = np.array([[0.0, 2.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    calls = 8000
    counts = np.bincount([as_int(a, "act(0)", 0, 4) for a in call_all([(agent.act, (0,))] * calls)], minlength=4)
    freq = counts / calls
    expected = np.array([0.075, 0.775, 0.075, 0.075])
    tolerance = np.array([binomial_tolerance(p, calls) for p in expected])
    assert np.all(np.abs(freq - expected) <= tolerance), (
        f"with ε = 0.3 and q[0] = [0, 2, 0, 1], {calls} calls of act(0) gave the frequencies {np.round(freq, 4)}; "
        f"expected {expected.tolist()} ± {np.round(tolerance, 4).tolist()}"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_mc_control_update_first_visit(impl):
    """MCControlAgent.update_episode: first-visit sample averages of the returns of (s, a)"""
    MCControlAgent = impl.attr("mc", "MCControlAgent")
    agent = MCControlAgent(3, 2, 0.1, 0.9, rng=np.random.default_rng(0))
    for states, actions, rewards in UPDATE_EPISODES:
        agent.update_episode(list(states), list(actions), list(rewards))
    want = expected(__file__, "mc_control_update")
    q, n = np.array(want["q"]), np.array(want["n"])
    got_q = checked_q(agent.q, "MCControlAgent.q", 3, 2)
    got_n = checked_q(agent.n, "MCControlAgent.n", 3, 2)
    assert np.array_equal(got_n, n), (
        f"after update_episode on the episodes (states, actions, rewards) {UPDATE_EPISODES} with γ = 0.9: n = "
        f"{got_n.tolist()}; expected {n.tolist()}: one count per pair (s, a) per episode, at its first visit"
    )
    assert close(got_q, q, agent.q, 1e-9), (
        f"after update_episode on the episodes (states, actions, rewards) {UPDATE_EPISODES} with γ = 0.9 (n = "
        f"{got_n.tolist()} as expected): {mismatch(got_q, q, agent.q, 'q')}; all of q = {got_q.tolist()}, expected "
        f"{q.tolist()} (the mean of the returns after the first visit of each pair (s, a) in each episode)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_mc_control_learns_blackjack(impl):
    """ε-soft MC control on Blackjack: greedy policy's expected return ≥ −0.10 after 50000 episodes"""
    spec = LEARNS
    value = spec.value(impl.attr("mc", "MCControlAgent"))
    assert value >= spec.threshold, (
        f"{spec.describe(value)}. For scale: the policy 'stick on 20 or 21' scores about −0.35, the optimal "
        "policy −0.047, an agent that never explores (ε ignored) −0.12 to −0.17"
    )
