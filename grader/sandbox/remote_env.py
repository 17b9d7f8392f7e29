"""A Gymnasium env that lives in the sandbox, seen by the grader as a real ``gym.Env``.

Checks and harness code run Gymnasium's own tools (``check_env``, ``TimeLimit``) on the student's env. When
the env is sandboxed, the grader wraps the proxy in :class:`RemoteEnv`: a ``gym.Env`` whose ``reset``,
``step``, ``render`` and ``close`` are calls into the child, and whose spaces and RNG are copies of the
child's (a Gymnasium ``Discrete``/``Box`` and a ``Generator``, sent as data).
"""

from __future__ import annotations

import functools
from typing import Any

import gymnasium as gym

from grader.sandbox.rpc import Remote


class RemoteEnv(gym.Env):
    """``gym.Env`` facade of an env in the sandbox; other public attributes are read from the child."""

    def __init__(self, proxy: Remote) -> None:
        self._proxy = proxy
        self._reset, self._step = proxy.reset, proxy.step  # looked up once: a step is then one round trip
        self.observation_space = proxy.observation_space
        self.action_space = proxy.action_space
        self.metadata = proxy.metadata
        self.render_mode = proxy.render_mode

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        return self._reset(seed=seed, options=options)

    def step(self, action: Any) -> Any:
        return self._step(action)

    def render(self) -> Any:
        return self._proxy.render()

    def close(self) -> None:
        self._proxy.close()

    @property
    def np_random(self) -> Any:
        return self._proxy.np_random

    @property
    def _np_random(self) -> Any:  # read by gymnasium's check_env: None until reset(seed=...) created it
        return self._proxy._np_random

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._proxy, name)


@functools.cache
def remote_env_class(type_name: str) -> type[RemoteEnv]:
    """A :class:`RemoteEnv` subclass named like the student's env class (for messages)."""
    return type(type_name, (RemoteEnv,), {})


def adapt(proxy: Remote, node: dict) -> Any:
    """What the grader uses for a handle from the child: envs become :class:`RemoteEnv`, the rest stays."""
    return remote_env_class(type(proxy).__name__)(proxy) if node.get("env") is True else proxy
