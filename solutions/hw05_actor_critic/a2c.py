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
        # BEGIN SOLUTION
        self.n_steps, self.n_envs = n_steps, n_envs
        self.obs = np.zeros((n_steps, n_envs, *obs_shape), dtype=np.float32)
        dtype = np.float32 if action_shape else np.int64
        self.actions = np.zeros((n_steps, n_envs, *action_shape), dtype=dtype)
        self.rewards = np.zeros((n_steps, n_envs), dtype=np.float32)
        self.terminated = np.zeros((n_steps, n_envs), dtype=bool)
        self.truncated = np.zeros((n_steps, n_envs), dtype=bool)
        self.valid = np.zeros((n_steps, n_envs), dtype=bool)
        self.ended = np.zeros(n_envs, dtype=bool)
        self.step = 0
        # END SOLUTION

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
        # BEGIN SOLUTION
        t = self.step
        self.obs[t] = obs
        self.actions[t] = actions
        self.rewards[t] = rewards
        self.terminated[t] = terminated
        self.truncated[t] = truncated
        self.valid[t] = ~self.ended
        self.ended = np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
        self.step = t + 1
        # END SOLUTION

    def full(self) -> bool:
        """Whether ``n_steps`` steps are stored."""
        # BEGIN SOLUTION
        return self.step == self.n_steps
        # END SOLUTION

    def clear(self) -> None:
        """Start the next rollout: ``step = 0``. ``ended`` is kept (a rollout may start with a reset step)."""
        # BEGIN SOLUTION
        self.step = 0
        # END SOLUTION

    def advantages_and_returns(
        self, values: np.ndarray, last_values: np.ndarray, gamma: float, lam: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """GAE(λ) advantages and λ-returns of the stored (full) rollout, both float32 ``(T, N)``:

            A = gae(rewards, values, last_values, terminated, truncated, γ, λ),    R = A + values

        ``values`` ``(T, N)`` are V(obs), ``last_values`` ``(N,)`` V of the observation after the last step.
        The entries of reset steps are computed too (and never used)."""
        # BEGIN SOLUTION
        advantages = gae(self.rewards, values, last_values, self.terminated, self.truncated, gamma, lam)
        returns = advantages + np.asarray(values, dtype=np.float64)
        return advantages.astype(np.float32), returns.astype(np.float32)
        # END SOLUTION


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
    # BEGIN SOLUTION
    advantages, returns = advantages.detach(), returns.detach()
    policy_loss = -(log_probs * advantages).mean()
    value_loss = ((values - returns) ** 2).mean()
    entropy_mean = entropy.mean()
    total = policy_loss + vf_coef * value_loss - ent_coef * entropy_mean
    return total, policy_loss, value_loss, entropy_mean
    # END SOLUTION


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
        # BEGIN SOLUTION
        self.net = ActorCritic(int(observation_space.shape[0]), action_space, tuple(hidden), shared, log_std_init)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.buffer = RolloutBuffer(n_steps, n_envs, observation_space.shape, action_space.shape)
        self.generator = torch.Generator().manual_seed(seed)
        self.updates = 0
        self.raw_actions: np.ndarray | None = None
        # END SOLUTION

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """One action per row of ``obs`` ``(N, obs_dim)``, computed without gradient:

        * discrete: an int64 array ``(N,)``, sampled from π_θ(·|s) (e.g. ``torch.multinomial(probs, 1,
          generator=self.generator)``), or the argmax of the logits when ``deterministic``;
        * continuous: a float array ``(N, m)``: the raw sample a = μ(s) + σ·ε (ε from ``torch.randn(...,
          generator=self.generator)``), kept for ``observe``, returned clipped to the action space's bounds; or
          ``clip(μ(s))`` when ``deterministic``.

        A deterministic call draws nothing from ``generator`` and changes nothing in the agent.
        """
        # BEGIN SOLUTION
        with torch.no_grad():
            dist = self.net.distribution(torch.as_tensor(obs, dtype=torch.float32))
            if not self.continuous:
                if deterministic:
                    return dist.logits.argmax(dim=-1).numpy()
                return torch.multinomial(dist.probs, 1, generator=self.generator).squeeze(1).numpy()
            if deterministic:
                return np.clip(dist.mean.numpy(), self.action_space.low, self.action_space.high)
            noise = torch.randn(dist.mean.shape, generator=self.generator)
            raw = (dist.mean + dist.stddev * noise).numpy()
        self.raw_actions = raw
        return np.clip(raw, self.action_space.low, self.action_space.high)
        # END SOLUTION

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
        # BEGIN SOLUTION
        stored = self.raw_actions if self.continuous else actions
        self.buffer.add(obs, stored, rewards, terminated, truncated)
        if self.buffer.full():
            self.update(next_obs)
            self.buffer.clear()
        # END SOLUTION

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
        # BEGIN SOLUTION
        buffer = self.buffer
        obs = torch.as_tensor(buffer.obs)
        with torch.no_grad():
            values = self.net.value(obs.flatten(0, 1)).reshape(buffer.rewards.shape).numpy()
            last_values = self.net.value(torch.as_tensor(last_obs, dtype=torch.float32)).numpy()
        advantages, returns = buffer.advantages_and_returns(values, last_values, self.gamma, self.gae_lambda)
        valid = torch.as_tensor(buffer.valid)
        log_probs, entropy, new_values = self.net.evaluate_actions(obs[valid], torch.as_tensor(buffer.actions)[valid])
        loss = a2c_loss(
            log_probs,
            entropy,
            new_values,
            torch.as_tensor(advantages)[valid],
            torch.as_tensor(returns)[valid],
            self.vf_coef,
            self.ent_coef,
        )[0]
        self.optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.net.parameters(), self.max_grad_norm)
        self.optimizer.step()
        self.updates += 1
        return float(loss.item())
        # END SOLUTION
