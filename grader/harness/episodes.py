"""Watching code under test drive a trusted environment: :class:`RecordingEnv` wraps a real Gymnasium env
and records every reset, seed and action (refusing a ``step`` after the episode ended);
:class:`RecordingPolicy` records the observations a policy sees; :func:`assert_episode_matches` compares an
episode returned by the code under test with that record. Also known-answer checks of returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np

from grader.harness.validate import InvalidOutput, as_bool, as_float, as_float_array, as_int


class EnvProtocolError(AssertionError):
    """The code under test used an environment in a way the Gymnasium API forbids."""


class RecordingEnv(gym.Wrapper):
    """A wrapper around a trusted env that records how the code under test drives it.

    ``resets`` holds the ``seed`` of every ``reset`` call. Since the last reset: ``observations`` (the
    first one included), ``actions``, ``rewards``, and the flags of the last step. A ``step`` before any
    reset or after a step that returned ``terminated`` or ``truncated`` raises :class:`EnvProtocolError`
    and is also remembered in ``violations`` (in case the code under test swallows the exception).
    """

    def __init__(self, env: gym.Env, step_limit: int = 10_000) -> None:
        super().__init__(env)
        self.action_space.seed(0)  # so code that samples actions from it (it should not) grades the same every run
        self.step_limit = step_limit
        self.resets: list[int | None] = []
        self.observations: list[Any] = []
        self.actions: list[Any] = []
        self.rewards: list[float] = []
        self.terminated = self.truncated = False
        self.total_steps = 0
        self.violations: list[str] = []

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.resets.append(seed)
        obs, info = self.env.reset(seed=seed, options=options)
        self.observations, self.actions, self.rewards = [obs], [], []
        self.terminated = self.truncated = False
        return obs, info

    def _refuse(self, message: str) -> None:
        self.violations.append(message)
        raise EnvProtocolError(message)

    def step(self, action: Any):
        if not self.resets:
            self._refuse("your code called env.step() before env.reset(); reset the env first")
        if self.terminated or self.truncated:
            self._refuse(
                f"your code called env.step() again after step {len(self.actions)} had returned "
                f"terminated={self.terminated}, truncated={self.truncated}: the episode was over. "
                "Stop the loop as soon as terminated OR truncated is True."
            )
        self.total_steps += 1
        if self.total_steps > self.step_limit:
            self._refuse(f"your code called env.step() more than {self.step_limit} times; does the loop end?")
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.actions.append(action)
        self.rewards.append(float(reward))
        self.observations.append(obs)
        self.terminated, self.truncated = bool(terminated), bool(truncated)
        return obs, reward, terminated, truncated, info


def recorded_frozen_lake(is_slippery: bool, max_episode_steps: int, map_name: str = "4x4") -> RecordingEnv:
    """Gymnasium's FrozenLake (actions 0-3 = left, down, right, up) with a TimeLimit, inside a RecordingEnv."""
    env = gym.make("FrozenLake-v1", map_name=map_name, is_slippery=is_slippery, max_episode_steps=max_episode_steps)
    return RecordingEnv(env)


@dataclass
class RecordingPolicy:
    """A policy given as a function of the observation, recording each call's observation and action."""

    choose: Callable[[int], int]

    def __post_init__(self) -> None:
        self.seen: list[Any] = []
        self.returned: list[int] = []

    def __call__(self, obs: Any) -> int:
        self.seen.append(obs)
        action = self.choose(obs)
        self.returned.append(action)
        return action


class EpisodeData(NamedTuple):
    """An :class:`Episode` returned by the code under test, as validated plain data."""

    observations: list[int]
    actions: list[int]
    rewards: list[float]
    terminated: bool
    truncated: bool


def _as_list(value: object, what: str) -> list:
    if type(value) not in (list, tuple):
        raise InvalidOutput(f"{what} must be a list, got a {type(value).__name__}")
    return list(value)


def read_episode(episode: object, n_obs: int, n_actions: int) -> EpisodeData:
    """The fields of an ``Episode`` as plain validated values."""
    fields = ("observations", "actions", "rewards", "terminated", "truncated")
    missing = [name for name in fields if not hasattr(episode, name)]
    if missing:
        raise InvalidOutput(
            f"run_episode must return an Episode (fields {', '.join(fields)}); "
            f"got a {type(episode).__name__} without {', '.join(missing)}"
        )
    observations = _as_list(episode.observations, "Episode.observations")
    actions = _as_list(episode.actions, "Episode.actions")
    rewards = _as_list(episode.rewards, "Episode.rewards")
    return EpisodeData(
        [as_int(o, f"Episode.observations[{t}]", 0, n_obs) for t, o in enumerate(observations)],
        [as_int(a, f"Episode.actions[{t}]", 0, n_actions) for t, a in enumerate(actions)],
        [as_float(r, f"Episode.rewards[{t}]") for t, r in enumerate(rewards)],
        as_bool(episode.terminated, "Episode.terminated"),
        as_bool(episode.truncated, "Episode.truncated"),
    )


def assert_episode_matches(
    episode: object, env: RecordingEnv, policy: RecordingPolicy, seed: int | None
) -> EpisodeData:
    """Check that ``run_episode`` drove ``env`` correctly and that ``episode`` is what the env returned."""
    assert not env.violations, env.violations[0]
    assert len(env.resets) == 1, f"run_episode must call env.reset() exactly once; it called it {len(env.resets)} times"
    assert env.resets[0] == seed, (
        f"run_episode must call env.reset(seed=seed); the env was reset with seed={env.resets[0]!r} "
        f"instead of seed={seed!r}"
    )
    n_obs, n_actions = int(env.observation_space.n), int(env.action_space.n)
    data = read_episode(episode, n_obs, n_actions)
    for t, given in enumerate(policy.seen):
        seen = as_int(given, f"the observation passed to the policy in call {t}", 0, n_obs)
        if t >= len(env.observations) or seen != env.observations[t]:
            expected = env.observations[t] if t < len(env.observations) else "none (the episode was over)"
            raise AssertionError(
                f"call {t} of the policy got observation {seen!r}, but the current observation was {expected}; "
                "call policy(obs) with the observation the last reset/step returned"
            )
    assert env.actions == policy.returned, (
        f"the actions sent to env.step() must be the policy's: the policy returned {policy.returned[:10]} "
        f"but env.step() got {[a.item() if isinstance(a, np.generic) else a for a in env.actions[:10]]} "
        "(first 10 shown)"
    )
    assert len(data.observations) == len(data.actions) + 1 == len(data.rewards) + 1, (
        f"an Episode of T steps has T+1 observations (the first one from reset) and T actions and rewards; "
        f"got {len(data.observations)} observations, {len(data.actions)} actions, {len(data.rewards)} rewards "
        f"after {len(env.actions)} env steps"
    )
    recorded = (env.observations, env.actions, env.rewards)
    for name, got, want in zip(("observations", "actions", "rewards"), data[:3], recorded, strict=True):
        assert got == want, f"Episode.{name} is {got}, but the env's episode was {want}"
    assert (data.terminated, data.truncated) == (env.terminated, env.truncated), (
        f"Episode.terminated/truncated are {data.terminated}/{data.truncated}, but the last env.step() returned "
        f"{env.terminated}/{env.truncated}"
    )
    return data


# --------------------------------------------------------------------------------------------------------
# Returns


def check_returns_to_go(returns_to_go: Callable, rewards: list[float], gamma: float, expected: list[float]) -> None:
    """``returns_to_go(rewards, gamma)`` must be a float array equal to ``expected`` (to 1e-9)."""
    result = returns_to_go(list(rewards), gamma)
    if type(result) is not np.ndarray or result.dtype.kind != "f":
        raise InvalidOutput(
            f"returns_to_go must return a float numpy array, got {type(result).__name__}"
            + (f" of dtype {result.dtype}" if type(result) is np.ndarray else "")
        )
    got = as_float_array(result, f"returns_to_go({rewards}, {gamma})", (len(rewards),))
    assert np.allclose(got, expected, rtol=0, atol=1e-9), (
        f"returns_to_go({rewards}, gamma={gamma}) must be {expected} (G_t = r_t + gamma * G_(t+1), computed "
        f"backwards from the last step), got {got.tolist()}"
    )


def check_discounted_return(discounted_return: Callable, rewards: list[float], gamma: float, expected: float) -> None:
    """``discounted_return(rewards, gamma)`` must be a number equal to ``expected`` (to 1e-9)."""
    got = as_float(discounted_return(list(rewards), gamma), f"discounted_return({rewards}, {gamma})")
    assert abs(got - expected) <= 1e-9, (
        f"discounted_return({rewards}, gamma={gamma}) must be {expected} (sum of gamma**t * r_t with t "
        f"starting at 0), got {got}"
    )
