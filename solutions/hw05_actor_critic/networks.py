"""The actor-critic network: a policy π_θ(a|s) (categorical or diagonal Gaussian) and a value function V(s).

Two layouts, both correct (``shared``):

* separate networks (``shared=False``): an actor MLP ``obs_dim → hidden… → n_out`` and a critic MLP
  ``obs_dim → hidden… → 1``; the policy loss trains only the actor, the value loss only the critic;
* a shared trunk (``shared=True``): one MLP ``obs_dim → hidden…`` with tanh after its last layer, then a policy
  head ``hidden[-1] → n_out`` and a value head ``hidden[-1] → 1``; both losses train the trunk.

``n_out`` is the number of actions of a ``Discrete`` space (the head gives the logits) or the size of a ``Box``
(the head gives the mean μ(s); σ = exp(``log_std``) is a learned, state-independent ``nn.Parameter``).
Initialise the layers as you like (PyTorch's default, orthogonal, Glorot or Kaiming all pass the checks).

Shapes: ``obs`` is a float32 tensor ``(B, obs_dim)``; discrete actions an int64 tensor ``(B,)``, continuous
actions a float32 tensor ``(B, m)``. Every method keeps the autograd graph (the losses differentiate it).
"""

from __future__ import annotations

import gymnasium as gym
import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Normal


def mlp(sizes: list[int]) -> nn.Sequential:
    """``Linear`` layers between consecutive ``sizes`` with ``tanh`` between them (none after the last), e.g.
    ``mlp([4, 64, 64, 2])``. Given: use it as it is."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


class ActorCritic(nn.Module):
    """π_θ(·|s) and V(s) for a ``Discrete`` or ``Box`` action space (module docstring).

    Attributes the grader reads: ``continuous`` (a ``bool``: the action space is a ``Box``) and, for a ``Box``,
    ``log_std``: an ``nn.Parameter`` of shape ``(m,)``, every entry ``log_std_init`` at the start.
    """

    def __init__(
        self,
        obs_dim: int,
        action_space: gym.spaces.Discrete | gym.spaces.Box,
        hidden: tuple[int, ...] = (64, 64),
        shared: bool = False,
        log_std_init: float = 0.0,
    ) -> None:
        super().__init__()
        self.continuous = isinstance(action_space, gym.spaces.Box)
        n_out = int(action_space.shape[0]) if self.continuous else int(action_space.n)
        # BEGIN SOLUTION
        self.shared = shared
        if shared:
            self.trunk = nn.Sequential(mlp([obs_dim, *hidden]), nn.Tanh())
            self.policy_head = nn.Linear(hidden[-1], n_out)
            self.value_head = nn.Linear(hidden[-1], 1)
        else:
            self.actor = mlp([obs_dim, *hidden, n_out])
            self.critic = mlp([obs_dim, *hidden, 1])
        if self.continuous:
            self.log_std = nn.Parameter(torch.full((n_out,), float(log_std_init)))
        # END SOLUTION

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(head, value)``: the logits ``(B, n)`` (discrete) or the mean μ(s) ``(B, m)`` (continuous), and
        V(s) of shape ``(B,)``."""
        # BEGIN SOLUTION
        if self.shared:
            features = self.trunk(obs)
            return self.policy_head(features), self.value_head(features).squeeze(-1)
        return self.actor(obs), self.critic(obs).squeeze(-1)
        # END SOLUTION

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        """V(s), shape ``(B,)``."""
        # BEGIN SOLUTION
        if self.shared:
            return self.value_head(self.trunk(obs)).squeeze(-1)
        return self.critic(obs).squeeze(-1)
        # END SOLUTION

    def distribution(self, obs: torch.Tensor) -> Distribution:
        """π_θ(·|s): ``Categorical(logits=head)`` with batch shape ``(B,)``, or ``Normal(μ(s), exp(log_std))``
        with batch shape ``(B, m)`` (one Normal per action dimension)."""
        # BEGIN SOLUTION
        head = self(obs)[0]
        if self.continuous:
            return Normal(head, self.log_std.exp().expand_as(head))
        return Categorical(logits=head)
        # END SOLUTION

    def evaluate_actions(
        self, obs: torch.Tensor, actions: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(log_probs, entropy, values)``, each of shape ``(B,)``: log π_θ(a_i|s_i), the entropy of π_θ(·|s_i)
        and V(s_i). For a Gaussian both the log-density and the entropy are SUMMED over the m action dimensions."""
        # BEGIN SOLUTION
        head, values = self(obs)
        if self.continuous:
            dist = Normal(head, self.log_std.exp().expand_as(head))
            return dist.log_prob(actions).sum(-1), dist.entropy().sum(-1), values
        dist = Categorical(logits=head)
        return dist.log_prob(actions), dist.entropy(), values
        # END SOLUTION
