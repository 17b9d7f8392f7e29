"""The grader's own PPO and TRPO pieces for hw06's checks: a replay of ``PPOAgent.update`` from the agent's own
parameters, step by step (issue 19), and the numbers of the TRPO checks.

The replay does what ``solutions/hw06_ppo/ppo.py`` documents, with the student's network used only as a
calculator (its forward and backward passes, on parameters the grader loads) and everything else on the grader's
side: GAE from its definition (:func:`grader.oracles.actor_critic.gae`), the valid steps, the minibatch
permutations (a copy of the agent's generator), the losses, global-norm clipping and Adam in float64
(:mod:`grader.oracles.updates`). ``variant`` replays a named bug instead, so a message can name the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from grader.harness.actor_critic import gradients
from grader.harness.validate import as_tensor_array
from grader.oracles.actor_critic import Rollout, gae, valid_steps
from grader.oracles.updates import Adam, Params, clip_total_norm

BUGS = (
    "advantages not normalised",
    "advantages normalised over the whole batch, not per minibatch",
    "old log-probabilities recomputed in every minibatch (ratio always 1)",
    "minibatches drawn with replacement",
    "reset steps used as transitions",
    "truncation as termination",
)


@dataclass(frozen=True)
class PPOSettings:
    """The hyperparameters of ``PPOAgent.update`` a replay needs."""

    n_epochs: int
    minibatch_size: int
    gamma: float
    lam: float
    clip: float
    clip_vloss: float | None
    norm_adv: bool
    vf_coef: float
    ent_coef: float
    max_grad_norm: float


def _normalised(adv: torch.Tensor) -> torch.Tensor:
    if adv.numel() < 2:
        return adv - adv.mean()
    return (adv - adv.mean()) / (adv.std() + 1e-8)


def _load(net: Any, params: Params) -> None:
    net.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in params.items()})


def replay_update(
    net: Any,
    params: Params,
    adam: Adam,
    rollout: Rollout,
    ended_before: np.ndarray,
    generator_state: torch.Tensor,
    s: PPOSettings,
    variant: str = "",
) -> Params:
    """The parameters after one ``PPOAgent.update`` on ``rollout`` from ``params`` (``adam`` keeps its moments),
    computed through ``net`` (a network of the student's class, used as a calculator)."""
    steps, envs = rollout.rewards.shape
    flat = steps * envs
    _load(net, params)
    obs = torch.from_numpy(rollout.obs.reshape(flat, -1).astype(np.float32))
    actions = torch.from_numpy(rollout.actions.reshape(flat, *rollout.actions.shape[2:]))
    with torch.no_grad():
        values = as_tensor_array(net.value(obs), "PolicyValueNet.value(obs)", (flat,))
        last = as_tensor_array(net.value(torch.from_numpy(rollout.last_obs.astype(np.float32))), "value", (envs,))
        old_lp = as_tensor_array(net.log_prob_entropy(obs, actions)[0], "log π(a|s)", (flat,))
    terminated = (
        rollout.terminated | rollout.truncated if variant == "truncation as termination" else rollout.terminated
    )
    adv = gae(rollout.rewards, values.reshape(steps, envs), last, terminated, rollout.truncated, s.gamma, s.lam)
    adv = adv.reshape(-1).astype(np.float32)
    ret = adv + values.astype(np.float32)
    keep = valid_steps(rollout.terminated, rollout.truncated, ended_before).reshape(-1)
    if variant == "reset steps used as transitions":
        keep = np.ones_like(keep)
    index = torch.from_numpy(keep)
    obs, actions = obs[index], actions[index]
    old_lp, values = torch.from_numpy(old_lp[keep]).float(), torch.from_numpy(values[keep]).float()
    adv, ret = torch.from_numpy(adv[keep]), torch.from_numpy(ret[keep])
    if variant == "advantages normalised over the whole batch, not per minibatch":
        adv = _normalised(adv)
    b = len(obs)
    generator = torch.Generator()
    generator.set_state(generator_state)
    for _ in range(s.n_epochs):
        if variant == "minibatches drawn with replacement":
            perm = torch.randint(b, (b,), generator=generator)
        else:
            perm = torch.randperm(b, generator=generator)
        for idx in torch.split(perm, s.minibatch_size):
            _load(net, params)
            # one forward pass per output: sandboxed, each remote result can be backpropagated once
            log_probs = net.log_prob_entropy(obs[idx], actions[idx])[0]
            entropy = net.log_prob_entropy(obs[idx], actions[idx])[1]
            new_values = net.value(obs[idx])
            a = adv[idx]
            if s.norm_adv and variant not in ("advantages not normalised", BUGS[1]):
                a = _normalised(a)
            old = log_probs.detach() if variant == BUGS[2] else old_lp[idx]
            ratio = torch.exp(log_probs - old)
            policy = -torch.min(ratio * a, torch.clamp(ratio, 1 - s.clip, 1 + s.clip) * a).mean()
            squared = (new_values - ret[idx]) ** 2
            if s.clip_vloss is not None:
                moved = values[idx] + torch.clamp(new_values - values[idx], -s.clip_vloss, s.clip_vloss)
                squared = torch.max(squared, (moved - ret[idx]) ** 2)
            loss = policy + s.vf_coef * squared.mean() - s.ent_coef * entropy.mean()
            net.zero_grad(set_to_none=True)
            loss.backward()
            grads = gradients(net, "a copy of agent.net")
            named = {k: g for k, g in zip(params, grads, strict=True) if g is not None}
            named = {k: named.get(k, np.zeros_like(p)) for k, p in params.items()}
            params = adam.step(params, clip_total_norm(named, s.max_grad_norm)[0])
    return params
