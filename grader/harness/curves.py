"""Learning curves of learning checks, drawn next to the report so a student sees *how* the agent learned.

A learning check's spec calls :func:`record` with what it measured along the way (evaluation returns every
few thousand steps, training returns per episode, the bandits' mean regret per step) and the threshold. The
pytest plugin takes the curves of each check with :func:`take` and, when it writes reports, draws them into
``<report dir>/curves/<check>.png`` with :func:`draw`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Curve:
    """Named series sharing one x axis, and the check's threshold as a horizontal line (if it applies)."""

    title: str
    x_label: str
    y_label: str
    series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    threshold: float | None = None


_recorded: list[Curve] = []


def record(curve: Curve) -> None:
    _recorded.append(curve)


def take() -> list[Curve]:
    """The curves recorded since the last call (the plugin calls it before and after every check)."""
    curves = list(_recorded)
    _recorded.clear()
    return curves


def moving_average(values: list[float], window: int) -> list[float]:
    """Mean of the last ``window`` values at each point (fewer at the start)."""
    cumulative = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    return ((cumulative[1:] - cumulative[starts]) / (np.arange(1, len(values) + 1) - starts)).tolist()


def draw(curves: list[Curve], path: Path) -> Path:
    """One panel per curve, side by side, saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 3.6), squeeze=False)
    for ax, curve in zip(axes[0], curves, strict=True):
        for label, (xs, ys) in curve.series.items():
            ax.plot(xs, ys, label=label, lw=1.4, marker="o" if len(xs) <= 30 else None, ms=3)
        if curve.threshold is not None:
            ax.axhline(curve.threshold, color="tab:red", ls="--", lw=1, label=f"threshold {curve.threshold:g}")
        ax.set_title(textwrap.fill(curve.title, 64), fontsize=8)
        ax.set_xlabel(curve.x_label, fontsize=8)
        ax.set_ylabel(curve.y_label, fontsize=8)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
