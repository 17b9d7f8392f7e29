"""The benchmark report of gate 5 (and of the defense): curves with 95 % intervals, a table, the ablations.

Drawn from the runs gate 5 stored (``<report dir>/benchmark/<algorithm>_seed<seed>.json``, see
:mod:`grader.benchmark`): per algorithm one PNG — the library's mean evaluation return over seeds with its 95 %
t-interval (mean ± t₀.₉₇₅,ₙ₋₁ · sd / √n), the baseline's the same way, the homework check's threshold as a dashed
line — and one table row: final and best mean return with their intervals, the baseline's, how many seeds reach
the threshold. Ablation runs (the same benchmark with changed hyper-parameters, stored under ``ablation/``) get
a row and a curve of their own.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from grader.benchmark import read_runs

#: Student's t quantile t_{0.975, df} for df = 1 … 30 (beyond: 1.96).
T975 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
]  # fmt: skip


def interval(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over seeds (axis 0) and the half-width of its 95 % t-interval (0 with one seed)."""
    n = rows.shape[0]
    mean = rows.mean(axis=0)
    if n < 2:
        return mean, np.zeros_like(mean)
    t = T975[n - 2] if n - 1 <= len(T975) else 1.96
    return mean, t * rows.std(axis=0, ddof=1) / math.sqrt(n)


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbers of one algorithm's table row and figure."""
    bench = runs[0]["benchmark"]
    library = np.array([r["library"] for r in runs], dtype=float)
    baseline = [r["baseline"] for r in runs if r["baseline"] is not None]
    mean, half = interval(library)
    best = library.max(axis=1)
    row = {
        "algorithm": bench["algorithm"], "env": bench["env_id"], "steps": bench["steps"], "seeds": len(runs),
        "x": runs[0]["steps"], "mean": mean, "half": half, "threshold": bench["threshold"],
        "threshold_source": bench["threshold_source"], "final": interval(library[:, -1:])[0][0],
        "final_half": interval(library[:, -1:])[1][0], "best": float(best.mean()),
        "reached": int((best >= bench["threshold"]).sum()), "baseline_label": runs[0]["baseline_label"],
    }  # fmt: skip
    if baseline:
        base = np.array(baseline, dtype=float)
        row["base_mean"], row["base_half"] = interval(base)
        row["base_final"], row["base_final_half"] = (v[0] for v in interval(base[:, -1:]))
        row["base_best"] = float(base.max(axis=1).mean())
    return row


def draw(row: dict[str, Any], path: Path, ablations: list[dict[str, Any]]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    x = np.array(row["x"])
    series = [("your library", row["mean"], row["half"], "tab:blue")]
    if "base_mean" in row:
        series.append((row["baseline_label"], row["base_mean"], row["base_half"], "tab:gray"))
    series += [(f"ablation: {a['label']}", a["mean"], a["half"], None) for a in ablations]
    for label, mean, half, color in series:
        line = ax.plot(x, mean, marker="o", ms=3, lw=1.5, label=f"{label} (mean, 95 % interval)", color=color)[0]
        ax.fill_between(x, mean - half, mean + half, alpha=0.2, color=line.get_color())
    ax.axhline(row["threshold"], color="tab:red", ls="--", lw=1, label=f"homework threshold {row['threshold']:g}")
    ax.set_title(f"{row['algorithm']} on {row['env'].split(':')[-1]}: {row['seeds']} seeds, {row['steps']} env steps",
                 fontsize=9)  # fmt: skip
    ax.set_xlabel("env steps", fontsize=8)
    ax.set_ylabel("mean greedy evaluation return", fontsize=8)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _cell(mean: float, half: float) -> str:
    return f"{mean:.1f} ± {half:.1f}"


def write_report(folder: Path, out: Path) -> Path:
    """``out/benchmark.md`` and ``out/benchmark_<algorithm>.png`` from the runs stored in ``folder`` (and in
    ``folder/ablation/<label>/``); returns the markdown file."""
    runs = read_runs(folder)
    if not runs:
        raise FileNotFoundError(f"no benchmark runs (*_seed*.json) in {folder}: run gate 5 first")
    ablation_dirs = sorted(p for p in (folder / "ablation").glob("*") if p.is_dir())
    lines = [
        "# Benchmark report",
        "",
        "Each algorithm trained by the grader's loop on the grader's budget, evaluated every few thousand steps on "
        "fixed-seed episodes with greedy actions; mean over seeds ± the half-width of a 95 % t-interval. The "
        "baseline ran on the same env, budget, seeds and evaluation episodes.",
        "",
        "| algorithm | env | budget | seeds | final return | best return (mean) | seeds ≥ threshold | baseline | "
        "baseline final | threshold (homework check) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    figures = []
    for name, items in runs.items():
        row = summarise(items)
        ablations = []
        for d in ablation_dirs:
            stored = read_runs(d).get(name)
            if stored:
                ablations.append({"label": d.name, **summarise(stored)})
        figure = draw(row, out / f"benchmark_{name}.png", ablations)
        figures.append(f"![{name}]({figure.name})")
        base = _cell(row["base_final"], row["base_final_half"]) if "base_mean" in row else "not run"
        lines.append(
            f"| {name} | {row['env'].split(':')[-1]} | {row['steps']} | {row['seeds']} | "
            f"{_cell(row['final'], row['final_half'])} | {row['best']:.1f} | {row['reached']} of {row['seeds']} | "
            f"{row['baseline_label']} | {base} | {row['threshold']:g} ({row['threshold_source']}) |"
        )
        for a in ablations:
            lines.append(
                f"| {name}, ablation {a['label']} | | {a['steps']} | {a['seeds']} | "
                f"{_cell(a['final'], a['final_half'])} | {a['best']:.1f} | {a['reached']} of {a['seeds']} | | | |"
            )
    lines += ["", *figures, ""]
    path = out / "benchmark.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
