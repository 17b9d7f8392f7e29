"""Trusted helpers of the policy-gradient checks (hw03): the exact checks shared by the public and the hidden
checks (run with other inputs there).

Student code returns torch tensors; a check turns each into a plain float64 array with :func:`as_tensor_array`
(exact type, shape and finiteness first, design P3) before comparing it. The expected values are either data
given by the check (from its ``expected.json``, or computed by :mod:`grader.oracles.policy_gradient` in a hidden
check) or the densities of ``torch.distributions`` applied to the student's own network outputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical, Normal

from grader.harness.validate import as_tensor_array, matching_cause


def check_categorical(
    policy_cls: Callable[..., nn.Module], obs: torch.Tensor, n_actions: int, hidden: tuple[int, ...], actions: list[int]
) -> None:
    """Build the policy, compare log_prob with the grader's log-softmax of logits_net(obs)."""
    policy = policy_cls(obs.shape[1], n_actions, hidden)
    acts = torch.tensor(actions, dtype=torch.int64)
    log_probs = policy.log_prob(obs, acts)
    batch = (obs.shape[0],)
    got = as_tensor_array(log_probs, f"CategoricalPolicy.log_prob(obs, actions) for a batch of {batch[0]}", batch)
    assert log_probs.requires_grad, (
        "CategoricalPolicy.log_prob must return a tensor that keeps the autograd graph (no torch.no_grad, no .detach())"
    )
    logits = as_tensor_array(policy.logits_net(obs), "CategoricalPolicy.logits_net(obs)", (batch[0], n_actions))
    expected = Categorical(logits=torch.from_numpy(logits)).log_prob(torch.tensor(actions)).numpy()
    assert np.allclose(got, expected, rtol=0, atol=1e-5), (
        f"CategoricalPolicy({obs.shape[1]}, {n_actions}, {hidden}).log_prob(obs, actions={actions}) = "
        f"{np.round(got, 5).tolist()}; expected log softmax(logits_net(obs))[i, a_i] = {np.round(expected, 5).tolist()}"
    )


def check_gaussian(
    policy_cls: Callable[..., nn.Module],
    obs: torch.Tensor,
    act_dim: int,
    hidden: tuple[int, ...],
    log_std_init: float,
    seed: int,
) -> None:
    """Build the policy, compare log_prob and its gradient w.r.t. log_std with the grader's answer."""
    policy = policy_cls(obs.shape[1], act_dim, hidden, log_std_init)
    init = as_tensor_array(policy.log_std, "GaussianPolicy.log_std", (act_dim,))
    log_std = np.full(act_dim, float(log_std_init))
    assert np.allclose(init, log_std, rtol=0, atol=1e-6), (
        f"GaussianPolicy(..., log_std_init={log_std_init}).log_std = {init.tolist()}; expected {log_std.tolist()}"
    )
    actions = torch.randn(obs.shape[0], act_dim, generator=torch.Generator().manual_seed(seed))
    log_probs = policy.log_prob(obs, actions)
    batch = (obs.shape[0],)
    got = as_tensor_array(log_probs, f"GaussianPolicy.log_prob(obs, actions) for a batch of {batch[0]}", batch)
    mean = as_tensor_array(policy.mean_net(obs), "GaussianPolicy.mean_net(obs)", (batch[0], act_dim))
    acts = actions.numpy().astype(np.float64)
    density = Normal(torch.from_numpy(mean), torch.from_numpy(np.exp(log_std)))
    expected = density.log_prob(torch.from_numpy(acts)).sum(dim=1).numpy()
    terms = {  # the three terms of row 0's density, per action dimension, for the message
        "−(a − μ)² / (2σ²)": -((acts[0] - mean[0]) ** 2) / (2 * np.exp(2 * log_std)),
        "−log σ": -log_std,
        "−½ log 2π": np.full(act_dim, -0.5 * np.log(2 * np.pi)),
    }
    squared = Normal(torch.from_numpy(mean), torch.from_numpy(np.exp(2 * log_std)))
    causes = {
        "averaging over the action dimensions instead of summing": expected / act_dim,
        "leaving out the −log σ term": expected + log_std.sum(),
        "passing σ² (not σ) as the Normal's scale": squared.log_prob(torch.from_numpy(acts)).sum(dim=1).numpy(),
    }
    assert np.allclose(got, expected, rtol=0, atol=1e-4), (
        f"GaussianPolicy({obs.shape[1]}, {act_dim}).log_prob with log_std = {log_std.tolist()} on {batch[0]} states "
        f"and {act_dim}-D actions = {np.round(got, 4).tolist()}; expected Σ_j log N(a_j; μ_j(s), σ_j²) = "
        f"{np.round(expected, 4).tolist()}. Row 0 per action dimension: "
        + ", ".join(f"{name} = {np.round(v, 4).tolist()}" for name, v in terms.items())
        + f", summed: {expected[0]:.4f}; yours {got[0]:.4f}"
        + matching_cause(got, causes, 1e-4)
    )
    log_probs.sum().backward()
    grad = policy.log_std.grad
    assert grad is not None, (
        "GaussianPolicy.log_std has no gradient after backward(): it must be an nn.Parameter of the module (σ is "
        "learned) and log_prob must use it, not a plain tensor, a buffer or a detached copy"
    )
    grad = as_tensor_array(grad, "the gradient of Σ log_prob w.r.t. log_std", (act_dim,))
    trusted_log_std = torch.tensor(log_std, requires_grad=True)
    Normal(torch.from_numpy(mean), trusted_log_std.exp()).log_prob(torch.from_numpy(acts)).sum().backward()
    want = trusted_log_std.grad.numpy()
    assert np.allclose(grad, want, rtol=1e-4, atol=1e-4), (
        f"d Σ_i log π(a_i|s_i) / d log_std = {np.round(grad, 4).tolist()}; expected Σ_i ((a−μ)²/σ² − 1) = "
        f"{np.round(want, 4).tolist()}: σ must be exp(log_std) of the parameter itself"
    )


def check_bandit_gradient(
    reinforce_loss: Callable[..., torch.Tensor],
    theta0: list[float],
    actions: list[int],
    returns: list[float],
    want_loss: float,
    want_grad: list[float],
) -> None:
    """The loss on softmax logits θ (a leaf) must equal ``want_loss`` = −mean(G log π(a)) and its gradient
    ``want_grad`` = −(1/B) Σ G (e_a − π) (the expected values come from the check)."""
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    log_probs = torch.log_softmax(theta, dim=0)[torch.tensor(actions)]
    loss = reinforce_loss(log_probs, torch.tensor(returns, dtype=torch.float64))
    value = as_tensor_array(loss, "reinforce_loss(log_probs, weights) (a scalar tensor)", ())
    setting = f"θ = {theta0}, actions {actions}, returns {returns}"
    assert abs(float(value) - want_loss) <= 1e-9, (
        f"reinforce_loss on a bandit with softmax logits {setting}: loss = {float(value):.8g}; expected "
        f"−(1/B) Σ_i G_i log π(a_i) = {want_loss:.8g}"
        + matching_cause(np.array([float(value)]), {"+(1/B) Σ_i G_i log π(a_i) (the sign flipped)": [-want_loss]}, 1e-9)
    )
    assert loss.requires_grad, "reinforce_loss must keep the graph of log_probs (do not detach them)"
    loss.backward()
    grad = as_tensor_array(theta.grad, "the gradient of reinforce_loss w.r.t. the logits θ", (len(theta0),))
    assert np.allclose(grad, want_grad, rtol=0, atol=1e-6), (
        f"gradient of reinforce_loss w.r.t. θ with {setting}: {np.round(grad, 6).tolist()}; expected the analytic "
        f"−(1/B) Σ_i G_i (e_(a_i) − π) = {np.round(want_grad, 6).tolist()}"
        + matching_cause(
            grad, {"the loss +mean(G log π) (gradient descent on it descends J)": -np.asarray(want_grad)}, 1e-6
        )
    )
