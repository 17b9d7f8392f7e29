"""REINFORCE: Monte Carlo policy gradient with reward-to-go and an optional learned baseline (Williams, 1992;
Sutton & Barto, 2nd ed., sections 13.3-13.4 and 13.7).

The policy gradient theorem gives, for an episode s_0, a_0, r_0, ..., s_{T-1}, a_{T-1}, r_{T-1},

    ∇_θ J(θ) = E[ Σ_t ∇_θ log π_θ(a_t | s_t) Ψ_t ]                                     (13.8 / 13.10)

with Ψ_t = G_t, the reward-to-go (``returns.reward_to_go``), or Ψ_t = G_t - V(s_t) with a baseline V that
does not depend on the action (the estimate stays unbiased and its variance drops). Gradient DEScent on the
loss below is gradient ASCent on J.

The agent answers the calls of the grader's training loop (``grader/harness/deep_control.py``):
``agent = ReinforceAgent(observation_space, action_space, seed=..., lr=..., ...)``, then per step
``a = agent.act(obs)`` and ``agent.observe(obs, a, reward, next_obs, terminated, truncated)``; the grader
evaluates ``agent.act(obs, deterministic=True)`` on 10 episodes played in lockstep (one call per unfinished
episode per step), so that action must depend on ``obs`` alone. Sample with torch's global RNG (the grader
seeds it).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch

from .policies import CategoricalPolicy, GaussianPolicy, mlp
from .returns import normalize, reward_to_go


def reinforce_loss(log_probs: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The REINFORCE surrogate loss over a batch of B time steps (of one or more episodes), a scalar tensor:

        L(θ) = -(1/B) Σ_{i=1}^{B} log π_θ(a_i | s_i) Ψ_i

    so that ∇_θ L = -(1/B) Σ_i Ψ_i ∇_θ log π_θ(a_i | s_i), minus the sample estimate of ∇_θ J (eq. 13.8).
    ``log_probs`` (B,) carries the graph to θ; ``weights`` (B,) are the Ψ_i, constants the caller passes
    without gradient. Both have shape (B,): never let them broadcast to (B, B).
    """
    raise NotImplementedError("reinforce_loss — fill this in (see its docstring in reinforce.py)")


class ReinforceAgent:
    """REINFORCE with reward-to-go, an optional learned baseline V(s) and optional advantage normalisation.

    Attributes the grader reads:
        policy: ``CategoricalPolicy(obs_dim, n, hidden)`` for a ``Discrete(n)`` action space,
            ``GaussianPolicy(obs_dim, m, hidden, log_std_init)`` for a ``Box`` of shape (m,);
        value_net: ``mlp([obs_dim, *hidden, 1])`` when ``baseline``, else ``None``; both networks keep PyTorch's
            default ``nn.Linear`` initialisation, as built (do not re-initialise them: the learning budgets are
            calibrated for it, and ``test_networks_keep_default_init`` checks it);
        optimizer: ONE ``torch.optim.Adam`` over the policy's and the value net's parameters, learning rate ``lr``
            and PyTorch's other defaults (betas (0.9, 0.999), eps 1e-8), created once: its moments carry over from
            one update to the next.

    Protocol:
        * ``act(obs)`` samples a ~ π(·|obs). Discrete: returns the ``int`` a. Continuous: keeps the RAW sample a
          (for the log-probability of the update) and returns ``np.clip(a, low, high)``, a float array in the
          action space (the grader refuses actions outside it).
        * ``act(obs, deterministic=True)``: argmax of the logits, or ``np.clip(μ(obs), low, high)``; it changes
          nothing in the agent and draws no random number (torch's generator is left as it was, whatever σ).
        * ``observe(obs, action, reward, ...)`` records (obs, action, reward) of the step — for a continuous
          space the action recorded is the raw sample of the last ``act``, not the clipped ``action`` it
          receives. When ``terminated or truncated`` the episode ends (a truncated episode is used as it is:
          REINFORCE does not bootstrap) and its reward-to-go is computed with ``gamma``. After every
          ``episodes_per_update`` episodes, ``observe`` calls ``self.update(obs, actions, returns)`` ONCE on the
          steps of those episodes, in order, then forgets them.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.Space,
        *,
        seed: int,
        lr: float = 1e-2,
        gamma: float = 0.99,
        hidden: tuple[int, ...] = (64, 64),
        episodes_per_update: int = 5,
        baseline: bool = True,
        normalize_advantages: bool = True,
        log_std_init: float = -0.5,
    ) -> None:
        torch.manual_seed(seed)
        self.action_space = action_space
        self.continuous = isinstance(action_space, gym.spaces.Box)
        self.gamma = gamma
        self.episodes_per_update = episodes_per_update
        self.normalize_advantages = normalize_advantages
        obs_dim = observation_space.shape[0]
        raise NotImplementedError("ReinforceAgent.__init__ — fill this in (see its docstring in reinforce.py)")

    def act(self, obs: np.ndarray, deterministic: bool = False) -> int | np.ndarray:
        """A sampled action (training) or the most likely / mean action (``deterministic``), see the class."""
        raise NotImplementedError("ReinforceAgent.act — fill this in (see its docstring in reinforce.py)")

    def observe(
        self,
        obs: np.ndarray,
        action: int | np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """Record the step; at the end of an episode compute its reward-to-go; update every few episodes."""
        raise NotImplementedError("ReinforceAgent.observe — fill this in (see its docstring in reinforce.py)")

    def advantages(self, obs: torch.Tensor, returns: torch.Tensor) -> torch.Tensor:
        """The weights Ψ (N,) of the policy loss for the states ``obs`` (N, obs_dim) and their rewards-to-go
        ``returns`` (N,), a float32 tensor WITHOUT gradient:

            Ψ_t = G_t - V(s_t)   with the baseline (V detached: the policy loss must not train V), else G_t;
            then, if ``normalize_advantages``, Ψ = ``normalize(Ψ)`` (returns.normalize).
        """
        raise NotImplementedError("ReinforceAgent.advantages — fill this in (see its docstring in reinforce.py)")

    def update(self, obs: torch.Tensor, actions: torch.Tensor, returns: torch.Tensor) -> None:
        """One gradient step on a batch of N steps: ``obs`` float32 (N, obs_dim); ``actions`` int64 (N,) or the raw
        float32 samples (N, m); ``returns`` float32 (N,), the reward-to-go of each step. With Ψ = ``advantages``:

            loss = reinforce_loss(policy.log_prob(obs, actions), Ψ) + (1/N) Σ_t (V(s_t) - G_t)²   (the last term
            only with the baseline),  then ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.

        The grader checks consecutive updates against its own computation of exactly this step (the value term
        trains only the value net, the policy term only the policy), and that each network's own loss falls when
        the same batch is used again and again.
        """
        raise NotImplementedError("ReinforceAgent.update — fill this in (see its docstring in reinforce.py)")
