"""Calling the code under test from the harness's loops, cheaply when it runs in the sandbox.

In-process these are plain calls. When the agent is a sandbox proxy, :func:`tell` sends a call whose result
the loop does not need (``update``, ``observe``) without waiting for it — a failure is reported by the next
awaited call — and :func:`call_all` (:func:`tell_all`, not waited for) sends many calls (one per independent
run) in a single message.
:func:`seed_global_rngs_of` and :func:`global_rng_digests_of` act on the global RNGs of the process that runs
the code under test (this one, or the sandbox's child).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from grader.rngs import global_rng_digests, seed_global_rngs
from grader.sandbox.rpc import Remote


def tell(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """``function(*args, **kwargs)`` for its effect only."""
    if isinstance(function, Remote):
        function._endpoint.notify("call", ref=function, args=list(args), kwargs=kwargs)
    else:
        function(*args, **kwargs)


def call_all(calls: Sequence[tuple[Callable[..., Any], tuple]]) -> list[Any]:
    """``[function(*args) for function, args in calls]``, in order; one message when all are sandboxed."""
    endpoint = _shared_endpoint([function for function, _ in calls])
    if endpoint is not None:
        return endpoint.request("batch", ids=[f._id for f, _ in calls], args=[list(args) for _, args in calls])
    return [function(*args) for function, args in calls]


def tell_all(calls: Sequence[tuple[Callable[..., Any], tuple]]) -> None:
    """:func:`call_all` for the calls' effects only: one message, not waited for, when all are sandboxed."""
    endpoint = _shared_endpoint([function for function, _ in calls])
    if endpoint is not None:
        endpoint.notify("batch", ids=[f._id for f, _ in calls], args=[list(args) for _, args in calls])
    else:
        for function, args in calls:
            function(*args)


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
    """:func:`grader.rngs.global_rng_digests` of the process that runs ``code`` (checked: two hex digests)."""
    if not isinstance(code, Remote):
        return global_rng_digests()
    digests = code._endpoint.request("global_rng_digests")
    if (
        type(digests) is not dict
        or set(digests) != {"numpy", "random"}
        or not all(type(v) is str and len(v) == 64 for v in digests.values())
    ):
        raise AssertionError(f"the sandbox answered {str(digests)[:80]} for the state of its random generators")
    return digests
