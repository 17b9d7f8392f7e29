"""The agent-environment loop (hw01, part 2): discounted returns and running one episode.

An episode of length ``T`` is ``s_0, a_0, r_0, s_1, a_1, r_1, ..., s_T``: the policy sees ``s_t`` and picks
``a_t``; ``env.step(a_t)`` returns ``r_t`` and ``s_{t+1}``. (Sutton & Barto write that reward ``R_{t+1}``;
here rewards are indexed by the step that produced them, so ``rewards[0]`` is the first reward.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

Policy = Callable[[Any], Any]
"""A policy maps the current observation to an action: ``action = policy(obs)``."""


@dataclass
class Episode:
    """One episode, as lists aligned in time.

    ``observations[t]`` is the observation the policy was given to choose ``actions[t]``, and ``rewards[t]``
    is the reward ``env.step(actions[t])`` returned; the last observation is the one after the last step,
    so ``len(observations) == len(actions) + 1 == len(rewards) + 1``.
    ``terminated`` and ``truncated`` are the flags the last ``env.step`` returned (``False`` if no step
    was taken). Both are ``False`` when the episode was cut by ``max_steps`` before the env ended it.
    """

    observations: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    terminated: bool = False
    truncated: bool = False


def discounted_return(rewards: Sequence[float], gamma: float) -> float:
    """The discounted return ``G = sum_t gamma**t * rewards[t]`` of a reward sequence, as a ``float``.

    The first reward is not discounted (``gamma**0 = 1``). An empty sequence has return ``0.0``.
    Example: ``discounted_return([1, 1, 1], 0.9) == 1 + 0.9 + 0.81 == 2.71``.
    Checks: known answers (to 1e-9) for several reward lists and values of ``gamma``, and for ``[]``.
    """
    return float(sum(gamma**t * reward for t, reward in enumerate(rewards)))


def returns_to_go(rewards: Sequence[float], gamma: float) -> np.ndarray:
    """The return from every time step: ``G_t = sum_{k >= t} gamma**(k - t) * rewards[k]``.

    Compute it backwards in one pass with ``G_{T-1} = rewards[T-1]`` and ``G_t = rewards[t] + gamma * G_{t+1}``.
    Return a float64 array of shape ``(len(rewards),)`` (shape ``(0,)`` for no rewards); ``G_0`` is the
    discounted return of the whole sequence. Example: ``returns_to_go([1, 0, 2], 1.0) == [3, 2, 2]``.
    Monte Carlo methods and REINFORCE (later homeworks) use these values.
    Checks: known answers (to 1e-9) for several reward lists and values of ``gamma`` (0 and 1 too), and
    that the result is a float numpy array of the right shape.
    """
    returns = np.zeros(len(rewards), dtype=np.float64)
    future = 0.0
    for t in reversed(range(len(rewards))):
        future = rewards[t] + gamma * future
        returns[t] = future
    return returns


def run_episode(env: gym.Env, policy: Policy, seed: int | None, max_steps: int | None = None) -> Episode:
    """Run one episode of ``policy`` in ``env`` and record it as an :class:`Episode`.

    Call ``env.reset(seed=seed)`` exactly once, at the start. Then repeat: ``action = policy(obs)`` with
    the current observation, ``env.step(action)``, record the step. Stop right after the step that returns
    ``terminated=True`` or ``truncated=True`` (never call ``step`` after that), or after ``max_steps``
    steps when ``max_steps`` is not ``None`` (``max_steps=0`` takes no step). Store the actions exactly as
    the policy returned them and the rewards as ``float``.
    Checks (the env is the grader's, it records every call): one reset with the given seed; the policy is
    called with each new observation; the actions sent are the policy's; the episode matches what the env
    returned; stops on termination, on truncation by ``TimeLimit`` and at ``max_steps``.
    """
    obs, _ = env.reset(seed=seed)
    episode = Episode(observations=[obs])
    terminated = truncated = False
    while not terminated and (max_steps is None or len(episode.actions) < max_steps):
        action = policy(obs)
        obs, reward, terminated, truncated, _ = env.step(action)
        episode.actions.append(action)
        episode.rewards.append(float(reward))
        episode.observations.append(obs)
    episode.terminated, episode.truncated = bool(terminated), bool(truncated)
    return episode
