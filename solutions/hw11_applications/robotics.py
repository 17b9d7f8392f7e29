"""Part "robotics": the kinematics of a planar arm and a compact TD3 agent that learns to reach targets with it, on
the kit's ``PlanarArm-v0`` (``grader/harness/planar_arm.py``).

Notation: joint angles q = (q_1, …, q_n) (radians; q_1 from the x axis, q_i from link i − 1), link lengths
l = (l_1, …, l_n), cumulative angles φ_i = q_1 + … + q_i (the direction of link i), end effector p(q) ∈ R².
The agent is TD3 (Fujimoto et al. 2018) as in hw07, in one file: you may start from your hw07 ``td3.py``, but this
file must stand alone (a submission is this folder: do not import hw07).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def forward_kinematics(angles: np.ndarray, links: np.ndarray) -> np.ndarray:
    """The end effector p(q) = Σ_i l_i (cos φ_i, sin φ_i), φ_i = q_1 + … + q_i, as a float array (2,).

    Examples: q = [0, π/2], l = [1, 1] → (1, 1) (the first link along x, the second straight up);
    q = [π/2, −π/2], l = [2, 1] → (1, 2) (the first link up, the second back along x)."""
    # BEGIN SOLUTION
    phi = np.cumsum(np.asarray(angles, dtype=np.float64))
    links = np.asarray(links, dtype=np.float64)
    return np.array([links @ np.cos(phi), links @ np.sin(phi)])
    # END SOLUTION


def jacobian(angles: np.ndarray, links: np.ndarray) -> np.ndarray:
    """The Jacobian J = ∂p/∂q, a float array (2, n): joint j turns every link i ≥ j, so

        J[:, j] = Σ_{i ≥ j} l_i (−sin φ_i, cos φ_i)

    For two links: J = [[−l_1 s_1 − l_2 s_12, −l_2 s_12], [l_1 c_1 + l_2 c_12, l_2 c_12]] (s_12 = sin(q_1 + q_2)).
    Example: q = [0, π/2], l = [1, 1] → [[−1, −1], [1, 0]]: turning the base moves the end effector (1, 1)
    along (−1, 1), turning the elbow moves it along (−1, 0)."""
    # BEGIN SOLUTION
    phi = np.cumsum(np.asarray(angles, dtype=np.float64))
    links = np.asarray(links, dtype=np.float64)
    columns = np.stack([-links * np.sin(phi), links * np.cos(phi)])
    return np.cumsum(columns[:, ::-1], axis=1)[:, ::-1]
    # END SOLUTION


def mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers of the given sizes with ReLU between them (none after the last one). Given."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def td3_target(
    rewards: torch.Tensor, terminated: torch.Tensor, next_q1: torch.Tensor, next_q2: torch.Tensor, gamma: float
) -> torch.Tensor:
    """TD3's clipped double-Q target y = r + γ (1 − terminated) min(Q'1(s', ã), Q'2(s', ã)), ``(B,)``, detached.

    Example: r = [1, −1], terminated = [0, 1], q1' = [3, 5], q2' = [2, 4], γ = 0.9 → [2.8, −1.0]."""
    # BEGIN SOLUTION
    return (rewards + gamma * (1.0 - terminated) * torch.minimum(next_q1, next_q2)).detach()
    # END SOLUTION


class ReachingTD3:
    """TD3 for the arm: actor μ(s) = bias + scale · tanh(f(s)), twin critics Q_k(s, a) = g_k([s, a]), target copies
    of all three, a replay buffer of every transition (numpy arrays, ``buffer_size`` rows, oldest overwritten).

    ``scale, bias = (high − low) / 2, (high + low) / 2`` of the action box (float32 tensors), so every action of the
    actor lies inside the bounds. Attributes the checks read: ``actor``, ``critic1``, ``critic2`` and their
    ``*_target`` copies (``nn.Module``), ``rng = np.random.default_rng(seed)`` (the agent's only noise source),
    ``step`` (``observe`` calls so far), ``updates`` (``update`` calls so far).

    * ``act(obs)`` (training): while ``step < learning_starts``, ``rng.uniform(low, high)``; then
      clip(μ(obs) + expl_noise · scale · ``rng.standard_normal(act_dim)``, low, high);
    * ``act(obs, deterministic=True)`` (evaluation): μ(obs), no noise, nothing drawn from ``rng``;
    * ``observe``: store (s, a, r, s', terminated) (a truncated step is not terminal), ``step += 1``; from
      ``step >= learning_starts`` on, one :meth:`update` on ``batch_size`` rows drawn uniformly with
      ``rng.integers(size, size=batch_size)``.

    Actions are float32 arrays (act_dim,). Example (checked): with every weight of the actor's last layer 0,
    μ(s) = bias for every s; on the box [−2, 0.5] that is −0.75, and ``act(obs, deterministic=True)`` returns it
    without changing ``rng``.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Box,
        seed: int = 0,
        hidden: tuple[int, ...] = (64, 64),
        lr: float = 1e-3,
        gamma: float = 0.9,
        tau: float = 0.01,
        batch_size: int = 64,
        buffer_size: int = 20_000,
        learning_starts: int = 500,
        expl_noise: float = 0.2,
        target_noise: float = 0.2,
        noise_clip: float = 0.5,
        policy_delay: int = 2,
    ) -> None:
        obs_dim, self.act_dim = int(np.prod(observation_space.shape)), int(action_space.shape[0])
        self.low = np.asarray(action_space.low, dtype=np.float32)
        self.high = np.asarray(action_space.high, dtype=np.float32)
        self.scale = torch.as_tensor((self.high - self.low) / 2)
        self.bias = torch.as_tensor((self.high + self.low) / 2)
        self.gamma, self.tau, self.batch_size, self.learning_starts = gamma, tau, batch_size, learning_starts
        self.expl_noise, self.target_noise, self.noise_clip = expl_noise, target_noise, noise_clip
        self.policy_delay = policy_delay
        self.rng = np.random.default_rng(seed)
        self.actor = mlp([obs_dim, *hidden, self.act_dim])
        self.critic1 = mlp([obs_dim + self.act_dim, *hidden, 1])
        self.critic2 = mlp([obs_dim + self.act_dim, *hidden, 1])
        self.actor_target, self.critic1_target, self.critic2_target = (
            mlp([obs_dim, *hidden, self.act_dim]),
            mlp([obs_dim + self.act_dim, *hidden, 1]),
            mlp([obs_dim + self.act_dim, *hidden, 1]),
        )
        for target, online in self.pairs():
            target.load_state_dict(online.state_dict())
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.critic_optimizer = torch.optim.Adam([*self.critic1.parameters(), *self.critic2.parameters()], lr=lr)
        self.buffer = {
            "obs": np.zeros((buffer_size, obs_dim), np.float32),
            "actions": np.zeros((buffer_size, self.act_dim), np.float32),
            "rewards": np.zeros(buffer_size, np.float32),
            "next_obs": np.zeros((buffer_size, obs_dim), np.float32),
            "terminated": np.zeros(buffer_size, np.float32),
        }
        self.step = self.updates = 0

    def pairs(self) -> list[tuple[nn.Module, nn.Module]]:
        """(target, online) for the actor and both critics. Given."""
        return [
            (self.actor_target, self.actor),
            (self.critic1_target, self.critic1),
            (self.critic2_target, self.critic2),
        ]

    def policy(self, obs: torch.Tensor, target: bool = False) -> torch.Tensor:
        """μ(s) = bias + scale · tanh(actor(s)) for a batch ``(B, obs_dim)`` (the target actor's if ``target``)."""
        # BEGIN SOLUTION
        net = self.actor_target if target else self.actor
        return self.bias + self.scale * torch.tanh(net(obs))
        # END SOLUTION

    @staticmethod
    def q(critic: nn.Module, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """A critic's values ``(B,)`` of ``(B, obs_dim)`` observations and ``(B, act_dim)`` actions. Given."""
        return critic(torch.cat([obs, actions], dim=-1)).squeeze(-1)

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """The action for ``obs``, float32 ``(act_dim,)`` inside the bounds (see the class docstring)."""
        # BEGIN SOLUTION
        if not deterministic and self.step < self.learning_starts:
            return self.rng.uniform(self.low, self.high).astype(np.float32)
        with torch.no_grad():
            action = self.policy(torch.as_tensor(obs, dtype=torch.float32).reshape(1, -1))[0].numpy()
        if deterministic:
            return action.astype(np.float32)
        noise = self.expl_noise * self.scale.numpy() * self.rng.standard_normal(self.act_dim)
        return np.clip(action + noise, self.low, self.high).astype(np.float32)
        # END SOLUTION

    def observe(
        self,
        obs: np.ndarray,
        action: np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """Store the transition in row ``step % buffer_size``, ``step += 1``, then learn (class docstring)."""
        row = self.step % len(self.buffer["rewards"])
        for key, value in zip(self.buffer, (obs, action, reward, next_obs, float(terminated)), strict=True):
            self.buffer[key][row] = np.asarray(value, dtype=np.float32).reshape(self.buffer[key][row].shape)
        self.step += 1
        if self.step >= self.learning_starts:
            rows = self.rng.integers(min(self.step, len(self.buffer["rewards"])), size=self.batch_size)
            self.update(*(torch.as_tensor(column[rows]) for column in self.buffer.values()))

    def update(
        self,
        obs: torch.Tensor,
        actions: torch.Tensor,
        rewards: torch.Tensor,
        next_obs: torch.Tensor,
        terminated: torch.Tensor,
    ) -> float:
        """One TD3 update on a batch; returns the critic loss (before the step) as a ``float``. In this order:

        1. ``updates += 1``; without gradient: ε = target_noise · scale · ``rng.standard_normal((B, act_dim))``,
           ã = clip(μ'(s') + clip(ε, −c, c), low, high) with c = noise_clip · scale,
           y = ``td3_target(r, terminated, Q'1(s', ã), Q'2(s', ã), gamma)``;
        2. critic loss mean((Q1(s, a) − y)²) + mean((Q2(s, a) − y)²), one step of ``critic_optimizer``;
        3. every ``policy_delay``-th update: actor loss −mean(Q1(s, μ(s))), one step of ``actor_optimizer``, then
           every target θ' ← τ θ + (1 − τ) θ' (parameter by parameter, without gradient).
        """
        # BEGIN SOLUTION
        self.updates += 1
        low, high = torch.as_tensor(self.low), torch.as_tensor(self.high)
        with torch.no_grad():
            draw = torch.as_tensor(self.rng.standard_normal((len(rewards), self.act_dim)), dtype=torch.float32)
            clip = self.noise_clip * self.scale
            noise = (self.target_noise * self.scale * draw).clamp(-clip, clip)
            next_actions = torch.clamp(self.policy(next_obs, target=True) + noise, low, high)
            next_q1 = self.q(self.critic1_target, next_obs, next_actions)
            next_q2 = self.q(self.critic2_target, next_obs, next_actions)
            y = td3_target(rewards, terminated, next_q1, next_q2, self.gamma)
        critic_loss = F.mse_loss(self.q(self.critic1, obs, actions), y) + F.mse_loss(
            self.q(self.critic2, obs, actions), y
        )
        self.critic_optimizer.zero_grad()
        critic_loss.backward()
        self.critic_optimizer.step()
        if self.updates % self.policy_delay == 0:
            actor_loss = -self.q(self.critic1, obs, self.policy(obs)).mean()
            self.actor_optimizer.zero_grad()
            actor_loss.backward()
            self.actor_optimizer.step()
            with torch.no_grad():
                for target_net, net in self.pairs():
                    for target_param, param in zip(target_net.parameters(), net.parameters(), strict=True):
                        target_param.mul_(1.0 - self.tau).add_(param, alpha=self.tau)
        return float(critic_loss.item())
        # END SOLUTION
