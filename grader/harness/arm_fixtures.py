"""Trusted pieces of hw11's robotics checks (``tests/*/hw11_applications/test_robotics*.py``): the hyperparameters
of the learning checks, and fixture weights put into a (student) ``ReachingTD3`` so that its actions and critic
targets are known by hand. Nothing here computes an answer of the homework: the checks compare against numbers
written as data."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch

from grader.harness.continuous_fixtures import load_parameters, make_agent
from grader.harness.validate import InvalidOutput, as_float

# Every hyperparameter of the learning checks, passed explicitly so the checks never depend on a submission's
# defaults: 64x64 ReLU networks, Adam 1e-3, γ = 0.9, τ = 0.01, batch 64, one update per step from step 500 on
# (uniform random actions before), exploration σ = 0.2, smoothing σ = 0.2 clipped at 0.5, policy delay 2.
ARM_HPARAMS = {
    "hidden": (64, 64),
    "lr": 1e-3,
    "gamma": 0.9,
    "tau": 0.01,
    "batch_size": 64,
    "buffer_size": 20_000,
    "learning_starts": 500,
    "expl_noise": 0.2,
    "target_noise": 0.2,
    "noise_clip": 0.5,
    "policy_delay": 2,
}


def last_layer_zero(net: Any, what: str) -> None:
    """Set the last Linear layer of a (student) ``mlp`` network to zero: its output is then 0 for every input."""
    names = list(net.state_dict())
    if len(names) < 2 or not all(type(n) is str for n in names):
        raise InvalidOutput(f"{what}.state_dict() must name the layers of an mlp (weight, bias, …)")
    state = net.state_dict()
    shapes = {n: tuple(int(d) for d in state[n].shape) for n in names[-2:]}
    load_parameters(net, {n: np.zeros(s) for n, s in shapes.items()})


CRITIC_FIXTURES = {
    # first layer: the features (s_0, s_1, a, 0) (inputs ≥ 0, so the ReLU passes them); last layer: a linear form
    "critic1_target": (np.array([1.0, 0.0, 1.0, 0.0]), 0.0),  # Q'1(s, a) = s_0 + a
    "critic2_target": (np.array([0.0, 1.0, -1.0, 0.0]), 1.0),  # Q'2(s, a) = s_1 − a + 1
    "critic1": (np.zeros(4), 0.0),  # the online critics give 0, so the loss of a 1-row batch is 2 y²
    "critic2": (np.zeros(4), 0.0),
}


def fixture_agent(impl: Any, gamma: float) -> Any:
    """A ``ReachingTD3`` on 2-d observations and actions in [0, 1] with one hidden layer of 4 units, no target
    smoothing, the target actor at μ'(s) = 0.5 and the critics of ``CRITIC_FIXTURES``."""
    spaces = (
        gym.spaces.Box(0.0, 5.0, shape=(2,), dtype=np.float32),
        gym.spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32),
    )
    agent = make_agent(
        impl, "robotics", "ReachingTD3", spaces, hidden=(4,), gamma=gamma, target_noise=0.0, policy_delay=2
    )
    last_layer_zero(agent.actor_target, "agent.actor_target")
    for name, (out_weight, out_bias) in CRITIC_FIXTURES.items():
        net = getattr(agent, name)
        names = list(net.state_dict())
        if len(names) != 4:
            raise InvalidOutput(
                f"agent.{name} with hidden=(4,) must be mlp([3, 4, 1]) (4 parameters), got {len(names)}"
            )
        load_parameters(
            net, dict(zip(names, [np.eye(4, 3), np.zeros(4), out_weight[None, :], np.array([out_bias])], strict=True))
        )
    return agent


def update_target(impl: Any, gamma: float, reward: float, next_obs: list[float], terminated: float) -> float:
    """y of a one-row batch, read from ``update``'s critic loss 2 y² (the online critics give 0)."""
    agent = fixture_agent(impl, gamma)
    row = [torch.tensor([x], dtype=torch.float32) for x in ([1.0, 1.0], [0.2], reward, next_obs, terminated)]
    loss = as_float(agent.update(*row), "update(...) return value (the critic loss)")
    return float(np.sqrt(max(loss, 0.0) / 2.0))
