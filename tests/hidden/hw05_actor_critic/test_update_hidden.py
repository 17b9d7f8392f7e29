"""Hidden checks of hw05's update: consecutive updates of ``A2CAgent`` replayed by the grader, step by step.

The grader plays rollouts of a real vector env (episodes that terminate and time limits that truncate, so reset
steps occur), puts them in your agent's buffer and calls ``update``. Before each update it computes, through a
copy of your network, the loss the README defines and its gradient, then takes its own Adam step with the
gradient norm clipped (the batches' gradient norms exceed the clip). Your returned loss must match, and so must
the parameters your update leaves, update after update (Adam's moments carry over). When a number differs, the
message says which one first, and names a cause only when a replay of that bug gives your number.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch

from grader.harness.actor_critic import CARTPOLE_OBS, TWO_ACTIONS, gradients, make_agent
from grader.harness.calls import seed_global_rngs_of
from grader.harness.envs import make_env
from grader.harness.point_mass import ENV_ID as POINT_MASS_ID
from grader.harness.validate import as_float, as_named_parameters, as_tensor_array
from grader.oracles.actor_critic import (
    Rollout,
    UpdateSettings,
    a2c_loss,
    play_rollouts,
    targets,
    valid_steps,
)
from grader.oracles.updates import UpdateCheck, total_norm

TARGET_BUGS = ("truncation as termination", "no reset at episode ends", "γ and λ swapped")


def loss_through(net: Any, rollout: Rollout, valid: np.ndarray, s: UpdateSettings) -> tuple[float, dict[str, float]]:
    """The loss of the README on ``rollout`` through ``net`` (``backward()`` fills its gradients), and the loss
    each common bug would give on the same numbers."""
    steps, envs = rollout.rewards.shape
    obs = torch.from_numpy(rollout.obs.reshape(steps * envs, -1).astype(np.float32))
    values = as_tensor_array(net.value(obs), "ActorCritic.value(obs)", (steps * envs,)).reshape(steps, envs)
    last = as_tensor_array(net.value(torch.from_numpy(rollout.last_obs.astype(np.float32))), "value", (envs,))
    actions = torch.from_numpy(rollout.actions.reshape(steps * envs, *rollout.actions.shape[2:]))
    everywhere = [
        as_tensor_array(t, f"ActorCritic.evaluate_actions(obs, actions)[{i}]", (steps * envs,))
        for i, t in enumerate(net.evaluate_actions(obs, actions))
    ]
    mask = valid.reshape(-1)
    index = torch.from_numpy(mask)
    b = int(mask.sum())
    # one forward pass per output: each remote result can be backpropagated once
    log_probs, entropy, new_values = (net.evaluate_actions(obs[index], actions[index])[i] for i in range(3))
    for i, tensor in enumerate((log_probs, entropy, new_values)):
        as_tensor_array(tensor, f"ActorCritic.evaluate_actions(obs, actions)[{i}] on the valid steps", (b,))
    advantages, returns = targets(values, last, rollout, s)
    a = torch.tensor(advantages.reshape(-1)[mask], dtype=torch.float32)
    r = torch.tensor(returns.reshape(-1)[mask], dtype=torch.float32)
    total = -(log_probs * a).mean() + s.vf_coef * ((new_values - r) ** 2).mean() - s.ent_coef * entropy.mean()
    net.zero_grad(set_to_none=True)
    total.backward()
    bugs = {}
    for variant in TARGET_BUGS:
        a_bug, r_bug = targets(values, last, rollout, s, variant)
        bugs[variant] = a2c_loss(*(x[mask] for x in everywhere), a_bug.reshape(-1)[mask], r_bug.reshape(-1)[mask],
                                 s.vf_coef, s.ent_coef).total  # fmt: skip
    bugs["reset steps used as transitions"] = a2c_loss(
        *everywhere, advantages.reshape(-1), returns.reshape(-1), s.vf_coef, s.ent_coef
    ).total
    right = a2c_loss(*(x[mask] for x in everywhere), a.numpy(), r.numpy(), s.vf_coef, s.ent_coef)
    bugs["the entropy bonus with the wrong sign"] = right.total + 2 * s.ent_coef * right.entropy
    return float(total.item()), bugs


def check_update_replay(
    impl: Any, observation_space: gym.Space, action_space: gym.Space, env_id: str, env_kwargs: dict, n_envs: int,
    hparams: dict[str, Any], updates: int, seed: int,
) -> None:  # fmt: skip
    """Play ``updates`` rollouts into the agent's buffer and check every ``update`` against the replay."""
    agent = make_agent(impl, observation_space, action_space, n_envs, **hparams)
    calculator_cls = impl.attr("networks", "ActorCritic")
    seed_global_rngs_of(calculator_cls, 99)
    calculator = calculator_cls(
        int(observation_space.shape[0]), action_space, hparams["hidden"], hparams["shared"],
        hparams.get("log_std_init", 0.0),
    )  # fmt: skip
    envs = gym.vector.SyncVectorEnv([lambda: make_env(env_id, **env_kwargs) for _ in range(n_envs)])
    envs.obs0 = envs.reset(seed=seed)[0]
    rollouts = play_rollouts(envs, updates, hparams["n_steps"], seed)
    envs.close()
    ends = [(int(r.terminated.sum()), int(r.truncated.sum())) for r in rollouts]
    assert sum(u for _, u in ends) > 0, f"check misconfigured: no truncated step in {ends}"
    s = UpdateSettings(hparams["gamma"], hparams["gae_lambda"], hparams["vf_coef"], hparams["ent_coef"])
    setting = (
        f"A2CAgent({', '.join(f'{k}={v}' for k, v in hparams.items())}) on {n_envs} × {env_id} {env_kwargs}, "
        f"rollouts of the grader's seed {seed} (terminated / truncated steps per rollout: {ends})"
    )
    before = as_named_parameters(agent.net, "agent.net")
    shapes = {name: value.shape for name, value in before.items()}
    check = UpdateCheck(setting, hparams["lr"], hparams["max_grad_norm"], lambda: agent.optimizer, shapes)
    ended_before = np.zeros(n_envs, dtype=bool)
    for k, rollout in enumerate(rollouts, 1):
        for t in range(hparams["n_steps"]):
            agent.buffer.add(*(np.array(x[t]) for x in (rollout.obs, rollout.actions, rollout.rewards,
                                                        rollout.terminated, rollout.truncated)))  # fmt: skip
        valid = valid_steps(rollout.terminated, rollout.truncated, ended_before)
        ended_before = rollout.terminated[-1] | rollout.truncated[-1]
        calculator.load_state_dict(agent.net.state_dict())
        want_loss, bug_losses = loss_through(calculator, rollout, valid, s)
        grads = gradients(calculator, "a copy of agent.net")
        check.expect(before, {name: g for name, g in zip(shapes, grads, strict=True) if g is not None})
        assert k > 1 or total_norm(check.grads) > hparams["max_grad_norm"], "check misconfigured: no clipping"
        got_loss = as_float(agent.update(rollout.last_obs.copy()), f"agent.update(last_obs) (update {k})")
        agent.buffer.clear()
        if abs(got_loss - want_loss) > 1e-5 * max(1.0, abs(want_loss)):
            named = [n for n, v in bug_losses.items() if abs(got_loss - v) <= 1e-5 * max(1.0, abs(v))]
            hint = f" — the loss with this bug: {named[0]}" if len(named) == 1 else ""
            others = [f"{n}: {v:.7g}" for n, v in bug_losses.items() if abs(v - want_loss) > 1e-6 * abs(want_loss)]
            raise AssertionError(
                f"{setting}: update {k} returned the loss {got_loss:.7g}; the grader computes {want_loss:.7g} from "
                f"your network's outputs (valid steps {int(valid.sum())} of {valid.size}){hint}. For comparison, "
                f"on this rollout: {'; '.join(others) or 'every bug the grader replays gives the right loss here'}"
            )
        before = as_named_parameters(agent.net, "agent.net")
        problem = check.verify(k, before)
        assert problem is None, (
            f"{problem}. Expected: zero_grad, backward, clip_grad_norm_(net.parameters(), max_grad_norm), "
            "optimizer.step() on one Adam(net.parameters(), lr) kept across updates"
        )


REPLAY_CARTPOLE = {
    "n_steps": 5, "lr": 3e-3, "gamma": 0.9, "gae_lambda": 0.8, "vf_coef": 0.7, "ent_coef": 0.05,
    "max_grad_norm": 0.1, "hidden": (16, 16), "shared": False,
}  # fmt: skip


@pytest.mark.points(6)
@pytest.mark.timeout(30)
def test_hidden_update_replay_cartpole(impl):
    """3 consecutive updates on CartPole rollouts (4 envs, 10-step limit): loss and parameters = the grader's replay"""
    # rollout 2 holds 3 terminated and 2 truncated steps, 2 of the ends inside it (with their reset steps) and 2 at
    # its last step: rollout 3 starts with those envs' reset steps (the grader's actions, seed 29: mostly "push left")
    check_update_replay(
        impl, CARTPOLE_OBS, TWO_ACTIONS, "CartPole-v1", {"max_episode_steps": 10}, 4, REPLAY_CARTPOLE, 3, seed=29
    )


REPLAY_POINT_MASS = {
    "n_steps": 5, "lr": 1e-2, "gamma": 0.95, "gae_lambda": 0.9, "vf_coef": 0.25, "ent_coef": 0.02,
    "max_grad_norm": 0.3, "hidden": (8,), "shared": True, "log_std_init": -0.3,
}  # fmt: skip


@pytest.mark.points(5)
@pytest.mark.timeout(30)
def test_hidden_update_replay_gaussian_shared(impl):
    """3 consecutive updates of a Gaussian shared-trunk agent on PointMass rollouts: loss and parameters = the replay"""
    space = gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
    obs_space = gym.spaces.Box(-2.0, 2.0, shape=(2,), dtype=np.float32)
    check_update_replay(
        impl, obs_space, space, f"grader.harness.point_mass:{POINT_MASS_ID}", {"max_episode_steps": 5}, 2,
        REPLAY_POINT_MASS, 3, seed=12,
    )  # fmt: skip
