"""Calling the code under test from the harness's loops, cheaply when it runs in the sandbox.

In-process these are plain calls. When the agent is a sandbox proxy, :func:`tell` sends a call whose result
the loop does not need (``update``, ``observe``) without waiting for it — a failure is reported by the next
awaited call — and :func:`call_all` sends many calls (one per independent run) in a single message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from grader.sandbox.rpc import Remote


def tell(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """``function(*args, **kwargs)`` for its effect only."""
    if isinstance(function, Remote):
        function._endpoint.notify("call", ref=function, args=list(args), kwargs=kwargs)
    else:
        function(*args, **kwargs)


def call_all(calls: Sequence[tuple[Callable[..., Any], tuple]]) -> list[Any]:
    """``[function(*args) for function, args in calls]``, in order; one message when all are sandboxed."""
    functions = [function for function, _ in calls]
    if functions and all(isinstance(f, Remote) for f in functions):
        endpoint = functions[0]._endpoint
        if all(f._endpoint is endpoint for f in functions):
            return endpoint.request("batch", ids=[f._id for f in functions], args=[list(args) for _, args in calls])
    return [function(*args) for function, args in calls]
