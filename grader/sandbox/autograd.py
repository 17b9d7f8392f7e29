"""Gradients across the sandbox boundary, so checks can call ``backward()`` on what student code returned.

When student code returns a tensor with a graph — computed from tensors the grader passed (``q_values``,
``predicted``) or from the child's own parameters (a policy's ``log_prob``) — the child keeps it with those
inputs and tags it; the grader wraps the value it receives in :class:`_RemoteGrad`, an autograd node whose
``backward`` asks the child to run ``backward`` on its copy (which also fills the child's parameters'
``.grad``) and returns the input gradients the child computed (checked for shape). So
``out.sum().backward(); q.grad`` and ``...; policy.log_std.grad`` mean the same in both modes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from grader.sandbox.wire import WireError


class _RemoteGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, backward: Callable[[torch.Tensor], list], value: torch.Tensor, *inputs: torch.Tensor):
        ctx.remote_backward, ctx.shapes = backward, [i.shape for i in inputs[1:]]  # inputs[0]: the anchor
        return value.clone()

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor):
        grads = ctx.remote_backward(grad_output.detach())
        if type(grads) is not list or len(grads) != len(ctx.shapes):
            raise WireError("malformed gradients from the sandbox")
        for grad, shape in zip(grads, ctx.shapes, strict=True):
            if grad is not None and (type(grad) is not torch.Tensor or grad.shape != shape):
                raise WireError("a gradient from the sandbox has the wrong shape")
        return (None, None, None, *grads)


class GradBridge:
    """Bookkeeping of one endpoint: tensors sent with the current request (grader), their copies and the
    results that depend on them (child)."""

    def __init__(self, request: Callable[..., Any]) -> None:
        self.request = request
        self.sending: list[torch.Tensor] | None = None  # grader: requires-grad tensors of the request being sent
        self.sent: list[torch.Tensor] = []  # grader: those of the request awaiting its reply
        self.received: list[torch.Tensor] = []  # child: their copies, in order
        self.outputs: dict[int, tuple[torch.Tensor, list[torch.Tensor]]] = {}  # child: results with a graph

    def on_encode(self, tensor: torch.Tensor, node: dict) -> None:
        if not tensor.requires_grad:
            return
        if self.sending is not None:
            node["grad_input"] = len(self.sending)
            self.sending.append(tensor)
        elif tensor.grad_fn is not None:  # a result with a graph (to the grader's tensors or the child's own)
            self.outputs[id(tensor)] = (tensor, list(self.received))
            node["grad_id"] = id(tensor)

    def on_decode(self, tensor: torch.Tensor, node: dict) -> torch.Tensor:
        if node.get("grad_input") is not None and tensor.requires_grad:
            self.received.append(tensor)
        grad_id = node.get("grad_id")
        if type(grad_id) is int:
            backward = lambda grad: self.request("backward", grad_id=grad_id, grad=grad)  # noqa: E731
            # the anchor makes the result part of the grader's graph even when it depends only on the child's
            # parameters, so that backward() reaches them (a check then reads e.g. policy.log_std.grad)
            anchor = torch.zeros((), requires_grad=True)
            return _RemoteGrad.apply(backward, tensor.detach(), anchor, *self.sent)
        return tensor

    def backward(self, grad_id: Any, grad: Any) -> list:
        """The child's service: backpropagate ``grad`` through a kept result; the gradients of its inputs."""
        if grad_id not in self.outputs or type(grad) is not torch.Tensor:
            raise WireError("unknown result for backward")
        output, inputs = self.outputs[grad_id]
        for tensor in inputs:
            tensor.grad = None
        output.backward(grad)
        return [tensor.grad for tensor in inputs]
