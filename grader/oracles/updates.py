"""The grader's own optimiser step on copies of a student network's parameters (hidden checks only).

A check reads a network's parameters θ and the gradient g of the loss the docstrings define (computed through
the student's own forward pass), lets the student's code take its step, and compares the parameters it left
with :class:`AdamReplay`: PyTorch's Adam (defaults β = (0.9, 0.999), ε = 1e-8) after clipping the global
gradient norm, run here on float32 copies. Consecutive steps keep Adam's moment estimates, so a bug in what
persists between updates (gradients not zeroed, a fresh optimiser per update, clipping after the step) shows
from the second step on even where the first step, which Adam makes nearly scale-free, hides it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class AdamReplay:
    """Adam with global-norm gradient clipping on copies of parameters; ``clip=None`` skips the clipping and
    ``accumulate=True`` adds each gradient to the previous one instead of replacing it (the replays of two
    common bugs, used to name a cause)."""

    def __init__(
        self, params: list[np.ndarray], lr: float, max_grad_norm: float | None, accumulate: bool = False
    ) -> None:
        self.params = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params]
        self.optimizer = torch.optim.Adam(self.params, lr=lr)
        self.max_grad_norm = max_grad_norm
        self.accumulate = accumulate
        self.last_norm = 0.0

    def step(self, grads: list[np.ndarray | None], at: list[np.ndarray]) -> list[np.ndarray]:
        """One step from the parameters ``at`` (the student's, so rounding never accumulates) with ``grads``;
        returns the new parameters as float64 arrays. ``last_norm`` is the gradient norm before clipping."""
        with torch.no_grad():
            for p, value in zip(self.params, at, strict=True):
                p.copy_(torch.as_tensor(value, dtype=torch.float32))
        for p, g in zip(self.params, grads, strict=True):
            grad = torch.zeros_like(p) if g is None else torch.as_tensor(g, dtype=torch.float32)
            p.grad = grad + p.grad if self.accumulate and p.grad is not None else grad
        self.last_norm = float(torch.linalg.vector_norm(torch.cat([p.grad.reshape(-1) for p in self.params])))
        if self.max_grad_norm is not None:
            nn.utils.clip_grad_norm_(self.params, self.max_grad_norm)
        self.optimizer.step()
        return [p.detach().numpy().astype(np.float64) for p in self.params]


def largest_difference(got: list[np.ndarray], want: list[np.ndarray]) -> tuple[int, float]:
    """(index of the parameter tensor, its largest absolute difference) where ``got`` and ``want`` differ most."""
    gaps = [float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in zip(got, want, strict=True)]
    index = int(np.argmax(gaps))
    return index, gaps[index]
