"""A learned dynamics model and model-predictive control (Nagabandi et al. 2018, "Neural network dynamics for
model-based deep RL with model-free fine-tuning"; CEM: Rubinstein 1999, Chua et al. 2018).

1. **Normalisation.** Inputs ``[s, a]`` and targets Δs = s' − s are standardised with statistics computed ONCE, on
   the whole training set (:class:`Normalizer`); the same statistics are used at planning time.
2. **Dynamics model.** An MLP f predicts the *normalised change* of the state; the next state is
   ``ŝ' = s + denormalize(f(normalize([s, a])))`` (:class:`DynamicsModel`), fitted by mean squared error on the
   normalised Δs (:func:`train_dynamics`).
3. **Planning.** An action sequence a_0 … a_{H−1} is scored by rolling the model forward from the current state,
   s_{t+1} = dynamics(s_t, a_t), and summing ``reward_fn(s_t, a_t, s_{t+1})`` (undiscounted) over the horizon
   (:func:`sequence_returns`). Random shooting (:func:`random_shooting`) scores uniform random sequences; the
   cross-entropy method (:func:`cem_plan`) refits a Gaussian to the best sequences a few times.
4. **MPC.** Each env step, plan from the current state and execute only the FIRST action; re-plan at the next step
   (:class:`MPCAgent`).

Shapes: a batch of N states is ``(N, obs_dim)``, of actions ``(N, act_dim)``; a batch of N action sequences of
horizon H is ``(N, H, act_dim)``. Planners work on numpy float64 arrays; ``dynamics(states, actions)`` returns
next states ``(N, obs_dim)`` and ``reward_fn(states, actions, next_states)`` rewards ``(N,)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

Dynamics = Callable[[np.ndarray, np.ndarray], np.ndarray]
RewardFn = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
PENDULUM_MAX_TORQUE = 2.0


def pendulum_reward(states: np.ndarray, actions: np.ndarray, next_states: np.ndarray) -> np.ndarray:
    """Pendulum-v1's reward, a function of the CURRENT state s = (cos θ, sin θ, θ̇) and the torque u. Given.

        r = −(θ² + 0.1 · θ̇² + 0.001 · u²),  θ = atan2(sin θ, cos θ) ∈ [−π, π],  u clipped to [−2, 2]

    (``next_states`` is not used: Gymnasium computes Pendulum's reward before it moves the pendulum.)"""
    theta = np.arctan2(states[:, 1], states[:, 0])
    torque = np.clip(actions[:, 0], -PENDULUM_MAX_TORQUE, PENDULUM_MAX_TORQUE)
    return -(theta**2 + 0.1 * states[:, 2] ** 2 + 0.001 * torque**2)


def mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers of the given sizes with ReLU between them (none after the last one). Given."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Normalizer:
    """Per-dimension standardisation x ↦ (x − mean) / std, with statistics fitted once on a data set.

    Attributes: ``mean`` and ``std``, float32 tensors ``(dim,)``; before :meth:`fit` they are 0 and 1 (the
    identity). ``fit(data)`` sets them from ``data`` ``(N, dim)``: the mean over rows and the population standard
    deviation (``unbiased=False``), where a std below ``eps`` (a dimension that never changes) is replaced by 1,
    so :meth:`normalize` never divides by zero and stays finite.
    """

    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        self.eps = eps
        # BEGIN SOLUTION
        self.mean = torch.zeros(dim)
        self.std = torch.ones(dim)
        # END SOLUTION

    def fit(self, data: torch.Tensor) -> None:
        """Set ``mean`` and ``std`` from ``data`` ``(N, dim)`` (class docstring)."""
        # BEGIN SOLUTION
        data = torch.as_tensor(data, dtype=torch.float32)
        self.mean = data.mean(dim=0)
        std = data.std(dim=0, unbiased=False)
        self.std = torch.where(std < self.eps, torch.ones_like(std), std)
        # END SOLUTION

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """``(x − mean) / std``, for ``x`` of shape ``(..., dim)``."""
        # BEGIN SOLUTION
        return (x - self.mean) / self.std
        # END SOLUTION

    def denormalize(self, z: torch.Tensor) -> torch.Tensor:
        """The inverse map ``z · std + mean``: ``denormalize(normalize(x)) == x`` (up to float32 rounding)."""
        # BEGIN SOLUTION
        return z * self.std + self.mean
        # END SOLUTION


class DynamicsModel(nn.Module):
    """f(normalize([s, a])) ≈ normalize_Δ(s' − s), with f = ``mlp([obs_dim + act_dim, *hidden, obs_dim])``.

    Attributes: ``net`` (f), ``input_norm`` (a :class:`Normalizer` of dimension obs_dim + act_dim, for ``[s, a]``
    concatenated with the state first) and ``delta_norm`` (a :class:`Normalizer` of dimension obs_dim, for Δs).
    """

    def __init__(self, obs_dim: int, act_dim: int, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        # BEGIN SOLUTION
        self.net = mlp([obs_dim + act_dim, *hidden, obs_dim])
        self.input_norm = Normalizer(obs_dim + act_dim)
        self.delta_norm = Normalizer(obs_dim)
        # END SOLUTION

    def forward(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """The predicted NORMALISED change ``f(input_norm.normalize([obs, actions]))``, float32 ``(B, obs_dim)``."""
        # BEGIN SOLUTION
        return self.net(self.input_norm.normalize(torch.cat([obs, actions], dim=-1)))
        # END SOLUTION

    def predict(self, obs: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """The predicted next states ``obs + delta_norm.denormalize(forward(obs, actions))`` for numpy batches
        ``(B, obs_dim)`` and ``(B, act_dim)``, as a float64 numpy array ``(B, obs_dim)``, computed without
        gradients. (The network predicts the change, so the state is added back exactly once.)"""
        # BEGIN SOLUTION
        with torch.no_grad():
            obs_t = torch.as_tensor(obs, dtype=torch.float32)
            act_t = torch.as_tensor(actions, dtype=torch.float32)
            delta = self.delta_norm.denormalize(self.forward(obs_t, act_t))
        return np.asarray(obs, dtype=np.float64) + delta.numpy().astype(np.float64)
        # END SOLUTION


def train_dynamics(
    model: DynamicsModel,
    obs: np.ndarray,
    actions: np.ndarray,
    next_obs: np.ndarray,
    epochs: int,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
) -> list[float]:
    """Fit ``model`` to transitions (s, a, s') given as numpy arrays ``(N, obs_dim)``, ``(N, act_dim)``,
    ``(N, obs_dim)``.

    First fit ``model.input_norm`` on ``[obs, actions]`` and ``model.delta_norm`` on ``next_obs − obs`` (once, on
    all N rows). Then ``epochs`` passes of Adam (learning rate ``lr``) over the data in shuffled minibatches of
    ``batch_size`` (shuffle with ``torch.Generator().manual_seed(seed)``), minimising the mean squared error
    between ``model(obs, actions)`` and ``delta_norm.normalize(next_obs − obs)``. Returns the mean minibatch loss
    of every epoch (a list of ``epochs`` floats).
    """
    # BEGIN SOLUTION
    obs_t = torch.as_tensor(obs, dtype=torch.float32)
    act_t = torch.as_tensor(actions, dtype=torch.float32)
    delta = torch.as_tensor(next_obs, dtype=torch.float32) - obs_t
    model.input_norm.fit(torch.cat([obs_t, act_t], dim=-1))
    model.delta_norm.fit(delta)
    target = model.delta_norm.normalize(delta)
    adam = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(obs_t), generator=generator)
        total = []
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            loss = ((model(obs_t[idx], act_t[idx]) - target[idx]) ** 2).mean()
            adam.zero_grad()
            loss.backward()
            adam.step()
            total.append(loss.item())
        losses.append(float(np.mean(total)))
    return losses
    # END SOLUTION


def sequence_returns(dynamics: Dynamics, reward_fn: RewardFn, obs: np.ndarray, sequences: np.ndarray) -> np.ndarray:
    """The return of each action sequence ``sequences`` ``(N, H, act_dim)`` from the state ``obs`` ``(obs_dim,)``:

        s_0 = obs,  s_{t+1} = dynamics(s_t, a_t),  R = Σ_{t<H} reward_fn(s_t, a_t, s_{t+1})

    with all N sequences rolled forward together (one ``dynamics`` and one ``reward_fn`` call per step t, on the
    batch of N). Returns float64 ``(N,)``."""
    # BEGIN SOLUTION
    n, horizon, _ = sequences.shape
    states = np.repeat(np.asarray(obs, dtype=np.float64)[None], n, axis=0)
    returns = np.zeros(n)
    for t in range(horizon):
        next_states = np.asarray(dynamics(states, sequences[:, t]), dtype=np.float64)
        returns += np.asarray(reward_fn(states, sequences[:, t], next_states), dtype=np.float64)
        states = next_states
    return returns
    # END SOLUTION


def random_shooting(
    dynamics: Dynamics,
    reward_fn: RewardFn,
    obs: np.ndarray,
    horizon: int,
    n_sequences: int,
    low: np.ndarray,
    high: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Random-shooting MPC: draw ``n_sequences`` action sequences uniformly in the box, ``rng.uniform(low, high,
    size=(n_sequences, horizon, act_dim))``, score them with :func:`sequence_returns`, and return the FIRST action
    ``(act_dim,)`` of the best one (not the whole sequence)."""
    # BEGIN SOLUTION
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    sequences = rng.uniform(low, high, size=(n_sequences, horizon, low.shape[0]))
    returns = sequence_returns(dynamics, reward_fn, obs, sequences)
    return sequences[int(np.argmax(returns)), 0]
    # END SOLUTION


def cem_plan(
    dynamics: Dynamics,
    reward_fn: RewardFn,
    obs: np.ndarray,
    horizon: int,
    population: int,
    n_elites: int,
    iterations: int,
    low: np.ndarray,
    high: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Cross-entropy-method MPC. Start from mean = (low + high) / 2 and std = (high − low) / 2 per step and action
    dimension (arrays ``(horizon, act_dim)``); ``iterations`` times: draw ``population`` sequences
    ``clip(mean + std · rng.standard_normal((population, horizon, act_dim)), low, high)``, score them with
    :func:`sequence_returns`, keep the ``n_elites`` with the HIGHEST returns, and set mean and std to the mean and
    the (population) standard deviation of those elites. Return the FIRST action ``(act_dim,)`` of the final mean
    (the first step of the planned sequence, never the whole sequence)."""
    # BEGIN SOLUTION
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    mean = np.tile((low + high) / 2, (horizon, 1))
    std = np.tile((high - low) / 2, (horizon, 1))
    for _ in range(iterations):
        samples = np.clip(mean + std * rng.standard_normal((population, *mean.shape)), low, high)
        returns = sequence_returns(dynamics, reward_fn, obs, samples)
        elites = samples[np.argsort(returns)[-n_elites:]]
        mean, std = elites.mean(axis=0), elites.std(axis=0)
    return mean[0]
    # END SOLUTION


class MPCAgent:
    """Model-predictive control with a learned model: each call plans with :func:`cem_plan` from the current
    observation, rolling ``model.predict`` forward, and returns the first action.

    Built as ``MPCAgent(model, reward_fn, low, high, horizon=..., population=..., n_elites=..., iterations=...,
    seed=...)``; keeps ``self.rng = np.random.default_rng(seed)`` for the planner. ``act(obs, deterministic=True)``
    returns a float array ``(act_dim,)`` inside ``[low, high]`` (the grader's evaluation loop calls it each step).
    """

    def __init__(
        self,
        model: DynamicsModel,
        reward_fn: RewardFn,
        low: np.ndarray,
        high: np.ndarray,
        *,
        horizon: int = 15,
        population: int = 100,
        n_elites: int = 10,
        iterations: int = 3,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.reward_fn = reward_fn
        self.low, self.high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        self.horizon, self.population, self.n_elites, self.iterations = horizon, population, n_elites, iterations
        self.rng = np.random.default_rng(seed)

    @classmethod
    def for_pendulum(
        cls,
        obs: np.ndarray,
        actions: np.ndarray,
        next_obs: np.ndarray,
        *,
        epochs: int,
        seed: int,
        hidden: tuple[int, ...] = (64, 64),
        **planner: int,
    ) -> MPCAgent:
        """Given (the grader's learning checks call it). A ``DynamicsModel(obs_dim, act_dim, hidden)`` built after
        ``torch.manual_seed(seed)``, fitted with ``train_dynamics(model, obs, actions, next_obs, epochs, seed=seed)``,
        and an agent planning with it, :func:`pendulum_reward` and Pendulum's torque bounds ±2."""
        torch.manual_seed(seed)
        model = DynamicsModel(obs.shape[1], actions.shape[1], hidden)
        train_dynamics(model, obs, actions, next_obs, epochs, seed=seed)
        bound = np.full(actions.shape[1], PENDULUM_MAX_TORQUE)
        return cls(model, pendulum_reward, -bound, bound, seed=seed, **planner)

    def act(self, obs: np.ndarray, deterministic: bool = True) -> np.ndarray:
        """The first action of the CEM plan from ``obs`` (module docstring, step 4)."""
        # BEGIN SOLUTION
        return cem_plan(
            self.model.predict,
            self.reward_fn,
            np.asarray(obs, dtype=np.float64),
            self.horizon,
            self.population,
            self.n_elites,
            self.iterations,
            self.low,
            self.high,
            self.rng,
        )
        # END SOLUTION
