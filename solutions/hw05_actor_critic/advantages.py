"""Bootstrapped targets of a rollout collected from N environments for T steps: n-step returns and GAE(λ).

A rollout is a grid of T steps × N environments (arrays of shape ``(T, N)``, time first). For step t of env i:
``rewards[t, i]`` is the reward of the action taken at step t, ``values[t, i] = V(s_t)`` the critic's value of
the observation the action was taken in, ``terminated[t, i]`` / ``truncated[t, i]`` the flags the env returned
with that reward, and ``last_values[i] = V(s_T)`` the value of the observation after the last step.

The value of the observation *after* step t is ``next_value_t = values[t + 1]`` (``last_values`` for t = T − 1).
With Gymnasium's vector environments this holds even when step t ended the episode: the observation the
vector env returns with ``terminated`` or ``truncated`` is the episode's FINAL observation, and the env is only
reset at the next step (README, "The autoreset trap"). So:

* ``terminated[t]``: s_{t+1} is terminal, its value is 0: nothing is bootstrapped after step t;
* ``truncated[t]``: a time limit cut the episode; s_{t+1} (the final observation) is an ordinary state, so the
  target bootstraps from its value ``next_value_t``;
* either way the episode ended: nothing from steps t + 1, t + 2, … (the next episode) may flow into step t.

All functions are pure: they take numpy arrays (flags may be bool or 0/1) and return float64 arrays of shape
``(T, N)``; they never modify their inputs.
"""

from __future__ import annotations

import numpy as np


def n_step_returns(
    rewards: np.ndarray,
    values: np.ndarray,
    last_values: np.ndarray,
    terminated: np.ndarray,
    truncated: np.ndarray,
    gamma: float,
    n: int,
) -> np.ndarray:
    """The n-step return of every step (Sutton & Barto, 2nd ed., eq. 7.1), ``(T, N)`` float64:

        G_t = r_t + γ r_{t+1} + … + γ^(k−1) r_{t+k−1} + γ^k V(s_{t+k})

    where k ≤ n is the number of rewards summed: the sum stops after n rewards, after the step that ended the
    episode, or at the end of the rollout, whichever comes first, and bootstraps from the value of the
    observation after its last step — 0 instead when that step ``terminated``. Recursively, with
    ``next_value_t`` as in the module docstring and G^(m) the m-step return:

        G_t^(m) = r_t + γ (1 − terminated_t) · (next_value_t   if m = 1, t = T − 1 or the episode ended at t
                                                 G_{t+1}^(m−1)  otherwise)

    ``n = 1`` gives the one-step TD targets r_t + γ (1 − terminated_t) V(s_{t+1}); ``n >= T`` the
    Monte Carlo return within the rollout, bootstrapped from V(s_T) (and equal to GAE with λ = 1, plus V).
    E.g. r = [1, 0, 2], V = [0.5, 1, 0], V(s_3) = 10, γ = 0.9, no episode end (one env, shapes (3, 1)):
    n = 1 → [1.9, 0, 11]; n = 2 → [1, 9.9, 11]; n = 3 → [9.91, 9.9, 11].
    """
    # BEGIN SOLUTION
    rewards = np.asarray(rewards, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    steps = rewards.shape[0]
    next_values = np.concatenate([values[1:], np.asarray(last_values, dtype=np.float64)[None]], axis=0)
    alive = 1.0 - np.asarray(terminated, dtype=np.float64)
    ended = np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
    returns = np.zeros_like(rewards)
    for t in range(steps):
        g = np.zeros(rewards.shape[1:])
        discount = np.ones(rewards.shape[1:])
        running = np.ones(rewards.shape[1:], dtype=bool)  # the columns whose sum has not stopped yet
        for k in range(min(n, steps - t)):
            step = t + k
            g += running * discount * rewards[step]
            stop = running & (ended[step] | (k == n - 1) | (step == steps - 1))
            g += stop * discount * gamma * alive[step] * next_values[step]
            running &= ~stop
            discount = discount * gamma
        returns[t] = g
    return returns
    # END SOLUTION


def gae(
    rewards: np.ndarray,
    values: np.ndarray,
    last_values: np.ndarray,
    terminated: np.ndarray,
    truncated: np.ndarray,
    gamma: float,
    lam: float,
) -> np.ndarray:
    """Generalized advantage estimates (Schulman et al. 2016, eq. 16), ``(T, N)`` float64, by the recursion

        δ_t = r_t + γ (1 − terminated_t) next_value_t − V(s_t)
        A_t = δ_t + γ λ (1 − ended_t) A_{t+1},    A_T = 0,   ended_t = terminated_t or truncated_t

    (``next_value_t`` as in the module docstring: V of the final observation when step t ended the episode).
    λ = 0 gives the TD errors δ_t; λ = 1 the Monte Carlo return within the rollout minus V(s_t). The
    λ-return, the critic's regression target, is ``A + values``.
    E.g. r = [1, 0, 2], V = [0.5, 1, 0], V(s_3) = 10, γ = 0.9, λ = 0.8 (one env, shapes (3, 1)): terminated at
    the last step → A = [1.7168, 0.44, 2]; truncated there → A = [6.3824, 6.92, 11].
    """
    # BEGIN SOLUTION
    rewards = np.asarray(rewards, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    next_values = np.concatenate([values[1:], np.asarray(last_values, dtype=np.float64)[None]], axis=0)
    alive = 1.0 - np.asarray(terminated, dtype=np.float64)
    cont = 1.0 - (np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool))
    advantages = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[1:])
    for t in reversed(range(rewards.shape[0])):
        delta = rewards[t] + gamma * alive[t] * next_values[t] - values[t]
        running = delta + gamma * lam * cont[t] * running
        advantages[t] = running
    return advantages
    # END SOLUTION
