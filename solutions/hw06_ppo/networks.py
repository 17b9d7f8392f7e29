"""The policy and value networks of hw06 — GIVEN, use them as they are (hw05 was about building them).

``PolicyValueNet(obs_dim, action_space, hidden)`` holds two separate tanh MLPs:

* ``actor``: ``obs_dim → hidden… → n_out``: the logits of a ``Discrete`` space, or the mean μ(s) of a ``Box``
  (then σ = exp(``log_std``), a learned, state-independent ``nn.Parameter`` of shape ``(m,)``);
* ``critic``: ``obs_dim → hidden… → 1``: V(s).

The policy losses reach only the actor (and ``log_std``), the value loss only the critic. Shapes: ``obs`` float32
``(B, obs_dim)``; discrete actions int64 ``(B,)``, continuous ones float32 ``(B, m)``. Every method keeps the
autograd graph.
"""

from __future__ import annotations

import gymnasium as gym
import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Normal


def tanh_mlp(in_dim: int, hidden: tuple[int, ...], out_dim: int) -> nn.Sequential:
    """Linear → tanh → … → Linear, with the widths ``in_dim, *hidden, out_dim``."""
    widths = [in_dim, *hidden]
    blocks: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        blocks += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*blocks, nn.Linear(widths[-1], out_dim))


class PolicyValueNet(nn.Module):
    """π_θ(·|s) (categorical or diagonal Gaussian) and V_φ(s), in two separate networks (module docstring)."""

    def __init__(
        self,
        obs_dim: int,
        action_space: gym.spaces.Discrete | gym.spaces.Box,
        hidden: tuple[int, ...] = (64, 64),
        log_std_init: float = 0.0,
    ) -> None:
        super().__init__()
        self.continuous = isinstance(action_space, gym.spaces.Box)
        n_out = int(action_space.shape[0]) if self.continuous else int(action_space.n)
        self.actor = tanh_mlp(obs_dim, tuple(hidden), n_out)
        self.critic = tanh_mlp(obs_dim, tuple(hidden), 1)
        if isinstance(action_space, gym.spaces.Box):  # σ = exp(log_std), learned, the same in every state
            self.log_std = nn.Parameter(log_std_init * torch.ones(n_out))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        """V(s), shape ``(B,)``."""
        return self.critic(obs)[:, 0]

    def distribution(self, obs: torch.Tensor) -> Distribution:
        """``Categorical(logits=actor(s))`` (batch shape ``(B,)``) or ``Normal(μ(s), σ)`` (batch shape ``(B, m)``)."""
        out = self.actor(obs)
        return Normal(out, torch.exp(self.log_std).expand(out.shape)) if self.continuous else Categorical(logits=out)

    def log_prob_entropy(self, obs: torch.Tensor, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(log π(a_i|s_i), H[π(·|s_i)])``, each ``(B,)``; a Gaussian's are summed over the action dimensions."""
        dist = self.distribution(obs)
        log_probs, entropy = dist.log_prob(actions), dist.entropy()
        if log_probs.dim() == 2:  # a Gaussian: one density per action dimension
            return log_probs.sum(dim=1), entropy.sum(dim=1)
        return log_probs, entropy

    def actor_parameters(self) -> list[nn.Parameter]:
        """The policy's parameters, in order: the actor's, then ``log_std`` (Gaussian) — what TRPO steps."""
        extra = [self.log_std] if self.continuous else []
        return [*self.actor.parameters(), *extra]
