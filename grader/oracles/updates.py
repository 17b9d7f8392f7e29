"""The grader's own gradient steps, to compare with the parameters a student's update leaves (issue 19).

A check of an update (``DQNAgent.train_step``, ``ReinforceAgent.update``) does what the docstring says the
update does, in float64, from the student's own parameters before the step:

1. the gradient of the documented loss, ``g`` (the grader computes the loss's derivative with respect to the
   network's outputs; :func:`grader.harness.loops.output_gradients` backpropagates it through a copy of the
   student's network);
2. global-norm clipping as ``torch.nn.utils.clip_grad_norm_`` does it: ``g ← g · min(1, c / (‖g‖ + 1e-6))``;
3. one step of ``torch.optim.Adam`` (β = (0.9, 0.999), ε = 1e-8, no weight decay), whose moments persist from
   one update to the next.

Adam's first step moves every parameter by about ``lr · sign(g)``, whatever the scale of ``g``, so a single
update cannot show a clipping or a scaling bug: checks run two or more consecutive updates whose gradient
norms differ, and compare the parameters after each (:class:`UpdateCheck`). When they differ, the message names
the first intermediate that differs, computed step by step: the returned loss, then the gradient the
optimizer received (read back from the optimizer's own moments, when its state can be matched to the
parameters), then the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.harness.calls import beside
from grader.harness.loops import output_gradients
from grader.harness.validate import InvalidOutput, as_tensor_array

BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
CLIP_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ divides by (total norm + 1e-6)
STEP_RTOL = 2e-3  # relative distance allowed between the update made and the grader's (float32 arithmetic)
GRAD_RTOL = 1e-3  # relative distance under which a gradient the optimizer received "is" a candidate

Params = dict[str, np.ndarray]


def network_gradient(net: Any, inputs: np.ndarray, weights: np.ndarray, what: str, prefix: str = "") -> Params:
    """∂/∂θ Σ weights ⊙ net(inputs) for every parameter of a student's network (validated), keys ``prefix +
    name``; computed beside the network, on a copy of it."""
    pairs = beside(net, output_gradients, net, np.asarray(inputs, dtype=np.float32), np.asarray(weights))
    if type(pairs) is not list or not all(type(p) is tuple and len(p) == 2 and type(p[0]) is str for p in pairs):
        raise InvalidOutput(f"the gradient of {what} came back malformed")
    out: Params = {}
    for name, grad in pairs:
        shape = tuple(grad.shape) if hasattr(grad, "shape") else ()
        out[prefix + name] = as_tensor_array(grad, f"the gradient of {what} w.r.t. {name}", shape)
    return out


def total_norm(grads: Params) -> float:
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_total_norm(grads: Params, max_norm: float | None) -> tuple[Params, float]:
    """``torch.nn.utils.clip_grad_norm_(…, max_norm)`` on copies: (clipped gradients, norm before clipping)."""
    norm = total_norm(grads)
    if max_norm is None:
        return dict(grads), norm
    coef = min(1.0, max_norm / (norm + CLIP_EPS))
    return {k: g * coef for k, g in grads.items()}, norm


@dataclass
class Adam:
    """``torch.optim.Adam(params, lr)`` with its defaults, in float64; its moments persist across :meth:`step`."""

    lr: float
    m: Params = field(default_factory=dict)
    v: Params = field(default_factory=dict)
    t: int = 0

    def step(self, params: Params, grads: Params) -> Params:
        """The parameters after one step from ``params`` with the gradients ``grads`` (same keys)."""
        self.t += 1
        b1, b2 = BETAS
        out: Params = {}
        for name, p in params.items():
            g = grads.get(name, np.zeros_like(p))  # a parameter the loss does not reach
            self.m[name] = b1 * self.m.get(name, 0.0) + (1 - b1) * g
            self.v[name] = b2 * self.v.get(name, 0.0) + (1 - b2) * g * g
            m_hat = self.m[name] / (1 - b1**self.t)
            v_hat = self.v[name] / (1 - b2**self.t)
            out[name] = p - self.lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
        return out


def relative_distance(got: Params, want: Params, base: Params) -> tuple[float, str]:
    """‖(got − base) − (want − base)‖ / ‖want − base‖ over all parameters, and the parameter that differs most."""
    diff = {k: got[k] - want[k] for k in want}
    scale = np.sqrt(sum(float(np.sum((want[k] - base[k]) ** 2)) for k in want)) or 1e-30
    worst = max(diff, key=lambda k: float(np.sum(diff[k] ** 2)))
    return float(np.sqrt(sum(float(np.sum(d * d)) for d in diff.values()))) / scale, worst


def _entries(a: np.ndarray, idx: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in a.reshape(-1)[idx]) + "]"


def read_adam_state(optimizer: Any, shapes: dict[str, tuple[int, ...]]) -> tuple[Params, int] | None:
    """The first moments ``exp_avg`` of a ``torch.optim.Adam`` by parameter name (the optimizer's parameters in
    the order of ``shapes``) and its step count; ``None`` when the state does not match (another optimizer,
    another order, no step yet). Diagnostics only."""
    try:
        state = optimizer.state_dict()
        order = [i for group in state["param_groups"] for i in group["params"]]
        entries = [state["state"][i] for i in order]
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
    if len(entries) != len(shapes):
        return None
    moments: Params = {}
    counts = set()
    for (name, shape), entry in zip(shapes.items(), entries, strict=True):
        if type(entry) is not dict or "exp_avg" not in entry or "step" not in entry:
            return None
        try:
            moments[name] = as_tensor_array(entry["exp_avg"], "exp_avg", shape)
            counts.add(round(float(as_tensor_array(entry["step"], "step", ()))))
        except InvalidOutput:
            return None
    return (moments, counts.pop()) if len(counts) == 1 else None


def _gap(got: Params, want: Params) -> tuple[float, str]:
    """The largest relative difference between two gradients, parameter by parameter (a parameter whose gradient
    is tiny is measured against a millionth of the whole gradient's norm), and that parameter's name."""
    floor = 1e-6 * max(total_norm(want), 1e-30)
    gaps = {k: float(np.linalg.norm(got[k] - want[k])) / max(float(np.linalg.norm(want[k])), floor) for k in want}
    worst = max(gaps, key=gaps.__getitem__)
    return gaps[worst], worst


def _entries(a: np.ndarray, idx: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in a.reshape(-1)[idx]) + "]"


@dataclass
class UpdateCheck:
    """The grader's side of consecutive updates of one set of parameters: per update, :meth:`expect` with the
    parameters before it and the gradient of the documented loss there, then :meth:`verify` with the parameters
    the student's update left.

    ``optimizer`` returns the student's optimizer (read anew each time: code that replaces it is seen). From
    its first moments after update k and k − 1 the check recovers the gradient the optimizer received,
    ``g_k = (m_k − β1 m_(k−1)) / (1 − β1)``, and remembers the first update where that gradient, or Adam's step
    count, was not the grader's — even when the parameters still matched (Adam's first step hides the scale)."""

    setting: str
    lr: float
    max_norm: float | None
    optimizer: Any  # () -> the student's optimizer
    shapes: dict[str, tuple[int, ...]]
    adam: Adam = field(init=False)
    moments: Params = field(default_factory=dict)
    applied: Params | None = None  # the gradient the previous update applied (what .grad held after it)
    first_difference: str | None = None
    expected: Params = field(default_factory=dict)
    before: Params = field(default_factory=dict)
    grads: Params = field(default_factory=dict)
    clipped: Params = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.adam = Adam(self.lr)

    def expect(self, before: Params, grads: Params) -> None:
        """Record the parameters before an update and the gradient of the documented loss there (a parameter
        missing from ``grads`` gets none); compute the grader's step."""
        grads = {k: grads.get(k, np.zeros_like(p)) for k, p in before.items()}
        self.before, self.grads = before, grads
        self.clipped, _ = clip_total_norm(grads, self.max_norm)
        self.expected = self.adam.step(before, self.clipped)

    def _received(self, step: int) -> str | None:
        """What differs in the optimizer's state after update ``step`` (``None``: nothing, or unreadable)."""
        read = read_adam_state(self.optimizer(), self.shapes)
        if read is None:
            return None
        moments, count = read
        got = {k: (m - BETAS[0] * self.moments.get(k, 0.0)) / (1 - BETAS[0]) for k, m in moments.items()}
        self.moments = moments
        if count != step:
            return (
                f"after update {step} the optimizer counts {count} step(s): its state (moments, step count) must "
                "persist from one update to the next (create it once, in __init__)"
            )
        gap, worst = _gap(got, self.clipped)
        if gap <= GRAD_RTOL:
            return None
        candidates = {"the grader's gradient before clipping": self.grads} if self.max_norm is not None else {}
        if self.applied is not None:
            stale = clip_total_norm({k: self.grads[k] + self.applied[k] for k in self.grads}, self.max_norm)[0]
            candidates["this update's gradient added to the previous update's (.grad not zeroed)"] = stale
        match = [name for name, cand in candidates.items() if _gap(got, cand)[0] <= GRAD_RTOL]
        norm = total_norm(self.grads)
        clipping = self.max_norm is not None and norm > self.max_norm
        clip = f" (clipped to max_grad_norm = {self.max_norm:g}: {total_norm(self.clipped):.4g})" if clipping else ""
        return (
            f"at update {step} the optimizer received (read back from its moments) a gradient of norm "
            f"{total_norm(got):.4g}; the grader's gradient of the documented loss has norm {norm:.4g}{clip}. "
            f"They differ most in `{worst}`: norm {np.linalg.norm(got[worst]):.4g} received, "
            f"{np.linalg.norm(self.clipped[worst]):.4g} expected (relative difference {gap:.3g})"
            + (f"; the gradient received equals {match[0]}" if len(match) == 1 else "")
        )

    def verify(self, step: int, after: Params) -> str | None:
        """``None`` when ``after`` is the grader's update (relative distance ≤ :data:`STEP_RTOL`); else the message:
        the update, the parameter that differs most with a few entries, and the first intermediate that differs."""
        difference = self._received(step)
        self.first_difference = self.first_difference or difference
        self.applied = self.clipped
        distance, worst = relative_distance(after, self.expected, self.before)
        if distance <= STEP_RTOL:
            return None
        move = (after[worst] - self.before[worst]).reshape(-1)
        want = (self.expected[worst] - self.before[worst]).reshape(-1)
        idx = np.argsort(-np.abs(move - want))[:3]
        text = (
            f"update {step} of {self.setting}: the parameters moved differently from the grader's update "
            f"(relative distance {distance:.3g}, allowed {STEP_RTOL:g}). Largest difference in `{worst}`: entries "
            f"{idx.tolist()} moved by {_entries(move, idx)}; the grader's step from the same parameters (Adam, "
            f"lr = {self.lr:g}, default betas and eps) moves them by {_entries(want, idx)}. "
        )
        if self.first_difference is not None:
            return text + "The first intermediate that differs: " + self.first_difference
        if read_adam_state(self.optimizer(), self.shapes) is None:
            return text + (
                "(The optimizer's state could not be read back to see which gradient it received: keep one "
                "torch.optim.Adam, attribute `optimizer`, over these parameters in their order.)"
            )
        return text + (
            "The gradients the optimizer received match the grader's: the step itself differs (another optimizer, "
            "learning rate or betas, or parameters changed outside optimizer.step())"
        )
