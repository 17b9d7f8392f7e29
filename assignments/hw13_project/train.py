"""The library's command line: train any algorithm of the registry on a named environment.

    python -m hw13_project.train dqn --env CartPole-v1 --steps 20000 --seed 0 --save dqn.pt
    python -m hw13_project.train iql --steps 5000            # the registry's default env: your Rendezvous

It prints the return of every finished episode (for a team: the mean over agents of their summed rewards).
The grader never trusts this loop for a grade (its own loops train your agents); gate 2 runs it for a few
hundred steps per algorithm to check that it works.
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
    raise NotImplementedError("train_single — fill this in (see its docstring in train.py)")


def train_team(team: Any, env: Any, steps: int, seed: int) -> list[float]:
    """The same for a team on a PettingZoo parallel env: ``team.act(obs)`` for the live agents, ``env.step``,
    ``team.observe(...)`` with the dicts of the agents that acted; an episode ends when ``env.agents`` is empty.
    Its return is the sum over its steps of the mean reward of the agents that acted."""
    raise NotImplementedError("train_team — fill this in (see its docstring in train.py)")


def train(name: str, env_id: str | None = None, steps: int = 10_000, seed: int = 0, **hparams: Any) -> tuple:
    """Build algorithm ``name`` of the registry (hyper-parameters: the registry's, then ``hparams``) on ``env_id``
    (default: the registry's), seed ``torch.manual_seed(seed)`` first, train it for ``steps`` env steps;
    returns ``(agent, returns)``."""
    raise NotImplementedError("train — fill this in (see its docstring in train.py)")


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
