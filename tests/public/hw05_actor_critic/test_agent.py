"""Public checks of hw05's network (``networks.py``) and agent (``A2CAgent`` in ``a2c.py``), and learning.

The network checks use relations every correct π_θ and V must satisfy (probabilities sum to 1, log-probability
differences equal logit differences, a Gaussian's density at its mean) and numbers worked out by hand from
``log_std``. The agent checks drive your ``A2CAgent`` the way the grader's vector-env loop does. The learning
check trains it on 8 copies of CartPole-v1 (``grader/harness/loops.py``, ``VectorTrainer``).
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.actor_critic import (
    A2C_HPARAMS,
    CARTPOLE_OBS,
    TWO_ACTIONS,
    generator_state,
    gradients,
    make_agent,
    reached_by,
)
from grader.harness.calls import seed_global_rngs_of
from grader.harness.deep_control import DeepSpec
from grader.harness.dqn_fixtures import parameters, same_parameters
from grader.harness.validate import as_float, as_float_array, as_tensor_array

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)  # 0.9189385


def network(impl, obs_dim: int, space: gym.Space, seed: int = 0, **kwargs):
    ActorCritic = impl.attr("networks", "ActorCritic")
    seed_global_rngs_of(ActorCritic, seed)
    return ActorCritic(obs_dim, space, **kwargs)


def outputs(net, obs: torch.Tensor, actions: torch.Tensor, n_out: int) -> dict[str, np.ndarray]:
    """forward's head and value, value(), and evaluate_actions' three tensors, validated."""
    b = obs.shape[0]
    head, value = net(obs)
    log_probs, entropy, values = net.evaluate_actions(obs, actions)
    return {
        "head": as_tensor_array(head, "ActorCritic.forward(obs)[0] (logits or mean)", (b, n_out)),
        "value": as_tensor_array(value, "ActorCritic.forward(obs)[1] (V(s))", (b,)),
        "value()": as_tensor_array(net.value(obs), "ActorCritic.value(obs)", (b,)),
        "log_probs": as_tensor_array(log_probs, "evaluate_actions(obs, actions)[0] (log π(a|s))", (b,)),
        "entropy": as_tensor_array(entropy, "evaluate_actions(obs, actions)[1] (entropy)", (b,)),
        "values": as_tensor_array(values, "evaluate_actions(obs, actions)[2] (V(s))", (b,)),
    }


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_categorical_actor_critic(impl):
    """ActorCritic, 3 actions: shapes; π sums to 1; log π(a|s) − log π(b|s) = logit_a − logit_b; entropy = −Σ π log π"""
    obs = torch.tensor(np.random.default_rng(0).normal(size=(5, 4)), dtype=torch.float32)
    for shared in (False, True):
        net = network(impl, 4, gym.spaces.Discrete(3), hidden=(16, 16), shared=shared)
        name = f"ActorCritic(4, Discrete(3), hidden=(16, 16), shared={shared})"
        per_action = [outputs(net, obs, torch.full((5,), a, dtype=torch.int64), 3) for a in range(3)]
        first = per_action[0]
        assert np.allclose(first["value"], first["value()"], atol=1e-6) and np.allclose(
            first["value"], first["values"], atol=1e-6
        ), f"{name}: forward(obs)[1], value(obs) and evaluate_actions(obs, a)[2] must all be V(s)"
        log_pi = np.stack([o["log_probs"] for o in per_action], axis=1)  # (5, 3): log π(a|s_i) for a = 0, 1, 2
        total = np.exp(log_pi).sum(axis=1)
        assert np.allclose(total, 1.0, atol=1e-5), (
            f"{name}: Σ_a exp(log π(a|s)) over the 3 actions = {np.round(total, 6).tolist()} on 5 states; expected 1 "
            "(log_probs "
            "must be log-probabilities of one distribution per state: Categorical(logits=head))"
        )
        gaps, logit_gaps = log_pi - log_pi[:, :1], first["head"] - first["head"][:, :1]
        assert np.allclose(gaps, logit_gaps, atol=1e-5), (
            f"{name}: log π(a|s) − log π(0|s) = {np.round(gaps[0], 6).tolist()} for the first state, but the logits "
            "(forward's "
            f"head) differ by {np.round(logit_gaps[0], 6).tolist()}: π must be softmax(head)"
        )
        entropy = -(np.exp(log_pi) * log_pi).sum(axis=1)
        assert np.allclose(first["entropy"], entropy, atol=1e-5), (
            f"{name}: evaluate_actions' entropy = {np.round(first['entropy'], 6).tolist()}; −Σ_a π log π of your own "
            "log_probs = "
            f"{np.round(entropy, 6).tolist()}"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_gaussian_actor_critic(impl):
    """Gaussian ActorCritic: log_std learned; log π at μ and μ + σ, and the entropy, summed over action dimensions"""
    space = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
    net = network(impl, 3, space, hidden=(16,), log_std_init=0.5)
    log_std = as_tensor_array(net.log_std, "ActorCritic.log_std", (2,))
    assert np.allclose(log_std, 0.5), f"ActorCritic(..., log_std_init=0.5).log_std = {log_std.tolist()}"
    obs = torch.tensor(np.random.default_rng(1).normal(size=(4, 3)), dtype=torch.float32)
    mean = as_tensor_array(net(obs)[0], "ActorCritic.forward(obs)[0] (the mean μ(s))", (4, 2))
    sigma = math.exp(0.5)
    at_mean = outputs(net, obs, torch.tensor(mean, dtype=torch.float32), 2)
    shifted = torch.tensor(mean + np.array([sigma, 0.0]), dtype=torch.float32)
    one_sigma = outputs(net, obs, shifted, 2)
    cases = (
        ("log π(μ(s)|s)", at_mean["log_probs"], -2 * (0.5 + HALF_LOG_2PI), "−2 (log σ + ½ log 2π) = −2.837877"),
        ("log π(μ(s) + [σ, 0]|s)", one_sigma["log_probs"], -2 * (0.5 + HALF_LOG_2PI) - 0.5, "−2.837877 − ½"),
        ("the entropy", at_mean["entropy"], 2 * (0.5 + HALF_LOG_2PI + 0.5), "2 (½ + ½ log 2π + log σ) = 3.837877"),
    )
    for name, got, want, how in cases:
        assert np.allclose(got, want, atol=1e-4), (
            f"Gaussian ActorCritic with log σ = 0.5 on 2-d actions: {name} = {np.round(got, 6).tolist()}; expected "
            f"{want:.6f} = "
            f"{how} for every state. Sum (do not average) over the action dimensions"
        )
    net.zero_grad(set_to_none=True)
    net.evaluate_actions(obs, shifted)[0].sum().backward()
    grad = gradients(net, "ActorCritic")
    log_std_grad = net.log_std.grad
    assert log_std_grad is not None and any(g is not None for g in grad), (
        "log_std has no gradient after backward() of the log-probabilities: σ = exp(log_std) is learned, "
        "log_std must be an nn.Parameter of the module that evaluate_actions uses"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_shared_and_separate_layouts(impl):
    """ActorCritic(shared=False): no parameter reaches both heads; shared=True: a trunk reaches both"""
    obs = torch.tensor(np.random.default_rng(2).normal(size=(6, 4)), dtype=torch.float32)
    for shared in (False, True):
        net = network(impl, 4, TWO_ACTIONS, hidden=(8, 8), shared=shared)
        name = f"ActorCritic(4, Discrete(2), hidden=(8, 8), shared={shared})"
        # two forward passes: each backward() may use its own graph once
        by_value = reached_by(net, lambda net=net: net(obs)[1].sum(), name)
        by_policy = reached_by(net, lambda net=net: net(obs)[0].sum(), name)
        both = sum(v and p for v, p in zip(by_value, by_policy, strict=True))
        if shared:
            assert both > 0, f"{name}: no parameter affects both V(s) and the logits; shared=True needs a common trunk"
        else:
            assert both == 0, (
                f"{name}: {both} parameter tensors affect both V(s) and the logits; with shared=False the actor and "
                "the critic are separate networks"
            )


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_act_samples_from_own_generator_deterministic_draws_nothing(impl):
    """act: N actions; deterministic = argmax / clip(μ) at σ = e², drawing nothing; samples come from agent.generator"""
    rng = np.random.default_rng(3)
    obs = rng.normal(size=(5, 4)).astype(np.float32)
    agent = make_agent(impl, CARTPOLE_OBS, gym.spaces.Discrete(3), n_envs=5)
    before = generator_state(agent)
    greedy = agent.act(obs.copy(), deterministic=True)
    logits = as_tensor_array(agent.net(torch.from_numpy(obs))[0], "agent.net(obs)[0] (logits)", (5, 3))
    got = as_float_array(greedy, "act(obs, deterministic=True)", (5,))
    assert np.array_equal(got, logits.argmax(axis=1)), (
        f"act(obs, deterministic=True) = {got.tolist()}; expected the argmax of each row's logits "
        f"{logits.argmax(axis=1).tolist()}"
    )
    assert generator_state(agent) == before, "act(obs, deterministic=True) drew from agent.generator: it must not"
    agent.act(obs.copy())
    assert generator_state(agent) != before, "act(obs) did not draw from agent.generator: sample with it"
    # same seed, same actions, whatever torch's global RNG holds
    sequences = []
    for global_seed in (123, 456):
        twin = make_agent(impl, CARTPOLE_OBS, gym.spaces.Discrete(3), n_envs=5)
        seed_global_rngs_of(twin, global_seed)
        sequences.append(
            np.array([as_float_array(twin.act(obs.copy()), "act(obs)", (5,)) for _ in range(20)], dtype=np.int64)
        )
    assert np.array_equal(*sequences), (
        "two agents built with the same seed sampled different actions after torch's global RNG was seeded "
        "differently: draw every sample from agent.generator (torch.Generator().manual_seed(seed))"
    )
    box = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
    wide = make_agent(impl, gym.spaces.Box(-5, 5, shape=(3,)), box, n_envs=4, log_std_init=2.0)
    obs3 = rng.normal(size=(4, 3)).astype(np.float32)
    before = generator_state(wide)
    got = as_float_array(wide.act(obs3.copy(), deterministic=True), "act(obs, deterministic=True)", (4, 2))
    mean = as_tensor_array(wide.net(torch.from_numpy(obs3))[0], "agent.net(obs)[0] (the mean)", (4, 2))
    assert np.allclose(got, np.clip(mean, -1, 1), atol=1e-6), (
        "Gaussian agent with log_std_init = 2 (σ = 7.4): act(obs, deterministic=True) = "
        f"{np.round(got, 6).tolist()}; expected "
        f"clip(μ(s), −1, 1) = {np.round(np.clip(mean, -1, 1), 6).tolist()} — the mean, never a sample"
    )
    assert generator_state(wide) == before, "act(obs, deterministic=True) drew from agent.generator: it must not"
    samples = as_float_array(wide.act(obs3.copy()), "act(obs)", (4, 2))
    assert np.all(np.abs(samples) <= 1 + 1e-6), (
        f"act(obs) returned {np.round(samples, 6).tolist()}, outside the action space [-1, 1]"
    )


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_observe_stores_raw_samples_and_updates_every_n_steps(impl):
    """observe: stores the RAW Gaussian samples; calls update(next_obs) once per n_steps vector steps, then clears"""
    box = gym.spaces.Box(-0.5, 0.5, shape=(2,), dtype=np.float32)
    agent = make_agent(impl, gym.spaces.Box(-5, 5, shape=(3,)), box, n_envs=2, n_steps=3, log_std_init=1.0)
    calls, stored = [], []

    def update(*args, **kwargs) -> float:
        """Stands in for agent.update: records last_obs and the buffer's actions (before observe clears it)."""
        calls.append(np.array(args[0] if args else kwargs["last_obs"], dtype=np.float64))
        stored.append(as_float_array(agent.buffer.actions, "agent.buffer.actions", (3, 2, 2)))
        return 0.0

    agent.update = update
    rng = np.random.default_rng(4)
    returned, next_observations = [], []
    for _ in range(7):
        obs = rng.normal(size=(2, 3)).astype(np.float32)
        actions = as_float_array(agent.act(obs.copy()), "act(obs)", (2, 2))
        assert np.all(np.abs(actions) <= 0.5 + 1e-6), (
            f"act(obs) = {np.round(actions, 6).tolist()} is outside the box [−0.5, 0.5]"
        )
        next_obs = rng.normal(size=(2, 3)).astype(np.float32)
        returned.append(actions)
        next_observations.append(next_obs)
        flags = np.zeros(2, bool)
        agent.observe(obs, actions.astype(np.float32), np.ones(2), next_obs.copy(), flags, flags.copy())
    assert len(calls) == 2, f"7 observe() calls with n_steps = 3 must call update twice (after 3, 6), got {len(calls)}"
    for i, (call, step) in enumerate(zip(calls, (2, 5), strict=True)):
        assert np.allclose(call, next_observations[step], atol=1e-6), (
            f"update call {i + 1} got last_obs = {np.round(call, 6).tolist()}; expected next_obs of observe() call "
            f"{step + 1}"
        )
    assert as_float(agent.buffer.step, "agent.buffer.step") == 1, (
        "after the update of the 6th observe() call the buffer must be cleared: the 7th call is the first row of "
        "the next rollout (buffer.step = 1)"
    )
    assert np.allclose(np.clip(stored[0], -0.5, 0.5), np.array(returned[:3]), atol=1e-6), (
        "the buffer's actions, clipped to [−0.5, 0.5], differ from what act() returned: store the raw sample of "
        "each act() call"
    )
    assert np.any(np.abs(stored[0]) > 0.5 + 1e-6), (
        "every stored action lies inside [−0.5, 0.5] although σ = e (first row: "
        f"{np.round(stored[0][0], 6).tolist()}): they are the "
        "clipped actions. log π must be that of the RAW sample (observe receives the clipped one)"
    )


# A rollout of 4 steps × 2 envs that ends (terminated) at the last step in both envs: with γ = 0.5 and λ = 1 the
# returns are Monte Carlo, R = [1.875, 1.75, 1.5, 1] (rewards 1, 1, 1, 1) and [0.25, 0.5, 1, 2] (rewards 0, 0, 0, 2),
# whatever V is; so the critic's loss mean (V(s) − R)² can be measured on fixed targets.
MC_REWARDS = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 2.0]])
MC_RETURNS = np.array([[1.875, 0.25], [1.75, 0.5], [1.5, 1.0], [1.0, 2.0]])
MC_ACTIONS = np.array([[0, 1], [1, 1], [0, 0], [1, 0]])


def filled_agent(impl, **hparams):
    """An agent (separate actor and critic) whose buffer holds the fixed rollout above (added directly)."""
    agent = make_agent(impl, CARTPOLE_OBS, TWO_ACTIONS, n_envs=2, n_steps=4, gamma=0.5, gae_lambda=1.0, **hparams)
    obs = np.random.default_rng(5).normal(size=(4, 2, 4)).astype(np.float32)
    for t in range(4):
        ended = np.array([t == 3, t == 3])
        agent.buffer.add(obs[t], MC_ACTIONS[t], MC_REWARDS[t], ended, np.zeros(2, bool))
    return agent, obs


def critic_error(agent, obs: np.ndarray) -> float:
    values = as_tensor_array(agent.net.value(torch.from_numpy(obs.reshape(8, 4))), "agent.net.value(obs)", (8,))
    return float(np.mean((values - MC_RETURNS.reshape(8)) ** 2))


@pytest.mark.points(5)
@pytest.mark.timeout(30)
def test_update_trains_actor_and_critic(impl):
    """update: the critic's error on fixed returns falls; the policy loss falls; vf_coef = 0 leaves the critic alone"""
    agent, obs = filled_agent(impl, lr=0.01, ent_coef=0.0, vf_coef=0.5, max_grad_norm=100.0)
    last_obs = np.zeros((2, 4), np.float32)
    flat_obs, flat_actions = torch.from_numpy(obs.reshape(8, 4)), torch.from_numpy(MC_ACTIONS.reshape(8))
    error0 = critic_error(agent, obs)
    advantages = MC_RETURNS.reshape(8) - as_tensor_array(agent.net.value(flat_obs), "agent.net.value(obs)", (8,))
    log_pi0 = as_tensor_array(agent.net.evaluate_actions(flat_obs, flat_actions)[0], "log π(a|s)", (8,))
    agent.update(last_obs.copy())
    log_pi1 = as_tensor_array(agent.net.evaluate_actions(flat_obs, flat_actions)[0], "log π(a|s)", (8,))
    surrogate = [float(-np.mean(lp * advantages)) for lp in (log_pi0, log_pi1)]
    assert surrogate[1] < surrogate[0], (
        "one update (lr 0.01, separate actor and critic) did not lower −mean(log π(a|s) A) with the advantages "
        f"A = R − V(s) of the rollout ({surrogate[0]:.6f} before, {surrogate[1]:.6f} after): the actor must take a "
        "gradient step on the policy loss (its sign: minus log π times A)"
    )
    for _ in range(19):
        agent.update(last_obs.copy())
    error = critic_error(agent, obs)
    assert error < 0.5 * error0, (
        f"20 updates on the same rollout (γ = 0.5, λ = 1, every env terminated at its last step, so the targets are "
        f"the fixed returns {MC_RETURNS.T.tolist()}) took the critic's error mean (V(s) − R)² from {error0:.4f} "
        f"only to {error:.4f}; a critic that learns at lr 0.01 at least halves it. Each update must take one step "
        "on vf_coef · mean (V(s) − R)² (with freshly zeroed gradients) that reaches the critic's parameters"
    )
    frozen, obs = filled_agent(impl, lr=0.01, ent_coef=0.0, vf_coef=0.0, max_grad_norm=100.0)
    critic = reached_by(frozen.net, lambda: frozen.net.value(torch.from_numpy(obs.reshape(8, 4))).sum(), "agent.net")
    before = parameters(frozen.net, "agent.net")
    frozen.update(last_obs.copy())
    after = parameters(frozen.net, "agent.net")
    moved = [not same_parameters([a], [b]) for a, b in zip(after, before, strict=True)]
    assert not any(m and c for m, c in zip(moved, critic, strict=True)), (
        "with vf_coef = 0 and separate networks, one update changed the critic's parameters (those V(s) depends "
        "on). Only vf_coef · value_loss may train the critic (nothing here), and the policy term must send it no "
        "gradient (the advantages are constants)"
    )
    assert any(moved), "with vf_coef = 0, one update changed no parameter at all: the policy loss must train the actor"


# Calibration: the README's Part 5 and calibration/hw05_actor_critic.md (rlgrade calibrate hw05).
A2C_CARTPOLE = DeepSpec(
    check="test_a2c_cartpole",
    module="a2c",
    agent="A2CAgent",
    env_id="CartPole-v1",
    steps=150_000,
    seed=1,
    low=300.0,
    semantics="best",
    eval_every=5_000,
    eval_episodes=10,
    hparams=A2C_HPARAMS,
    n_envs=8,
)


@pytest.mark.points(10)
@pytest.mark.timeout(60)
def test_a2c_cartpole(impl):
    """A2C on 8 CartPole-v1 envs: a deterministic evaluation (every 5k env steps) ≥ 300 within 150k env steps"""
    A2C_CARTPOLE.assert_learns(
        impl.attr("a2c", "A2CAgent"),
        "a correct agent gets there within 20k-60k steps on most seeds (random play ≈ 20). If yours does not, "
        "look at the exact checks first: reset steps, the targets, the loss and its gradients",
    )
