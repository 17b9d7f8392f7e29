"""Trusted pieces of the hw04 (DQN) checks: linear Q-networks with known weights, validated network outputs and
parameters, and the train_step check shared by the public and hidden checks (the grader's own answers are in the
course-only :mod:`grader.oracles.dqn`).

Fixture networks are plain ``nn.Linear`` layers, Q(s) = W s + b, so every value a check expects can be
worked out by hand from the weights below; the checks pass them to the student's functions in place of
real Q-networks. Everything returned by student code goes through :func:`as_tensor_array` first (P3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
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


class TrainStepBatch(NamedTuple):
    """The batch of :func:`check_train_step` as numpy arrays (float32 observations, int actions)."""

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_obs: np.ndarray
    terminated: np.ndarray


#: ``(agent, batch, gamma, double) -> (expected loss, note, causes)``: the loss ``train_step`` must return on
#: ``batch``, computed BEFORE the step from the agent's networks; a note for the message, and the loss some
#: mistakes would give (named in the message only when the returned loss equals one of them).
ExpectedLoss = Callable[[Any, TrainStepBatch, float, bool], tuple[float, str, dict[str, float]]]


def loss_from_your_functions(impl: Any) -> ExpectedLoss:
    """The loss ``train_step`` must return, from the submission's own ``dqn_targets``/``double_dqn_targets``
    (checked against known answers by their own checks) and the Huber loss of ``F.smooth_l1_loss``."""

    def expected_loss(
        agent: Any, batch: TrainStepBatch, gamma: float, double: bool
    ) -> tuple[float, str, dict[str, float]]:
        r, s2, d = (torch.from_numpy(x) for x in (batch.rewards, batch.next_obs, batch.terminated))
        if double:
            targets = impl.attr("dqn", "double_dqn_targets")(r, s2, d, agent.q_net, agent.target_net, gamma)
        else:
            targets = impl.attr("dqn", "dqn_targets")(r, s2, d, agent.target_net, gamma)
        name = "double_dqn_targets" if double else "dqn_targets"
        y = as_tensor_array(targets, f"{name}(...) on the batch", (len(batch.actions),))
        q = net_q_values(agent.q_net, batch.obs, 2, "agent.q_net(obs)")[np.arange(len(y)), batch.actions]
        loss = F.smooth_l1_loss(torch.from_numpy(q), torch.from_numpy(y))
        return float(loss), f"(y from your {name}, which its own check compares with known answers)", {}

    return expected_loss


def check_train_step(impl: Any, double: bool, expected_loss: ExpectedLoss, **hparams: Any) -> None:
    """train_step on a given batch returns ``expected_loss`` and changes q_net only (public and hidden checks)."""
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
    data = TrainStepBatch(obs, actions, rewards, next_obs, terminated)
    expected, note, causes = expected_loss(agent, data, 0.9, double)
    target_before = parameters(agent.target_net, "agent.target_net")
    online_before = parameters(agent.q_net, "agent.q_net")
    Batch = impl.attr("replay", "Batch")
    batch = Batch(*(torch.from_numpy(x) for x in data))
    loss = as_float(agent.train_step(batch), "agent.train_step(batch)")
    assert abs(loss - expected) <= 1e-4 * max(1.0, abs(expected)), (
        f"DQNAgent(double={double}, gamma=0.9).train_step on a batch of {b} random transitions (30 % terminated) "
        f"returned the loss {loss:.5f}; expected {expected:.5f} from your q_net and target_net before the step "
        f"(Huber of Q(s, a) − y, y from {'double_dqn_targets' if double else 'dqn_targets'}) {note}"
        + matching_cause(np.array([loss]), {k: [v] for k, v in causes.items()}, 1e-4 * max(1.0, abs(expected)))
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
