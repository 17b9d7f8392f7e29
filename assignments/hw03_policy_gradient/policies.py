"""Stochastic policies π_θ(a|s) for policy-gradient methods: categorical (discrete actions) and Gaussian
(continuous actions), both torch ``nn.Module``s (Sutton & Barto, 2nd ed., sections 13.1 and 13.7).

Shapes: ``obs`` is a float32 tensor (B, obs_dim). Discrete ``actions`` are an int64 tensor (B,); continuous
``actions`` a float32 tensor (B, act_dim). ``log_prob`` always returns ONE log-probability per row, shape (B,),
and keeps the autograd graph (the loss differentiates through it).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.distributions import Categorical, Normal


def mlp(sizes: list[int]) -> nn.Sequential:
    """A multilayer perceptron: ``Linear`` layers between consecutive ``sizes``, ``tanh`` between them (none after
    the last), e.g. ``mlp([4, 64, 64, 2])``. Given: use it as it is."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


class CategoricalPolicy(nn.Module):
    """Softmax policy π(a|s) = exp(z_a) / Σ_b exp(z_b) with logits z = ``logits_net(s)`` (eq. 13.2).

    Attribute the grader reads: ``logits_net = mlp([obs_dim, *hidden, n_actions])``.
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        raise NotImplementedError("CategoricalPolicy.__init__ — fill this in (see its docstring in policies.py)")

    def distribution(self, obs: torch.Tensor) -> Categorical:
        """``torch.distributions.Categorical`` with the logits of ``obs`` (B, obs_dim): batch shape (B,)."""
        raise NotImplementedError("CategoricalPolicy.distribution — fill this in (see its docstring in policies.py)")

    def log_prob(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """log π(a_i | s_i) for every row i, shape (B,); ``actions`` is an int64 tensor of shape (B,)."""
        raise NotImplementedError("CategoricalPolicy.log_prob — fill this in (see its docstring in policies.py)")


class GaussianPolicy(nn.Module):
    """Diagonal Gaussian policy a ~ N(μ(s), diag σ²) for a continuous action a ∈ R^m (section 13.7):
    mean μ(s) = ``mean_net(s)`` and a state-independent, learned σ = exp(``log_std``). Its log-density is the
    SUM over the m action dimensions:

        log π(a|s) = Σ_j [ -(a_j - μ_j(s))² / (2 σ_j²) - log σ_j - ½ log 2π ]

    Attributes the grader reads: ``mean_net = mlp([obs_dim, *hidden, act_dim])`` and
    ``log_std = nn.Parameter`` of shape (act_dim,), every entry ``log_std_init`` at the start.
    """

    def __init__(
        self, obs_dim: int, act_dim: int, hidden: tuple[int, ...] = (64, 64), log_std_init: float = -0.5
    ) -> None:
        super().__init__()
        raise NotImplementedError("GaussianPolicy.__init__ — fill this in (see its docstring in policies.py)")

    def distribution(self, obs: torch.Tensor) -> Normal:
        """``torch.distributions.Normal(μ(obs), σ)`` with batch shape (B, act_dim) (one Normal per dimension)."""
        raise NotImplementedError("GaussianPolicy.distribution — fill this in (see its docstring in policies.py)")

    def log_prob(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """log π(a_i | s_i) of the (B, act_dim) ``actions``, summed over the action dimensions: shape (B,)."""
        raise NotImplementedError("GaussianPolicy.log_prob — fill this in (see its docstring in policies.py)")
