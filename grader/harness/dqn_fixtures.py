"""Trusted pieces of the hw04 (DQN) checks: a tensor validator, linear Q-networks with known weights, and the
grader's own numpy computations of the known answers (TD targets, Huber loss, dueling aggregation).

Fixture networks are plain ``nn.Linear`` layers, Q(s) = W s + b, so every value a check expects can be
worked out by hand from the weights below; the checks pass them to the student's functions in place of
real Q-networks. Everything returned by student code goes through :func:`as_tensor_array` first (P3).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from grader.harness.calls import seed_global_rngs_of
from grader.harness.validate import InvalidOutput, as_float, as_tensor_array, matching_cause

# Observation and action spaces of the agent-level checks (CartPole's shapes, no env needed).
OBS_SPACE = gym.spaces.Box(-np.inf, np.inf, shape=(4,), dtype=np.float32)
ACTION_SPACE = gym.spaces.Discrete(2)

# Every hyperparameter of the learning checks (CartPole-v1 and Acrobot-v1), passed explicitly so the checks
# never depend on a submission's defaults: Double DQN, 64x64 ReLU, Adam 1e-3, one gradient step per 2 env
# steps, Polyak τ = 0.01 after every env step, ε 1 → 0.02 over the first 5000 steps.
DQN_HPARAMS = {
    "lr": 1e-3,
    "gamma": 0.99,
    "buffer_size": 20_000,
    "batch_size": 64,
    "learning_starts": 1000,
    "train_every": 2,
    "target_update_every": 1,
    "tau": 0.01,
    "eps_start": 1.0,
    "eps_end": 0.02,
    "eps_duration": 5000,
    "double": True,
    "dueling": False,
    "hidden": (64, 64),
    "max_grad_norm": 10.0,
}


def linear_q(weight: list[list[float]], bias: list[float]) -> nn.Linear:
    """A fixture Q-network Q(s) = W s + b (float32, parameters require grad like a real network)."""
    w = torch.tensor(weight, dtype=torch.float32)
    layer = nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(torch.tensor(bias, dtype=torch.float32))
    return layer


def linear_q_values(weight: list[list[float]], bias: list[float], obs: np.ndarray) -> np.ndarray:
    """The grader's own Q(s) = W s + b in float64, ``(B, n_actions)``."""
    return np.asarray(obs, dtype=np.float64) @ np.asarray(weight, dtype=np.float64).T + np.asarray(bias)


def trusted_targets(
    rewards: np.ndarray,
    terminated: np.ndarray,
    next_q_online: np.ndarray,
    next_q_target: np.ndarray,
    gamma: float,
    double: bool,
) -> np.ndarray:
    """y = r + γ (1 − terminated) · (Q_target(s', argmax Q_online(s', ·)) if double else max Q_target(s', ·))."""
    if double:
        best = next_q_online.argmax(axis=1)
        next_value = next_q_target[np.arange(len(best)), best]
    else:
        next_value = next_q_target.max(axis=1)
    return rewards + gamma * (1.0 - terminated) * next_value


def trusted_huber(predicted: np.ndarray, targets: np.ndarray) -> float:
    """Mean Huber loss with δ = 1: x²/2 for |x| ≤ 1, |x| − 1/2 beyond."""
    x = np.abs(predicted - targets)
    return float(np.mean(np.where(x <= 1.0, 0.5 * x**2, x - 0.5)))


def net_q_values(net: object, obs: np.ndarray, n_actions: int, what: str) -> np.ndarray:
    """Q-values of a (student) network on ``obs`` as float64 numpy, computed without gradient and validated."""
    with torch.no_grad():
        out = net(torch.as_tensor(obs, dtype=torch.float32))
    return as_tensor_array(out, what, (len(obs), n_actions))


def parameters(net: nn.Module, what: str) -> list[np.ndarray]:
    """Copies of a (student) network's parameters, in order, validated."""
    params = list(net.parameters())
    if not params:
        raise InvalidOutput(f"{what} has no parameters")
    return [as_tensor_array(p, f"a parameter of {what}", tuple(p.shape)) for p in params]


def same_parameters(a: list[np.ndarray], b: list[np.ndarray], atol: float = 0.0) -> bool:
    return len(a) == len(b) and all(
        x.shape == y.shape and np.allclose(x, y, rtol=0, atol=atol) for x, y in zip(a, b, strict=True)
    )


def make_agent(impl: Any, **hparams: Any) -> Any:
    """A DQNAgent on CartPole's spaces, networks initialised from torch seed 0."""
    agent_cls = impl.attr("dqn", "DQNAgent")
    seed_global_rngs_of(agent_cls, 0)
    return agent_cls(OBS_SPACE, ACTION_SPACE, seed=0, **hparams)


def check_train_step(impl: Any, double: bool, **hparams: Any) -> None:
    """train_step on a given batch returns the grader's loss and changes q_net only (public and hidden checks)."""
    agent = make_agent(impl, double=double, gamma=0.9, lr=0.01, learning_starts=10**9, **hparams)
    rng = np.random.default_rng(1)
    probe = rng.normal(size=(8, 4)).astype(np.float32)
    online0 = net_q_values(agent.q_net, probe, 2, "agent.q_net(obs)")
    assert np.allclose(net_q_values(agent.target_net, probe, 2, "agent.target_net(obs)"), online0, atol=1e-6), (
        "a new agent's target_net must start as a copy of q_net (target_net.load_state_dict(q_net.state_dict()))"
    )
    assert agent.target_net is not agent.q_net, "target_net must be a separate network, not q_net itself"
    # move the target net away from the online net, so that using the wrong one shows (load_state_dict: a call
    # on the student's network, so it also reaches a sandboxed agent)
    state = agent.target_net.state_dict()
    shift = {k: rng.normal(scale=0.5, size=tuple(v.shape)).astype(np.float32) for k, v in state.items()}
    agent.target_net.load_state_dict({k: v + torch.from_numpy(shift[k]) for k, v in state.items()})
    b = 32
    obs, next_obs = rng.normal(size=(b, 4)).astype(np.float32), rng.normal(size=(b, 4)).astype(np.float32)
    actions, rewards = rng.integers(2, size=b), rng.normal(size=b).astype(np.float32)
    terminated = (rng.random(b) < 0.3).astype(np.float32)
    q = net_q_values(agent.q_net, obs, 2, "agent.q_net(obs)")[np.arange(b), actions]
    next_online = net_q_values(agent.q_net, next_obs, 2, "agent.q_net(next_obs)")
    next_target = net_q_values(agent.target_net, next_obs, 2, "agent.target_net(next_obs)")
    expected = trusted_huber(q, trusted_targets(rewards, terminated, next_online, next_target, 0.9, double))
    variants = {
        "the online net instead of the target net": trusted_targets(
            rewards, terminated, next_online, next_online, 0.9, double
        ),
        "no (1 − terminated) factor": trusted_targets(rewards, 0 * terminated, next_online, next_target, 0.9, double),
        "the other rule (DQN vs Double DQN)": trusted_targets(
            rewards, terminated, next_online, next_target, 0.9, not double
        ),
    }
    target_before = parameters(agent.target_net, "agent.target_net")
    online_before = parameters(agent.q_net, "agent.q_net")
    Batch = impl.attr("replay", "Batch")
    batch = Batch(
        torch.from_numpy(obs),
        torch.from_numpy(actions),
        torch.from_numpy(rewards),
        torch.from_numpy(next_obs),
        torch.from_numpy(terminated),
    )
    loss = as_float(agent.train_step(batch), "agent.train_step(batch)")
    causes = {f"targets computed with {name}": [trusted_huber(q, y)] for name, y in variants.items()}
    assert abs(loss - expected) <= 1e-4 * max(1.0, abs(expected)), (
        f"DQNAgent(double={double}, gamma=0.9).train_step on a batch of {b} random transitions (30 % terminated) "
        f"returned the loss {loss:.5f}; the grader computes {expected:.5f} from your q_net and target_net "
        f"(Huber of Q(s, a) − y, y from {'double_dqn_targets' if double else 'dqn_targets'})"
        + matching_cause(np.array([loss]), causes, 1e-4 * max(1.0, abs(expected)))
    )
    assert same_parameters(parameters(agent.target_net, "agent.target_net"), target_before), (
        "train_step changed target_net: only q_net is trained (the target is updated by observe on schedule)"
    )
    assert all(p.grad is None for p in agent.target_net.parameters()), (
        "after train_step the target net's parameters have a .grad: gradient flowed through the targets; "
        "compute them without gradient"
    )
    assert not same_parameters(parameters(agent.q_net, "agent.q_net"), online_before), (
        "train_step did not change q_net: zero_grad, backward and optimizer.step on q_net's parameters"
    )
