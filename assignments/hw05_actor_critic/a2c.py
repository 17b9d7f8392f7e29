"""Advantage actor-critic (A2C; Mnih et al. 2016, synchronous) on N copies of an environment.

The grader owns a ``gymnasium.vector.SyncVectorEnv`` of N environments (Gymnasium's default autoreset mode,
``NEXT_STEP``) and drives the agent with its loop (``grader/harness/loops.py``, ``VectorTrainer``): per vector
step it calls

* ``actions = agent.act(obs)`` with ``obs`` of shape ``(N, obs_dim)``: one action per environment;
* ``agent.observe(obs, actions, rewards, next_obs, terminated, truncated)`` with exactly what the vector env's
  ``step(actions)`` returned (arrays with N rows).

It evaluates ``agent.act(obs, deterministic=True)`` on a batch of observations of separate evaluation episodes
(one row each), so that action must depend on each row alone.

**The autoreset trap.** When env i's step t ends its episode (``terminated[i] or truncated[i]``), ``next_obs[i]``
is the episode's final observation; the vector env resets env i during the NEXT step t + 1, ignoring the action
given for it, and returns the first observation of the new episode with reward 0 and both flags False. That step
t + 1 of env i is a *reset step*: "final observation → first observation" is not a transition of the
environment. A rollout keeps it in its grid (so that ``obs[t + 1, i]``, the final observation, gives V(final
observation) to bootstrap a truncated step t), but marks it invalid: the losses use valid steps only.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from .advantages import gae
from .networks import ActorCritic


class RolloutBuffer:
    """T steps × N environments of experience, time first, plus the validity of each step.

    Attributes (numpy arrays, allocated in ``__init__``, overwritten rollout after rollout):
        obs: float32 ``(T, N, *obs_shape)``; actions: int64 ``(T, N)`` for discrete actions, or float32
        ``(T, N, m)`` (``action_shape = (m,)``); rewards: float32 ``(T, N)``; terminated, truncated, valid: bool
        ``(T, N)``; ended: bool ``(N,)``: whether env i's latest step ended its episode (so its next step is a
        reset step); step: how many steps of the current rollout are stored (0 … T).
    """

    def __init__(
        self, n_steps: int, n_envs: int, obs_shape: tuple[int, ...], action_shape: tuple[int, ...] = ()
    ) -> None:
        raise NotImplementedError("RolloutBuffer.__init__ — fill this in (see its docstring in a2c.py)")

    def add(
        self,
        obs: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        terminated: np.ndarray,
        truncated: np.ndarray,
    ) -> None:
        """Store one vector step at row ``step`` and advance ``step``. The step of env i is valid unless env i's
        previous step ended its episode (``ended[i]``), even when that step was the last of the previous rollout;
        then ``ended = terminated | truncated``."""
        raise NotImplementedError("RolloutBuffer.add — fill this in (see its docstring in a2c.py)")

    def full(self) -> bool:
        """Whether ``n_steps`` steps are stored."""
        raise NotImplementedError("RolloutBuffer.full — fill this in (see its docstring in a2c.py)")

    def clear(self) -> None:
        """Start the next rollout: ``step = 0``. ``ended`` is kept (a rollout may start with a reset step)."""
        raise NotImplementedError("RolloutBuffer.clear — fill this in (see its docstring in a2c.py)")

    def advantages_and_returns(
        self, values: np.ndarray, last_values: np.ndarray, gamma: float, lam: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """GAE(λ) advantages and λ-returns of the stored (full) rollout, both float32 ``(T, N)``:

            A = gae(rewards, values, last_values, terminated, truncated, γ, λ),    R = A + values

        ``values`` ``(T, N)`` are V(obs), ``last_values`` ``(N,)`` V of the observation after the last step.
        The entries of reset steps are computed too (and never used)."""
        raise NotImplementedError("RolloutBuffer.advantages_and_returns — fill this in (see its docstring in a2c.py)")


def a2c_loss(
    log_probs: torch.Tensor,
    entropy: torch.Tensor,
    values: torch.Tensor,
    advantages: torch.Tensor,
    returns: torch.Tensor,
    vf_coef: float,
    ent_coef: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The A2C loss over B valid steps, as scalar tensors ``(total, policy_loss, value_loss, entropy_mean)``:

        policy_loss  = −(1/B) Σ_i log π_θ(a_i|s_i) A_i
        value_loss   =  (1/B) Σ_i (V(s_i) − R_i)²
        entropy_mean =  (1/B) Σ_i H[π_θ(·|s_i)]
        total        =  policy_loss + vf_coef · value_loss − ent_coef · entropy_mean

    All inputs have shape ``(B,)``. ``advantages`` and ``returns`` are constants of the loss: detach them (a
    caller may pass tensors that still carry a graph, e.g. A = R − V(s) computed from the same critic), so the
    policy term sends no gradient into the critic and the value loss regresses V towards fixed targets.
    Gradient DEScent on ``total`` ascends J, fits V and, with ent_coef > 0, raises the entropy.
    """
    raise NotImplementedError("a2c_loss — fill this in (see its docstring in a2c.py)")


class A2CAgent:
    """Synchronous advantage actor-critic with GAE(λ), driven by the grader's vector-env loop (module docstring).

    Attributes the checks read and drive:
        net: ``ActorCritic(obs_dim, action_space, hidden, shared, log_std_init)``;
        optimizer: ``torch.optim.Adam(net.parameters(), lr=lr)`` (PyTorch's defaults otherwise);
        buffer: ``RolloutBuffer(n_steps, n_envs, observation_space.shape, action_space.shape)``;
        generator: ``torch.Generator()`` seeded with ``seed``: every random draw of ``act`` comes from it;
        updates: the number of updates so far.
    The network is initialised from torch's global RNG, which the grader seeds.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Discrete | gym.spaces.Box,
        *,
        seed: int,
        n_envs: int,
        n_steps: int = 8,
        lr: float = 1e-3,
        gamma: float = 0.99,
        gae_lambda: float = 0.95,
        vf_coef: float = 0.5,
        ent_coef: float = 0.0,
        max_grad_norm: float = 0.5,
        hidden: tuple[int, ...] = (64, 64),
        shared: bool = False,
        log_std_init: float = 0.0,
    ) -> None:
        self.action_space = action_space
        self.continuous = isinstance(action_space, gym.spaces.Box)
        self.gamma, self.gae_lambda = gamma, gae_lambda
        self.vf_coef, self.ent_coef, self.max_grad_norm = vf_coef, ent_coef, max_grad_norm
        raise NotImplementedError("A2CAgent.__init__ — fill this in (see its docstring in a2c.py)")

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """One action per row of ``obs`` ``(N, obs_dim)``, computed without gradient:

        * discrete: an int64 array ``(N,)``, sampled from π_θ(·|s) (e.g. ``torch.multinomial(probs, 1,
          generator=self.generator)``), or the argmax of the logits when ``deterministic``;
        * continuous: a float array ``(N, m)``: the raw sample a = μ(s) + σ·ε (ε from ``torch.randn(...,
          generator=self.generator)``), kept for ``observe``, returned clipped to the action space's bounds; or
          ``clip(μ(s))`` when ``deterministic``.

        A deterministic call draws nothing from ``generator`` and changes nothing in the agent.
        """
        raise NotImplementedError("A2CAgent.act — fill this in (see its docstring in a2c.py)")

    def observe(
        self,
        obs: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_obs: np.ndarray,
        terminated: np.ndarray,
        truncated: np.ndarray,
    ) -> None:
        """Store one vector step in ``buffer`` — for continuous actions the RAW samples of the last ``act``, not
        the clipped ``actions`` — and, once the buffer is full, call ``self.update(next_obs)`` and then
        ``buffer.clear()``."""
        raise NotImplementedError("A2CAgent.observe — fill this in (see its docstring in a2c.py)")

    def update(self, last_obs: np.ndarray) -> float:
        """One gradient step on the full rollout in ``buffer``; ``last_obs`` ``(N, obs_dim)`` is the observation
        after its last step. Returns the total loss (before the step) as a ``float``:

        1. without gradient: ``values = net.value(obs)`` ``(T, N)``, ``last_values = net.value(last_obs)``;
           ``A, R = buffer.advantages_and_returns(values, last_values, gamma, gae_lambda)``;
        2. on the VALID steps only (time-major order, ``buffer.valid``): ``log_probs, entropy, values =
           net.evaluate_actions(obs, actions)``, ``loss = a2c_loss(..., A, R, vf_coef, ent_coef)[0]``;
        3. ``optimizer.zero_grad()``, ``loss.backward()``, ``nn.utils.clip_grad_norm_(net.parameters(),
           max_grad_norm)``, ``optimizer.step()``; ``updates += 1``.
        """
        raise NotImplementedError("A2CAgent.update — fill this in (see its docstring in a2c.py)")
