"""The project library (hw13) as its gates see it: the required algorithms, how the grader builds each, and the
trusted loops that drive them.

A student's library (``hw13_project/``) packages the agents of the homeworks behind one API (see its
README): a single-agent class ``Agent(observation_space, action_space, *, seed, **hparams)`` with ``act(obs,
deterministic=False)``, ``observe(obs, action, reward, next_obs, terminated, truncated)``, ``save(path)`` and
``load(path)``; a team class ``Team(observation_spaces, action_spaces, *, seed, **hparams)`` (dicts by agent name)
whose ``act`` and ``observe`` take and return the dicts of PettingZoo's parallel API.

:data:`ALGORITHMS` is the grader's list of what a library must contain: each entry names the class in the
library, the homework folder it packages (gate 4 re-runs that homework's checks on it), the grader's env and the
small-budget hyper-parameters of gates 1–3, and the learning benchmark of gate 5. An algorithm joins the project
(PPO from hw06, VDN from hw10 part 4) with one entry here; every gate is parametrised over this list, so a broken
algorithm fails exactly the checks that carry its name (``test_smoke[td3]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.harness.calls import seed_global_rngs_of
from grader.harness.envs import make_env, make_parallel_env
from grader.harness.loops import checked_action, checked_joint_action
from grader.harness.validate import InvalidOutput, as_float_array

LIBRARY = "hw13_project"  # also grader.project.LIBRARY (which imports nothing heavy)
MATRIX_GAME = "grader.harness.matrix_games:MatrixGameEnv"
PENALTY = [[10.0, 0.0, -10.0], [0.0, 2.0, 0.0], [-10.0, 0.0, 10.0]]  # Claus & Boutilier's Penalty game, k = −10


@dataclass(frozen=True)
class Algorithm:
    """One required algorithm of the library."""

    name: str  # "dqn": the id in check names and in the library's registry
    module: str  # the library module defining it: "value_based"
    agent: str  # the class: "DQN"
    homework: str  # the homework folder it packages, copied into the library: "hw04_dqn"
    homework_checks: tuple[str, ...]  # that homework's check files gate 4 re-runs (public; hidden add _hidden)
    env_id: str  # the grader's env of gates 1-3 (Gymnasium id, or module:Class of a parallel env for a team)
    hparams: dict[str, Any]  # small-budget hyper-parameters of gates 1-3
    steps: int  # env steps of a smoke run
    multi_agent: bool = False
    env_kwargs: dict[str, Any] = field(default_factory=dict)


ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm(
        "dqn", "value_based", "DQN", "hw04_dqn", ("test_dqn", "test_replay"), "CartPole-v1",
        {"learning_starts": 100, "train_every": 1, "eps_duration": 200, "eps_end": 0.3, "target_update_every": 50},
        steps=300,
    ),
    Algorithm(
        "td3", "policy_based", "TD3", "hw07_continuous", ("test_ddpg_td3", "test_ddpg_td3_agent"), "Pendulum-v1",
        {"learning_starts": 100, "batch_size": 32, "hidden": (32, 32)},
        steps=300,
    ),
    Algorithm(
        "iql", "multi_agent", "IQL", "hw10_multi_agent", ("test_learners",), MATRIX_GAME,
        {"alpha": 0.1, "gamma": 0.9, "eps_start": 1.0, "eps_end": 0.05, "eps_decay_steps": 200},
        steps=300, multi_agent=True, env_kwargs={"payoff": PENALTY},
    ),
)  # fmt: skip
BY_NAME = {a.name: a for a in ALGORITHMS}


def build(agent_cls: Callable[..., Any], algorithm: Algorithm, seed: int, **hparams: Any) -> Any:
    """The agent (or team) of ``algorithm`` for the grader's env, built after seeding the global RNGs with
    ``seed`` where the code runs (networks are initialised from torch's global generator)."""
    seed_global_rngs_of(agent_cls, seed)
    options = {**algorithm.hparams, **hparams}
    if algorithm.multi_agent:
        env = make_parallel_env(algorithm.env_id, **algorithm.env_kwargs)
        names = list(env.possible_agents)
        observation_spaces = {n: env.observation_space(n) for n in names}
        action_spaces = {n: env.action_space(n) for n in names}
        return agent_cls(observation_spaces, action_spaces, seed=seed, **options)
    env = make_env(algorithm.env_id, **algorithm.env_kwargs)
    agent = agent_cls(env.observation_space, env.action_space, seed=seed, **options)
    env.close()
    return agent


def record_online(agent: Any, env_id: str, env_kwargs: dict[str, Any], steps: int, env_seed: int) -> dict:
    """``steps`` training steps of a single-agent library agent (``act`` → ``env.step`` → ``observe``, a reset
    after ``terminated or truncated``; first reset and ``action_space.seed`` with ``env_seed``). Returns every
    action (as floats) and reward."""
    env = make_env(env_id, **env_kwargs)
    env.action_space.seed(env_seed)
    what = f"{type(agent).__name__}.act(obs) return value"
    act, observe = agent.act, agent.observe
    obs, _ = env.reset(seed=env_seed)
    actions, rewards = [], []
    for _ in range(int(steps)):
        action = checked_action(act(np.array(obs)), env.action_space, what)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        copy = action.copy() if isinstance(action, np.ndarray) else action
        observe(np.array(obs), copy, float(reward), np.array(next_obs), bool(terminated), bool(truncated))
        actions.append(np.atleast_1d(np.asarray(action, dtype=np.float64)).tolist())
        rewards.append(float(reward))
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()
    return {"actions": actions, "rewards": rewards}


def record_team(team: Any, env_id: str, env_kwargs: dict[str, Any], steps: int, env_seed: int) -> dict:
    """``steps`` training steps of a team on a parallel env of the kit: ``act`` with the live agents'
    observations, ``env.step``, ``observe`` with the dicts of the agents that acted; a reset when no agent is
    left (the first with ``env_seed``). Returns every joint action (in the env's agent order) and the mean reward."""
    env = make_parallel_env(env_id, **env_kwargs)
    what = f"{type(team).__name__}.act(observations) return value"
    act, observe = team.act, team.observe
    obs, _ = env.reset(seed=env_seed)
    actions, rewards = [], []
    for _ in range(int(steps)):
        live = list(env.agents)
        joint = checked_joint_action(act({n: int(obs[n]) for n in live}), live, env.action_space, what)
        next_obs, reward, terminated, truncated, _ = env.step(dict(joint))
        observe(
            {n: int(obs[n]) for n in live},
            dict(joint),
            {n: float(reward[n]) for n in live},
            {n: int(next_obs[n]) for n in live},
            {n: bool(terminated[n]) for n in live},
            {n: bool(truncated[n]) for n in live},
        )
        actions.append([float(joint[n]) for n in live])
        rewards.append(float(np.mean([reward[n] for n in live])))
        obs = next_obs
        if not env.agents:
            obs, _ = env.reset()
    env.close()
    return {"actions": actions, "rewards": rewards}


@dataclass(frozen=True)
class Run:
    """A recorded run: actions ``(steps, action size)`` and rewards ``(steps,)``, validated."""

    actions: np.ndarray
    rewards: np.ndarray


def record(agent: Any, algorithm: Algorithm, steps: int, env_seed: int) -> Run:
    """Train ``agent`` for ``steps`` env steps with the trusted loop, run here in the grader (two calls cross per
    step when sandboxed: a few hundred steps cost well under a second), so that the record gates 2 and 3 judge
    is the grader's own; the validated record."""
    loop = record_team if algorithm.multi_agent else record_online
    got = loop(agent, algorithm.env_id, algorithm.env_kwargs, steps, env_seed)
    if type(got) is not dict or set(got) != {"actions", "rewards"}:
        raise InvalidOutput(f"the training loop returned a {type(got).__name__} instead of its record")
    rewards = as_float_array(got["rewards"], "the recorded rewards", (steps,))
    width = len(got["actions"][0]) if got["actions"] else 0
    actions = as_float_array(got["actions"], "the recorded actions", (steps, width))
    return Run(actions, rewards)


def probe_observations(algorithm: Algorithm, seed: int, n: int) -> list[Any]:
    """``n`` observations of the grader's env met under uniform random actions (for a team: observation dicts)."""
    rng = np.random.default_rng(seed)
    found: list[Any] = []
    if algorithm.multi_agent:
        env = make_parallel_env(algorithm.env_id, **algorithm.env_kwargs)
        obs = env.reset(seed=seed)[0]
        while len(found) < n:
            found.append({name: int(obs[name]) for name in env.agents})
            obs, *_ = env.step({name: int(rng.integers(env.action_space(name).n)) for name in env.agents})
            if not env.agents:
                obs, _ = env.reset()
        return found
    env = make_env(algorithm.env_id, **algorithm.env_kwargs)
    env.action_space.seed(seed)
    obs = env.reset(seed=seed)[0]
    while len(found) < n:
        found.append(np.array(obs))
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            obs, _ = env.reset()
    env.close()
    return found


def checked_act(agent: Any, algorithm: Algorithm, obs: Any, deterministic: bool) -> tuple:
    """``agent.act(obs, deterministic=...)`` validated, as a tuple of floats (a joint action in the dict's order)."""
    what = f"{algorithm.agent}.act(obs, deterministic={deterministic}) return value"
    got = agent.act(obs, deterministic=deterministic)
    if algorithm.multi_agent:
        env = make_parallel_env(algorithm.env_id, **algorithm.env_kwargs)
        joint = checked_joint_action(got, list(obs), env.action_space, what)
        return tuple(float(joint[name]) for name in obs)
    env = make_env(algorithm.env_id, **algorithm.env_kwargs)
    action = checked_action(got, env.action_space, what)
    env.close()
    return tuple(np.atleast_1d(np.asarray(action, dtype=np.float64)).tolist())


def first_difference(a: Run, b: Run) -> str:
    """Where two records first differ, in words; '' when they are identical."""
    for step in range(len(a.rewards)):
        if not np.array_equal(a.actions[step], b.actions[step]):
            return f"step {step}: action {a.actions[step].tolist()} vs {b.actions[step].tolist()}"
        if a.rewards[step] != b.rewards[step]:
            return f"step {step}: reward {a.rewards[step]} vs {b.rewards[step]}"
    return ""


def library_class(impl: Any, request: Any, algorithm: Algorithm) -> Any:
    """The class of ``algorithm`` in the library under test, after checking that the homework folder it packages
    is there (else one clear sentence instead of an import error)."""
    from grader.impl import ImplementationError

    root = request.node._rlgrade_impl_root
    if not (root / LIBRARY / algorithm.homework / "__init__.py").is_file():
        raise ImplementationError(
            f"Not implemented yet: your library has no {algorithm.homework}/ package: copy your finished homework "
            f"folder {algorithm.homework}/ (from assignments/) into {LIBRARY}/{algorithm.homework}/; "
            f"{algorithm.module}.{algorithm.agent} is built from it"
        )
    return impl.attr(algorithm.module, algorithm.agent)


def scratch_file(request: Any, tmp_path: Any, name: str) -> str:
    """A file name the code under test may write: in ``tmp_path`` in-process; in the sandbox, relative to the
    child's working folder (its private, writable home)."""
    return name if request.config.getoption("--sandbox") else str(tmp_path / name)
