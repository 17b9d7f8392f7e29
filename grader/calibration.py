"""How far can a learning check be trusted? Re-run it on seeds it never uses, for the reference and the mutants.

Every learning check of the course declares its run as a module-level *spec* in its check file (bandits'
``LearningSpec``, hw02's ``ControlSpec`` and ``MCControlSpec``, the deep-RL ``DeepSpec``). A spec has a
``check`` name, the ``module`` and ``agent`` it trains, a ``seed``, and answers ``with_seed(seed)``,
``measure(agent_cls) -> Measurement``, ``passes(value)`` and ``bounds() -> (low, high)``. ``rlgrade calibrate``
finds the specs of an assignment, runs each on unseen seeds with the reference and with every mutant whose
``killed_by`` names the check, and writes ``<out>/<assignment>.md`` (a table and one plot per check) and
``<out>/<assignment>.json``. A threshold is sound when the reference passes on (nearly) every seed and each
listed mutant fails on every seed.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.impl import Implementation
from grader.mutants import load_bank

REFERENCE = "reference"


@dataclass(frozen=True)
class Measurement:
    """What one run of a spec measured: the checked value and the environment steps (or episodes) it used."""

    value: float
    steps: int | None = None


@dataclass
class Runs:
    """One implementation (the reference or a mutant) of one spec, on the calibration seeds."""

    label: str
    seeds: list[int]
    values: list[float]  # nan where the run raised or returned invalid values
    steps: list[int | None]
    seconds: list[float]  # CPU seconds per run
    passed: list[bool]

    def summary(self, low: float | None, high: float | None) -> dict[str, Any]:
        values = np.array(self.values, dtype=float)
        finite = values[np.isfinite(values)]
        mean = float(finite.mean()) if finite.size else float("nan")
        sd = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
        gap = min(
            g
            for g in (mean - low if low is not None else None, high - mean if high is not None else None)
            if g is not None
        )
        return {
            "runs": len(values),
            "passed": int(sum(self.passed)),
            "pass_rate": float(np.mean(self.passed)),
            "mean": mean,
            "sd": sd,
            "min": float(finite.min()) if finite.size else float("nan"),
            "max": float(finite.max()) if finite.size else float("nan"),
            "margin_sd": gap / sd if sd > 0 else (float("inf") if gap >= 0 else float("-inf")),
            "errors": int(values.size - finite.size),
            "cpu_seconds_mean": float(np.mean(self.seconds)),
            "steps_mean": float(np.mean([s for s in self.steps if s is not None])) if any(self.steps) else None,
        }


@dataclass
class SpecCalibration:
    check: str
    description: str
    low: float | None
    high: float | None
    graded_seed: int
    runs: list[Runs] = field(default_factory=list)


def find_specs(course_root: Path, assignment: str) -> list[Any]:
    """Every module-level spec of the assignment's public and hidden check files, in file order."""
    specs = []
    for kind in ("public", "hidden"):
        for path in sorted((course_root / "tests" / kind / assignment).glob("test_*.py")):
            module_spec = importlib.util.spec_from_file_location(f"calibrate_{assignment}_{kind}_{path.stem}", path)
            assert module_spec is not None and module_spec.loader is not None
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            specs += [v for v in vars(module).values() if all(hasattr(v, a) for a in ("measure", "with_seed", "check"))]
    return specs


def _measure(job: tuple[Any, str, str, int]) -> tuple[float, int | None, float, bool]:
    """(value, steps, CPU seconds, passed) of one spec on one seed for one implementation tree (in a worker)."""
    import torch

    torch.set_num_threads(1)
    spec, assignment, root, seed = job
    started = time.process_time()
    run = spec.with_seed(seed)
    try:
        measured = run.measure(Implementation(root=Path(root), assignment=assignment).attr(run.module, run.agent))
    except Exception:  # a mutant may crash or return invalid values: that run fails the check
        return float("nan"), None, time.process_time() - started, False
    return measured.value, measured.steps, time.process_time() - started, bool(run.passes(measured.value))


def calibrate(
    course_root: Path,
    assignment: str,
    seeds: list[int],
    mutant_seeds: int,
    workers: int,
    checks: list[str] | None = None,
) -> list[SpecCalibration]:
    """Run every spec (or the ``checks`` named) of ``assignment`` on ``seeds`` for the reference and on the first
    ``mutant_seeds`` of them for each mutant whose ``killed_by`` names the spec's check."""
    specs = [s for s in find_specs(course_root, assignment) if checks is None or s.check in checks]
    overlap = {s.seed for s in specs} & set(seeds)
    if overlap:
        raise ValueError(f"calibration seeds overlap the graded seeds {sorted(overlap)}")
    bank = load_bank(course_root, assignment)
    with tempfile.TemporaryDirectory(prefix=f"calibrate_{assignment}_") as tmp:
        roots = {REFERENCE: str(course_root / "solutions")}
        plan: list[tuple[Any, str, list[int]]] = []
        for spec in specs:
            plan.append((spec, REFERENCE, seeds))
            for mutant in bank:
                if spec.check in mutant.killed_by:
                    if mutant.id not in roots:
                        roots[mutant.id] = str(mutant.build(course_root / "solutions", Path(tmp) / mutant.id))
                    plan.append((spec, mutant.id, seeds[:mutant_seeds]))
        jobs = [(spec, assignment, roots[label], seed) for spec, label, chosen in plan for seed in chosen]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            outcomes = iter(pool.map(_measure, jobs, chunksize=1))
    results: dict[int, SpecCalibration] = {}
    for spec, label, chosen in plan:
        low, high = spec.bounds()
        entry = results.setdefault(id(spec), SpecCalibration(spec.check, spec.describe_run(), low, high, spec.seed))
        runs = Runs(label, list(chosen), [], [], [], [])
        for _ in chosen:
            value, steps, seconds, passed = next(outcomes)
            runs.values.append(value)
            runs.steps.append(steps)
            runs.seconds.append(seconds)
            runs.passed.append(passed)
        entry.runs.append(runs)
    return list(results.values())


def need_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"in [{low:g}, {high:g}]"
    return f"≥ {low:g}" if low is not None else f"≤ {high:g}"


def write_report(assignment: str, calibrations: list[SpecCalibration], out: Path, wall_seconds: float) -> list[Path]:
    """``<assignment>.json`` (every run), ``<assignment>.md`` (tables) and one PNG per check."""
    out.mkdir(parents=True, exist_ok=True)
    data = {"assignment": assignment, "wall_seconds": round(wall_seconds, 1), "checks": []}
    lines = [f"# Calibration of {assignment}", "", f"Generated by `rlgrade calibrate` in {wall_seconds:.0f} s.", ""]
    paths = []
    for cal in calibrations:
        summaries = {r.label: r.summary(cal.low, cal.high) for r in cal.runs}
        data["checks"].append({**asdict(cal), "summaries": summaries})
        seeds = cal.runs[0].seeds
        lines += [
            f"## {cal.check}",
            "",
            f"{cal.description}; passes when the value is {need_text(cal.low, cal.high)}; graded seed "
            f"{cal.graded_seed}; calibration seeds {seeds[0]}–{seeds[-1]}.",
            "",
            "| implementation | pass | mean ± sd | min | max | margin (sd) | errors | CPU s/run | steps/run |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for label, s in summaries.items():
            steps = f"{s['steps_mean']:.0f}" if s["steps_mean"] is not None else "–"
            lines.append(
                f"| {label} | {s['passed']}/{s['runs']} | {s['mean']:.4g} ± {s['sd']:.3g} | {s['min']:.4g} | "
                f"{s['max']:.4g} | {s['margin_sd']:+.1f} | {s['errors']} | {s['cpu_seconds_mean']:.1f} | {steps} |"
            )
        png = out / f"{assignment}-{cal.check}.png"
        plot(cal, png)
        paths.append(png)
        lines += ["", f"![{cal.check}]({png.name})", ""]
    (out / f"{assignment}.json").write_text(json.dumps(data, indent=1, default=float) + "\n", encoding="utf-8")
    (out / f"{assignment}.md").write_text("\n".join(lines), encoding="utf-8")
    return [out / f"{assignment}.md", out / f"{assignment}.json", *paths]


def plot(cal: SpecCalibration, path: Path) -> None:
    """Each implementation's values on a row (reference on top), the pass region shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(cal.runs)))
    for row, runs in enumerate(cal.runs):
        values = np.array(runs.values, dtype=float)
        y = np.full(values.shape, -row) + np.linspace(-0.12, 0.12, len(values))
        colors = ["tab:green" if p else "tab:red" for p in runs.passed]
        ax.scatter(values, y, s=12, c=colors, alpha=0.8)
    if cal.low is not None:
        ax.axvline(cal.low, color="black", lw=1)
    if cal.high is not None:
        ax.axvline(cal.high, color="black", lw=1)
    labels = [r.label + (f" ({n} errors)" if (n := int(np.isnan(r.values).sum())) else "") for r in cal.runs]
    ax.set_yticks([-i for i in range(len(cal.runs))], labels, fontsize=8)
    ax.set_title(f"{cal.check}: pass {need_text(cal.low, cal.high)} (green = pass)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
