"""How far can a learning check be trusted? Re-run it on seeds it never uses, for the reference and the mutants.

Every learning check of the course declares its run as a module-level *spec* in its check file (bandits'
``LearningSpec``, hw02's ``ControlSpec`` and ``MCControlSpec``, the deep-RL ``DeepSpec``). A spec has a
``check`` name, the ``module`` and ``agent`` it trains, a ``seed``, and answers ``with_seed(seed)``,
``measure(agent_cls) -> Measurement``, ``passes(value)`` and ``bounds() -> (low, high)``. A check may use
several specs and passes when all of them pass. ``rlgrade calibrate`` finds the specs of an assignment and runs
each on unseen seeds with the reference and with every mutant whose ``killed_by`` names the check; it also runs,
on the same seeds as the reference, every correct *variant* of ``tests/variants/<assignment>/`` (another weight
initialisation, float32 tables, …; :class:`grader.mutants.Variant`) on the checks it names: calibration covers
implementations as well as seeds. A threshold is sound when the reference and every variant pass on (nearly)
every seed and each listed mutant fails on every seed. This module measures; :mod:`grader.calibration_report`
writes the report.

Two estimates of how often a check gives the wrong verdict (a fail for the reference, a pass for a mutant):

* normal approximation: fit N(mean, sd²) to the measured values and take its mass on the wrong side of the
  threshold: Φ(−margin) for a reference, with margin = (mean − low) / sd or (high − mean) / sd;
* exact: the one-sided 95 % Clopper–Pearson upper bound on the rate of the wrong verdicts observed, the p with
  P(Binomial(n, p) ≤ k) = 0.05 (1 − 0.05^(1/n) when k = 0).

A spec whose run stops at its first passing evaluation (:func:`early_stop_budget`) passes with a value just
above the threshold, so its margin is measured on the env steps it needed to pass against its budget B:
margin = (B − mean steps) / sd over the runs that passed (a failed run did not reach the threshold within B).
The reference's estimate uses that margin; a mutant's uses the value, which for a failed run is the best
evaluation of the whole budget.
"""

from __future__ import annotations

import importlib.util
import math
import multiprocessing
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.impl import Implementation
from grader.mutants import load_bank, load_variants

REFERENCE = "reference"
CONFIDENCE = 0.95  # of the exact upper bound


@dataclass(frozen=True)
class Measurement:
    """What one run of a spec measured: the checked value and the environment steps (or episodes) it used."""

    value: float
    steps: int | None = None


def early_stop_budget(spec: Any) -> int | None:
    """The env-step budget of a spec whose run stops at its first passing evaluation, else ``None``.

    Such a spec (a ``DeepSpec``) declares ``semantics == "best"`` and its budget ``steps``; its measured
    steps are those used up to the evaluation that passed, or the whole budget when none did."""
    return spec.steps if getattr(spec, "semantics", None) == "best" else None


def normal_cdf(x: float) -> float:
    """Φ(x) of the standard normal distribution (Φ(−∞) = 0, Φ(+∞) = 1)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_verdict(mean: float, sd: float, low: float | None, high: float | None) -> tuple[float, float, float]:
    """(margin in sd, P(pass), P(fail)) of X ~ N(mean, sd²) for the pass region ``low <= X <= high``.

    With z_low = (mean − low) / sd and z_high = (high − mean) / sd (+∞ for a missing bound): margin =
    min(z_low, z_high), P(fail) = Φ(−z_low) + Φ(−z_high) and P(pass) = Φ(min z) − Φ(−max z) (the form that
    keeps a tiny probability exact). sd = 0 is a point mass; a nan mean (no finite value: every run failed)
    gives (−∞, 0, 1).
    """
    if not math.isfinite(mean):
        return -math.inf, 0.0, 1.0
    gaps = [g for g in (None if low is None else mean - low, None if high is None else high - mean) if g is not None]
    if sd == 0:
        inside = min(gaps) >= 0
        return (math.inf if inside else -math.inf), float(inside), float(not inside)
    z_low = math.inf if low is None else (mean - low) / sd
    z_high = math.inf if high is None else (high - mean) / sd
    z_min, z_max = min(z_low, z_high), max(z_low, z_high)
    return z_min, normal_cdf(z_min) - normal_cdf(-z_max), normal_cdf(-z_low) + normal_cdf(-z_high)


def upper_bound(k: int, n: int, confidence: float = CONFIDENCE) -> float:
    """Exact (Clopper–Pearson) one-sided upper confidence bound on a rate after ``k`` events in ``n`` trials:
    the p with P(Binomial(n, p) ≤ k) = 1 − confidence (bisection; 1 − (1 − confidence)^(1/n) for k = 0)."""
    if k >= n:
        return 1.0
    lo, hi = k / n, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        cdf = sum(math.comb(n, i) * mid**i * (1 - mid) ** (n - i) for i in range(k + 1))
        lo, hi = (mid, hi) if cdf > 1 - confidence else (lo, mid)
    return hi


def stats(values: list[float]) -> dict[str, float]:
    """Mean, sd (ddof 1; 0 for one value), min and max of the finite ``values``; nan when there are none."""
    finite = np.array(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return dict.fromkeys(("mean", "sd", "min", "max"), math.nan)
    sd = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    return {"mean": float(finite.mean()), "sd": sd, "min": float(finite.min()), "max": float(finite.max())}


@dataclass
class Runs:
    """One implementation (the reference or a mutant) of one spec, on the calibration seeds."""

    label: str
    seeds: list[int]
    values: list[float]  # nan where the run raised or returned invalid values
    steps: list[int | None]
    seconds: list[float]  # CPU seconds per run
    passed: list[bool]
    variant: bool = False  # a correct variant of the reference (expected to pass, like the reference)

    @property
    def expect_pass(self) -> bool:
        return self.label == REFERENCE or self.variant

    def summary(self, low: float | None, high: float | None, budget: int | None) -> dict[str, Any]:
        """Pass count, statistics and margin of the value, the steps to pass (``budget``: the run stops at its
        first passing evaluation) and both estimates of the wrong-verdict rate (module docstring)."""
        value = stats(self.values)
        margin, p_pass, p_fail = normal_verdict(value["mean"], value["sd"], low, high)
        steps_to_pass, estimate_from = None, "value"
        if budget is not None:
            reached = stats([float(s) for s, ok in zip(self.steps, self.passed, strict=True) if ok])
            steps_margin, _, steps_fail = normal_verdict(reached["mean"], reached["sd"], None, budget)
            steps_to_pass = {"budget": budget, "reached": int(sum(self.passed)), **reached, "margin_sd": steps_margin}
            if self.expect_pass:
                p_fail, estimate_from = steps_fail, "steps_to_pass"
        wrong = sum(passed != self.expect_pass for passed in self.passed)
        used = [s for s in self.steps if s is not None]
        return {
            "runs": len(self.passed),
            "passed": int(sum(self.passed)),
            "pass_rate": float(np.mean(self.passed)),
            **value,
            "margin_sd": margin,
            "steps_to_pass": steps_to_pass,
            "expected_verdict": "pass" if self.expect_pass else "fail",
            "wrong_verdicts": wrong,
            "estimate_from": estimate_from,
            "wrong_rate_normal": p_fail if self.expect_pass else p_pass,
            "wrong_rate_upper95": upper_bound(wrong, len(self.passed)),
            "errors": int(np.sum(~np.isfinite(np.array(self.values, dtype=float)))),
            "cpu_seconds_mean": float(np.mean(self.seconds)),
            "steps_mean": float(np.mean(used)) if used else None,
        }


def estimate_margin(summary: dict[str, Any]) -> float:
    """The margin (sd) the normal estimate of a :meth:`Runs.summary` comes from: the value's or the steps'."""
    return (
        summary["steps_to_pass"]["margin_sd"] if summary["estimate_from"] == "steps_to_pass" else summary["margin_sd"]
    )


@dataclass
class SpecCalibration:
    """One spec on the calibration seeds: what it runs, its pass region, and every implementation's runs."""

    description: str
    low: float | None
    high: float | None
    graded_seed: int
    budget: int | None  # early_stop_budget(spec)
    runs: list[Runs] = field(default_factory=list)

    def summaries(self) -> dict[str, dict[str, Any]]:
        return {r.label: r.summary(self.low, self.high, self.budget) for r in self.runs}


@dataclass
class CheckCalibration:
    """One learning check: its specs (it passes on a seed when every one of them passes there)."""

    check: str
    specs: list[SpecCalibration] = field(default_factory=list)

    def verdicts(self) -> dict[str, dict[str, Any]]:
        """Per implementation, the check's own verdicts over the seeds: passes, wrong verdicts, the exact upper
        bound on their rate, the smallest margin its specs' estimates come from (:func:`estimate_margin`) and the
        normal estimate: for the reference the sum of its specs' estimates of a fail (the union bound), for a
        mutant the smallest of its specs' estimates of a pass (every spec must pass)."""
        per_spec = [spec.summaries() for spec in self.specs]
        verdicts = {}
        for first in self.specs[0].runs:
            label = first.label
            passed = np.logical_and.reduce([next(r for r in s.runs if r.label == label).passed for s in self.specs])
            wrong = int(np.sum(passed != first.expect_pass))
            estimates = [s[label]["wrong_rate_normal"] for s in per_spec]
            verdicts[label] = {
                "expect_pass": first.expect_pass,
                "runs": len(passed),
                "passed": int(passed.sum()),
                "pass_rate": float(passed.mean()),
                "margin_sd": min(estimate_margin(s[label]) for s in per_spec),
                "wrong_verdicts": wrong,
                "wrong_rate_normal": min(1.0, sum(estimates)) if first.expect_pass else min(estimates),
                "wrong_rate_upper95": upper_bound(wrong, len(passed)),
            }
        return verdicts


#: What :func:`calibrate` and its report use of a learning check's spec.
SPEC_PROTOCOL = ("check", "seed", "module", "agent", "with_seed", "measure", "passes", "bounds", "describe_run")


def check_modules(course_root: Path, assignment: str) -> list[ModuleType]:
    """The assignment's public and hidden check files, imported (outside pytest), in file order."""
    modules = []
    for kind in ("public", "hidden"):
        for path in sorted((course_root / "tests" / kind / assignment).glob("test_*.py")):
            module_spec = importlib.util.spec_from_file_location(f"calibrate_{assignment}_{kind}_{path.stem}", path)
            assert module_spec is not None and module_spec.loader is not None
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            modules.append(module)
    return modules


def is_spec(value: object) -> bool:
    """A learning check's spec (:data:`SPEC_PROTOCOL`), told by the attributes only specs have."""
    return all(hasattr(value, a) for a in ("measure", "with_seed", "check"))


def find_specs(course_root: Path, assignment: str) -> list[Any]:
    """Every module-level spec of the assignment's public and hidden check files, in file order."""
    return [v for module in check_modules(course_root, assignment) for v in vars(module).values() if is_spec(v)]


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
) -> list[CheckCalibration]:
    """Run every spec (or those of the ``checks`` named) of ``assignment`` on ``seeds`` for the reference and
    each correct variant whose ``calibrated_on`` names the spec's check, and on the first ``mutant_seeds`` of them
    for each mutant whose ``killed_by`` names it."""
    specs = [s for s in find_specs(course_root, assignment) if checks is None or s.check in checks]
    incomplete = {f"{s.check} ({type(s).__name__}): {m}" for s in specs for m in SPEC_PROTOCOL if not hasattr(s, m)}
    if incomplete:  # found before hours of runs, not after
        raise ValueError(f"specs without the calibration protocol: {sorted(incomplete)}")
    overlap = {s.seed for s in specs} & set(seeds)
    if overlap:
        raise ValueError(f"calibration seeds overlap the graded seeds {sorted(overlap)}")
    bank = load_bank(course_root, assignment)
    variants = load_variants(course_root, assignment)
    with tempfile.TemporaryDirectory(prefix=f"calibrate_{assignment}_") as tmp:
        roots = {REFERENCE: str(course_root / "solutions")}
        plan: list[tuple[Any, str, list[int]]] = []
        for spec in specs:
            plan.append((spec, REFERENCE, seeds))
            for variant in variants:
                if spec.check in variant.calibrated_on:
                    if variant.id not in roots:
                        roots[variant.id] = str(variant.build(course_root / "solutions", Path(tmp) / variant.id))
                    plan.append((spec, variant.id, seeds))
            for mutant in bank:
                if spec.check in mutant.killed_by and mutant_seeds > 0:
                    if mutant.id not in roots:
                        roots[mutant.id] = str(mutant.build(course_root / "solutions", Path(tmp) / mutant.id))
                    plan.append((spec, mutant.id, seeds[:mutant_seeds]))
        jobs = [(spec, assignment, roots[label], seed) for spec, label, chosen in plan for seed in chosen]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            outcomes = iter(pool.map(_measure, jobs, chunksize=1))
    results: dict[str, CheckCalibration] = {}
    calibrations: dict[int, SpecCalibration] = {}
    for spec, label, chosen in plan:
        if id(spec) not in calibrations:
            low, high = spec.bounds()
            calibrations[id(spec)] = SpecCalibration(spec.describe_run(), low, high, spec.seed, early_stop_budget(spec))
            results.setdefault(spec.check, CheckCalibration(spec.check)).specs.append(calibrations[id(spec)])
        runs = Runs(label, list(chosen), [], [], [], [], variant=any(v.id == label for v in variants))
        for _ in chosen:
            value, steps, seconds, passed = next(outcomes)
            runs.values.append(value)
            runs.steps.append(steps)
            runs.seconds.append(seconds)
            runs.passed.append(passed)
        calibrations[id(spec)].runs.append(runs)
    return list(results.values())


def unsound(checks: list[CheckCalibration], min_pass_rate: float) -> list[str]:
    """One line per check whose reference or a correct variant passes on fewer than ``min_pass_rate`` of the
    seeds, or which a listed mutant passes on some seed (a seed passes when every spec of the check passes)."""
    return [
        f"{c.check}: {label} passes {v['passed']}/{v['runs']}"
        for c in checks
        for label, v in c.verdicts().items()
        if (v["pass_rate"] < min_pass_rate if v["expect_pass"] else v["passed"] > 0)
    ]
