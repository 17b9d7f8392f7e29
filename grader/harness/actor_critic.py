"""Trusted pieces of the actor-critic checks (hw05 on): building agents, reading a network's parameters and
gradients, and finding which parameters an output depends on. Nothing here computes a homework answer.

A student network is used only through its own methods (``forward``, ``value``, ``evaluate_actions``); what it
returns goes through :func:`grader.harness.validate.as_tensor_array` first (design P3). Sandboxed, the network
lives in the child: its parameters come back as copies (with their ``.grad``), and ``backward()`` on an output
fills the ``.grad`` of the child's parameters (:mod:`grader.sandbox.autograd`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from grader.harness.calls import seed_global_rngs_of
from grader.harness.validate import InvalidOutput, as_tensor_array

CARTPOLE_OBS = gym.spaces.Box(-np.inf, np.inf, shape=(4,), dtype=np.float32)
TWO_ACTIONS = gym.spaces.Discrete(2)

# Every hyperparameter of the CartPole-v1 learning checks (8 envs), passed explicitly so the checks never depend
# on a submission's defaults: rollouts of 32 steps (256 env steps per update), Adam 1e-3, γ = 0.99, λ = 0.95,
# value loss × 0.5, entropy bonus 0.01 (without it a Kaiming-initialised policy, nearly deterministic at the start,
# failed 2 of 30 calibration seeds within 100k steps), gradient norm ≤ 0.5, separate 64x64 tanh actor and critic.
A2C_HPARAMS = {
    "n_steps": 32,
    "lr": 1e-3,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "vf_coef": 0.5,
    "ent_coef": 0.01,
    "max_grad_norm": 0.5,
    "hidden": (64, 64),
    "shared": False,
}


def make_agent(
    impl: Any, observation_space: gym.Space, action_space: gym.Space, n_envs: int, torch_seed: int = 0, **hparams: Any
) -> Any:
    """``A2CAgent(observation_space, action_space, seed=torch_seed, n_envs=n_envs, **hparams)``, its network
    initialised from torch's global RNG seeded with ``torch_seed`` (where the agent lives)."""
    agent_cls = impl.attr("a2c", "A2CAgent")
    seed_global_rngs_of(agent_cls, torch_seed)
    return agent_cls(observation_space, action_space, seed=torch_seed, n_envs=n_envs, **hparams)


def gradients(net: Any, what: str) -> list[np.ndarray | None]:
    """The ``.grad`` of every parameter of a (student) network, in order, validated; ``None`` where unset."""
    params = list(net.parameters())
    if not params:
        raise InvalidOutput(f"{what} has no parameters")
    return [
        None if p.grad is None else as_tensor_array(p.grad, f"the gradient of a parameter of {what}", tuple(p.shape))
        for p in params
    ]


def reached_by(net: Any, output: Callable[[], torch.Tensor], what: str) -> list[bool]:
    """Which parameters of ``net`` the scalar ``output()`` (computed from the net's own methods) depends on:
    those with a non-zero gradient after ``output().backward()``. Clears the gradients before and after."""
    net.zero_grad(set_to_none=True)
    output().backward()
    reached = [g is not None and bool(np.any(g != 0)) for g in gradients(net, what)]
    net.zero_grad(set_to_none=True)
    return reached


def generator_state(agent: Any) -> bytes:
    """The state of the agent's ``torch.Generator`` (``agent.generator``), as bytes to compare."""
    state = agent.generator.get_state()
    if type(state) is not torch.Tensor or state.dtype != torch.uint8 or state.dim() != 1:
        raise InvalidOutput("agent.generator.get_state() must be the state of a torch.Generator")
    return state.numpy().tobytes()
