"""The grader's own answers for hw05 (actor-critic), for hidden checks only: GAE and n-step returns from their
definitions (explicit sums, not the recursions the students write), the A2C loss, entropies, and a replay of
the agent's update.

Conventions of ``solutions/hw05_actor_critic/advantages.py``: arrays ``(T, N)``, time first; the value after
step t is ``values[t + 1]`` (``last_values`` after the last step), V of the final observation when step t ended
the episode (the vector env resets one step later); ``terminated`` zeroes it, any episode end stops the sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def next_values(values: np.ndarray, last_values: np.ndarray) -> np.ndarray:
    """V of the observation after each step: ``values[t + 1]``, ``last_values`` after the last step."""
    return np.concatenate([np.asarray(values, float)[1:], np.asarray(last_values, float)[None]], axis=0)


def td_errors(rewards, values, last_values, terminated, gamma: float) -> np.ndarray:
    """δ_t = r_t + γ (1 − terminated_t) V(s_t+1) − V(s_t)."""
    alive = 1.0 - np.asarray(terminated, dtype=float)
    return np.asarray(rewards, float) + gamma * alive * next_values(values, last_values) - np.asarray(values, float)


def episode_span(ended: np.ndarray, t: int, i: int) -> int:
    """How many steps from step t of env i belong to the same episode, within the rollout (≥ 1)."""
    steps = ended.shape[0]
    k = 1
    while t + k - 1 < steps - 1 and not ended[t + k - 1, i]:
        k += 1
    return k


def gae(rewards, values, last_values, terminated, truncated, gamma: float, lam: float) -> np.ndarray:
    """A_t = Σ_{j < L} (γλ)^j δ_{t+j}, L = the steps left in the episode within the rollout (by definition)."""
    delta = td_errors(rewards, values, last_values, terminated, gamma)
    ended = np.asarray(terminated, bool) | np.asarray(truncated, bool)
    out = np.zeros_like(delta)
    for t in range(delta.shape[0]):
        for i in range(delta.shape[1]):
            out[t, i] = sum((gamma * lam) ** j * delta[t + j, i] for j in range(episode_span(ended, t, i)))
    return out


def n_step_returns(rewards, values, last_values, terminated, truncated, gamma: float, n: int) -> np.ndarray:
    """G_t = Σ_{j < k} γ^j r_{t+j} + γ^k (1 − terminated_{t+k−1}) V(s_{t+k}), k = min(n, episode span)."""
    rewards = np.asarray(rewards, float)
    after = next_values(values, last_values)
    term = np.asarray(terminated, bool)
    ended = term | np.asarray(truncated, bool)
    out = np.zeros_like(rewards)
    for t in range(rewards.shape[0]):
        for i in range(rewards.shape[1]):
            k = min(n, episode_span(ended, t, i))
            last = t + k - 1
            bootstrap = 0.0 if term[last, i] else gamma**k * after[last, i]
            out[t, i] = sum(gamma**j * rewards[t + j, i] for j in range(k)) + bootstrap
    return out


def valid_steps(terminated: np.ndarray, truncated: np.ndarray, ended_before: np.ndarray) -> np.ndarray:
    """Step t of env i is a transition unless env i's previous step (``ended_before`` for t = 0) ended."""
    ended = np.asarray(terminated, bool) | np.asarray(truncated, bool)
    previous = np.concatenate([np.asarray(ended_before, bool)[None], ended[:-1]], axis=0)
    return ~previous


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log π(·|s) per row of logits ``(B, n)``, computed stably."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def categorical_log_probs(logits: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """log π(a_i|s_i) = log softmax(logits)[i, a_i]."""
    return log_softmax(logits)[np.arange(len(actions)), actions]


def categorical_entropy(logits: np.ndarray) -> np.ndarray:
    """−Σ_a π(a|s) log π(a|s) per row of logits ``(B, n)``."""
    log_pi = log_softmax(logits)
    return -(np.exp(log_pi) * log_pi).sum(axis=1)


def gaussian_log_probs(mean: np.ndarray, log_std: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Σ_j [−(a_j − μ_j)² / (2σ_j²) − log σ_j − ½ log 2π] per row."""
    std = np.exp(log_std)
    return (-((actions - mean) ** 2) / (2 * std**2) - log_std - 0.5 * math.log(2 * math.pi)).sum(axis=1)


def gaussian_entropy(log_std: np.ndarray, batch: int) -> np.ndarray:
    """Σ_j (½ + ½ log 2π + log σ_j), the same for each of ``batch`` rows."""
    return np.full(batch, float(np.sum(0.5 + 0.5 * math.log(2 * math.pi) + np.asarray(log_std))))


@dataclass(frozen=True)
class LossParts:
    total: float
    policy: float
    value: float
    entropy: float


def a2c_loss(log_probs, entropy, values, advantages, returns, vf_coef: float, ent_coef: float) -> LossParts:
    """−mean(log π A) + vf_coef · mean((V − R)²) − ent_coef · mean(H), with its parts."""
    policy = float(-np.mean(np.asarray(log_probs) * np.asarray(advantages)))
    value = float(np.mean((np.asarray(values) - np.asarray(returns)) ** 2))
    ent = float(np.mean(entropy))
    return LossParts(policy + vf_coef * value - ent_coef * ent, policy, value, ent)


@dataclass(frozen=True)
class Rollout:
    """T vector steps the grader played with its own actions (raw samples for a box), and what followed."""

    obs: np.ndarray  # (T, N, d) float32
    actions: np.ndarray  # (T, N) int64 or (T, N, m) float32: what the agent stores (raw samples)
    rewards: np.ndarray  # (T, N)
    terminated: np.ndarray  # (T, N) bool
    truncated: np.ndarray  # (T, N) bool
    last_obs: np.ndarray  # (N, d): the observation after the last step


def play_rollouts(envs, count: int, steps: int, seed: int) -> list[Rollout]:
    """``count`` consecutive rollouts of ``steps`` steps of a vector env (already reset by the caller through
    ``envs.reset(seed=...)``, returned as ``envs.obs0``), with actions from ``default_rng(seed)``: discrete ones
    mostly 0 (probability 0.8, else uniform: CartPole's pole then falls within ~10 steps, so episodes terminate
    as well as truncate), continuous ones raw N(0, 1.5²) samples, clipped to the box for the env."""
    rng = np.random.default_rng(seed)
    space = envs.single_action_space
    obs = envs.obs0
    rollouts = []
    for _ in range(count):
        rows: dict[str, list] = {k: [] for k in ("obs", "actions", "rewards", "terminated", "truncated")}
        for _ in range(steps):
            if hasattr(space, "n"):
                uniform = rng.integers(int(space.n), size=envs.num_envs)
                actions = np.where(rng.random(envs.num_envs) < 0.8, 0, uniform)
                played = actions
            else:
                actions = rng.normal(0.0, 1.5, size=(envs.num_envs, *space.shape)).astype(np.float32)
                played = np.clip(actions, space.low, space.high)
            next_obs, rewards, terminated, truncated, _ = envs.step(played)
            for key, value in zip(rows, (obs, actions, rewards, terminated, truncated), strict=True):
                rows[key].append(np.array(value))
            obs = next_obs
        rollouts.append(Rollout(*(np.stack(rows[k]) for k in rows), last_obs=np.array(obs)))
    return rollouts


@dataclass(frozen=True)
class UpdateSettings:
    """The hyperparameters of ``A2CAgent.update`` a replay needs."""

    gamma: float
    lam: float
    vf_coef: float
    ent_coef: float


def targets(values, last_values, rollout: Rollout, s: UpdateSettings, variant: str = "") -> tuple:
    """(A, R) of a rollout from the critic's values; ``variant`` names a common bug to replay instead:
    ``truncation as termination``, ``no reset at episode ends``, ``γ and λ swapped``."""
    terminated, truncated = rollout.terminated, rollout.truncated
    gamma, lam = (s.lam, s.gamma) if variant == "γ and λ swapped" else (s.gamma, s.lam)
    if variant == "truncation as termination":
        terminated = terminated | truncated
    if variant == "no reset at episode ends":
        truncated = np.zeros_like(truncated)
        advantages = gae_without_cuts(rollout.rewards, values, last_values, terminated, gamma, lam)
    else:
        advantages = gae(rollout.rewards, values, last_values, terminated, truncated, gamma, lam)
    return advantages, advantages + values


def gae_without_cuts(rewards, values, last_values, terminated, gamma: float, lam: float) -> np.ndarray:
    """The bug AC1: the terminal mask on δ, but the sums run on into the next episode."""
    delta = td_errors(rewards, values, last_values, terminated, gamma)
    out = np.zeros_like(delta)
    running = np.zeros(delta.shape[1])
    for t in reversed(range(delta.shape[0])):
        running = delta[t] + gamma * lam * running
        out[t] = running
    return out
