"""The grader's own hw07 answers: target smoothing, clipped double-Q and DDPG targets, the histories a history
replay buffer must return, and a replay of ``TD3Agent.train_step`` on a copy of a student's networks.

Course-only (see :mod:`grader.oracles`): the hidden checks compare a submission with these.

:class:`ReplayedTD3` rebuilds the student's networks with the architecture their docstrings fix
(``Actor``: ``mlp([obs_dim, *hidden, act_dim])``, then ``bias + scale · tanh``; ``Critic``: ``mlp([obs_dim +
act_dim, *hidden, 1])`` on ``[obs, action]``, squeezed) from the student's own parameter values, in order, and
runs the update the docstring of ``TD3Agent.train_step`` states: the losses and gradients in float32 like the
student's networks, each step by the grader's own Adam (:class:`grader.oracles.updates.Adam`, float64, its
moments persisting from one update to the next; it never creates a ``torch.optim`` optimizer, whose first use
imports ``torch._dynamo``: ≈ 1.3 s of the grader's CPU time). The smoothing noise
comes from a copy of the agent's ``rng`` taken just before the update (the docstring fixes the draw:
``rng.standard_normal((B, act_dim))`` once per update when ``target_noise > 0``). Each update keeps its
intermediate values (targets, critic loss, actor loss) so a check can name the first one that differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from grader.oracles.updates import Adam


def smoothed_actions(mu: np.ndarray, noise: np.ndarray, clip: np.ndarray | float, low: np.ndarray, high: np.ndarray):
    """clip(μ'(s') + clip(ε, −c, c), low, high), in float64."""
    c = np.asarray(clip, dtype=np.float64)
    return np.clip(np.asarray(mu) + np.clip(np.asarray(noise), -c, c), low, high)


def bootstrapped_target(rewards: np.ndarray, terminated: np.ndarray, next_q: np.ndarray, gamma: float) -> np.ndarray:
    """y = r + γ (1 − terminated) · next_q, with next_q = min(Q1', Q2') for TD3 and Q1' for DDPG."""
    return np.asarray(rewards) + gamma * (1.0 - np.asarray(terminated)) * np.asarray(next_q)


def expected_histories(
    codes: list[int], ends: dict[int, str], length: int, capacity: int
) -> list[dict[str, list[int]]]:
    """For each slot of a history buffer of ``capacity`` after adding transitions ``codes`` in order (an episode
    ends at a code of ``ends``, whatever its kind), the codes of its history and of its next history, oldest first.
    Slot ``k % capacity`` holds the last transition k written there."""
    slots: list[dict[str, list[int]]] = [{} for _ in range(min(len(codes), capacity))]
    episode: list[int] = []
    for k, code in enumerate(codes):
        history = episode[-length:]
        slots[k % capacity] = {"code": [code], "history": history, "next_history": [*history, code][-length:]}
        episode = [] if code in ends else [*episode, code]
    return slots


def mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class _Actor(nn.Module):
    def __init__(self, sizes: list[int], scale: torch.Tensor, bias: torch.Tensor) -> None:
        super().__init__()
        self.net, self.scale, self.bias = mlp(sizes), scale, bias

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.bias + self.scale * torch.tanh(self.net(obs))


class _Critic(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.net = mlp(sizes)

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([obs, action], dim=-1)).squeeze(-1)


def _load(net: nn.Module, values: list[np.ndarray]) -> nn.Module:
    params = list(net.parameters())
    if [tuple(p.shape) for p in params] != [tuple(v.shape) for v in values]:
        raise ValueError("the parameter shapes differ from the documented architecture")
    with torch.no_grad():
        for p, v in zip(params, values, strict=True):
            p.copy_(torch.as_tensor(v, dtype=torch.float32))
    return net


@dataclass
class UpdateRecord:
    """The intermediate values of one replayed update."""

    targets: np.ndarray
    critic_loss: float
    actor_updated: bool
    actor_loss: float | None


@dataclass(frozen=True)
class TD3Settings:
    """The hyperparameters an update depends on (those the agent was built with)."""

    gamma: float
    tau: float
    actor_lr: float
    critic_lr: float
    twin: bool
    policy_delay: int
    target_noise: float
    noise_clip: float
    low: np.ndarray
    high: np.ndarray


class ReplayedTD3:
    """The grader's copy of a TD3/DDPG agent's six (four) networks, updated by the documented rule."""

    NETS = ("actor", "critic1", "critic2", "actor_target", "critic1_target", "critic2_target")

    def __init__(self, params: dict[str, list[np.ndarray]], hidden: tuple[int, ...], settings: TD3Settings) -> None:
        self.s = settings
        obs_dim = params["actor"][0].shape[1]
        act_dim = params["actor"][-1].shape[0]
        low = torch.as_tensor(settings.low, dtype=torch.float32)
        high = torch.as_tensor(settings.high, dtype=torch.float32)
        self.scale, bias = (high - low) / 2, (high + low) / 2
        self.low, self.high = low, high
        self.nets: dict[str, nn.Module] = {}
        for name in self.NETS:
            if name not in params:
                continue
            if name.startswith("actor"):
                net: nn.Module = _Actor([obs_dim, *hidden, act_dim], self.scale, bias)
            else:
                net = _Critic([obs_dim + act_dim, *hidden, 1])
            self.nets[name] = _load(net, params[name])
        critics = [self.nets["critic1"]] + ([self.nets["critic2"]] if settings.twin else [])
        self.critics = critics
        self.actor_adam, self.critic_adam = Adam(settings.actor_lr), Adam(settings.critic_lr)
        self.updates = 0

    def _step(self, adam: Adam, nets: list[nn.Module], loss: torch.Tensor) -> None:
        """One Adam step of the parameters of ``nets`` on the gradient of ``loss`` (no other network moves)."""
        params = {f"{i}.{name}": p for i, net in enumerate(nets) for name, p in net.named_parameters()}
        for net in self.nets.values():
            net.zero_grad(set_to_none=True)
        loss.backward()
        grads = {k: p.grad.double().numpy() for k, p in params.items() if p.grad is not None}
        stepped = adam.step({k: p.detach().double().numpy() for k, p in params.items()}, grads)
        with torch.no_grad():
            for k, p in params.items():
                p.copy_(torch.as_tensor(stepped[k]))

    def parameters(self) -> dict[str, list[np.ndarray]]:
        return {
            name: [p.detach().numpy().astype(np.float64) for p in net.parameters()] for name, net in self.nets.items()
        }

    def targets(self, batch: dict[str, torch.Tensor], rng: np.random.Generator) -> torch.Tensor:
        n = self.nets
        with torch.no_grad():
            next_actions = n["actor_target"](batch["next_obs"])
            if self.s.target_noise > 0:
                draw = torch.as_tensor(rng.standard_normal(tuple(next_actions.shape)), dtype=torch.float32)
                noise = (draw * (self.s.target_noise * self.scale)).clamp(
                    -self.s.noise_clip * self.scale, self.s.noise_clip * self.scale
                )
                next_actions = torch.clamp(next_actions + noise, self.low, self.high)
            next_q = n["critic1_target"](batch["next_obs"], next_actions)
            if self.s.twin:
                next_q = torch.minimum(next_q, n["critic2_target"](batch["next_obs"], next_actions))
            return batch["rewards"] + self.s.gamma * (1.0 - batch["terminated"]) * next_q

    def update(self, batch: dict[str, torch.Tensor], rng: np.random.Generator) -> UpdateRecord:
        """One documented ``train_step`` on ``batch`` (tensors by field name) with noise drawn from ``rng``."""
        n = self.nets
        self.updates += 1
        y = self.targets(batch, rng)
        critic_loss = ((n["critic1"](batch["obs"], batch["actions"]) - y) ** 2).mean()
        if self.s.twin:
            critic_loss = critic_loss + ((n["critic2"](batch["obs"], batch["actions"]) - y) ** 2).mean()
        self._step(self.critic_adam, self.critics, critic_loss)
        record = UpdateRecord(y.numpy().astype(np.float64), float(critic_loss.item()), False, None)
        if self.updates % self.s.policy_delay == 0:
            actor_loss = -n["critic1"](batch["obs"], n["actor"](batch["obs"])).mean()
            self._step(self.actor_adam, [n["actor"]], actor_loss)
            with torch.no_grad():
                for online in ("actor", "critic1", "critic2"):
                    if online in n and f"{online}_target" in n:
                        for t, p in zip(n[f"{online}_target"].parameters(), n[online].parameters(), strict=True):
                            t.mul_(1.0 - self.s.tau).add_(p, alpha=self.s.tau)
            record.actor_updated, record.actor_loss = True, float(actor_loss.item())
        return record
