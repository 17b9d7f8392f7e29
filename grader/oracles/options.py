"""The grader's own hw09 answers (course-only, never released): exact option values on a small MDP and their
derivatives, for the gradient theorems of option-critic (Bacon, Harb & Precup 2017).

The MDP: ``P[s, a, s']``, ``R[s, a]``, ``terminal[s]`` (no value after entering it). Options: softmax policies
``θ[o, s, a]``, sigmoid terminations ``ϑ[o, s]``, and a fixed policy over options ``pi_omega[s, o]`` used when an
option terminates. On the pairs x = (s, o) the values solve

    Q_Ω(s, o) = Σ_a π_o(a|s) [R(s, a) + γ Σ_s' P(s'|s, a) (1 − terminal(s')) U(s', o)]
    U(s', o)  = (1 − β_o(s')) Q_Ω(s', o) + β_o(s') V_Ω(s'),   V_Ω(s') = Σ_o' pi_omega(o'|s') Q_Ω(s', o')

i.e. Q_Ω = r + γ M Q_Ω with M the transition matrix of the pairs; the discounted occupancy of the pairs is
(I − γM)⁻¹.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OptionMDP:
    P: np.ndarray  # (S, A, S)
    R: np.ndarray  # (S, A)
    terminal: np.ndarray  # (S,) bool
    pi_omega: np.ndarray  # (S, O)
    gamma: float


def _softmax(theta: np.ndarray) -> np.ndarray:
    z = np.exp(theta - theta.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def pair_chain(mdp: OptionMDP, theta: np.ndarray, vartheta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M (S·O, S·O), r (S·O,)) over pairs x = s·O + o."""
    n_options, n_states, _ = theta.shape
    pi = _softmax(theta)  # (O, S, A)
    beta = 1.0 / (1.0 + np.exp(-vartheta))  # (O, S)
    live = 1.0 - mdp.terminal.astype(float)
    m = np.zeros((n_states, n_options, n_states, n_options))
    r = np.zeros((n_states, n_options))
    for s in range(n_states):
        for o in range(n_options):
            r[s, o] = pi[o, s] @ mdp.R[s]
            reach = (pi[o, s] @ mdp.P[s]) * live  # (S,) probability of s' (non-terminal)
            m[s, o, :, o] += reach * (1.0 - beta[o])
            m[s, o] += (reach * beta[o])[:, None] * mdp.pi_omega
    size = n_states * n_options
    return m.reshape(size, size), r.reshape(size)


def option_values(mdp: OptionMDP, theta: np.ndarray, vartheta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Q_Ω (S, O), Q_U (S, O, A)) of the options (module docstring)."""
    n_options, n_states, _ = theta.shape
    m, r = pair_chain(mdp, theta, vartheta)
    q_omega = np.linalg.solve(np.eye(len(r)) - mdp.gamma * m, r).reshape(n_states, n_options)
    beta = 1.0 / (1.0 + np.exp(-vartheta))
    v = (mdp.pi_omega * q_omega).sum(1)
    u = (1.0 - beta.T) * q_omega + beta.T * v[:, None]  # (S, O)
    live = 1.0 - mdp.terminal.astype(float)
    q_u = mdp.R[:, None, :] + mdp.gamma * np.einsum("sat,to->soa", mdp.P * live, u)
    return q_omega, q_u


def occupancy(mdp: OptionMDP, theta: np.ndarray, vartheta: np.ndarray) -> np.ndarray:
    """Discounted occupancy (I − γM)⁻¹ of the pairs, shape (S, O, S, O): row (s0, o0), column (s, o)."""
    n_options, n_states, _ = theta.shape
    m, _ = pair_chain(mdp, theta, vartheta)
    return np.linalg.inv(np.eye(len(m)) - mdp.gamma * m).reshape(n_states, n_options, n_states, n_options)


def numeric_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f at every entry of x."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad
