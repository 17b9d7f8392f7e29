"""The grader's torch modules go into the sandbox by value and their new state comes back as data.

A check may hand student code one of its own networks (a fixture with known weights, a target network to
update in place). The grader pickles it for the child (trusted to untrusted; the grader never unpickles
anything the child sends); the student's code runs on the child's copy; after the call the child sends back
every parameter and buffer of that copy (values, gradients, and whether it is still the tensor object the copy
started with), and the grader repeats on its own module what the student's code did: a tensor changed in place
is changed in place (so parameter identity is kept and a Polyak step is visible), a tensor replaced by a new
one (``net.weight = nn.Parameter(...)``) is replaced by a new one, a removed one is removed. So a check that
asks for an in-place update gives the same verdict in both modes.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from grader.sandbox.import_guard import trusted_imports
from grader.sandbox.wire import WireError

if TYPE_CHECKING:  # torch is imported only by code that already uses it
    import torch

KINDS = ("parameters", "buffers")
NAME = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")


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


def module_tensors(module: torch.nn.Module) -> dict[str, dict[str, torch.Tensor]]:
    """The parameters and buffers of ``module`` by name (the objects themselves)."""
    return {"parameters": dict(module.named_parameters()), "buffers": dict(module.named_buffers())}


def module_state(module: torch.nn.Module, received: dict[str, dict[str, Any]]) -> dict:
    """Each parameter (with ``.grad``) and buffer of the child's copy as ``[name, tensor, kept]``; ``kept``: still
    the object the copy had when it arrived (``received``, from :func:`module_tensors`)."""
    now = module_tensors(module)
    return {kind: [[name, t, received[kind].get(name) is t] for name, t in now[kind].items()] for kind in KINDS}


def apply_state(module: torch.nn.Module, state: Any) -> None:
    """Repeat on the grader's ``module`` what the student's code did to the child's copy (see the module
    docstring), refusing anything malformed."""
    import torch

    if type(state) is not dict:
        raise WireError("malformed module state")
    current = module_tensors(module)
    for kind in KINDS:
        items = state.get(kind)
        if type(items) is not list or not all(_well_formed(item) for item in items):
            raise WireError(f"malformed module state ({kind})")
        sent = {name for name, _, _ in items}
        for name in [n for n in current[kind] if n not in sent]:  # removed by the student's code
            owner, attr = _owner(module, name)
            delattr(owner, attr)
        for name, value, kept in items:
            target = current[kind].get(name)
            if kept and target is not None:
                with torch.no_grad():
                    if value.shape == target.shape and value.dtype == target.dtype:
                        target.copy_(value)
                    else:  # the student's code gave the same tensor other data (tensor.data = ...)
                        target.data = value
            else:
                owner, attr = _owner(module, name)
                if kind == "parameters":
                    target = torch.nn.Parameter(value.detach(), requires_grad=value.requires_grad)
                    setattr(owner, attr, target)
                else:
                    owner.register_buffer(attr, value.detach())
            if kind == "parameters" and (value.grad is None or value.grad.shape == target.shape):
                target.grad = value.grad


def _well_formed(item: Any) -> bool:
    import torch

    return (
        type(item) is list
        and len(item) == 3
        and type(item[0]) is str
        and NAME.fullmatch(item[0]) is not None
        and type(item[1]) is torch.Tensor
        and type(item[2]) is bool
    )


def _owner(module: torch.nn.Module, name: str) -> tuple[torch.nn.Module, str]:
    """The submodule holding the tensor called ``name`` and its attribute name there."""
    path, _, attr = name.rpartition(".")
    try:
        return module.get_submodule(path), attr
    except AttributeError:
        raise WireError(f"your code changed the structure of the grader's network (no submodule {path!r})") from None
