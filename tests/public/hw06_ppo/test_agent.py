"""Public checks of hw06's agents: ``PPOAgent`` (``ppo.py``) acting and storing a rollout the way the grader's
vector-env loop drives it, one update's effect, and learning CartPole-v1 on 8 envs (``VectorTrainer``).
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.actor_critic import CARTPOLE_OBS, TWO_ACTIONS, generator_state
from grader.harness.calls import seed_global_rngs_of
from grader.harness.deep_control import DeepSpec
from grader.harness.dqn_fixtures import parameters, same_parameters
from grader.harness.validate import as_float, as_float_array, as_tensor_array

BOX = gym.spaces.Box(-0.5, 0.5, shape=(2,), dtype=np.float32)
OBS3 = gym.spaces.Box(-5.0, 5.0, shape=(3,), dtype=np.float32)


def make(impl, observation_space, action_space, n_envs, cls="PPOAgent", module="ppo", seed=0, **hparams):
    agent_cls = impl.attr(module, cls)
    seed_global_rngs_of(agent_cls, seed)
    return agent_cls(observation_space, action_space, seed=seed, n_envs=n_envs, **hparams)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_act_samples_from_own_generator(impl):
    """act: argmax / clip(μ) when deterministic (nothing drawn); samples from agent.generator, in the box"""
    obs = np.random.default_rng(3).normal(size=(5, 4)).astype(np.float32)
    agent = make(impl, CARTPOLE_OBS, gym.spaces.Discrete(3), 5)
    before = generator_state(agent)
    greedy = as_float_array(agent.act(obs.copy(), deterministic=True), "act(obs, deterministic=True)", (5,))
    logits = as_tensor_array(agent.net.actor(torch.from_numpy(obs)), "agent.net.actor(obs)", (5, 3))
    assert np.array_equal(greedy, logits.argmax(axis=1)), (
        f"act(obs, deterministic=True) = {greedy.tolist()}; expected the argmax of the logits "
        f"{logits.argmax(1).tolist()}"
    )
    assert generator_state(agent) == before, "act(obs, deterministic=True) drew from agent.generator: it must not"
    runs = []
    for global_seed in (1, 2):
        twin = make(impl, CARTPOLE_OBS, gym.spaces.Discrete(3), 5)
        seed_global_rngs_of(twin, global_seed)
        runs.append(np.array([as_float_array(twin.act(obs.copy()), "act(obs)", (5,)) for _ in range(10)]))
    assert np.array_equal(*runs), (
        "two agents built with the same seed sampled different actions after torch's global RNG was seeded "
        "differently: draw every sample from agent.generator"
    )
    wide = make(impl, OBS3, BOX, 4, log_std_init=1.0)
    obs3 = np.random.default_rng(4).normal(size=(4, 3)).astype(np.float32)
    mean = as_tensor_array(wide.net.actor(torch.from_numpy(obs3)), "agent.net.actor(obs) (μ)", (4, 2))
    got = as_float_array(wide.act(obs3.copy(), deterministic=True), "act(obs, deterministic=True)", (4, 2))
    assert np.allclose(got, np.clip(mean, -0.5, 0.5), atol=1e-6), (
        f"Gaussian act(obs, deterministic=True) = {np.round(got, 5).tolist()}; expected clip(μ(s), −0.5, 0.5)"
    )
    samples = as_float_array(wide.act(obs3.copy()), "act(obs)", (4, 2))
    assert np.all(np.abs(samples) <= 0.5 + 1e-6), f"act(obs) = {samples.tolist()} leaves the box [−0.5, 0.5]"


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_observe_stores_raw_samples_and_valid_steps(impl):
    """observe: raw Gaussian samples stored (not the clipped actions); reset steps invalid; update every n_steps"""
    agent = make(impl, OBS3, BOX, 2, n_steps=3, log_std_init=1.0)
    calls, stored, valid = [], [], []

    def update(*args, **kwargs) -> None:
        calls.append(np.array(args[0] if args else kwargs["last_obs"], dtype=np.float64))
        stored.append(as_float_array(agent.actions, "agent.actions", (3, 2, 2)))
        flags = agent.valid
        assert type(flags) is np.ndarray and flags.dtype == bool, "agent.valid must be a bool numpy array (T, N)"
        valid.append(as_float_array(flags.astype(np.float64), "agent.valid", (3, 2)).astype(bool))

    agent.update = update
    rng = np.random.default_rng(6)
    returned, nexts = [], []
    # env 0 terminates at call 2 and env 1 is truncated at call 3 (the last row of rollout 1): call 3 of env 0 and
    # call 4 of env 1 (the first row of rollout 2) are reset steps
    ends = {
        1: (np.array([True, False]), np.array([False, False])),
        2: (np.array([False, False]), np.array([False, True])),
    }
    for i in range(7):
        obs = rng.normal(size=(2, 3)).astype(np.float32)
        actions = as_float_array(agent.act(obs.copy()), "act(obs)", (2, 2))
        next_obs = rng.normal(size=(2, 3)).astype(np.float32)
        returned.append(actions)
        nexts.append(next_obs)
        terminated, truncated = ends.get(i, (np.zeros(2, bool), np.zeros(2, bool)))
        agent.observe(obs, actions.astype(np.float32), np.ones(2), next_obs.copy(), terminated, truncated)
    assert len(calls) == 2, (
        f"7 observe() calls with n_steps = 3 must call update twice (after 3 and 6), got {len(calls)}"
    )
    for k, step in enumerate((2, 5)):
        assert np.allclose(calls[k], nexts[step], atol=1e-6), (
            f"update call {k + 1} got last_obs = {np.round(calls[k], 5).tolist()}; expected next_obs of observe call "
            f"{step + 1}"
        )
    assert np.allclose(np.clip(stored[0], -0.5, 0.5), np.array(returned[:3]), atol=1e-6), (
        "agent.actions clipped to the box differ from what act() returned: store each act() call's raw sample"
    )
    assert np.any(np.abs(stored[0]) > 0.5 + 1e-6), (
        "every stored action lies inside [−0.5, 0.5] although σ = e: they are the clipped actions. PPO's ratio needs "
        "log π of the action that was SAMPLED"
    )
    want = [np.array([[1, 1], [1, 1], [0, 1]], bool), np.array([[1, 0], [1, 1], [1, 1]], bool)]
    for k in range(2):
        assert np.array_equal(valid[k], want[k]), (
            f"agent.valid of rollout {k + 1} = {valid[k].astype(int).tolist()}; expected {want[k].astype(int).tolist()}"
            ": the step after an episode's end (terminated or truncated, even in the previous rollout) is a reset step"
        )


@pytest.mark.points(5)
@pytest.mark.timeout(30)
def test_update_trains_actor_and_critic(impl):
    """update after 4 act/observe steps: the critic's error on the Monte Carlo returns falls, the actor moves"""
    agent = make(impl, CARTPOLE_OBS, TWO_ACTIONS, 2, n_steps=4, n_epochs=4, minibatch_size=4, lr=0.01,
                 gamma=0.5, gae_lambda=1.0, ent_coef=0.0, max_grad_norm=100.0)  # fmt: skip
    rng = np.random.default_rng(5)
    obs = rng.normal(size=(4, 2, 4)).astype(np.float32)
    rewards = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 2.0]])
    returns = np.array([[1.875, 0.25], [1.75, 0.5], [1.5, 1.0], [1.0, 2.0]])  # γ = 0.5, λ = 1, both end at t = 3
    flat_obs = torch.from_numpy(obs.reshape(8, 4))

    def critic_error() -> float:
        values = as_tensor_array(agent.net.value(flat_obs), "agent.net.value(obs)", (8,))
        return float(np.mean((values - returns.reshape(8)) ** 2))

    error0 = critic_error()
    actor0 = parameters(agent.net.actor, "agent.net.actor")
    for t in range(4):
        ended = np.array([t == 3, t == 3])
        actions = as_float_array(agent.act(obs[t].copy()), "act(obs)", (2,)).astype(np.int64)
        agent.observe(obs[t], actions, rewards[t], obs[t] + 1, ended, np.zeros(2, bool))
    error1 = critic_error()
    assert error1 < 0.8 * error0, (
        f"one update (4 epochs, lr 0.01) took the critic's error mean (V(s) − R)² on the rollout's Monte Carlo returns "
        f"from {error0:.4f} only to {error1:.4f}: the value loss must train the critic"
    )
    assert not same_parameters(parameters(agent.net.actor, "agent.net.actor"), actor0), (
        "the update left the actor unchanged"
    )
    assert as_float(agent.updates, "agent.updates") == 1, "agent.updates must count the updates (1 after one rollout)"


# Calibration: the README's table and calibration/hw06_ppo.md (rlgrade calibrate hw06).
PPO_HPARAMS = {
    "n_steps": 128, "n_epochs": 4, "minibatch_size": 256, "lr": 1e-3, "gamma": 0.99, "gae_lambda": 0.95,
    "clip": 0.2, "clip_vloss": None, "norm_adv": True, "vf_coef": 0.5, "ent_coef": 0.0, "max_grad_norm": 0.5,
    "hidden": (64, 64),
}  # fmt: skip
PPO_CARTPOLE = DeepSpec(
    check="test_ppo_cartpole",
    module="ppo",
    agent="PPOAgent",
    env_id="CartPole-v1",
    steps=102_400,
    seed=1,
    low=475.0,
    semantics="best",
    eval_every=10_240,
    eval_episodes=10,
    hparams=PPO_HPARAMS,
    n_envs=8,
)


@pytest.mark.points(10)
@pytest.mark.timeout(60)
def test_ppo_cartpole(impl):
    """PPO on 8 CartPole-v1 envs: a deterministic evaluation (every 10,240 steps) ≥ 475 ("solved") within 102,400"""
    PPO_CARTPOLE.assert_learns(
        impl.attr("ppo", "PPOAgent"),
        "a correct agent gets there within 30k-70k steps on most seeds (random play ≈ 20). If yours does not, look "
        "at the exact checks first: the ratio, the clipping, the minibatches, the targets",
    )


TRPO_HPARAMS = {
    "n_steps": 64, "minibatch_size": 128, "lr": 1e-3, "gamma": 0.99, "gae_lambda": 0.95, "norm_adv": True,
    "max_kl": 0.02, "damping": 0.1, "cg_iters": 10, "max_backtracks": 10, "vf_epochs": 5, "max_grad_norm": 0.5,
    "hidden": (64, 64),
}  # fmt: skip
TRPO_CARTPOLE = DeepSpec(
    check="test_trpo_cartpole",
    module="trpo",
    agent="TRPOAgent",
    env_id="CartPole-v1",
    steps=102_400,
    seed=2,
    low=195.0,
    semantics="best",
    eval_every=10_240,
    eval_episodes=10,
    hparams=TRPO_HPARAMS,
    n_envs=8,
)


@pytest.mark.points(8)
@pytest.mark.timeout(60)
def test_trpo_cartpole(impl):
    """TRPO on 8 CartPole-v1 envs (δ = 0.02): a deterministic evaluation (every 10,240 steps) ≥ 195 within 102,400"""
    TRPO_CARTPOLE.assert_learns(
        impl.attr("trpo", "TRPOAgent"),
        "a correct agent gets there within 20k-60k steps on most seeds. If yours does not, look at the exact checks "
        "first: the Fisher-vector product, CG, the step's scale and the line search",
    )
