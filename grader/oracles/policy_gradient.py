"""The grader's answers to hw03 (course-only, see :mod:`grader.oracles`): reward-to-go from its definition and
the analytic REINFORCE gradient of a softmax bandit."""

from __future__ import annotations

import numpy as np


def reward_to_go(rewards: list[float], gamma: float) -> np.ndarray:
    """The grader's G_t = Σ_{k≥t} γ^(k−t) r_k, computed directly from the definition (no recursion)."""
    n = len(rewards)
    return np.array([sum(gamma ** (k - t) * rewards[k] for k in range(t, n)) for t in range(n)])


def bandit_policy_gradient(theta: np.ndarray, actions: list[int], returns: list[float]) -> np.ndarray:
    """Gradient of the REINFORCE loss −(1/B) Σ_i G_i log π_θ(a_i) for softmax logits θ:

    ∇_θ log π_θ(a) = e_a − π_θ, so the gradient is −(1/B) Σ_i G_i (e_{a_i} − π_θ).
    """
    pi = np.exp(theta - theta.max())
    pi /= pi.sum()
    grad = np.zeros_like(theta)
    for a, g in zip(actions, returns, strict=True):
        grad -= g * (np.eye(len(theta))[a] - pi)
    return grad / len(actions)


def bandit_loss(theta: np.ndarray, actions: list[int], returns: list[float]) -> float:
    """The REINFORCE loss −(1/B) Σ_i G_i log π_θ(a_i) for softmax logits θ."""
    log_pi = theta - theta.max() - np.log(np.exp(theta - theta.max()).sum())
    return float(-np.mean([g * log_pi[a] for a, g in zip(actions, returns, strict=True)]))
