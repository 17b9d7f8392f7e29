"""Hidden checks of hw06's PPO update: consecutive updates of ``PPOAgent`` replayed by the grader, and the parts on
other inputs than the public checks' (random rollouts and ratios, another clip ε, other batch shapes).

The replay drives your agent through ``act`` and ``observe`` on a real vector env, playing its own actions
(episodes that terminate and time limits that truncate, so reset steps occur). Before each update it copies your
parameters and your generator's state, then does the README's update itself — GAE from the definition, the valid
steps, one ``randperm`` per epoch, the clipped losses, the gradient through a copy of your network, clipping and
Adam in float64 — and compares the parameters your update leaves, update after update (Adam's moments carry over).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.actor_critic import CARTPOLE_OBS, TWO_ACTIONS, generator_state
from grader.harness.calls import seed_global_rngs_of
from grader.harness.envs import make_env
from grader.harness.point_mass import ENV_ID as POINT_MASS_ID
from grader.harness.validate import as_float_array, as_named_parameters, as_tensor_array
from grader.oracles.actor_critic import Rollout, gae, play_rollouts
from grader.oracles.ppo import BUGS, PPOSettings, replay_update
from grader.oracles.updates import STEP_RTOL, Adam, relative_distance


def drive(agent: Any, envs: Any, obs: np.ndarray, steps: int) -> tuple:
    """One rollout through act/observe, playing the agent's own actions. Returns (rollout, parameters and generator
    state just before the update, next obs)."""
    space = envs.single_action_space
    rows: dict[str, list] = {k: [] for k in ("obs", "actions", "rewards", "terminated", "truncated")}
    n = envs.num_envs
    for t in range(steps):
        if hasattr(space, "n"):
            played = as_float_array(agent.act(obs.copy()), "act(obs)", (n,))
            assert np.all(np.isin(played, np.arange(int(space.n)))), f"act(obs) = {played.tolist()}: not actions"
            played = played.astype(np.int64)
        else:
            played = as_float_array(agent.act(obs.copy()), "act(obs)", (n, *space.shape))
            assert np.all(np.abs(played) <= space.high + 1e-6), f"act(obs) left the action box: {played.tolist()}"
        if t == steps - 1:
            before = as_named_parameters(agent.net, "agent.net")
            state = torch.tensor(np.frombuffer(generator_state(agent), dtype=np.uint8).copy())
        next_obs, rewards, terminated, truncated, _ = envs.step(played)
        for key, value in zip(rows, (obs, played, rewards, terminated, truncated), strict=True):
            rows[key].append(np.array(value))
        agent.observe(obs.copy(), played.copy(), rewards.copy(), next_obs.copy(), terminated.copy(), truncated.copy())
        obs = next_obs
    arrays = {k: np.stack(v) for k, v in rows.items()}
    if not hasattr(space, "n"):
        stored = as_float_array(agent.actions, "agent.actions", (steps, n, *space.shape))
        assert np.allclose(np.clip(stored, space.low, space.high), arrays["actions"], atol=1e-6), (
            "agent.actions, clipped to the box, are not the actions act() returned: store the raw samples"
        )
        arrays["actions"] = stored.astype(np.float32)
    return Rollout(**arrays, last_obs=np.array(obs)), before, state, obs


def check_replay(impl, obs_space, action_space, env_id: str, env_kwargs: dict, n_envs: int, hp: dict, updates: int,
                 seed: int) -> None:  # fmt: skip
    agent_cls = impl.attr("ppo", "PPOAgent")
    seed_global_rngs_of(agent_cls, 0)
    agent = agent_cls(obs_space, action_space, seed=seed, n_envs=n_envs, **hp)
    calc_cls = impl.attr("networks", "PolicyValueNet")
    seed_global_rngs_of(calc_cls, 99)
    calc = calc_cls(int(obs_space.shape[0]), action_space, hp["hidden"], hp.get("log_std_init", 0.0))
    s = PPOSettings(hp["n_epochs"], hp["minibatch_size"], hp["gamma"], hp["gae_lambda"], hp["clip"],
                    hp["clip_vloss"], hp["norm_adv"], hp["vf_coef"], hp["ent_coef"], hp["max_grad_norm"])  # fmt: skip
    envs = gym.vector.SyncVectorEnv([lambda: make_env(env_id, **env_kwargs) for _ in range(n_envs)])
    obs = envs.reset(seed=seed)[0]
    adam = Adam(hp["lr"])
    ended = np.zeros(n_envs, dtype=bool)
    seen: list[tuple[int, int]] = []
    setting = f"PPOAgent({', '.join(f'{k}={v}' for k, v in hp.items())}) on {n_envs} × {env_id} {env_kwargs}"
    for k in range(1, updates + 1):
        rollout, before, state, obs = drive(agent, envs, obs, hp["n_steps"])
        seen.append((int(rollout.terminated.sum()), int(rollout.truncated.sum())))
        moments = (dict(adam.m), dict(adam.v), adam.t)
        want = replay_update(calc, before, adam, rollout, ended, state, s)
        after = as_named_parameters(agent.net, "agent.net")
        distance, worst = relative_distance(after, want, before)
        if distance > STEP_RTOL:
            causes = []
            for variant in BUGS:
                trial = Adam(hp["lr"], dict(moments[0]), dict(moments[1]), moments[2])
                bug = replay_update(calc, before, trial, rollout, ended, state, s, variant)
                if relative_distance(after, bug, before)[0] <= STEP_RTOL:
                    causes.append(variant)
            hint = f" Your parameters match the replay of this bug: {causes[0]}." if len(causes) == 1 else ""
            ends = (int(rollout.terminated.sum()), int(rollout.truncated.sum()))
            raise AssertionError(
                f"update {k} of {setting} (terminated / truncated steps in the rollout: {ends}): the parameters moved "
                f"differently from the grader's replay of the README's update (relative distance {distance:.3g}, "
                f"allowed {STEP_RTOL:g}; largest difference in `{worst}`).{hint} The replay: valid steps only, old "
                "log-probabilities and values before any step, one randperm(B, generator) per epoch cut into "
                "minibatches, advantages normalised per minibatch, clipped losses, zero_grad/backward/clip_grad_norm_/"
                "step on one Adam kept across updates"
            )
        ended = rollout.terminated[-1] | rollout.truncated[-1]
    envs.close()
    discrete = hasattr(action_space, "n")
    assert sum(u for _, u in seen) > 0 and (sum(m for m, _ in seen) > 0 or not discrete), (
        f"check misconfigured: terminated / truncated steps per rollout {seen}"
    )


REPLAY_CARTPOLE = {
    "n_steps": 8, "n_epochs": 3, "minibatch_size": 7, "lr": 3e-3, "gamma": 0.9, "gae_lambda": 0.8, "clip": 0.1,
    "clip_vloss": None, "norm_adv": True, "vf_coef": 0.7, "ent_coef": 0.05, "max_grad_norm": 0.3, "hidden": (16, 16),
}  # fmt: skip


@pytest.mark.points(8)
@pytest.mark.timeout(40)
def test_hidden_ppo_update_replay_cartpole(impl):
    """3 consecutive PPO updates (ε = 0.1, minibatches of 7 that do not divide B) = the grader's replay"""
    check_replay(impl, CARTPOLE_OBS, TWO_ACTIONS, "CartPole-v1", {"max_episode_steps": 12}, 4, REPLAY_CARTPOLE, 3, 29)


REPLAY_GAUSSIAN = {
    "n_steps": 5, "n_epochs": 2, "minibatch_size": 4, "lr": 1e-2, "gamma": 0.95, "gae_lambda": 0.9, "clip": 0.3,
    "clip_vloss": 0.2, "norm_adv": False, "vf_coef": 0.25, "ent_coef": 0.02, "max_grad_norm": 0.5, "hidden": (8,),
    "log_std_init": -0.3,
}  # fmt: skip


@pytest.mark.points(6)
@pytest.mark.timeout(40)
def test_hidden_ppo_update_replay_gaussian_value_clipping(impl):
    """3 PPO updates of a Gaussian agent on PointMass, value clipping 0.2, no normalisation = the grader's replay"""
    box = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
    obs_space = gym.spaces.Box(-2.0, 2.0, shape=(2,), dtype=np.float32)
    env_id = f"grader.harness.point_mass:{POINT_MASS_ID}"
    check_replay(impl, obs_space, box, env_id, {"max_episode_steps": 4}, 2, REPLAY_GAUSSIAN, 3, 12)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_gae_on_real_rollouts(impl):
    """gae on CartPole rollouts (6 envs × 10 steps, 7-step limit) and random values = the definition's sums"""
    fn = impl.attr("ppo", "gae")
    envs = gym.vector.SyncVectorEnv([lambda: make_env("CartPole-v1", max_episode_steps=7) for _ in range(6)])
    envs.obs0 = envs.reset(seed=3)[0]
    (rollout,) = play_rollouts(envs, 1, 10, 3)
    envs.close()
    rng = np.random.default_rng(8)
    values, last = rng.normal(size=(10, 6)), rng.normal(size=6)
    for gamma, lam in ((0.9, 0.7), (0.99, 1.0), (0.8, 0.0)):
        want = gae(rollout.rewards, values, last, rollout.terminated, rollout.truncated, gamma, lam)
        got = as_float_array(fn(rollout.rewards, values, last, rollout.terminated, rollout.truncated, gamma, lam),
                             "gae(...)", (10, 6))  # fmt: skip
        assert np.allclose(got, want, atol=1e-5), (
            f"gae(γ = {gamma}, λ = {lam}) on a rollout with {int(rollout.terminated.sum())} terminated and "
            f"{int(rollout.truncated.sum())} truncated steps differs from Σ_j (γλ)^j δ_t+j within each episode by up "
            f"to {np.abs(got - want).max():.4g}"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_surrogate_random_ratios_other_clip(impl):
    """clipped surrogate, ε = 0.1 and 0.3, 40 random ratios and advantages: value and the zero-gradient mask"""
    fn = impl.attr("ppo", "clipped_surrogate_loss")
    rng = np.random.default_rng(11)
    for clip in (0.1, 0.3):
        ratio, adv = np.exp(rng.normal(0, 0.3, 40)), rng.normal(size=40)
        log_probs = torch.tensor(np.log(ratio) - 1.0, dtype=torch.float64, requires_grad=True)
        loss = fn(log_probs, torch.full((40,), -1.0, dtype=torch.float64), torch.tensor(adv), clip)
        got = float(as_tensor_array(loss, "clipped_surrogate_loss(...)", ()))
        clipped = np.clip(ratio, 1 - clip, 1 + clip) * adv
        want = -np.mean(np.minimum(ratio * adv, clipped))
        assert abs(got - want) < 1e-8, f"ε = {clip}: loss {got:.8f}, expected {want:.8f}"
        loss.backward()
        grad = as_tensor_array(log_probs.grad, "∂loss/∂log_probs", (40,))
        free = ratio * adv <= clipped
        expected = np.where(free, -ratio * adv / 40, 0.0)
        assert np.allclose(grad, expected, atol=1e-10), (
            f"ε = {clip}: ∂loss/∂log π differs from −ρA/B on the {int(free.sum())} unclipped elements and 0 on the "
            f"{int((~free).sum())} clipped ones (largest gap {np.abs(grad - expected).max():.3g})"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_minibatch_shapes(impl):
    """minibatch_indices for (B, size) = (7, 3), (8, 8), (5, 16): slices of one randperm, every index once"""
    fn = impl.attr("ppo", "minibatch_indices")
    agent_cls = impl.attr("ppo", "PPOAgent")
    for b, size in ((7, 3), (8, 8), (5, 16)):
        seed_global_rngs_of(agent_cls, 0)
        agent = agent_cls(CARTPOLE_OBS, TWO_ACTIONS, seed=b, n_envs=1)
        generator, reference = agent.generator, torch.Generator()
        reference.set_state(torch.tensor(np.frombuffer(generator_state(agent), dtype=np.uint8).copy()))
        for _ in range(2):
            got = [as_tensor_array(x, "a minibatch", tuple(x.shape)[:1], "int64") for x in fn(b, size, generator)]
            perm = torch.randperm(b, generator=reference)
            want = [x.numpy() for x in torch.split(perm, size)]
            assert len(got) == len(want) and all(np.array_equal(g, w) for g, w in zip(got, want, strict=False)), (
                f"minibatch_indices({b}, {size}) = {[g.astype(int).tolist() for g in got]}; expected "
                f"{[w.tolist() for w in want]} (consecutive slices of one randperm per epoch)"
            )
