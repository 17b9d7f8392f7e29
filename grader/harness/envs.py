"""Calling an environment under test through the Gymnasium API and turning what it returns into plain,
validated data: ``reset`` gives ``(obs, info)``, ``step`` gives ``(obs, reward, terminated, truncated, info)``."""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import gymnasium as gym

from grader.harness.validate import InvalidOutput, as_bool, as_float, as_int
from grader.sandbox.import_guard import trusted_imports


def make_env(env_id: str, **kwargs: Any) -> gym.Env:
    """``gym.make(env_id, **kwargs)``; an id ``"module:EnvName"`` (the kit's own envs, e.g.
    ``grader.harness.point_mass:PointMass-v0``) first imports its module as the grader's own code, since in a
    check's child the grader is hidden from imports (:mod:`grader.sandbox.import_guard`)."""
    module, _, name = env_id.rpartition(":")
    if module:
        with trusted_imports():
            importlib.import_module(module)
    return gym.make(name or env_id, **kwargs)


class Step(NamedTuple):
    """One validated result of ``env.step``."""

    obs: int
    reward: float
    terminated: bool
    truncated: bool
    info: dict


def _as_info(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidOutput(f"{what} must be a dict, got a {type(value).__name__}")
    return value


def checked_reset(env: Any, n_obs: int, seed: int | None = None) -> tuple[int, dict]:
    """``env.reset(seed=seed)`` as ``(obs, info)`` with ``obs`` a plain int in ``[0, n_obs)``."""
    result = env.reset(seed=seed)
    if type(result) is not tuple or len(result) != 2:
        raise InvalidOutput(
            "reset() must return the pair (observation, info) (Gymnasium API), "
            f"got {type(result).__name__} {result!r:.80}"
        )
    obs = as_int(result[0], "the observation returned by reset()", 0, n_obs)
    return obs, _as_info(result[1], "the info returned by reset()")


def checked_step(env: Any, action: int, n_obs: int) -> Step:
    """``env.step(action)`` as a :class:`Step` of plain, validated values."""
    result = env.step(action)
    if type(result) is not tuple or len(result) != 5:
        size = f"a tuple of {len(result)}" if type(result) is tuple else f"a {type(result).__name__}"
        raise InvalidOutput(
            "step() must return the 5-tuple (observation, reward, terminated, truncated, info) "
            f"(Gymnasium API), got {size}"
        )
    obs, reward, terminated, truncated, info = result
    return Step(
        as_int(obs, "the observation returned by step()", 0, n_obs),
        as_float(reward, "the reward returned by step()"),
        as_bool(terminated, "terminated (returned by step())"),
        as_bool(truncated, "truncated (returned by step())"),
        _as_info(info, "the info returned by step()"),
    )


def blackjack_state(obs: Any) -> tuple[int, int, int]:
    """A Blackjack observation as a plain tuple ``(player_sum, dealer_card, usable_ace)`` of ints."""
    return int(obs[0]), int(obs[1]), int(obs[2])


BLACKJACK_STATES = 32 * 11 * 2


def blackjack_index(obs: Any) -> int:
    """The Blackjack observation ``(player_sum, dealer_card, usable_ace)`` as one int in ``[0, 704)``."""
    player, dealer, ace = blackjack_state(obs)
    return (player * 11 + dealer) * 2 + ace
