"""The library's command line: train any algorithm of the registry on a named environment.

    python -m hw13_project.train dqn --env CartPole-v1 --steps 20000 --seed 0 --save dqn.pt
    python -m hw13_project.train iql --steps 5000            # the registry's default env: your Rendezvous

It prints the return of every finished episode (for a team: the mean over agents of their summed rewards).
Given, like the registry's entries: it works once your agents and ``registry.load`` do. The grader never trusts
this loop for a grade (its own loops train your agents); gate 2 runs it for a few hundred steps per algorithm.
"""

from __future__ import annotations

import argparse
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from .registry import ALGORITHMS, load


def train_single(agent: Any, env: gym.Env, steps: int, seed: int) -> list[float]:
    """``steps`` env steps of ``act`` → ``env.step`` → ``observe``, resetting after ``terminated or truncated``
    (the first reset with ``seed``); the undiscounted return of every finished episode."""
    returns, total = [], 0.0
    obs = env.reset(seed=seed)[0]
    for _ in range(steps):
        action = agent.act(obs)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        agent.observe(obs, action, float(reward), next_obs, bool(terminated), bool(truncated))
        total += float(reward)
        obs = next_obs
        if terminated or truncated:
            returns.append(total)
            total = 0.0
            obs, _ = env.reset()
    return returns


def train_team(team: Any, env: Any, steps: int, seed: int) -> list[float]:
    """The same for a team on a PettingZoo parallel env: ``team.act(obs)`` for the live agents, ``env.step``,
    ``team.observe(...)`` with the dicts of the agents that acted; an episode ends when ``env.agents`` is empty.
    Its return is the sum over its steps of the mean reward of the agents that acted."""
    returns, total = [], 0.0
    obs = env.reset(seed=seed)[0]
    for _ in range(steps):
        live = list(env.agents)
        actions = team.act({name: obs[name] for name in live})
        next_obs, rewards, terminations, truncations, _ = env.step(actions)
        team.observe(
            {name: obs[name] for name in live},
            actions,
            {name: float(rewards[name]) for name in live},
            {name: next_obs[name] for name in live},
            {name: bool(terminations[name]) for name in live},
            {name: bool(truncations[name]) for name in live},
        )
        total += float(np.mean([rewards[name] for name in live]))
        obs = next_obs
        if not env.agents:
            returns.append(total)
            total = 0.0
            obs, _ = env.reset()
    return returns


def train(name: str, env_id: str | None = None, steps: int = 10_000, seed: int = 0, **hparams: Any) -> tuple:
    """Build algorithm ``name`` of the registry (hyper-parameters: the registry's, then ``hparams``) on ``env_id``
    (default: the registry's), seed ``torch.manual_seed(seed)`` first, train it for ``steps`` env steps;
    returns ``(agent, returns)``."""
    entry = ALGORITHMS[name]
    env_id = env_id or entry.env_id
    torch.manual_seed(seed)
    agent_cls = load(entry.agent)
    options = {**entry.hparams, **hparams}
    if entry.multi_agent:
        env = load(env_id)() if ":" in env_id else None
        if env is None:
            raise ValueError(f"{name} is a team: --env must be 'module:Class' of a PettingZoo parallel env")
        env.reset(seed=seed)
        agents = list(env.possible_agents)
        observation_spaces = {a: env.observation_space(a) for a in agents}
        action_spaces = {a: env.action_space(a) for a in agents}
        agent = agent_cls(observation_spaces, action_spaces, seed=seed, **options)
        returns = train_team(agent, env, steps, seed)
    else:
        env = gym.make(env_id)
        env.action_space.seed(seed)
        agent = agent_cls(env.observation_space, env.action_space, seed=seed, **options)
        returns = train_single(agent, env, steps, seed)
    env.close()
    return agent, returns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hw13_project.train", description=__doc__.splitlines()[0])
    parser.add_argument("algorithm", choices=sorted(ALGORITHMS))
    parser.add_argument("--env", default=None, help="Gymnasium id, or module:Class of a PettingZoo parallel env")
    parser.add_argument("--steps", type=int, default=10_000, help="training budget in env steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default=None, help="write the trained agent here (agent.save)")
    args = parser.parse_args(argv)
    agent, returns = train(args.algorithm, args.env, args.steps, args.seed)
    for episode, value in enumerate(returns, start=1):
        print(f"episode {episode}: return {value:.2f}")
    if args.save:
        agent.save(args.save)
        print(f"saved to {args.save}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
