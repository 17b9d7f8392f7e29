"""Trusted pieces of the hw07 (DDPG, TD3, LSTM-TD3) checks: fixture networks with known weights, the spaces of
the agent-level checks, and validated reads of a (student) agent's networks, parameters and generator.

Nothing here computes an answer of the homework: the checks compare against numbers written as data, or against
what the student's own networks output on given inputs. (The grader's own recomputation of an update, used by
the hidden checks only, is :mod:`grader.oracles.continuous_control`.)
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from grader.harness.calls import seed_global_rngs_of
from grader.harness.validate import InvalidOutput, as_tensor_array

# The spaces of the agent-level checks: Pendulum-v1's (no env needed), and a 2-d box with unequal bounds.
PENDULUM_OBS = gym.spaces.Box(-8.0, 8.0, shape=(3,), dtype=np.float32)
PENDULUM_ACTIONS = gym.spaces.Box(-2.0, 2.0, shape=(1,), dtype=np.float32)
SKEWED_ACTIONS = gym.spaces.Box(np.array([-1.0, 0.0], np.float32), np.array([3.0, 1.0], np.float32), dtype=np.float32)
# CueRecall's spaces (grader/harness/cue_recall.py): [cue, phase] and one action in [-1, 1].
CUE_OBS = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
CUE_ACTIONS = gym.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)


class LinearActor(nn.Module):
    """A fixture target actor μ(s) = W s + b (no squashing), so the actions it gives are known by hand."""

    def __init__(self, weight: list[list[float]], bias: list[float]) -> None:
        super().__init__()
        self.layer = nn.Linear(len(weight[0]), len(weight))
        with torch.no_grad():
            self.layer.weight.copy_(torch.tensor(weight))
            self.layer.bias.copy_(torch.tensor(bias))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.layer(obs)


class LinearCritic(nn.Module):
    """A fixture critic Q(s, a) = w_s · s + w_a · a + b, output ``(B,)``."""

    def __init__(self, obs_weight: list[float], action_weight: list[float], bias: float) -> None:
        super().__init__()
        self.layer = nn.Linear(len(obs_weight) + len(action_weight), 1)
        with torch.no_grad():
            self.layer.weight.copy_(torch.tensor([[*obs_weight, *action_weight]]))
            self.layer.bias.fill_(bias)

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        return self.layer(torch.cat([obs, action], dim=-1)).squeeze(-1)


def make_agent(
    impl: Any,
    module: str,
    name: str,
    spaces: tuple[gym.spaces.Box, gym.spaces.Box] = (PENDULUM_OBS, PENDULUM_ACTIONS),
    **hparams: Any,
) -> Any:
    """``name`` of ``module`` built on ``spaces`` (observation, action; Pendulum's by default) with seed 0, its
    networks initialised from torch seed 0."""
    agent_cls = impl.attr(module, name)
    seed_global_rngs_of(agent_cls, 0)
    return agent_cls(*spaces, seed=0, **hparams)


def call_net(net: Any, inputs: tuple[Any, ...], shape: tuple[int, ...], what: str) -> np.ndarray:
    """``net(*inputs)`` without gradient (float32 tensors built from ``inputs``, int64 for integer arrays),
    validated to ``shape``."""
    tensors = [torch.as_tensor(np.asarray(x)) for x in inputs]
    tensors = [t if t.dtype in (torch.int64, torch.bool) else t.to(torch.float32) for t in tensors]
    with torch.no_grad():
        out = net(*tensors)
    return as_tensor_array(out, what, shape)


def named_parameters(net: Any, what: str) -> dict[str, np.ndarray]:
    """Copies of a (student) network's parameters by name, in order, validated."""
    params = list(net.named_parameters())
    if not params:
        raise InvalidOutput(f"{what} has no parameters")
    out = {}
    for item in params:
        if type(item) is not tuple or len(item) != 2 or type(item[0]) is not str:
            raise InvalidOutput(f"{what}.named_parameters() must give (name, parameter) pairs")
        out[item[0]] = as_tensor_array(item[1], f"{what}.{item[0]}", tuple(item[1].shape))
    return out


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], atol: float = 0.0) -> bool:
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=0, atol=atol) for k in a
    )


def changed(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> list[str]:
    """Names of the parameters that differ."""
    return [k for k in before if not np.array_equal(before[k], after[k])]


def distance(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Euclidean distance between two networks' parameter vectors (same names and shapes)."""
    return float(np.sqrt(sum(float(np.sum((a[k] - b[k]) ** 2)) for k in a)))


def generator_state(rng: object, what: str) -> dict:
    """The state of a numpy ``Generator`` (the agent's ``rng``), to see whether anything drew from it."""
    if type(rng) is not np.random.Generator:
        raise InvalidOutput(f"{what} must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng.bit_generator.state


def load_parameters(net: Any, values: dict[str, np.ndarray]) -> None:
    """Set some parameters of a (student) network by name through its own ``load_state_dict`` (so a sandboxed
    network is changed in the sandbox); every other entry of its state dict is kept."""
    state = net.state_dict()
    new = {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in state.items()}
    for name, value in values.items():
        if name not in new:
            raise InvalidOutput(f"the network's state_dict has no entry {name!r}")
        new[name] = torch.as_tensor(np.asarray(value), dtype=new[name].dtype).reshape(new[name].shape)
    net.load_state_dict(new)


# Every hyperparameter of the learning checks, passed explicitly so the checks never depend on a submission's
# defaults (calibration: calibration/hw07_continuous.md). TD3 on Pendulum-v1: 64x64 ReLU networks, Adam 2e-3,
# batch 128, one update per env step from step 500 on (uniform random actions before), τ = 0.01, policy delay 2,
# smoothing σ = 0.2 · 2 clipped at 0.5 · 2, exploration σ = 0.1 · 2.
TD3_HPARAMS = {
    "hidden": (64, 64),
    "actor_lr": 2e-3,
    "critic_lr": 2e-3,
    "gamma": 0.99,
    "tau": 0.01,
    "buffer_size": 20_000,
    "batch_size": 128,
    "learning_starts": 500,
    "train_every": 1,
    "twin": True,
    "policy_delay": 2,
    "target_noise": 0.2,
    "noise_clip": 0.5,
    "expl_noise": 0.1,
}
# DDPG: the same agent with one critic, no delay and no target smoothing.
DDPG_HPARAMS = TD3_HPARAMS | {"twin": False, "policy_delay": 1, "target_noise": 0.0}
# LSTM-TD3 on CueRecall (5 steps): histories of 4 steps, an LSTM of 32, batch 64, γ = 0.9, learning from step 250,
# exploration σ = 0.2 (the box is ±1).
LSTM_HPARAMS = TD3_HPARAMS | {
    "gamma": 0.9,
    "buffer_size": 10_000,
    "batch_size": 64,
    "learning_starts": 250,
    "expl_noise": 0.2,
    "history_length": 4,
    "memory": 32,
}
