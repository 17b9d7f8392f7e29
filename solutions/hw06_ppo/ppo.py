"""Proximal policy optimisation (PPO, Schulman et al. 2017, the clipped objective) on N copies of an environment.

The grader drives the agent exactly as hw05's A2C (``grader/harness/loops.py``, ``VectorTrainer``): per vector step
``actions = agent.act(obs)`` with ``obs`` ``(N, obs_dim)``, then ``agent.observe(obs, actions, rewards, next_obs,
terminated, truncated)`` with what ``SyncVectorEnv.step`` returned (Gymnasium's ``NEXT_STEP`` autoreset: the step
after an episode's end is a *reset step*, kept in the rollout's grid but not a transition). Evaluation calls
``act(obs, deterministic=True)``.

Per rollout of T steps × N envs PPO computes GAE(λ) advantages once, then takes ``n_epochs`` passes over the B
valid steps in minibatches, each a gradient step on

    L = L_clip + vf_coef · L_V − ent_coef · mean H[π_θ(·|s)]
    L_clip = −mean_i min(ρ_i A_i, clip(ρ_i, 1 − ε, 1 + ε) A_i),   ρ_i = exp(log π_θ(a_i|s_i) − log π_old(a_i|s_i))

where π_old is the policy that collected the rollout: its log-probabilities are constants of the loss, so the
ratio is exactly 1 in the first minibatch of the first epoch and the update stays close to π_old.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from .networks import PolicyValueNet


def gae(
    rewards: np.ndarray,
    values: np.ndarray,
    last_values: np.ndarray,
    terminated: np.ndarray,
    truncated: np.ndarray,
    gamma: float,
    lam: float,
) -> np.ndarray:
    """GAE(λ) advantages of a rollout, float64 ``(T, N)`` (time first), as in hw05:

        δ_t = r_t + γ (1 − terminated_t) V_next(t) − V(s_t),    A_t = δ_t + γλ (1 − ended_t) A_{t+1}

    with ``V_next(t) = values[t + 1]`` (``last_values`` ``(N,)`` after the last step; the value of the final
    observation when step t ended the episode) and ``ended_t = terminated_t or truncated_t``: a truncated step
    still bootstraps in δ, but no sum crosses an episode's end. ``A_T = 0`` beyond the rollout."""
    # BEGIN SOLUTION
    v = np.asarray(values, dtype=np.float64)
    v_next = np.concatenate([v[1:], np.asarray(last_values, dtype=np.float64)[None]])
    keep = 1.0 - np.asarray(terminated, dtype=np.float64)
    cont = 1.0 - (np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool))
    deltas = np.asarray(rewards, dtype=np.float64) + gamma * keep * v_next - v
    adv = np.zeros_like(v)
    carry = np.zeros(v.shape[1])
    for t in reversed(range(v.shape[0])):
        carry = deltas[t] + gamma * lam * cont[t] * carry
        adv[t] = carry
    return adv
    # END SOLUTION


def normalize_advantages(advantages: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """``(A − mean(A)) / (std(A) + eps)`` over the given (mini)batch, with ``torch.std``'s default (Bessel-corrected,
    divisor B − 1): ``[1, 2, 3, 4]`` → ``[−1.1619, −0.3873, 0.3873, 1.1619]``; constant advantages → zeros; a single
    element → 0 (its std is undefined: a rollout's last minibatch may hold one sample)."""
    # BEGIN SOLUTION
    if advantages.numel() < 2:
        return advantages - advantages.mean()
    return (advantages - advantages.mean()) / (advantages.std() + eps)
    # END SOLUTION


def clipped_surrogate_loss(
    log_probs: torch.Tensor, old_log_probs: torch.Tensor, advantages: torch.Tensor, clip: float
) -> torch.Tensor:
    """PPO's clipped policy loss, a scalar: ``−mean_i min(ρ_i A_i, clip(ρ_i, 1 − ε, 1 + ε) A_i)`` with
    ``ρ_i = exp(log_probs_i − old_log_probs_i)``, all inputs ``(B,)``, ε = ``clip``.

    ``old_log_probs`` and ``advantages`` are constants: detach them (no gradient may reach them or what produced
    them). Where the clipped term is the smaller one (ρ > 1 + ε with A > 0, or ρ < 1 − ε with A < 0) the element's
    gradient is exactly 0. Example: ρ = [.5, .9, 1, 1.3, 1.5, .7], A = [1, 1, −1, 1, −1, −1], ε = 0.2 → 0.1167,
    and no gradient through elements 4 and 6."""
    # BEGIN SOLUTION
    ratio = torch.exp(log_probs - old_log_probs.detach())
    advantages = advantages.detach()
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * advantages
    return -torch.min(unclipped, clipped).mean()
    # END SOLUTION


def clipped_value_loss(
    values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, clip: float | None
) -> torch.Tensor:
    """The critic's loss, a scalar, all inputs ``(B,)``; ``old_values`` (V before the update) and ``returns`` are
    constants (detach them):

    * ``clip=None``: ``mean_i (V_i − R_i)²``;
    * ``clip=ε``: ``mean_i max((V_i − R_i)², (V_clip,i − R_i)²)`` with ``V_clip = V_old + clip(V − V_old, −ε, ε)``
      (the value moves at most ε from the OLD value, not from the return)."""
    # BEGIN SOLUTION
    old_values, returns = old_values.detach(), returns.detach()
    squared = (values - returns) ** 2
    if clip is None:
        return squared.mean()
    moved = old_values + torch.clamp(values - old_values, -clip, clip)
    return torch.max(squared, (moved - returns) ** 2).mean()
    # END SOLUTION


def approx_kl_and_clip_fraction(
    log_probs: torch.Tensor, old_log_probs: torch.Tensor, clip: float
) -> tuple[float, float]:
    """Two diagnostics of an update, as floats (no gradient), with ``ρ = exp(log_probs − old_log_probs)``:

    * approx-KL = ``mean((ρ − 1) − log ρ)``, an unbiased, never negative estimate of KL(π_old ‖ π_θ) from samples
      of π_old (Schulman's k3);
    * clip fraction = the share of elements with ``|ρ − 1| > ε``.

    For ρ = [.5, .9, 1, 1.3, 1.5, .7] and ε = 0.2: 0.0645589 and 4/6."""
    # BEGIN SOLUTION
    with torch.no_grad():
        log_ratio = log_probs - old_log_probs
        ratio = log_ratio.exp()
        approx_kl = ((ratio - 1.0) - log_ratio).mean()
        clipped = ((ratio - 1.0).abs() > clip).float().mean()
    return float(approx_kl), float(clipped)
    # END SOLUTION


def minibatch_indices(batch_size: int, minibatch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    """One epoch's minibatches: ``perm = torch.randperm(batch_size, generator=generator)`` (ONE call per epoch,
    nothing else drawn), cut into consecutive int64 slices of ``minibatch_size`` (the last one shorter when
    ``minibatch_size`` does not divide ``batch_size``). Every index appears exactly once per epoch."""
    # BEGIN SOLUTION
    perm = torch.randperm(batch_size, generator=generator)
    return list(torch.split(perm, minibatch_size))
    # END SOLUTION


class PPOAgent:
    """PPO with GAE(λ), driven by the grader's vector-env loop (module docstring).

    Attributes the checks read and drive:
        net: ``PolicyValueNet(obs_dim, action_space, hidden, log_std_init)``, initialised from torch's global RNG
        (the grader seeds it); optimizer: ``torch.optim.Adam(net.parameters(), lr=lr)`` (defaults otherwise),
        created once; generator: ``torch.Generator()`` seeded with ``seed``: every sample of ``act`` and every
        permutation of ``update`` comes from it; updates: the number of updates so far.
    The rollout lives in numpy arrays the agent allocates: ``obs`` ``(T, N, obs_dim)`` float32, ``actions`` int64
    ``(T, N)`` or float32 ``(T, N, m)``, ``rewards`` ``(T, N)``, ``terminated``, ``truncated``, ``valid`` bool
    ``(T, N)``, and ``step`` (rows stored, 0 … T).
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Discrete | gym.spaces.Box,
        *,
        seed: int,
        n_envs: int,
        n_steps: int = 128,
        n_epochs: int = 4,
        minibatch_size: int = 64,
        lr: float = 3e-4,
        gamma: float = 0.99,
        gae_lambda: float = 0.95,
        clip: float = 0.2,
        clip_vloss: float | None = None,
        norm_adv: bool = True,
        vf_coef: float = 0.5,
        ent_coef: float = 0.0,
        max_grad_norm: float = 0.5,
        hidden: tuple[int, ...] = (64, 64),
        log_std_init: float = 0.0,
    ) -> None:
        self.action_space = action_space
        self.continuous = isinstance(action_space, gym.spaces.Box)
        self.n_steps, self.n_epochs, self.minibatch_size = n_steps, n_epochs, minibatch_size
        self.gamma, self.gae_lambda, self.clip, self.clip_vloss = gamma, gae_lambda, clip, clip_vloss
        self.norm_adv, self.vf_coef, self.ent_coef, self.max_grad_norm = norm_adv, vf_coef, ent_coef, max_grad_norm
        # BEGIN SOLUTION
        obs_dim = int(observation_space.shape[0])
        self.net = PolicyValueNet(obs_dim, action_space, tuple(hidden), log_std_init)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.generator = torch.Generator().manual_seed(seed)
        self.updates = 0
        grid = (n_steps, n_envs)
        self.obs = np.zeros((*grid, obs_dim), dtype=np.float32)
        self.actions = np.zeros((*grid, *action_space.shape), dtype=np.float32 if self.continuous else np.int64)
        self.rewards = np.zeros(grid, dtype=np.float32)
        self.terminated = np.zeros(grid, dtype=bool)
        self.truncated = np.zeros(grid, dtype=bool)
        self.valid = np.zeros(grid, dtype=bool)
        self.step = 0
        self.just_ended = np.zeros(n_envs, dtype=bool)
        self.last_raw: np.ndarray | None = None
        # END SOLUTION

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """One action per row of ``obs``, without gradient, as hw05: discrete → int64 ``(N,)`` sampled with
        ``torch.multinomial(probs, 1, generator=self.generator)`` (argmax of the logits when ``deterministic``);
        continuous → the RAW sample μ + σ·ε (ε from ``torch.randn(μ.shape, generator=self.generator)``), kept for
        ``observe``, returned clipped to the action box (``clip(μ)`` when ``deterministic``). A deterministic call
        draws nothing and changes nothing."""
        # BEGIN SOLUTION
        with torch.no_grad():
            dist = self.net.distribution(torch.as_tensor(obs, dtype=torch.float32))
            if not self.continuous:
                if deterministic:
                    return dist.logits.argmax(dim=1).numpy()
                return torch.multinomial(dist.probs, 1, generator=self.generator)[:, 0].numpy()
            low, high = self.action_space.low, self.action_space.high
            if deterministic:
                return np.clip(dist.mean.numpy(), low, high)
            raw = dist.mean + dist.stddev * torch.randn(dist.mean.shape, generator=self.generator)
        self.last_raw = raw.numpy()
        return np.clip(self.last_raw, low, high)
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
        """Store the step at row ``step`` (continuous: the RAW sample of the last ``act``, never the clipped
        ``actions``): env i's row is valid unless its previous step — possibly the last of the previous rollout —
        ended an episode. After T rows: ``self.update(next_obs)``, then ``step = 0``."""
        # BEGIN SOLUTION
        t = self.step
        self.obs[t], self.rewards[t] = obs, rewards
        self.actions[t] = self.last_raw if self.continuous else actions
        self.terminated[t], self.truncated[t] = terminated, truncated
        self.valid[t] = ~self.just_ended
        self.just_ended = np.logical_or(terminated, truncated)
        self.step = t + 1
        if self.step == self.n_steps:
            self.update(next_obs)
            self.step = 0
        # END SOLUTION

    def valid_batch(self, last_obs: np.ndarray) -> tuple[torch.Tensor, ...]:
        """Steps 1–2 of ``update``: the tensors ``(obs, actions, old_log_probs, values, advantages, returns)`` of
        the rollout's B VALID steps in time-major order, computed without gradient from the network as it is."""
        # BEGIN SOLUTION
        grid = self.rewards.shape
        obs = torch.as_tensor(self.obs).reshape(grid[0] * grid[1], -1)
        actions = torch.as_tensor(self.actions).reshape(grid[0] * grid[1], *self.actions.shape[2:])
        with torch.no_grad():
            values = self.net.value(obs)
            last_values = self.net.value(torch.as_tensor(last_obs, dtype=torch.float32))
            old_log_probs = self.net.log_prob_entropy(obs, actions)[0]
        flags, rates = (self.terminated, self.truncated), (self.gamma, self.gae_lambda)
        advantages = gae(self.rewards, values.reshape(grid).numpy(), last_values.numpy(), *flags, *rates)
        advantages = torch.as_tensor(advantages.reshape(-1), dtype=torch.float32)
        returns = advantages + values
        keep = torch.as_tensor(self.valid.reshape(-1))
        return obs[keep], actions[keep], old_log_probs[keep], values[keep], advantages[keep], returns[keep]
        # END SOLUTION

    def update(self, last_obs: np.ndarray) -> None:
        """PPO's update on the stored rollout (``last_obs`` ``(N, obs_dim)``: the observation after its last step):

        1. without gradient, with the network as it is: ``values = net.value(obs)`` ``(T, N)``, ``last_values =
           net.value(last_obs)``, ``old_log_probs = log π_old(a|s)`` ``(T, N)``; ``A = gae(...)``, ``R = A + values``;
        2. keep the VALID steps, in time-major order (``obs[valid]``): B samples of obs, actions, old_log_probs,
           old values (``values``), A and R — steps 1–2 are ``valid_batch(last_obs)``;
        3. ``n_epochs`` times: for each ``idx`` of ``minibatch_indices(B, minibatch_size, generator)``:
           ``log_probs, entropy = net.log_prob_entropy(obs[idx], actions[idx])``, ``v = net.value(obs[idx])``;
           ``adv = A[idx]``, normalised (``normalize_advantages``) over the MINIBATCH when ``norm_adv``;
           ``loss = clipped_surrogate_loss(log_probs, old_log_probs[idx], adv, clip)
           + vf_coef · clipped_value_loss(v, values[idx], R[idx], clip_vloss) − ent_coef · entropy.mean()``;
           ``optimizer.zero_grad()``, ``loss.backward()``, ``nn.utils.clip_grad_norm_(net.parameters(),
           max_grad_norm)``, ``optimizer.step()``;
        4. ``updates += 1``.
        """
        # BEGIN SOLUTION
        obs, actions, old_log_probs, values, advantages, returns = self.valid_batch(last_obs)
        for _ in range(self.n_epochs):
            for idx in minibatch_indices(len(obs), self.minibatch_size, self.generator):
                log_probs, entropy = self.net.log_prob_entropy(obs[idx], actions[idx])
                adv = normalize_advantages(advantages[idx]) if self.norm_adv else advantages[idx]
                policy_loss = clipped_surrogate_loss(log_probs, old_log_probs[idx], adv, self.clip)
                value_loss = clipped_value_loss(self.net.value(obs[idx]), values[idx], returns[idx], self.clip_vloss)
                loss = policy_loss + self.vf_coef * value_loss - self.ent_coef * entropy.mean()
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), self.max_grad_norm)
                self.optimizer.step()
        self.updates += 1
        # END SOLUTION
