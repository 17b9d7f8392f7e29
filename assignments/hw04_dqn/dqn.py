"""Deep Q-networks: DQN (Mnih et al. 2015), Double DQN (van Hasselt et al. 2016), dueling heads (Wang et al. 2016).

The pieces are small functions so each one can be checked on given tensors; :class:`DQNAgent` puts them
together and answers the calls of the grader's training loop (``grader/harness/deep_control.py``):

* ``act(obs) -> int``: ε-greedy action while training; ``act(obs, deterministic=True) -> int``: greedy action;
* ``observe(obs, action, reward, next_obs, terminated, truncated)``: store the transition and learn.

The grader owns the environment, its seeds, the step budget and the evaluation. Per env step it calls
``act`` once and then ``observe`` once, so the agent counts env steps in ``observe``. It evaluates
``act(obs, deterministic=True)`` on 10 episodes played in lockstep (one call per unfinished episode per step),
so the greedy action must depend on ``obs`` alone.

Shapes: a batch of ``B`` observations is a float32 tensor ``(B, obs_dim)``; a Q-network maps it to
``(B, n_actions)``; actions are int64 ``(B,)``; rewards and ``terminated`` flags are float32 ``(B,)``.

**Terminated vs truncated.** ``terminated`` means s' is terminal (the pole fell): Q(s', ·) = 0 and the target
is just r. ``truncated`` means a time limit cut the episode (CartPole's 500 steps): s' is NOT terminal, so
the target still bootstraps from s'. The agent stores a transition with ``terminated`` only.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .replay import Batch, ReplayBuffer


def linear_epsilon(step: int, start: float, end: float, duration: int) -> float:
    """Linearly annealed exploration rate: ``start`` at step 0, ``end`` from step ``duration`` on.

        ε(t) = start + (end − start) · min(t / duration, 1)

    ``duration <= 0`` means ``end`` right away. Returns a plain ``float``, e.g. ``linear_epsilon(250, 1, 0.5, 500)
    == 0.75``.
    """
    raise NotImplementedError("linear_epsilon — fill this in (see its docstring in dqn.py)")


def mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers of the given sizes with ReLU between them (none after the last one). Given."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class QNetwork(nn.Module):
    """Q(s, ·; θ): an MLP ``obs_dim → hidden[0] → … → n_actions`` with ReLU between layers (use :func:`mlp`).

    Keep PyTorch's default initialisation of the ``nn.Linear`` layers (weights and biases uniform in
    ±1/√fan_in): the learning checks' budgets were calibrated for it, and a check verifies it (with He/Kaiming
    initialisation a correct agent missed the CartPole bar on 2 of 11 seeds). The same holds for
    :class:`DuelingQNetwork`."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        raise NotImplementedError("QNetwork.__init__ — fill this in (see its docstring in dqn.py)")

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """``(B, obs_dim)`` float32 → ``(B, n_actions)`` action values."""
        raise NotImplementedError("QNetwork.forward — fill this in (see its docstring in dqn.py)")


class DuelingQNetwork(nn.Module):
    """Dueling architecture (Wang et al. 2016, eq. 9): a shared MLP trunk ``obs_dim → hidden…`` (ReLU after
    every layer), then a value head ``hidden[-1] → 1`` and an advantage head ``hidden[-1] → n_actions``,
    combined by :meth:`aggregate`."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        raise NotImplementedError("DuelingQNetwork.__init__ — fill this in (see its docstring in dqn.py)")

    @staticmethod
    def aggregate(value: torch.Tensor, advantage: torch.Tensor) -> torch.Tensor:
        """Q(s, a) = V(s) + A(s, a) − (1/|A|) Σ_a' A(s, a')   (eq. 9: the mean-subtracted advantage).

        ``value`` is ``(B, 1)``, ``advantage`` is ``(B, n_actions)``; returns ``(B, n_actions)``. Subtracting
        the mean makes V and A identifiable: the mean over actions of Q(s, ·) is V(s).
        """
        raise NotImplementedError("DuelingQNetwork.aggregate — fill this in (see its docstring in dqn.py)")

    def streams(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The two heads on the shared features: ``(value (B, 1), advantage (B, n_actions))``."""
        raise NotImplementedError("DuelingQNetwork.streams — fill this in (see its docstring in dqn.py)")

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """``aggregate(*streams(obs))``: ``(B, obs_dim)`` → ``(B, n_actions)``."""
        raise NotImplementedError("DuelingQNetwork.forward — fill this in (see its docstring in dqn.py)")


def q_of_actions(q_values: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q(s_i, a_i) for each row i: pick column ``actions[i]`` of row i of ``q_values`` ``(B, n_actions)``;
    returns ``(B,)`` and keeps the gradient (``torch.gather`` along dimension 1)."""
    raise NotImplementedError("q_of_actions — fill this in (see its docstring in dqn.py)")


def dqn_targets(
    rewards: torch.Tensor, next_obs: torch.Tensor, terminated: torch.Tensor, target_net: nn.Module, gamma: float
) -> torch.Tensor:
    """DQN targets (Mnih et al. 2015), ``(B,)``, computed without gradient (``torch.no_grad()``):

        y_i = r_i + γ (1 − terminated_i) max_a' Q(s'_i, a'; θ⁻)

    with θ⁻ the parameters of ``target_net``. No gradient may reach ``target_net``, and ``y`` must not
    require grad: the target is a fixed regression label.
    """
    raise NotImplementedError("dqn_targets — fill this in (see its docstring in dqn.py)")


def double_dqn_targets(
    rewards: torch.Tensor,
    next_obs: torch.Tensor,
    terminated: torch.Tensor,
    online_net: nn.Module,
    target_net: nn.Module,
    gamma: float,
) -> torch.Tensor:
    """Double DQN targets (van Hasselt et al. 2016, eq. 4), ``(B,)``, without gradient: the ONLINE net picks
    the next action, the TARGET net evaluates it:

        a*_i = argmax_a Q(s'_i, a; θ)            (online net)
        y_i  = r_i + γ (1 − terminated_i) Q(s'_i, a*_i; θ⁻)   (target net)
    """
    raise NotImplementedError("double_dqn_targets — fill this in (see its docstring in dqn.py)")


def dqn_loss(predicted: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Huber loss (smooth L1 with δ = 1), averaged over the batch; a scalar tensor with gradient:

    L = (1/B) Σ_i h(q_i − y_i),   h(x) = x²/2 if |x| ≤ 1, else |x| − 1/2
    """
    raise NotImplementedError("dqn_loss — fill this in (see its docstring in dqn.py)")


def polyak_update(target_net: nn.Module, online_net: nn.Module, tau: float) -> None:
    """Soft target update, in place and without gradient, parameter by parameter:

        θ⁻ ← τ θ + (1 − τ) θ⁻

    ``tau = 1`` is the hard copy of DQN; a small ``tau`` (e.g. 0.005) makes the target trail the online net.
    """
    raise NotImplementedError("polyak_update — fill this in (see its docstring in dqn.py)")


class DQNAgent:
    """DQN / Double DQN agent with a replay buffer and a target network, driven by the grader's loop.

    Attributes the checks read and drive:
        q_net: the online network (:class:`QNetwork`, or :class:`DuelingQNetwork` when ``dueling``).
        target_net: a second network of the same class, a copy of ``q_net`` at the start.
        buffer: a :class:`ReplayBuffer` of capacity ``buffer_size`` seeded with ``seed``.
        step: the number of ``observe`` calls so far (env steps).
        epsilon: (read-only) ``linear_epsilon(step, eps_start, eps_end, eps_duration)``.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Discrete,
        *,
        seed: int,
        lr: float = 1e-3,
        gamma: float = 0.99,
        buffer_size: int = 20_000,
        batch_size: int = 64,
        learning_starts: int = 1000,
        train_every: int = 2,
        target_update_every: int = 250,
        tau: float = 1.0,
        eps_start: float = 1.0,
        eps_end: float = 0.02,
        eps_duration: int = 5000,
        double: bool = True,
        dueling: bool = False,
        hidden: tuple[int, ...] = (64, 64),
        max_grad_norm: float = 10.0,
    ) -> None:
        """Store the arguments; create ``rng = np.random.default_rng(seed)`` (exploration), ``q_net`` and
        ``target_net`` (``load_state_dict`` of ``q_net``), ``optimizer = torch.optim.Adam(q_net.parameters(),
        lr=lr)`` (``fused=True`` is faster on CPU), ``buffer = ReplayBuffer(buffer_size, obs_dim, seed=seed)`` and
        ``step = 0``. The networks are initialised from torch's global RNG, which the grader seeds."""
        self.obs_dim = int(observation_space.shape[0])
        self.n_actions = int(action_space.n)
        self.gamma = gamma
        self.batch_size = batch_size
        self.learning_starts = learning_starts
        self.train_every = train_every
        self.target_update_every = target_update_every
        self.tau = tau
        self.eps_start, self.eps_end, self.eps_duration = eps_start, eps_end, eps_duration
        self.double = double
        self.max_grad_norm = max_grad_norm
        self.rng = np.random.default_rng(seed)
        raise NotImplementedError("DQNAgent.__init__ — fill this in (see its docstring in dqn.py)")

    @property
    def epsilon(self) -> float:
        """The current exploration rate ``linear_epsilon(step, eps_start, eps_end, eps_duration)``."""
        raise NotImplementedError("DQNAgent.epsilon — fill this in (see its docstring in dqn.py)")

    def act(self, obs: np.ndarray, deterministic: bool = False) -> int:
        """ε-greedy action as a plain ``int``: unless ``deterministic``, with probability ``epsilon`` (draw
        ``rng.random() < epsilon``) a uniform action ``int(rng.integers(n_actions))``; otherwise
        argmax_a Q(obs, a; θ), computed without gradient. Does not change ``step``. With ``deterministic=True``
        it is the greedy action whatever ``epsilon`` is, and it draws no random number (checked at ε = 1: the
        state of ``rng`` and of the global generators is the same before and after)."""
        raise NotImplementedError("DQNAgent.act — fill this in (see its docstring in dqn.py)")

    def observe(
        self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool, truncated: bool
    ) -> None:
        """One env step, in this order:

        1. ``buffer.add(obs, action, reward, next_obs, terminated)`` (``truncated`` is NOT terminal), ``step += 1``;
        2. if ``step >= learning_starts`` and ``step % train_every == 0``: ``train_step(buffer.sample(batch_size))``;
        3. if ``step % target_update_every == 0``: ``polyak_update(target_net, q_net, tau)``.
        """
        raise NotImplementedError("DQNAgent.observe — fill this in (see its docstring in dqn.py)")

    def train_step(self, batch: Batch) -> float:
        """One gradient step on ``batch``; returns the loss before the step as a ``float``:

            y = double_dqn_targets(…, q_net, target_net, gamma) if double else dqn_targets(…, target_net, gamma)
            L = dqn_loss(q_of_actions(q_net(obs), actions), y)

        then ``zero_grad``, ``L.backward()``, clip the gradient norm of ``q_net`` to ``max_grad_norm``
        (``nn.utils.clip_grad_norm_``) and ``optimizer.step()``. Only ``q_net`` changes.

        The grader checks several consecutive calls against its own computation of exactly this: the mean Huber
        loss, gradients zeroed before each backward (none left from the previous call), the global gradient norm
        clipped before the step, and one step of the Adam created once in ``__init__`` (PyTorch's defaults: betas
        (0.9, 0.999), eps 1e-8, no weight decay), whose moments carry over from one call to the next.
        """
        raise NotImplementedError("DQNAgent.train_step — fill this in (see its docstring in dqn.py)")
