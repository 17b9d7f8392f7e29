"""Trusted pieces of hw06's TRPO checks that must run where the student's code runs.

A Fisher-vector product differentiates twice through a graph built from the parameters: sandboxed, the
parameters, the KL and its graph must all live in the child (a closure of the grader's cannot cross), so the
check's fixture — a softmax policy whose parameters are its logits — is built beside the student's functions.
Nothing here computes a homework answer: it calls the student's ``categorical_kl`` and ``fisher_vector_product``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.harness.calls import runs_beside


@runs_beside
def softmax_fisher_products(fvp: Any, kl_fn: Any, logits: np.ndarray, vectors: list, damping: float) -> list:
    """``fvp(kl, [θ], v, damping)`` for each ``v`` of ``vectors``: θ a leaf tensor holding ``logits`` ``(B, n)``
    (its dtype), ``kl() = mean(kl_fn(θ.detach(), θ))``, the mean KL to the policy at θ itself. The results as the
    student's function returned them (the caller validates them). torch is imported here, not with the module: the
    sandbox's zygote imports this module at start, before it knows whether the submission uses torch."""
    import torch

    theta = torch.tensor(np.asarray(logits), requires_grad=True)

    def kl_to_old() -> Any:
        return kl_fn(theta.detach(), theta).mean()

    return [fvp(kl_to_old, [theta], torch.tensor(np.asarray(v), dtype=theta.dtype), damping) for v in vectors]
