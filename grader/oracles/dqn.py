"""The grader's answers to hw04 (course-only, see :mod:`grader.oracles`): Q-values of the linear fixture
networks, DQN and Double DQN targets and the Huber loss, in float64 numpy; and the loss ``train_step`` must
return, recomputed from the agent's own networks (:func:`oracle_train_step_loss`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.harness.dqn_fixtures import TrainStepBatch, net_q_values


def linear_q_values(weight: list[list[float]], bias: list[float], obs: np.ndarray) -> np.ndarray:
    """The grader's own Q(s) = W s + b in float64, ``(B, n_actions)``."""
    return np.asarray(obs, dtype=np.float64) @ np.asarray(weight, dtype=np.float64).T + np.asarray(bias)


def trusted_targets(
    rewards: np.ndarray,
    terminated: np.ndarray,
    next_q_online: np.ndarray,
    next_q_target: np.ndarray,
    gamma: float,
    double: bool,
) -> np.ndarray:
    """y = r + γ (1 − terminated) · (Q_target(s', argmax Q_online(s', ·)) if double else max Q_target(s', ·))."""
    if double:
        best = next_q_online.argmax(axis=1)
        next_value = next_q_target[np.arange(len(best)), best]
    else:
        next_value = next_q_target.max(axis=1)
    return rewards + gamma * (1.0 - terminated) * next_value


def trusted_huber(predicted: np.ndarray, targets: np.ndarray) -> float:
    """Mean Huber loss with δ = 1: x²/2 for |x| ≤ 1, |x| − 1/2 beyond."""
    x = np.abs(predicted - targets)
    return float(np.mean(np.where(x <= 1.0, 0.5 * x**2, x - 0.5)))


def oracle_train_step_loss(
    agent: Any, batch: TrainStepBatch, gamma: float, double: bool
) -> tuple[float, str, dict[str, float]]:
    """The Huber loss of ``agent``'s q_net against targets from its target_net (Double DQN: online argmax), and
    what three common mistakes would give instead (named in the message only when the loss equals one)."""
    b = len(batch.actions)
    q = net_q_values(agent.q_net, batch.obs, 2, "agent.q_net(obs)")[np.arange(b), batch.actions]
    next_online = net_q_values(agent.q_net, batch.next_obs, 2, "agent.q_net(next_obs)")
    next_target = net_q_values(agent.target_net, batch.next_obs, 2, "agent.target_net(next_obs)")
    r, d = batch.rewards, batch.terminated
    expected = trusted_huber(q, trusted_targets(r, d, next_online, next_target, gamma, double))
    variants = {
        "targets from the online net (no target network)": trusted_targets(
            r, d, next_online, next_online, gamma, double
        ),
        "targets without the (1 − terminated) factor": trusted_targets(
            r, 0 * d, next_online, next_target, gamma, double
        ),
        "the other target rule (DQN vs Double DQN)": trusted_targets(r, d, next_online, next_target, gamma, not double),
    }
    return expected, "", {name: trusted_huber(q, y) for name, y in variants.items()}
