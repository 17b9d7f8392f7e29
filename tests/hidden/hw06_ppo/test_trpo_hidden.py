"""Hidden checks of hw06's TRPO: conjugate gradient, the Fisher-vector product and the natural step on other
inputs than the public checks', and one ``TRPOAgent.update`` measured through your own network: the new policy
stays within the KL bound and improves the surrogate (or, when the line search finds nothing, the actor stays),
and the critic's loss falls.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.actor_critic import CARTPOLE_OBS, TWO_ACTIONS
from grader.harness.calls import beside, seed_global_rngs_of
from grader.harness.dqn_fixtures import parameters, same_parameters
from grader.harness.envs import make_env
from grader.harness.trust_region import softmax_fisher_products
from grader.harness.validate import as_bool, as_float_array, as_tensor_array
from grader.oracles.actor_critic import Rollout, gae, valid_steps


def spd(n: int, seed: int) -> torch.Tensor:
    m = np.random.default_rng(seed).normal(size=(n, n))
    return torch.tensor(m @ m.T + n * np.eye(n))


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_conjugate_gradient_random_system(impl):
    """CG on a random 6 × 6 SPD system: A⁻¹b within 6 products; 3 products give the 3rd CG iterate"""
    cg = impl.attr("trpo", "conjugate_gradient")
    a, b = spd(6, 1), torch.tensor(np.random.default_rng(2).normal(size=6))
    calls = []
    x = as_tensor_array(cg(lambda v: calls.append(1) or a @ v, b.clone(), 6, 1e-20), "conjugate_gradient", (6,))
    want = np.linalg.solve(a.numpy(), b.numpy())
    assert len(calls) <= 6 and np.allclose(x, want, atol=1e-6), (
        f"conjugate_gradient on a 6 × 6 SPD system: {len(calls)} products, error {np.abs(x - want).max():.3g}; "
        "expected A⁻¹b within 6 products (one per iteration)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_fisher_vector_product_batch(impl):
    """FVP of mean KL over 5 states with 3 actions each = (1/5) blockdiag(diag p − ppᵀ) v + damping v"""
    kl_fn, fvp = impl.attr("trpo", "categorical_kl"), impl.attr("trpo", "fisher_vector_product")
    rng = np.random.default_rng(4)
    logits, v = rng.normal(size=(5, 3)), rng.normal(size=15)
    out = beside(fvp, softmax_fisher_products, fvp, kl_fn, logits, [v], 0.05)
    assert type(out) is list and len(out) == 1, "fisher_vector_product's result came back malformed"
    got = as_tensor_array(out[0], "fisher_vector_product", (15,))
    p = torch.softmax(torch.tensor(logits), dim=1).numpy()
    blocks = [(np.diag(pi) - np.outer(pi, pi)) / 5 for pi in p]
    want = np.concatenate([blk @ vi for blk, vi in zip(blocks, v.reshape(5, 3), strict=True)]) + 0.05 * v
    assert np.allclose(got, want, atol=1e-8), (
        f"(F + 0.05 I) v for the mean KL over 5 states differs from the Fisher matrix's product by up to "
        f"{np.abs(got - want).max():.3g}"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_natural_step_random(impl):
    """natural step on a random 4 × 4 SPD F, δ = 0.05: β F⁻¹g with ½ stepᵀ F step = δ"""
    step_fn = impl.attr("trpo", "natural_step")
    f, g = spd(4, 7), torch.tensor(np.random.default_rng(8).normal(size=4))
    got = as_tensor_array(step_fn(g, lambda v: f @ v, 0.05, 10), "natural_step", (4,))
    s = np.linalg.solve(f.numpy(), g.numpy())
    want = np.sqrt(2 * 0.05 / (s @ f.numpy() @ s)) * s
    assert np.allclose(got, want, atol=1e-7), f"natural_step = {got.tolist()}; expected {want.tolist()}"


TRPO_REPLAY = {
    "n_steps": 16, "minibatch_size": 32, "lr": 1e-2, "gamma": 0.95, "gae_lambda": 0.9, "max_kl": 0.005,
    "damping": 0.1, "cg_iters": 10, "max_backtracks": 10, "vf_epochs": 3, "max_grad_norm": 1.0, "hidden": (16,),
}  # fmt: skip


def policy_and_values(agent, obs: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    b = len(obs)
    logits = as_tensor_array(agent.net.actor(obs), "agent.net.actor(obs)", (b, 2))
    values = as_tensor_array(agent.net.value(obs), "agent.net.value(obs)", (b,))
    return logits, values


def measure_before(agent, r: Rollout, ended: np.ndarray) -> tuple:
    """Before the update: the valid steps, their logits and values, the λ-returns and normalised advantages."""
    valid = valid_steps(r.terminated, r.truncated, ended).reshape(-1)
    flat = torch.from_numpy(r.obs.reshape(64, 4).astype(np.float32))
    obs = flat[torch.from_numpy(valid)]
    logits0, values_valid = policy_and_values(agent, obs)
    all_values = as_tensor_array(agent.net.value(flat), "value", (64,)).reshape(16, 4)
    last = as_tensor_array(agent.net.value(torch.from_numpy(r.last_obs.astype(np.float32))), "value", (4,))
    adv_all = gae(r.rewards, all_values, last, r.terminated, r.truncated, 0.95, 0.9)
    returns = (adv_all + all_values).reshape(-1)[valid]
    adv = adv_all.reshape(-1)[valid]
    adv = (adv - adv.mean()) / (adv.std(ddof=1) + 1e-8)
    actor0 = parameters(agent.net.actor, "agent.net.actor")
    return valid, obs, r.actions.reshape(64)[valid], logits0, values_valid, returns, adv, actor0


@pytest.mark.points(6)
@pytest.mark.timeout(40)
def test_hidden_trpo_update_respects_the_trust_region(impl):
    """2 TRPO updates on CartPole rollouts: KL(π_old ‖ π_new) ≤ δ, surrogate up (or actor kept), critic loss down"""
    agent_cls = impl.attr("trpo", "TRPOAgent")
    seed_global_rngs_of(agent_cls, 0)
    agent = agent_cls(CARTPOLE_OBS, TWO_ACTIONS, seed=3, n_envs=4, **TRPO_REPLAY)
    envs = gym.vector.SyncVectorEnv([lambda: make_env("CartPole-v1", max_episode_steps=12) for _ in range(4)])
    current = envs.reset(seed=5)[0]
    ended = np.zeros(4, dtype=bool)
    for k in (1, 2):
        rows: dict[str, list] = {key: [] for key in ("obs", "actions", "rewards", "terminated", "truncated")}
        for t in range(16):  # the grader's loop: act, step, observe; the 16th observe calls update
            actions = as_float_array(agent.act(current.copy()), "act(obs)", (4,)).astype(np.int64)
            step = envs.step(actions)
            for key, value in zip(rows, (current, actions, *step[1:4]), strict=True):
                rows[key].append(np.array(value))
            if t == 15:  # the whole rollout is known, the update has not run: measure the policy before it
                r = Rollout(**{key: np.stack(v) for key, v in rows.items()}, last_obs=np.array(step[0]))
                before = measure_before(agent, r, ended)
            agent.observe(
                current.copy(), actions.copy(), step[1].copy(), step[0].copy(), step[2].copy(), step[3].copy()
            )
            current = step[0]
        valid, obs, acts, logits0, values_valid, returns, adv, actor0 = before
        ended = r.terminated[-1] | r.truncated[-1]
        b = len(obs)
        logits1, values1 = policy_and_values(agent, obs)
        log_p0 = torch.log_softmax(torch.tensor(logits0), 1).numpy()
        log_p1 = torch.log_softmax(torch.tensor(logits1), 1).numpy()
        kl = float(np.mean(np.sum(np.exp(log_p0) * (log_p0 - log_p1), axis=1)))
        ratio = np.exp(log_p1[np.arange(b), acts] - log_p0[np.arange(b), acts])
        gain = float(np.mean(ratio * adv)) - float(np.mean(adv))
        moved = not same_parameters(parameters(agent.net.actor, "agent.net.actor"), actor0)
        setting = f"update {k} of TRPOAgent({TRPO_REPLAY}) on a CartPole rollout ({b} valid steps)"
        assert kl <= 0.005 * (1 + 1e-3) + 1e-7, (
            f"{setting}: KL̄(π_old ‖ π_new) = {kl:.6f} over the valid steps exceeds max_kl = 0.005: the line search "
            "must reject steps that break the trust region"
        )
        accepted = as_bool(agent.accepted, "agent.accepted")
        assert (moved and gain > 0) or (not moved and not accepted), (
            f"{setting}: the actor {'moved' if moved else 'did not move'} and the surrogate changed by {gain:.3g} "
            f"(accepted = {accepted}): an accepted step must raise mean(ρ A); a rejected one leaves the actor"
        )
        assert moved and kl > 0.005 / 64, (
            f"{setting}: KL̄ = {kl:.3g}: the step β s must reach the KL bound on the quadratic model before backtracking"
        )
        error0 = float(np.mean((values_valid - returns) ** 2))
        error1 = float(np.mean((values1 - returns) ** 2))
        assert error1 < error0, (
            f"{setting}: the critic's loss mean (V − R)² went from {error0:.4f} to {error1:.4f}: vf_epochs passes of "
            "Adam on it must lower it"
        )
    envs.close()
