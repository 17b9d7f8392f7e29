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
    raise NotImplementedError("gae — fill this in (see its docstring in ppo.py)")


def normalize_advantages(advantages: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """``(A − mean(A)) / (std(A) + eps)`` over the given (mini)batch, with ``torch.std``'s default (Bessel-corrected,
    divisor B − 1): ``[1, 2, 3, 4]`` → ``[−1.1619, −0.3873, 0.3873, 1.1619]``; constant advantages → zeros; a single
    element → 0 (its std is undefined: a rollout's last minibatch may hold one sample)."""
    raise NotImplementedError("normalize_advantages — fill this in (see its docstring in ppo.py)")


def clipped_surrogate_loss(
    log_probs: torch.Tensor, old_log_probs: torch.Tensor, advantages: torch.Tensor, clip: float
) -> torch.Tensor:
    """PPO's clipped policy loss, a scalar: ``−mean_i min(ρ_i A_i, clip(ρ_i, 1 − ε, 1 + ε) A_i)`` with
    ``ρ_i = exp(log_probs_i − old_log_probs_i)``, all inputs ``(B,)``, ε = ``clip``.

    ``old_log_probs`` and ``advantages`` are constants: detach them (no gradient may reach them or what produced
    them). Where the clipped term is the smaller one (ρ > 1 + ε with A > 0, or ρ < 1 − ε with A < 0) the element's
    gradient is exactly 0. Example: ρ = [.5, .9, 1, 1.3, 1.5, .7], A = [1, 1, −1, 1, −1, −1], ε = 0.2 → 0.1167,
    and no gradient through elements 4 and 6."""
    raise NotImplementedError("clipped_surrogate_loss — fill this in (see its docstring in ppo.py)")


def clipped_value_loss(
    values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, clip: float | None
) -> torch.Tensor:
    """The critic's loss, a scalar, all inputs ``(B,)``; ``old_values`` (V before the update) and ``returns`` are
    constants (detach them):

    * ``clip=None``: ``mean_i (V_i − R_i)²``;
    * ``clip=ε``: ``mean_i max((V_i − R_i)², (V_clip,i − R_i)²)`` with ``V_clip = V_old + clip(V − V_old, −ε, ε)``
      (the value moves at most ε from the OLD value, not from the return)."""
    raise NotImplementedError("clipped_value_loss — fill this in (see its docstring in ppo.py)")


def approx_kl_and_clip_fraction(
    log_probs: torch.Tensor, old_log_probs: torch.Tensor, clip: float
) -> tuple[float, float]:
    """Two diagnostics of an update, as floats (no gradient), with ``ρ = exp(log_probs − old_log_probs)``:

    * approx-KL = ``mean((ρ − 1) − log ρ)``, an unbiased, never negative estimate of KL(π_old ‖ π_θ) from samples
      of π_old (Schulman's k3);
    * clip fraction = the share of elements with ``|ρ − 1| > ε``.

    For ρ = [.5, .9, 1, 1.3, 1.5, .7] and ε = 0.2: 0.0645589 and 4/6."""
    raise NotImplementedError("approx_kl_and_clip_fraction — fill this in (see its docstring in ppo.py)")


def minibatch_indices(batch_size: int, minibatch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    """One epoch's minibatches: ``perm = torch.randperm(batch_size, generator=generator)`` (ONE call per epoch,
    nothing else drawn), cut into consecutive int64 slices of ``minibatch_size`` (the last one shorter when
    ``minibatch_size`` does not divide ``batch_size``). Every index appears exactly once per epoch."""
    raise NotImplementedError("minibatch_indices — fill this in (see its docstring in ppo.py)")


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
        raise NotImplementedError("PPOAgent.__init__ — fill this in (see its docstring in ppo.py)")

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """One action per row of ``obs``, without gradient, as hw05: discrete → int64 ``(N,)`` sampled with
        ``torch.multinomial(probs, 1, generator=self.generator)`` (argmax of the logits when ``deterministic``);
        continuous → the RAW sample μ + σ·ε (ε from ``torch.randn(μ.shape, generator=self.generator)``), kept for
        ``observe``, returned clipped to the action box (``clip(μ)`` when ``deterministic``). A deterministic call
        draws nothing and changes nothing."""
        raise NotImplementedError("PPOAgent.act — fill this in (see its docstring in ppo.py)")

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
        raise NotImplementedError("PPOAgent.observe — fill this in (see its docstring in ppo.py)")

    def valid_batch(self, last_obs: np.ndarray) -> tuple[torch.Tensor, ...]:
        """Steps 1–2 of ``update``: the tensors ``(obs, actions, old_log_probs, values, advantages, returns)`` of
        the rollout's B VALID steps in time-major order, computed without gradient from the network as it is."""
        raise NotImplementedError("PPOAgent.valid_batch — fill this in (see its docstring in ppo.py)")

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
        raise NotImplementedError("PPOAgent.update — fill this in (see its docstring in ppo.py)")
