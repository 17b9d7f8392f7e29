"""Hidden checks of hw09 part 2 (``option_critic.py``): the two gradient theorems of option-critic checked exactly
on a tiny MDP (your per-sample gradients, weighted by the grader's exact occupancies and values, must equal finite
differences of the exact option values), an update with other numbers, and the learning check on another seed
and the deterministic Four Rooms."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.calls import call_all
from grader.harness.options import OptionCriticSpec
from grader.harness.validate import as_float, as_float_array, close, mismatch
from grader.oracles.options import OptionMDP, numeric_gradient, occupancy, option_values

OPTION_CRITIC_DETERMINISTIC = OptionCriticSpec(
    check="test_hidden_option_critic_improves_deterministic",
    episodes=100,
    runs=4,
    seed=31,
    high=0.7,
    env_kwargs={"success_prob": 1.0, "start": None},
)
S, A, O = 3, 3, 2  # noqa: E741 - states, actions, options
START = (0, 1)  # the pair (s0, o0) whose value Q_Ω(s0, o0) is differentiated


def tiny_mdp() -> tuple[OptionMDP, np.ndarray, np.ndarray]:
    """A 3-state MDP (state 2 terminal), 3 actions, 2 options, with fixed random dynamics and parameters."""
    rng = np.random.default_rng(2017)
    P = rng.dirichlet(np.ones(S), size=(S, A))
    R = rng.normal(0.0, 2.0, size=(S, A))
    mdp = OptionMDP(P, R, np.array([False, False, True]), rng.dirichlet(np.ones(O), size=S), 0.9)
    return mdp, rng.normal(size=(O, S, A)), rng.normal(size=(O, S))


def exact_quantities() -> tuple:
    """(mdp, θ, ϑ, Q_Ω, Q_U, occupancy of the pairs from START, π) of :func:`tiny_mdp`, computed by the oracle."""
    mdp, theta, vartheta = tiny_mdp()
    q_omega, q_u = option_values(mdp, theta, vartheta)
    pi = np.exp(theta) / np.exp(theta).sum(-1, keepdims=True)
    return mdp, theta, vartheta, q_omega, q_u, occupancy(mdp, theta, vartheta)[START], pi


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_hidden_policy_gradient_theorem_tiny_mdp(impl):
    """Σ_(s,o) μ(s, o) Σ_a π(a|s, o) policy_gradient(θ[o, s], a, Q_U(s, o, a)) = ∂Q_Ω(s0, o0)/∂θ (finite differences)"""
    policy_gradient = impl.attr("option_critic", "policy_gradient")
    mdp, theta, vartheta, _, q_u, mu, pi = exact_quantities()
    keys = [(o, s, a) for o in range(O) for s in range(S) for a in range(A)]
    grads = call_all([(policy_gradient, (theta[o, s].copy(), a, float(q_u[s, o, a]))) for o, s, a in keys])
    theorem = np.zeros_like(theta)
    for (o, s, a), value in zip(keys, grads, strict=True):
        g = as_float_array(value, "policy_gradient(...)", (A,))
        theorem[o, s] += mu[s, o] * pi[o, s, a] * g
    exact = numeric_gradient(lambda th: option_values(mdp, th, vartheta)[0][START], theta)
    assert close(theorem, exact, theorem, 1e-7), (
        "on a 3-state MDP with 2 options, the intra-option policy gradient theorem Σ_(s,o) μ(s, o | s0, o0) Σ_a "
        "π_o(a|s) · policy_gradient(θ[o, s], a, Q_U(s, o, a)) with your policy_gradient does not equal the "
        f"derivative of Q_Ω(s0, o0) by finite differences: {mismatch(theorem, exact, theorem, 'gradient')}; "
        "policy_gradient must be ∂ log π(a)/∂θ · advantage"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_hidden_termination_gradient_theorem_tiny_mdp(impl):
    """−γ Σ μ(s, o) P_o(s → s') termination_gradient(ϑ[o, s'], Q_Ω(s', o) − V_Ω(s')) = ∂Q_Ω(s0, o0)/∂ϑ"""
    termination_gradient = impl.attr("option_critic", "termination_gradient")
    mdp, theta, vartheta, q_omega, _, mu, pi = exact_quantities()
    v = (mdp.pi_omega * q_omega).sum(1)
    keys = [(o, s2) for o in range(O) for s2 in range(S)]
    grads = call_all(
        [(termination_gradient, (float(vartheta[o, s2]), float(q_omega[s2, o] - v[s2]))) for o, s2 in keys]
    )
    theorem = np.zeros_like(vartheta)
    for (o, s2), value in zip(keys, grads, strict=True):
        reach = sum(mu[s, o] * (pi[o, s] @ mdp.P[s])[s2] for s in range(S)) * (not mdp.terminal[s2])
        theorem[o, s2] = -mdp.gamma * reach * as_float(value, "termination_gradient(...)")
    exact = numeric_gradient(lambda vt: option_values(mdp, theta, vt)[0][START], vartheta)
    assert close(theorem, exact, theorem, 1e-7), (
        "on a 3-state MDP with 2 options, the termination gradient theorem −γ Σ μ(s, o | s0, o0) P_o(s → s') · "
        "termination_gradient(ϑ[o, s'], Q_Ω(s', o) − V_Ω(s')) with your termination_gradient does not equal the "
        f"derivative of Q_Ω(s0, o0) by finite differences: {mismatch(theorem, exact, theorem, 'gradient')}; "
        "termination_gradient must be ∂β/∂ϑ · advantage = σ(1 − σ) · advantage"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_option_critic_update_other_numbers(impl):
    """One update with γ = 0.5, ϑ' = ln 3 (β' = 0.75), the executing option best in s' (A_Ω = 0: ϑ unchanged)"""
    cls = impl.attr("option_critic", "OptionCritic")
    agent = cls(2, 2, 3, 0.2, 0.5, 1.0, 0.5, 0.0, rng=np.random.default_rng(0))
    vartheta, q_u = np.zeros((2, 2)), np.zeros((2, 2, 3))
    vartheta[0, 1] = np.log(3.0)
    q_u[0, 0, 2] = 2.0
    agent.theta, agent.vartheta, agent.Q_omega, agent.Q_u = (
        np.zeros((2, 2, 3)),
        vartheta,
        np.array([[1.0, 0.0], [6.0, 2.0]]),
        q_u,
    )
    # s=0, o=0, a=2, r=−1, s'=1. U = 0.25·6 + 0.75·6 = 6, target = −1 + 0.5·6 = 2.
    # Q_U[0,0,2] = 2 + 0.2·0 = 2; Q_Ω[0,0] = 1 + 0.2·1 = 1.2; A_U = 0.8; π = 1/3 each:
    # θ[0,0] += 0.5·([0, 0, 1] − 1/3)·0.8 = [−0.4/3, −0.4/3, 0.8/3]; A_Ω = 6 − 6 = 0: ϑ unchanged.
    agent.update(0, 0, 2, -1.0, 1, False)
    want = {
        "Q_u": ((2, 2, 3), (0, 0, 2), 2.0),
        "Q_omega": ((2, 2), (0, 0), 1.2),
        "vartheta": ((2, 2), (0, 1), float(np.log(3.0))),
    }
    for name, (shape, where, value) in want.items():
        raw = getattr(agent, name, None)
        got = as_float_array(raw, f"OptionCritic.{name}", shape)
        assert close(got[tuple(where)], value, raw, 1e-9), (
            f"OptionCritic.update(s=0, o=0, a=2, r=−1, s'=1) with α_critic = 0.2, γ = 0.5, ϑ[0, 1] = ln 3, Q_Ω = "
            f"[[1, 0], [6, 2]], Q_U[0, 0, 2] = 2: {name}{list(where)} = {got[tuple(where)]:.6g}, expected {value:.6g}"
        )
    raw = agent.theta
    got = as_float_array(raw, "OptionCritic.theta", (2, 2, 3))
    want_theta = np.array([-0.4 / 3, -0.4 / 3, 0.8 / 3])
    assert close(got[0, 0], want_theta, raw, 1e-9), (
        f"θ[0, 0] after the update: {mismatch(got[0, 0], want_theta, raw, 'theta[0, 0]')} (α_θ · (onehot(a) − π) · "
        "(Q_U[s, o, a] − Q_Ω[s, o]) with the critic's values after its step: A_U = 2 − 1.2 = 0.8)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_option_critic_improves_deterministic(impl):
    """Option-critic on the deterministic Four Rooms, other seed: ≤ 0.7× the evaluation steps of untrained options"""
    OPTION_CRITIC_DETERMINISTIC.assert_learns(
        impl.attr("option_critic", "OptionCritic"), "see the exact checks of option_critic.py"
    )
