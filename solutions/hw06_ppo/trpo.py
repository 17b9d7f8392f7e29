"""Trust-region policy optimisation (TRPO, Schulman et al. 2015) for a categorical policy, on N environments.

TRPO maximises the surrogate ``L(θ) = mean_i ρ_i(θ) A_i`` (ρ = π_θ / π_old on the rollout's valid steps) subject to
``KL̄(θ) = mean_i KL(π_old(·|s_i) ‖ π_θ(·|s_i)) ≤ δ``. With g = ∇L and F the Hessian of KL̄ at θ_old (the Fisher
matrix), the step is

    s = F⁻¹ g (conjugate gradient, using only products F·v),   β = sqrt(2δ / sᵀFs),   θ = θ_old + β s · ½ᵏ

where k is the first of 0, 1, … that keeps KL̄ ≤ δ and improves L (backtracking line search). F·v needs no matrix:
it is the gradient of (∇KL̄)·v (double backpropagation). The critic is fitted separately by Adam on (V − R)².
The rollout, GAE and the agent's loop are PPO's (``PPOAgent``): only the update differs.
"""

from __future__ import annotations

from collections.abc import Callable

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from .ppo import PPOAgent, minibatch_indices, normalize_advantages


def categorical_kl(p_logits: torch.Tensor, q_logits: torch.Tensor) -> torch.Tensor:
    """KL(p ‖ q) = Σ_a p_a (log p_a − log q_a) per row of logits ``(B, n)`` (softmax of each row), shape ``(B,)``;
    differentiable in both arguments. KL([.5, .5] ‖ [.9, .1]) = 0.5108."""
    # BEGIN SOLUTION
    log_p = torch.log_softmax(p_logits, dim=-1)
    log_q = torch.log_softmax(q_logits, dim=-1)
    return (log_p.exp() * (log_p - log_q)).sum(dim=-1)
    # END SOLUTION


def conjugate_gradient(
    mvp: Callable[[torch.Tensor], torch.Tensor], b: torch.Tensor, iters: int = 10, residual_tol: float = 1e-10
) -> torch.Tensor:
    """Solve A x = b for a symmetric positive-definite A known only through ``mvp(v) = A v`` (1-D tensors).

    Start at x = 0 (so r = p = b, no product needed); each iteration calls ``mvp`` exactly ONCE (on p):
    α = rᵀr / pᵀAp, x += α p, r −= α Ap, stop when the new rᵀr < ``residual_tol``, else p = r + (r_newᵀr_new / rᵀr) p.
    At most ``iters`` iterations. A = [[4, 1], [1, 3]], b = [1, 2] → x = [1/11, 7/11] after 2 products."""
    # BEGIN SOLUTION
    x = torch.zeros_like(b)
    r = b.clone()
    p = b.clone()
    rr = torch.dot(r, r)
    for _ in range(iters):
        ap = mvp(p)
        alpha = rr / torch.dot(p, ap)
        x = x + alpha * p
        r = r - alpha * ap
        rr_new = torch.dot(r, r)
        if rr_new < residual_tol:
            break
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x
    # END SOLUTION


def fisher_vector_product(
    kl: Callable[[], torch.Tensor], params: list[torch.Tensor], v: torch.Tensor, damping: float
) -> torch.Tensor:
    """``(F + damping·I) v`` with F = ∇²KL̄ at the current parameters, by double backpropagation: ``kl()`` is the
    scalar KL̄ (computed anew from ``params``), g = ∇KL̄ WITH ``create_graph=True``, then ∇(g·v). ``v`` and the
    result are flat 1-D tensors in the order of ``params`` (as ``parameters_to_vector``). For a 2-logit softmax
    at θ = 0 (KL̄ = KL(softmax(θ_old) ‖ softmax(θ)), θ_old = θ detached): F = [[0.25, −0.25], [−0.25, 0.25]]."""
    # BEGIN SOLUTION
    grads = torch.autograd.grad(kl(), params, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])
    hv = torch.autograd.grad(torch.dot(flat, v.detach()), params)
    return torch.cat([h.reshape(-1) for h in hv]) + damping * v
    # END SOLUTION


def natural_step(
    g: torch.Tensor, fvp: Callable[[torch.Tensor], torch.Tensor], max_kl: float, cg_iters: int = 10
) -> torch.Tensor:
    """The full TRPO step β s: ``s = conjugate_gradient(fvp, g, cg_iters)``, β = sqrt(2·max_kl / sᵀ fvp(s)), so
    that the quadratic model ½ (βs)ᵀ F (βs) of the KL equals ``max_kl``. F = diag(4, 1), g = [1, 1], δ = 0.01 →
    s = [0.25, 1], sᵀFs = 1.25, step = [0.0316228, 0.126491]."""
    # BEGIN SOLUTION
    s = conjugate_gradient(fvp, g, cg_iters)
    beta = torch.sqrt(2.0 * max_kl / torch.dot(s, fvp(s)))
    return beta * s
    # END SOLUTION


def line_search(
    surrogate: Callable[[torch.Tensor], float],
    kl: Callable[[torch.Tensor], float],
    x: torch.Tensor,
    full_step: torch.Tensor,
    max_kl: float,
    max_backtracks: int = 10,
) -> tuple[torch.Tensor, bool]:
    """Backtracking: for k = 0, 1, …, ``max_backtracks`` − 1 try ``x_k = x + 0.5**k · full_step`` and return
    ``(x_k, True)`` for the FIRST one with ``kl(x_k) <= max_kl`` and ``surrogate(x_k) > surrogate(x)`` (the
    surrogate is maximised); if none qualifies, ``(x, False)``: the parameters stay where they were."""
    # BEGIN SOLUTION
    start = surrogate(x)
    for k in range(max_backtracks):
        candidate = x + 0.5**k * full_step
        if kl(candidate) <= max_kl and surrogate(candidate) > start:
            return candidate, True
    return x, False
    # END SOLUTION


class TRPOAgent(PPOAgent):
    """TRPO with PPO's rollout, GAE(λ) and loop (``act`` and ``observe`` are ``PPOAgent``'s); Discrete actions.

    Extra hyperparameters: ``max_kl`` (δ), ``damping``, ``cg_iters``, ``max_backtracks``, ``vf_epochs``. The
    ``optimizer`` is ``Adam(net.critic.parameters(), lr=lr)``: only the critic is trained by gradient descent.
    ``accepted``: whether the last update's line search found a step.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Discrete,
        *,
        seed: int,
        n_envs: int,
        max_kl: float = 0.01,
        damping: float = 0.1,
        cg_iters: int = 10,
        max_backtracks: int = 10,
        vf_epochs: int = 5,
        **ppo_hparams,
    ) -> None:
        if not isinstance(action_space, gym.spaces.Discrete):
            raise ValueError("TRPOAgent supports Discrete action spaces only")
        super().__init__(observation_space, action_space, seed=seed, n_envs=n_envs, **ppo_hparams)
        self.max_kl, self.damping, self.cg_iters = max_kl, damping, cg_iters
        self.max_backtracks, self.vf_epochs = max_backtracks, vf_epochs
        lr = ppo_hparams.get("lr", 3e-4)
        # BEGIN SOLUTION
        self.optimizer = torch.optim.Adam(self.net.critic.parameters(), lr=lr)
        self.accepted = False
        # END SOLUTION

    def update(self, last_obs: np.ndarray) -> None:
        """TRPO's update on the stored rollout:

        1. ``obs, actions, old_log_probs, values, A, R = valid_batch(last_obs)``; A normalised over the whole batch
           (``normalize_advantages``) when ``norm_adv``; ``old_logits = net.actor(obs)`` without gradient;
        2. the actor, θ = ``parameters_to_vector(net.actor_parameters())``: ``L(θ) = mean(exp(log π_θ(a|s) −
           old_log_probs) · A)``, ``KL̄(θ) = mean(categorical_kl(old_logits, net.actor(obs)))``; g = ∇L at θ_old;
           ``full = natural_step(g, v ↦ fisher_vector_product(KL̄, params, v, damping), max_kl, cg_iters)``;
           ``θ, accepted = line_search(L, KL̄, θ_old, full, max_kl, max_backtracks)``, written back with
           ``vector_to_parameters``;
        3. the critic: ``vf_epochs`` passes of ``minibatch_indices(B, minibatch_size, generator)``, each minibatch
           one Adam step on ``mean((net.value(obs[idx]) − R[idx])²)`` (zero_grad, backward, clip_grad_norm_ of the
           critic's parameters to ``max_grad_norm``, step);
        4. ``updates += 1``.
        """
        # BEGIN SOLUTION
        obs, actions, old_log_probs, _, advantages, returns = self.valid_batch(last_obs)
        if self.norm_adv:
            advantages = normalize_advantages(advantages)
        params = self.net.actor_parameters()
        with torch.no_grad():
            old_logits = self.net.actor(obs)

        def surrogate() -> torch.Tensor:
            log_probs = self.net.log_prob_entropy(obs, actions)[0]
            return (torch.exp(log_probs - old_log_probs) * advantages).mean()

        def mean_kl() -> torch.Tensor:
            return categorical_kl(old_logits, self.net.actor(obs)).mean()

        def at(theta: torch.Tensor, fn: Callable[[], torch.Tensor]) -> float:
            vector_to_parameters(theta, params)
            with torch.no_grad():
                return float(fn())

        theta_old = parameters_to_vector(params).detach()
        g = parameters_to_vector(torch.autograd.grad(surrogate(), params))
        full = natural_step(
            g, lambda v: fisher_vector_product(mean_kl, params, v, self.damping), self.max_kl, self.cg_iters
        )
        gain_at, kl_at = (lambda th: at(th, surrogate)), (lambda th: at(th, mean_kl))
        theta, self.accepted = line_search(gain_at, kl_at, theta_old, full.detach(), self.max_kl, self.max_backtracks)
        vector_to_parameters(theta, params)
        critic = list(self.net.critic.parameters())
        for _ in range(self.vf_epochs):
            for idx in minibatch_indices(len(obs), self.minibatch_size, self.generator):
                loss = ((self.net.value(obs[idx]) - returns[idx]) ** 2).mean()
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(critic, self.max_grad_norm)
                self.optimizer.step()
        self.updates += 1
        # END SOLUTION
