"""Trusted pieces of hw10's VDN checks (``vdn.py``): a team built the same way in every check, its networks'
values and parameters read back validated (design P3), random batches of team transitions, and the public
train-step check (the grader's own VDN answers are in the course-only :mod:`grader.oracles.multi_agent`).

A team's networks take ``one_hot(obs)`` float32 ``(B, n_obs)`` and return ``(B, n_actions)``; batches hold the
agents in the order of the team's ``agents``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from grader.harness.calls import seed_global_rngs_of
from grader.harness.dqn_fixtures import net_q_values
from grader.harness.multi_agent import DeepTeamSpec
from grader.harness.validate import InvalidOutput, as_float, as_named_parameters, as_tensor_array

N_OBS, N_ACTIONS, HIDDEN = 6, 3, 8


def switches_spec(check: str, seed: int, env_agents: tuple[str, str] = ("agent_0", "agent_1")) -> DeepTeamSpec:
    """The VDN learning check on the kit's Two-switches task (line of 4 cells, 12 steps): 4 teams of 300 episodes
    each (ε 1 → 0.05 over 200), lr 1e-3, γ 0.95, 64 hidden units, batch 32, learning from step 200, one train step
    per env step, targets synced every 100; passes when at least 2 of the 4 teams open the door on ≥ 90 % of their
    20 greedy evaluation episodes.
    ``env_agents`` is the env's order of the agents (the first one owns the switch on cell 0)."""
    hparams = {"lr": 1e-3, "gamma": 0.95, "hidden": 64, "batch_size": 32, "learning_starts": 200, "train_every": 1}
    return DeepTeamSpec(
        check=check,
        agent="VDNTeam",
        env_id="grader.harness.switches:SwitchesEnv",
        env_kwargs=(("size", 4), ("max_steps", 12), ("agents", env_agents)),
        n_obs=16,
        n_actions=4,
        episodes=300,
        eps_start=1.0,
        eps_end=0.05,
        eps_decay_episodes=200,
        runs=4,
        eval_episodes=20,
        seed=seed,
        low=0.5,
        success=0.9,
        hparams=(*hparams.items(), ("target_update_every", 100)),
    )


def make_team(impl: Any, agents: list[str], **hparams: Any) -> Any:
    """A VDNTeam with ``N_OBS`` observations, ``N_ACTIONS`` actions and ``HIDDEN`` units, networks from torch seed 0."""
    team_cls = impl.attr("vdn", "VDNTeam")
    seed_global_rngs_of(team_cls, 0)
    return team_cls(list(agents), N_OBS, N_ACTIONS, seed=0, **{"hidden": HIDDEN, **hparams})


def one_hot(obs: np.ndarray, n_obs: int = N_OBS) -> np.ndarray:
    return np.eye(n_obs, dtype=np.float32)[np.asarray(obs, dtype=np.int64)]


def network(team: Any, kind: str, name: str) -> Any:
    """``team.q_nets[name]`` or ``team.target_nets[name]``."""
    nets = getattr(team, kind, None)
    if nets is None:
        raise InvalidOutput(f"{type(team).__name__} has no attribute `{kind}`: keep the attributes of its docstring")
    try:
        return nets[name]
    except (KeyError, TypeError):
        raise InvalidOutput(f"{type(team).__name__}.{kind} has no network for the agent {name!r}") from None


def team_values(team: Any, kind: str, agents: list[str], obs: np.ndarray) -> np.ndarray:
    """``(B, n_agents, n_actions)``: column i = ``team.<kind>[agents[i]](one_hot(obs[:, i]))``, validated."""
    columns = [
        net_q_values(network(team, kind, name), one_hot(obs[:, i]), N_ACTIONS, f"team.{kind}[{name!r}](one_hot(obs))")
        for i, name in enumerate(agents)
    ]
    return np.stack(columns, axis=1)


def team_parameters(team: Any, kind: str, agents: list[str]) -> dict[str, np.ndarray]:
    """Every agent's parameters as ``{"<agent>.<parameter>": float64 copy}``, agents in the order given."""
    out: dict[str, np.ndarray] = {}
    for name in agents:
        for key, value in as_named_parameters(network(team, kind, name), f"team.{kind}[{name!r}]").items():
            out[f"{name}.{key}"] = value
    return out


def changed(before: dict[str, np.ndarray], after: dict[str, np.ndarray], agent: str) -> bool:
    return any(not np.array_equal(before[k], after[k]) for k in before if k.startswith(agent + "."))


def random_batch(rng: np.random.Generator, b: int, n_agents: int, reward_scale: float = 1.0) -> tuple[np.ndarray, ...]:
    """(obs, actions, rewards, next_obs, terminated): int64 (B, n_agents) ×2, float32 (B,), int64, float32."""
    obs = rng.integers(N_OBS, size=(b, n_agents))
    actions = rng.integers(N_ACTIONS, size=(b, n_agents))
    rewards = (reward_scale * rng.normal(size=b)).astype(np.float32)
    next_obs = rng.integers(N_OBS, size=(b, n_agents))
    return obs, actions, rewards, next_obs, (rng.random(b) < 0.3).astype(np.float32)


def as_batch(impl: Any, batch: tuple[np.ndarray, ...]) -> Any:
    return impl.attr("vdn", "JointBatch")(*(torch.from_numpy(np.asarray(x)) for x in batch))


def shift_targets(team: Any, agents: list[str], rng: np.random.Generator) -> None:
    """Move every target network away from its online network (``load_state_dict``, a call on the team's own
    network: it reaches a sandboxed team), so that a target computed from the wrong networks shows."""
    for name in agents:
        net = network(team, "target_nets", name)
        state = net.state_dict()
        net.load_state_dict(
            {k: v + torch.from_numpy(rng.normal(scale=0.3, size=tuple(v.shape))).float() for k, v in state.items()}
        )


def loss_from_your_functions(
    impl: Any, team: Any, agents: list[str], batch: tuple[np.ndarray, ...], gamma: float
) -> float:
    """The mean squared TD error train_step must return, from the submission's own ``vdn_targets`` and
    ``team_q_values`` (each checked against known answers by its own check) on the team's current networks."""
    obs, actions, rewards, next_obs, terminated = batch
    q = torch.from_numpy(team_values(team, "q_nets", agents, obs))
    next_q = torch.from_numpy(team_values(team, "target_nets", agents, next_obs))
    y = impl.attr("vdn", "vdn_targets")(
        torch.from_numpy(rewards).double(), next_q, torch.from_numpy(terminated).double(), gamma
    )
    y = as_tensor_array(y, "vdn_targets(...) on the batch", (len(rewards),))
    q_tot = as_tensor_array(
        impl.attr("vdn", "team_q_values")(q, torch.from_numpy(actions)), "team_q_values(...)", (len(rewards),)
    )
    return float(np.mean((q_tot - y) ** 2))


def checked_loss(value: object, expected: float, setting: str, note: str) -> float:
    loss = as_float(value, "team.train_step(batch)")
    assert abs(loss - expected) <= 1e-4 * max(1.0, abs(expected)), (
        f"{setting}: train_step returned the loss {loss:.6g}; expected {expected:.6g}, the mean squared TD error "
        f"(1/B) Σ_b (Σ_i Q_i(s_i, a_i) − y_b)² on your q_nets and target_nets before the step {note}"
    )
    return loss
