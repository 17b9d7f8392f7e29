"""The grader's torch modules go into the sandbox by value and their new state comes back as data.

A check may hand student code one of its own networks (a fixture with known weights, a target network to
update in place). The grader pickles it for the child (trusted to untrusted; the grader never unpickles
anything the child sends); the student's code runs on the child's copy; after the call the child sends back
that copy's parameters (with their gradients) and buffers as plain tensors, and the grader copies them into
its own module in place. So parameter identity is kept and in-place updates (a Polyak step) are visible.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from grader.sandbox.import_guard import trusted_imports
from grader.sandbox.wire import WireError

if TYPE_CHECKING:  # torch is imported only by code that already uses it
    import torch


def module_node(module: torch.nn.Module, blobs: list[bytes]) -> dict:
    import torch

    buffer = io.BytesIO()
    torch.save(module, buffer)
    blobs.append(buffer.getvalue())
    return {"$t": "module", "blob": len(blobs) - 1}


def module_from_node(node: dict, blobs: list[bytes]) -> torch.nn.Module:
    """The child's copy (only the child decodes this tag: the bytes come from the trusted grader)."""
    import torch

    index = node.get("blob")
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("module refers to a missing blob")
    with trusted_imports():  # the class of a grader's network may live in the grader's own modules
        return torch.load(io.BytesIO(blobs[index]), weights_only=False)


def module_state(module: torch.nn.Module) -> dict:
    """Parameters (with ``.grad``) and buffers of the child's copy, by name, as tensors."""
    return {
        "parameters": [[name, p] for name, p in module.named_parameters()],
        "buffers": [[name, b] for name, b in module.named_buffers()],
    }


def apply_state(module: torch.nn.Module, state: Any) -> None:
    """Copy a state sent by the child into the grader's ``module`` in place, refusing any mismatch."""
    import torch

    if type(state) is not dict:
        raise WireError("malformed module state")
    for kind, current in (("parameters", dict(module.named_parameters())), ("buffers", dict(module.named_buffers()))):
        items = state.get(kind)
        if type(items) is not list or [i[0] if type(i) is list and len(i) == 2 else None for i in items] != list(
            current
        ):
            raise WireError(f"module state: {kind} do not match the grader's module")
        for name, value in items:
            target = current[name]
            if type(value) is not torch.Tensor or value.shape != target.shape or value.dtype != target.dtype:
                raise WireError(f"module state: {name} has the wrong shape or dtype")
            with torch.no_grad():
                target.copy_(value)
            if kind == "parameters":
                target.grad = value.grad
