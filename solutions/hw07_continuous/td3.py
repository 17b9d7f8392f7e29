"""Deterministic actor-critic for continuous actions: DDPG (Lillicrap et al. 2016) and TD3 (Fujimoto et al. 2018).

The pieces are small functions so each one can be checked on given tensors; :class:`TD3Agent` puts them
together and answers the calls of the grader's training loop (``grader/harness/deep_control.py``), like
hw04's ``DQNAgent``:

* ``act(obs) -> np.ndarray``: the action to take while training (exploration noise added, clipped to the bounds);
* ``act(obs, deterministic=True) -> np.ndarray``: the actor's action μ(s), no noise;
* ``observe(obs, action, reward, next_obs, terminated, truncated)``: store the transition and learn.

Shapes: a batch of ``B`` observations is a float32 tensor ``(B, obs_dim)``, actions are float32
``(B, act_dim)``, rewards, ``terminated`` flags, Q-values and targets are float32 ``(B,)``.

**Terminated vs truncated.** Pendulum-v1 never terminates: a time limit cuts it after 200 steps
(``truncated``), and s' is an ordinary state whose value the target bootstraps from. The agent stores
``terminated`` only.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .replay import Batch, ReplayBuffer


def mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers of the given sizes with ReLU between them (none after the last one). Given."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def action_scale_and_bias(action_space: gym.spaces.Box) -> tuple[torch.Tensor, torch.Tensor]:
    """``((high − low) / 2, (high + low) / 2)`` of a box, as float32 tensors ``(act_dim,)``. Given.

    ``bias + scale · tanh(x)`` maps any real ``x`` into ``[low, high]``; Pendulum-v1: scale 2, bias 0."""
    low = torch.as_tensor(action_space.low, dtype=torch.float32)
    high = torch.as_tensor(action_space.high, dtype=torch.float32)
    return (high - low) / 2, (high + low) / 2


class Actor(nn.Module):
    """The deterministic policy μ(s; φ) = bias + scale · tanh(f(s)), with f = ``mlp([obs_dim, *hidden, act_dim])``.

    ``scale`` and ``bias`` come from :func:`action_scale_and_bias` and are stored as buffers
    (``register_buffer("action_scale", scale)``, ``register_buffer("action_bias", bias)``): saved with the
    network, never trained. So every action lies inside the env's bounds (Pendulum: ±2, not tanh's ±1).
    The parameters, in order, are those of f (``self.net``): W1, b1, W2, b2, …
    """

    def __init__(self, obs_dim: int, action_space: gym.spaces.Box, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        # BEGIN SOLUTION
        scale, bias = action_scale_and_bias(action_space)
        self.net = mlp([obs_dim, *hidden, int(action_space.shape[0])])
        self.register_buffer("action_scale", scale)
        self.register_buffer("action_bias", bias)
        # END SOLUTION

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """``(B, obs_dim)`` float32 → ``(B, act_dim)`` actions inside the bounds."""
        # BEGIN SOLUTION
        return self.action_bias + self.action_scale * torch.tanh(self.net(obs))
        # END SOLUTION


class Critic(nn.Module):
    """The action-value Q(s, a; θ) = g([s, a]), with g = ``mlp([obs_dim + act_dim, *hidden, 1])`` on the
    observation and the action concatenated along the last dimension (observation first). Its parameters, in
    order, are those of g (``self.net``)."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        # BEGIN SOLUTION
        self.net = mlp([obs_dim + act_dim, *hidden, 1])
        # END SOLUTION

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """``(B, obs_dim)``, ``(B, act_dim)`` → Q-values of shape **(B,)** (squeeze the last dimension: a
        ``(B, 1)`` critic against ``(B,)`` targets broadcasts to a ``(B, B)`` loss)."""
        # BEGIN SOLUTION
        return self.net(torch.cat([obs, action], dim=-1)).squeeze(-1)
        # END SOLUTION


def soft_update(target: nn.Module, online: nn.Module, tau: float) -> None:
    """Polyak averaging, in place and without gradient, parameter by parameter: θ' ← τ θ + (1 − τ) θ'.

    Only parameters (``parameters()``), not buffers. ``tau = 1`` copies the online network."""
    # BEGIN SOLUTION
    with torch.no_grad():
        for target_param, param in zip(target.parameters(), online.parameters(), strict=True):
            target_param.mul_(1.0 - tau).add_(param, alpha=tau)
    # END SOLUTION


def smooth_target_actions(
    target_actions: torch.Tensor,
    noise: torch.Tensor,
    noise_clip: float | torch.Tensor,
    low: torch.Tensor,
    high: torch.Tensor,
) -> torch.Tensor:
    """TD3's target-policy smoothing (Fujimoto et al. 2018, eq. 14): ã = clip(μ'(s') + clip(ε, −c, c), low, high).

    ``target_actions`` are μ'(s') ``(B, act_dim)``; ``noise`` is ε ``(B, act_dim)``, already scaled (σ times a
    standard normal draw); ``noise_clip`` is c (a number, or one per dimension ``(act_dim,)``); ``low``/``high`` are
    the action bounds ``(act_dim,)``. The noise is clipped to ±c BEFORE it is added, and the sum is clipped to the
    bounds. E.g. μ' = 0.9, ε = [0.7, −0.1, −0.6], c = 0.5, bounds ±1 → [1.0, 0.8, 0.4].
    """
    # BEGIN SOLUTION
    return torch.clamp(target_actions + noise.clamp(-noise_clip, noise_clip), low, high)
    # END SOLUTION


def ddpg_target(rewards: torch.Tensor, terminated: torch.Tensor, next_q: torch.Tensor, gamma: float) -> torch.Tensor:
    """DDPG's critic target y = r + γ (1 − terminated) Q'(s', μ'(s')), ``(B,)``, detached.

    ``next_q`` ``(B,)`` is the target critic's value of the target actor's action in s'. y is a fixed label: return
    it detached (``.detach()``), so no gradient can flow into the networks that produced ``next_q``."""
    # BEGIN SOLUTION
    return (rewards + gamma * (1.0 - terminated) * next_q).detach()
    # END SOLUTION


def td3_target(
    rewards: torch.Tensor, terminated: torch.Tensor, next_q1: torch.Tensor, next_q2: torch.Tensor, gamma: float
) -> torch.Tensor:
    """TD3's clipped double-Q target y = r + γ (1 − terminated) min(Q'1(s', ã), Q'2(s', ã)), ``(B,)``, detached.

    ``next_q1``, ``next_q2`` ``(B,)`` are the two target critics' values of the smoothed target action ã. E.g.
    q1' = [3, 1], q2' = [2, 4], r = [1, 1], terminated = [0, 1], γ = 0.99 → [2.98, 1.0]."""
    # BEGIN SOLUTION
    return (rewards + gamma * (1.0 - terminated) * torch.minimum(next_q1, next_q2)).detach()
    # END SOLUTION


class TD3Agent:
    """TD3, and DDPG as its special case ``twin=False, policy_delay=1, target_noise=0``.

    Attributes the checks read and drive:
        actor, actor_target: :class:`Actor`; critic1, critic1_target, and (``twin`` only) critic2, critic2_target:
            :class:`Critic`. Each target network starts as a copy of its online network (``load_state_dict``);
            ``critic2`` and ``critic2_target`` are ``None`` when ``twin`` is False.
        actor_optimizer: ``torch.optim.Adam(actor.parameters(), lr=actor_lr)``;
        critic_optimizer: ``torch.optim.Adam(critic_parameters(), lr=critic_lr)``: critic1's then critic2's.
            Both with Adam's other defaults (betas, eps, no weight decay); ``fused=True`` is faster on a CPU.
        buffer: a :class:`ReplayBuffer` of capacity ``buffer_size`` seeded with ``seed``.
        rng: ``np.random.default_rng(seed)``: the only source of the agent's noise (warm-up actions, exploration
            noise, target smoothing noise; the buffer has its own).
        step: the number of ``observe`` calls so far; updates: the number of ``train_step`` calls so far.

    Noise scales are fractions of the action scale (``(high − low) / 2``, 2 on Pendulum): exploration
    σ = ``expl_noise · scale``, smoothing σ = ``target_noise · scale``, clip c = ``noise_clip · scale``.

    The checks replay your updates with the grader's own code, so the order of the random draws is part of
    the specification: ``act`` draws ``rng.uniform(low, high)`` (warm-up) or ``rng.standard_normal(act_dim)``
    (exploration) and nothing when ``deterministic``; ``targets`` draws ``rng.standard_normal((B, act_dim))``
    once per call when ``target_noise > 0``; nothing else draws from ``rng``.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Box,
        *,
        seed: int,
        hidden: tuple[int, ...] = (64, 64),
        actor_lr: float = 1e-3,
        critic_lr: float = 1e-3,
        gamma: float = 0.99,
        tau: float = 0.005,
        buffer_size: int = 100_000,
        batch_size: int = 128,
        learning_starts: int = 1000,
        train_every: int = 1,
        twin: bool = True,
        policy_delay: int = 2,
        target_noise: float = 0.2,
        noise_clip: float = 0.5,
        expl_noise: float = 0.1,
    ) -> None:
        """Store the arguments and build everything listed in the class docstring with the given factories
        (:meth:`new_actor`, :meth:`new_critic`, :meth:`new_buffer`), in this order: actor, critic1, critic2
        (``twin``), then their target copies (:func:`copy_of`), the optimizers, the buffer; ``step = updates = 0``.
        The networks are initialised from torch's global RNG, which the grader seeds before building the agent."""
        self.obs_dim = int(observation_space.shape[0])
        self.act_dim = int(action_space.shape[0])
        self.action_space, self.hidden = action_space, tuple(hidden)
        self.low = torch.as_tensor(action_space.low, dtype=torch.float32)
        self.high = torch.as_tensor(action_space.high, dtype=torch.float32)
        self.scale, _ = action_scale_and_bias(action_space)
        self.gamma, self.tau = gamma, tau
        self.batch_size, self.learning_starts, self.train_every = batch_size, learning_starts, train_every
        self.twin, self.policy_delay = twin, policy_delay
        self.target_noise, self.noise_clip, self.expl_noise = target_noise, noise_clip, expl_noise
        self.rng = np.random.default_rng(seed)
        # BEGIN SOLUTION
        self.actor = self.new_actor()
        self.critic1 = self.new_critic()
        self.critic2 = self.new_critic() if twin else None
        self.actor_target = copy_of(self.actor, self.new_actor())
        self.critic1_target = copy_of(self.critic1, self.new_critic())
        self.critic2_target = copy_of(self.critic2, self.new_critic()) if twin else None
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=actor_lr, fused=True)
        self.critic_optimizer = torch.optim.Adam(self.critic_parameters(), lr=critic_lr, fused=True)
        self.buffer = self.new_buffer(buffer_size, seed)
        self.step = 0
        self.updates = 0
        # END SOLUTION

    def new_actor(self) -> nn.Module:
        """A new :class:`Actor` for this agent's spaces and ``hidden`` sizes. Given."""
        return Actor(self.obs_dim, self.action_space, self.hidden)

    def new_critic(self) -> nn.Module:
        """A new :class:`Critic` for this agent's spaces and ``hidden`` sizes. Given."""
        return Critic(self.obs_dim, self.act_dim, self.hidden)

    def new_buffer(self, capacity: int, seed: int) -> ReplayBuffer:
        """A new :class:`ReplayBuffer` of ``capacity`` transitions seeded with ``seed``. Given."""
        return ReplayBuffer(capacity, self.obs_dim, self.act_dim, seed=seed)

    def critic_parameters(self) -> list[nn.Parameter]:
        """The parameters of critic1, then (``twin``) critic2: what ``critic_optimizer`` trains."""
        # BEGIN SOLUTION
        critics = [self.critic1, self.critic2] if self.twin else [self.critic1]
        return [p for critic in critics for p in critic.parameters()]
        # END SOLUTION

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """The action for ``obs`` ``(obs_dim,)`` as a float32 array ``(act_dim,)`` inside the bounds.

        * ``deterministic``: μ(obs), computed without gradient; draws nothing from ``rng``;
        * else, while ``step < learning_starts`` (warm-up): :meth:`random_action`;
        * else: :meth:`explore` of μ(obs).

        Does not change ``step``.
        """
        # BEGIN SOLUTION
        if not deterministic and self.step < self.learning_starts:
            return self.random_action()
        with torch.no_grad():
            action = self.actor(torch.as_tensor(obs, dtype=torch.float32).unsqueeze(0))[0].numpy()
        return action.astype(np.float32) if deterministic else self.explore(action)
        # END SOLUTION

    def random_action(self) -> np.ndarray:
        """A warm-up action ``rng.uniform(low, high)``, uniform over the box, float32 ``(act_dim,)``."""
        # BEGIN SOLUTION
        return self.rng.uniform(self.low.numpy(), self.high.numpy()).astype(np.float32)
        # END SOLUTION

    def explore(self, action: np.ndarray) -> np.ndarray:
        """Gaussian exploration around the actor's ``action`` ``(act_dim,)``, float32, inside the bounds:
        ``clip(action + expl_noise · scale · rng.standard_normal(act_dim), low, high)``."""
        # BEGIN SOLUTION
        noise = self.expl_noise * self.scale.numpy() * self.rng.standard_normal(self.act_dim)
        return np.clip(action + noise, self.low.numpy(), self.high.numpy()).astype(np.float32)
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
        """One env step, in this order:

        1. ``buffer.add(obs, action, reward, next_obs, terminated)`` (``truncated`` is NOT terminal), ``step += 1``;
        2. if ``step >= learning_starts`` and ``step % train_every == 0``: ``train_step(buffer.sample(batch_size))``.
        """
        # BEGIN SOLUTION
        self.buffer.add(obs, action, reward, next_obs, terminated)
        self.step += 1
        if self.step >= self.learning_starts and self.step % self.train_every == 0:
            self.train_step(self.buffer.sample(self.batch_size))
        # END SOLUTION

    def inputs(self, batch: Batch, next_step: bool) -> tuple[torch.Tensor, ...]:
        """What the networks see of each row of ``batch``: ``(batch.next_obs,)`` for s' (``next_step``), else
        ``(batch.obs,)``. Every network call of :meth:`targets` and :meth:`train_step` passes these first:
        ``actor(*inputs)``, ``critic(*inputs, actions)``; LSTM-TD3 adds the histories here. Given."""
        return (batch.next_obs,) if next_step else (batch.obs,)

    def targets(self, batch: Batch) -> torch.Tensor:
        """The critics' regression targets y ``(B,)`` for ``batch``, computed under ``torch.no_grad()``:

        * TD3 (``twin``): ε = ``target_noise · scale · rng.standard_normal((B, act_dim))`` (one draw, only when
          ``target_noise > 0``), ã = ``smooth_target_actions(actor_target(s'), ε, noise_clip · scale, low, high)``,
          y = ``td3_target(r, terminated, critic1_target(s', ã), critic2_target(s', ã), gamma)``;
        * DDPG (not ``twin``): ã = ``actor_target(s')`` (smoothed as above if ``target_noise > 0``),
          y = ``ddpg_target(r, terminated, critic1_target(s', ã), gamma)``.
        """
        # BEGIN SOLUTION
        with torch.no_grad():
            next_inputs = self.inputs(batch, next_step=True)
            next_actions = self.actor_target(*next_inputs)
            if self.target_noise > 0:
                draw = self.rng.standard_normal(tuple(next_actions.shape))
                noise = torch.as_tensor(draw, dtype=torch.float32) * (self.target_noise * self.scale)
                next_actions = smooth_target_actions(
                    next_actions, noise, self.noise_clip * self.scale, self.low, self.high
                )
            next_q1 = self.critic1_target(*next_inputs, next_actions)
            if not self.twin:
                return ddpg_target(batch.rewards, batch.terminated, next_q1, self.gamma)
            next_q2 = self.critic2_target(*next_inputs, next_actions)
            return td3_target(batch.rewards, batch.terminated, next_q1, next_q2, self.gamma)
        # END SOLUTION

    def train_step(self, batch: Batch) -> float:
        """One update on ``batch``; returns the critic loss before the step as a ``float``. In this order:

        1. ``updates += 1``; y = ``targets(batch)``;
        2. critic loss L = mean((Q1(s, a) − y)²) (+ mean((Q2(s, a) − y)²) when ``twin``): ``critic_optimizer``'s
           ``zero_grad``, ``L.backward()``, ``step()``;
        3. every ``policy_delay``-th update (``updates % policy_delay == 0``): actor loss −Q1(s, μ(s)).mean():
           ``actor_optimizer``'s ``zero_grad``, backward, ``step()`` (only the actor moves), then
           ``soft_update(target, online, tau)`` of the actor and of every critic.
        """
        # BEGIN SOLUTION
        self.updates += 1
        y = self.targets(batch)
        inputs = self.inputs(batch, next_step=False)
        critic_loss = F.mse_loss(self.critic1(*inputs, batch.actions), y)
        if self.twin:
            critic_loss = critic_loss + F.mse_loss(self.critic2(*inputs, batch.actions), y)
        self.critic_optimizer.zero_grad()
        critic_loss.backward()
        self.critic_optimizer.step()
        if self.updates % self.policy_delay == 0:
            actor_loss = -self.critic1(*inputs, self.actor(*inputs)).mean()
            self.actor_optimizer.zero_grad()
            actor_loss.backward()
            self.actor_optimizer.step()
            soft_update(self.actor_target, self.actor, self.tau)
            soft_update(self.critic1_target, self.critic1, self.tau)
            if self.twin:
                soft_update(self.critic2_target, self.critic2, self.tau)
        return float(critic_loss.item())
        # END SOLUTION


def copy_of(online: nn.Module, target: nn.Module) -> nn.Module:
    """``target`` with the parameters and buffers of ``online`` (``load_state_dict``); returns ``target``. Given."""
    target.load_state_dict(online.state_dict())
    return target
