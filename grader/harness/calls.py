"""Calling the code under test from the harness, cheaply when it runs in the sandbox (design P9).

In-process these are plain calls. When the code is a sandbox proxy:

* :func:`beside` runs a trusted loop of :mod:`grader.harness.loops` in the child, next to the student's
  objects, at in-process speed (one message for a whole training run);
* :func:`call_all` sends many calls — one per lockstep episode — in a single message.
:func:`seed_global_rngs_of` and :func:`global_rng_digests_of` act on the global RNGs of the process that runs
the code under test (this one, or the sandbox's child).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from grader.rngs import global_rng_digests, seed_global_rngs
from grader.sandbox.remote_env import RemoteEnv
from grader.sandbox.rpc import Remote

#: The trusted functions and classes a check may run beside the code under test, by :func:`beside_name`.
BESIDE: dict[str, Callable[..., Any]] = {}


def beside_name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}:{function.__qualname__}"


def runs_beside(function: Callable[..., Any]) -> Callable[..., Any]:
    """Declare a trusted loop (a function or a class of :mod:`grader.harness.loops`) that :func:`beside` may run."""
    BESIDE[beside_name(function)] = function
    return function


def beside(code: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` run in the process that runs ``code`` (an object of the implementation
    under test): here, or in the sandbox's child. Arguments are plain data and objects of the implementation;
    the result comes back as data (an object stays in the child and comes back as a proxy) and, like every
    value from the child, must be validated by the caller."""
    if beside_name(function) not in BESIDE:
        raise ValueError(f"{beside_name(function)} is not declared @runs_beside")
    remote = remote_of(code)
    if remote is None:
        return function(*args, **kwargs)
    args = [remote_of(arg) or arg for arg in args]  # an env facade goes to the child as the child's own env
    return remote._endpoint.request("beside", name=beside_name(function), args=args, kwargs=kwargs)


def remote_of(code: Any) -> Remote | None:
    """The sandbox proxy ``code`` is, or stands for (the grader's ``gym.Env`` facade of an env in the child);
    ``None`` in-process."""
    if isinstance(code, RemoteEnv):
        return code._proxy
    return code if isinstance(code, Remote) else None


def call_all(
    calls: Sequence[tuple[Callable[..., Any], tuple] | tuple[Callable[..., Any], tuple, dict]], **kwargs: Any
) -> list[Any]:
    """``[function(*args, **{**kwargs, **own}) for function, args[, own] in calls]``, in order; one message when
    all are sandboxed. A call's own keyword arguments (an optional third element) add to the shared ``kwargs``."""
    own = [dict(call[2]) if len(call) > 2 else {} for call in calls]
    endpoint = _shared_endpoint([call[0] for call in calls])
    if endpoint is not None:
        ids, arg_lists = [call[0]._id for call in calls], [list(call[1]) for call in calls]
        each = {"each": own} if any(own) else {}
        return endpoint.request("batch", ids=ids, args=arg_lists, kwargs=kwargs, **each)
    return [call[0](*call[1], **{**kwargs, **mine}) for call, mine in zip(calls, own, strict=True)]


def _shared_endpoint(functions: list[Callable[..., Any]]) -> Any:
    """The connection all ``functions`` are proxies of, or ``None`` (any of them is local, or there are none)."""
    if functions and all(isinstance(f, Remote) for f in functions):
        endpoint = functions[0]._endpoint
        if all(f._endpoint is endpoint for f in functions):
            return endpoint
    return None


def seed_global_rngs_of(code: Any, seed: int) -> None:
    """Seed the global RNGs (:mod:`grader.rngs`) here and where ``code``, an object of the implementation
    under test, runs: a torch network built there is initialised from that process's generator."""
    seed_global_rngs(seed)
    if isinstance(code, Remote):
        code._endpoint.request("seed_global_rngs", seed=seed)


def global_rng_digests_of(code: Any) -> dict[str, str]:
    """:func:`grader.rngs.global_rng_digests` of the process that runs ``code`` (checked: two or three hex
    digests, ``torch`` when torch is loaded there)."""
    if not isinstance(code, Remote):
        return global_rng_digests()
    digests = code._endpoint.request("global_rng_digests")
    if (
        type(digests) is not dict
        or not {"numpy", "random"} <= set(digests) <= {"numpy", "random", "torch"}
        or not all(type(v) is str and len(v) == 64 for v in digests.values())
    ):
        raise AssertionError(f"the sandbox answered {str(digests)[:80]} for the state of its random generators")
    return digests
