"""Public checks of hw09 part 2: tabular option-critic (``option_critic.py``).

Exact checks compare the softmax, the two gradients and one full ``OptionCritic.update`` on a hand-made transition
with the numbers worked out in this file. The learning check trains ``OptionCritic`` with the grader's own loop on
Four Rooms and compares its episode lengths at the end with those at the start. Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all
from grader.harness.options import OptionCriticSpec
from grader.harness.validate import as_bool, as_float, as_float_array, as_int, close, mismatch

OPTION_CRITIC = OptionCriticSpec(check="test_option_critic_improves", episodes=100, runs=4, seed=3, high=0.7)
LN3 = math.log(3.0)


def vector(value, what, n):
    return as_float_array(value, what, (n,))


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_softmax_and_sigmoid(impl):
    """softmax([0, ln 3]) = [0.25, 0.75], stable for logits of 1000; sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75"""
    softmax, sigmoid = impl.attr("option_critic", "softmax"), impl.attr("option_critic", "sigmoid")
    for logits, want in (
        ([0.0, LN3], [0.25, 0.75]),
        ([1000.0, 1000.0 + LN3], [0.25, 0.75]),
        ([2.0, 2.0, 2.0], [1 / 3] * 3),
    ):
        value = softmax(np.array(logits))
        got = vector(value, f"softmax({logits})", len(logits))
        assert close(got, want, value, 1e-9), f"softmax({logits}): {mismatch(got, np.array(want), value)}"
    for x, want in ((0.0, 0.5), (LN3, 0.75), (-LN3, 0.25)):
        got = as_float(sigmoid(x), f"sigmoid({x:.4g})")
        assert abs(got - want) <= 1e-9, f"sigmoid({x:.4g}) = {got}, expected {want} (1 / (1 + e^(−x)))"


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_policy_and_termination_gradients(impl):
    """policy_gradient([0, ln 3], 1, 2) = [−0.5, 0.5]; termination_gradient(0, −2) = −0.5; ln 3 logit → 0.1875·A"""
    policy_gradient = impl.attr("option_critic", "policy_gradient")
    termination_gradient = impl.attr("option_critic", "termination_gradient")
    for logits, action, advantage, want in (
        ([0.0, LN3], 1, 2.0, [-0.5, 0.5]),
        ([0.0, LN3], 0, 2.0, [1.5, -1.5]),
        ([0.0, 0.0, 0.0, 0.0], 2, -4.0, [1.0, 1.0, -3.0, 1.0]),
    ):
        value = policy_gradient(np.array(logits), action, advantage)
        got = vector(value, "policy_gradient(...)", len(logits))
        assert close(got, want, value, 1e-9), (
            f"policy_gradient(logits={logits}, action={action}, advantage={advantage:g}): "
            f"{mismatch(got, np.array(want), value)}; (onehot(action) − softmax(logits)) · advantage = {want}"
        )
    for logit, advantage, want in ((0.0, -2.0, -0.5), (LN3, 1.0, 0.1875), (-LN3, 4.0, 0.75)):
        got = as_float(termination_gradient(logit, advantage), "termination_gradient(...)")
        assert abs(got - want) <= 1e-9, (
            f"termination_gradient({logit:.4g}, {advantage:g}) = {got:.6g}, expected {want} (σ(1 − σ) · advantage "
            f"with σ = {1 / (1 + math.exp(-logit)):g})"
        )


def small_agent(cls, vartheta_01: float = 0.0):
    """3 states, 2 options, 2 actions; α_critic = 0.5, α_θ = 1, α_β = 0.5, γ = 0.9, ε = 0, with hand-set tables."""
    agent = cls(3, 2, 2, 0.5, 1.0, 0.5, 0.9, 0.0, rng=np.random.default_rng(0))
    for name, shape in (("theta", (2, 3, 2)), ("vartheta", (2, 3)), ("Q_omega", (3, 2)), ("Q_u", (3, 2, 2))):
        got = as_float_array(getattr(agent, name, None), f"OptionCritic.{name}", shape)
        assert not got.any(), f"a fresh OptionCritic.{name} must be zeros of shape {shape}, got {got.tolist()}"
    theta, vartheta, q_omega, q_u = np.zeros((2, 3, 2)), np.zeros((2, 3)), np.zeros((3, 2)), np.zeros((3, 2, 2))
    theta[1, 0] = [0.0, LN3]
    vartheta[0, 1] = vartheta_01
    q_omega[2] = [4.0, 2.0]
    q_omega[0, 1] = 0.7
    q_u[0, 1, 0] = 1.7
    agent.theta, agent.vartheta, agent.Q_omega, agent.Q_u = theta, vartheta, q_omega, q_u  # whole arrays (sandbox)
    return agent


# Step s=0, o=1, a=0, r=1, s'=2. β' = σ(0) = 0.5, U = 0.5·Q_Ω[2,1] + 0.5·max Q_Ω[2] = 0.5·2 + 0.5·4 = 3,
# target = 1 + 0.9·3 = 3.7. Q_U[0,1,0] = 1.7 + 0.5·2 = 2.7; Q_Ω[0,1] = 0.7 + 0.5·3 = 2.2; A_U = 0.5;
# θ[1,0] += 1·(onehot(0) − [0.25, 0.75])·0.5 = [0.375, −0.375]; A_Ω = 2 − 4 = −2: ϑ[1,2] −= 0.5·0.25·(−2) → 0.25.
# Terminated: target = 1: Q_U → 1.35, Q_Ω → 0.85, A_U = 0.5 again, ϑ unchanged.
UPDATES = {
    False: {"Q_u": (0, 1, 0, 2.7), "Q_omega": (0, 1, 2.2), "theta": (1, 0, 0, 0.375), "vartheta": (1, 2, 0.25)},
    True: {"Q_u": (0, 1, 0, 1.35), "Q_omega": (0, 1, 0.85), "theta": (1, 0, 0, 0.375), "vartheta": (1, 2, 0.0)},
}


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_option_critic_update(impl):
    """One update on a hand-made transition: critic target 3.7, Q_U 2.7, Q_Ω 2.2, θ += [0.375, −0.375], ϑ 0 → 0.25"""
    cls = impl.attr("option_critic", "OptionCritic")
    for terminated, changes in UPDATES.items():
        agent = small_agent(cls)
        expected = {name: np.array(getattr(agent, name), dtype=float) for name in changes}
        for name, (*where, value) in changes.items():
            expected[name][tuple(where)] = value
        expected["theta"][1, 0, 1] = LN3 - 0.375
        agent.update(0, 1, 0, 1.0, 2, terminated)
        for name, want in expected.items():
            raw = getattr(agent, name, None)
            got = as_float_array(raw, f"OptionCritic.{name}", want.shape)
            assert close(got, want, raw, 1e-9), (
                f"OptionCritic.update(s=0, o=1, a=0, r=1, s'=2, terminated={terminated}) with α_critic = 0.5, α_θ = 1, "
                f"α_β = 0.5, γ = 0.9, θ[1, 0] = [0, ln 3], ϑ = 0, Q_Ω[2] = [4, 2], Q_Ω[0, 1] = 0.7, Q_U[0, 1, 0] = "
                f"1.7: {mismatch(got, want, raw, name)} (steps 1-4 of OptionCritic's docstring, in that order: the "
                "critic first, then θ with A_U = Q_U − Q_Ω after the critic's step, then ϑ unless terminated)"
            )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_option_critic_sampling(impl):
    """act samples softmax(θ[o, s]) (0.25/0.75); terminates is True with probability σ(ϑ) (0.75); greedy options"""
    agent = small_agent(impl.attr("option_critic", "OptionCritic"), vartheta_01=LN3)
    calls = 2000
    actions = [as_int(a, "OptionCritic.act(0, 1)", 0, 2) for a in call_all([(agent.act, (0, 1))] * calls)]
    stops = [as_bool(b, "OptionCritic.terminates(1, 0)") for b in call_all([(agent.terminates, (1, 0))] * calls)]
    tolerance = binomial_tolerance(0.75, calls)
    for what, freq in (("act(0, 1) chose action 1", np.mean(actions)), ("terminates(1, 0) was True", np.mean(stops))):
        assert abs(freq - 0.75) <= tolerance, (
            f"OptionCritic.{what} in {freq:.3f} of {calls} calls, expected 0.75 ± {tolerance:.3f} (softmax([0, ln 3]) "
            "= [0.25, 0.75]; σ(ln 3) = 0.75), drawn with the agent's rng"
        )
    options = {as_int(o, "choose_option(2)", 0, 2) for o in call_all([(agent.choose_option, (2,))] * 200)}
    assert options == {0}, f"with ε = 0 and Q_Ω[2] = [4, 2], choose_option(2) must return 0, got {sorted(options)}"


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_option_critic_improves(impl):
    """Option-critic, 100 episodes on Four Rooms: its options reach the goal in ≤ 0.7× the steps of untrained ones"""
    OPTION_CRITIC.assert_learns(
        impl.attr("option_critic", "OptionCritic"),
        "the exact checks of update, the gradients and the sampling say which part differs",
    )
