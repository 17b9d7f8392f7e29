"""The cross-entropy method (CEM) on the parameters of a linear policy (Szita & Lőrincz, 2006; Rubinstein, 1999).

CEM is a derivative-free policy search: keep a diagonal Gaussian N(μ, diag σ²) over the policy's parameter
vector θ; draw a population of θs, play one episode with each, refit (μ, σ) to the *elite* θs (those with the
highest returns), and repeat. The extra standard deviation added at every refit keeps the search from
collapsing too early.

The agent answers the calls of the grader's training loop (``grader/harness/deep_control.py``):
``agent = CEMAgent(observation_space, action_space, seed=..., population=..., ...)``, then per step
``a = agent.act(obs)`` and ``agent.observe(obs, a, reward, next_obs, terminated, truncated)``; the grader
evaluates ``agent.act(obs, deterministic=True)`` on 10 episodes played in lockstep (one call per unfinished
episode per step), so that action must depend on ``obs`` alone. Draw every random number from the agent's own
``np.random.default_rng(seed)``.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np


def n_outputs(action_space: gym.Space) -> int:
    """Number of outputs of the linear policy: one score per action (``Discrete(n)``) or one per action
    dimension (a 1-D ``Box``)."""
    if isinstance(action_space, gym.spaces.Discrete):
        return int(action_space.n)
    if isinstance(action_space, gym.spaces.Box) and len(action_space.shape) == 1:
        return int(action_space.shape[0])
    raise ValueError(f"CEM supports Discrete and 1-D Box action spaces, got {action_space}")


def linear_action(theta: np.ndarray, obs: np.ndarray, action_space: gym.Space) -> int | np.ndarray:
    """The action of the linear policy with parameters ``theta`` (shape ``(m * (d + 1),)``) in state ``obs``
    (shape ``(d,)``), m = ``n_outputs(action_space)``. The layout of θ is fixed:

        M = theta.reshape(m, d + 1),   W = M[:, :d],   b = M[:, d],   y = W · obs + b   (shape (m,))

    ``Discrete``: the ``int`` argmax_i y_i (the lowest index on ties, as ``np.argmax``).
    ``Box``: ``clip(y, low, high)``, a float array of shape (m,).
    """
    raise NotImplementedError("linear_action — fill this in (see its docstring in cem.py)")


def cem_update(
    samples: np.ndarray, returns: np.ndarray, elite_frac: float, extra_std: float
) -> tuple[np.ndarray, np.ndarray]:
    """Refit the sampling distribution to the elites. ``samples`` (N, D) are the θs, ``returns`` (N,) their
    episode returns. With n_e = ⌈elite_frac · N⌉ (at least 1), the elites are the n_e samples with the
    HIGHEST returns, and the new distribution is, per coordinate j,

        μ_j = mean of the elites' θ_j,    σ_j = std of the elites' θ_j (population std, ddof = 0) + extra_std

    Returns ``(mu, sigma)``, two new float64 arrays of shape (D,). The inputs are not modified.
    """
    raise NotImplementedError("cem_update — fill this in (see its docstring in cem.py)")


class CEMAgent:
    """CEM over the linear policy :func:`linear_action`.

    Attributes the grader reads:
        mean, std: float arrays (D,), D = m * (obs_dim + 1); ``mean`` starts at zeros, ``std`` at ``init_std``.
        theta: the parameters of the current training episode (shape (D,)), or ``None`` between episodes.

    Protocol. The first ``act(obs)`` of an episode (``theta is None``) draws
    ``theta = mean + std * rng.standard_normal(D)`` — exactly one draw of D normals per episode — and every
    training ``act`` of the episode plays ``linear_action(theta, ...)``. ``observe`` adds up the episode's
    (undiscounted) return; when ``terminated or truncated`` it stores (theta, return), sets ``theta = None``,
    and once ``population`` episodes are stored it refits ``mean, std = cem_update(...)`` on them and
    forgets them. ``act(obs, deterministic=True)`` plays ``linear_action(mean, ...)`` and changes nothing.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.Space,
        *,
        seed: int,
        population: int = 20,
        elite_frac: float = 0.2,
        init_std: float = 1.0,
        extra_std: float = 0.1,
    ) -> None:
        self.action_space = action_space
        self.population = population
        self.elite_frac = elite_frac
        self.extra_std = extra_std
        self.rng = np.random.default_rng(seed)
        size = n_outputs(action_space) * (observation_space.shape[0] + 1)
        raise NotImplementedError("CEMAgent.__init__ — fill this in (see its docstring in cem.py)")

    def act(self, obs: np.ndarray, deterministic: bool = False) -> int | np.ndarray:
        """The action of the mean (``deterministic``) or of this episode's sampled θ (drawn on first use)."""
        raise NotImplementedError("CEMAgent.act — fill this in (see its docstring in cem.py)")

    def observe(
        self,
        obs: np.ndarray,
        action: int | np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """Add ``reward`` to the episode's return; at the end of an episode store it, refit every ``population``."""
        raise NotImplementedError("CEMAgent.observe — fill this in (see its docstring in cem.py)")
