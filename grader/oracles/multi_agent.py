"""The grader's own hw10 answers (course-only, never released): mixed equilibria and fictitious play."""

from __future__ import annotations

import numpy as np

TIE = 1e-9


def mixed_nash_2x2(A: np.ndarray, B: np.ndarray) -> tuple[float, float]:
    """(p, q) = (P(row plays 0), P(column plays 0)) from the two indifference conditions (q from A, p from B)."""
    q = (A[1, 1] - A[0, 1]) / (A[0, 0] - A[0, 1] - A[1, 0] + A[1, 1])
    p = (B[1, 1] - B[1, 0]) / (B[0, 0] - B[1, 0] - B[0, 1] + B[1, 1])
    return float(p), float(q)


def fictitious_play(A: np.ndarray, B: np.ndarray, iterations: int) -> tuple[list[int], list[int]]:
    """Simultaneous fictitious play from counts of one, lowest-index best responses to the empirical mixes."""
    seen_cols, seen_rows = np.ones(A.shape[1]), np.ones(A.shape[0])
    rows, cols = [], []
    for _ in range(iterations):
        row_values = A @ (seen_cols / seen_cols.sum())
        col_values = B.T @ (seen_rows / seen_rows.sum())
        i = int(np.flatnonzero(row_values >= row_values.max() - TIE)[0])
        j = int(np.flatnonzero(col_values >= col_values.max() - TIE)[0])
        seen_rows[i] += 1
        seen_cols[j] += 1
        rows.append(i)
        cols.append(j)
    return rows, cols


Transition = tuple[
    dict, dict, dict, dict, dict, dict
]  # observations, actions, rewards, next obs, terminated, truncated


def independent_updates(
    tables: dict[str, np.ndarray], transitions: list[Transition], alpha: float, beta: float, gamma: float
) -> list[dict[str, np.ndarray]]:
    """Each agent's table after each transition: Q_i[s_i, a_i] += (α if δ ≥ 0 else β)·δ (β = α: plain IQL)."""
    q = {name: table.astype(np.float64).copy() for name, table in tables.items()}
    after = []
    for obs, actions, rewards, next_obs, terminated, _ in transitions:
        for name, action in actions.items():
            s, s2 = obs[name], next_obs[name]
            target = rewards[name] + (0.0 if terminated[name] else gamma * q[name][s2].max())
            delta = target - q[name][s, action]
            q[name][s, action] += (alpha if delta >= 0 else beta) * delta
        after.append({name: table.copy() for name, table in q.items()})
    return after


def joint_updates(
    table: np.ndarray, agents: list[str], transitions: list[Transition], alpha: float, gamma: float
) -> list[np.ndarray]:
    """The joint table Q[s, a_first, a_second] after each transition (first = agents[0], its reward and state)."""
    first, second = agents
    q = table.astype(np.float64).copy()
    after = []
    for obs, actions, rewards, next_obs, terminated, _ in transitions:
        s, s2, joint = obs[first], next_obs[first], (actions[first], actions[second])
        target = rewards[first] + (0.0 if terminated[first] else gamma * q[s2].max())
        q[s][joint] += alpha * (target - q[s][joint])
        after.append(q.copy())
    return after


def rendezvous_step(
    positions: dict[str, int], actions: dict[str, int], size: int, goal: int, steps: int, max_steps: int
) -> tuple[dict[str, int], float, bool, bool]:
    """The Rendezvous rules: (new cells, every agent's reward, terminated, truncated) after step number ``steps``."""
    moved = {name: min(max(cell + actions[name] - 1, 0), size - 1) for name, cell in positions.items()}
    together = all(cell == goal for cell in moved.values())
    return moved, (1.0 if together else -0.1), together, (not together and steps >= max_steps)


def vdn_targets(rewards: np.ndarray, next_target_q: np.ndarray, terminated: np.ndarray, gamma: float) -> np.ndarray:
    """y = r + γ (1 − terminated) Σ_i max_a Q_i⁻(s'_i, a); ``next_target_q`` is (B, n_agents, n_actions)."""
    return rewards + gamma * (1.0 - terminated) * next_target_q.max(axis=2).sum(axis=1)


def vdn_loss(
    q: np.ndarray,
    next_target_q: np.ndarray,
    actions: np.ndarray,
    rewards: np.ndarray,
    terminated: np.ndarray,
    gamma: float,
) -> tuple[float, np.ndarray]:
    """The mean squared TD error of Q_tot = Σ_i Q_i(s_i, a_i) (``q``: (B, n_agents, n_actions) online values) and
    its derivative with respect to ``q``: 2 (Q_tot − y) / B at each agent's action, 0 elsewhere."""
    b, n = actions.shape
    rows = np.arange(b)[:, None]
    q_tot = q[rows, np.arange(n)[None, :], actions].sum(axis=1)
    error = q_tot - vdn_targets(rewards, next_target_q, terminated, gamma)
    weights = np.zeros_like(q)
    weights[rows, np.arange(n)[None, :], actions] = (2.0 * error / b)[:, None]
    return float(np.mean(error**2)), weights
