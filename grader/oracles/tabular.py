"""The grader's answers to hw02 (course-only, see :mod:`grader.oracles`): the Bellman backup, exact policy
values, V* and Q*, and the Monte Carlo estimate of state values.

Models are Gymnasium toy-text tables ``P[s][a] = [(prob, next_state, reward, terminated), ...]``; terminal
outcomes never bootstrap. Hidden checks compare student code with these; ``tests/golden/hw02_tabular.py``
writes the public checks' expected values with them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

Table = Any  # P[s][a] -> list of outcomes; a dict of dicts or a list of lists


def model_arrays(P: Table) -> tuple[np.ndarray, np.ndarray]:
    """``(T, r)``: ``T[s, a, s']`` = Pr(next state s' and NOT terminated), ``r[s, a]`` = expected reward."""
    n_states, n_actions = len(P), len(P[0])
    T = np.zeros((n_states, n_actions, n_states))
    r = np.zeros((n_states, n_actions))
    for s in range(n_states):
        for a in range(n_actions):
            for p, s_next, reward, done in P[s][a]:
                r[s, a] += p * reward
                if not done:
                    T[s, a, s_next] += p
    return T, r


def backup(P: Table, V: np.ndarray, gamma: float) -> np.ndarray:
    """Q[s, a] = Σ p (r + γ V[s'] (1 − terminated)) (the trusted one-step lookahead)."""
    T, r = model_arrays(P)
    return r + gamma * T @ V


def policy_value(P: Table, pi: np.ndarray, gamma: float) -> np.ndarray:
    """Exact V^π of a stochastic ``pi`` (S, A) or deterministic ``pi`` (S,) policy: solve (I − γ T_π) V = r_π."""
    T, r = model_arrays(P)
    n_states, n_actions = r.shape
    if pi.ndim == 1:
        pi = np.eye(n_actions)[pi.astype(int)]
    T_pi = np.einsum("sa,sat->st", pi, T)
    r_pi = np.sum(pi * r, axis=1)
    return np.linalg.solve(np.eye(n_states) - gamma * T_pi, r_pi)


def optimal_values(P: Table, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """``(V*, Q*)``: value iteration to 1e-12, then policy iteration with exact evaluation until stable."""
    T, r = model_arrays(P)
    V = np.zeros(len(P))
    for _ in range(1_000_000):
        V_new = (r + gamma * T @ V).max(axis=1)
        if np.max(np.abs(V_new - V)) < 1e-12:
            break
        V = V_new
    policy = np.argmax(r + gamma * T @ V_new, axis=1)
    while True:
        V = policy_value(P, policy, gamma)
        Q = r + gamma * T @ V
        keep = Q[np.arange(len(policy)), policy] >= Q.max(axis=1) - 1e-12
        improved = np.where(keep, policy, np.argmax(Q, axis=1))
        if np.array_equal(improved, policy):
            return V, Q
        policy = improved


def success_probability(P: Table, policy: np.ndarray, start: int = 0, horizon: int = 100) -> float:
    """Exact expected undiscounted return within ``horizon`` steps of the deterministic ``policy`` from ``start``
    (for FrozenLake: the probability of reaching the goal before the 100-step time limit)."""
    T, r = model_arrays(P)
    states = np.arange(len(P))
    T_pi, r_pi = T[states, policy], r[states, policy]
    d = np.zeros(len(P))
    d[start] = 1.0
    total = 0.0
    for _ in range(horizon):
        total += float(d @ r_pi)
        d = d @ T_pi
    return total


def first_visit_values(
    episodes: Sequence[tuple[Sequence[Hashable], Sequence[float]]], gamma: float, first_visit: bool = True
) -> dict[Hashable, float]:
    """The trusted Monte Carlo estimate: the mean return after the first (or every) visit of each state."""
    sums: dict[Hashable, float] = {}
    counts: dict[Hashable, int] = {}
    for states, rewards in episodes:
        g, returns = 0.0, []
        for reward in reversed(rewards):
            g = reward + gamma * g
            returns.append(g)
        returns.reverse()
        first = {}
        for t, s in enumerate(states):
            first.setdefault(s, t)
        for t, s in enumerate(states):
            if first_visit and first[s] != t:
                continue
            sums[s] = sums.get(s, 0.0) + returns[t]
            counts[s] = counts.get(s, 0) + 1
    return {s: sums[s] / counts[s] for s in sums}
