"""Calibrate the bandit learning checks of hw01 on seeds the checks never use.

Every ``LearningSpec`` in the hw01 check files (public and hidden) is re-run with the reference solution
on ``--seeds`` unseen seeds, and with each mutant that must fail it (``killed_by`` names the spec's check).
For each spec the script prints the reference's mean ± sd over the seeds, its worst seed, its margin to
the threshold in units of that sd, how many seeds pass, and the same for the mutants. A threshold is
sound when the reference passes on every seed with a margin of at least 3 sd and every mutant fails on
every seed.

Usage (from the repo root):
    .venv/bin/python scripts/calibrate_bandits.py                 # 30 seeds from 1000, 2 workers
    .venv/bin/python scripts/calibrate_bandits.py --seeds 50 --checks test_ucb_learns_gaussian
    .venv/bin/python scripts/calibrate_bandits.py --all-mutants   # every mutant on every spec (slow)
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.harness.bandits import LearningSpec  # noqa: E402
from grader.impl import Implementation  # noqa: E402
from grader.mutants import Mutant, load_bank  # noqa: E402

ASSIGNMENT = "hw01_env_bandits"
CHECK_FILES = (
    ROOT / "tests" / "public" / ASSIGNMENT / "test_bandits.py",
    ROOT / "tests" / "hidden" / ASSIGNMENT / "test_bandits_hidden.py",
)
REFERENCE = "reference"


def load_specs() -> list[tuple[str, LearningSpec]]:
    """(constant name, spec) for every module-level ``LearningSpec`` of the check files, in file order."""
    specs = []
    for path in CHECK_FILES:
        module_spec = importlib.util.spec_from_file_location(f"calibrate_{path.stem}", path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        specs += [(name, value) for name, value in vars(module).items() if isinstance(value, LearningSpec)]
    return specs


_IMPLEMENTATIONS: dict[str, Implementation] = {}


def measure(job: tuple[LearningSpec, str, int]) -> float:
    """Value of the spec's metric on ``seed`` for the implementation tree at ``root`` (runs in a worker)."""
    spec, root, seed = job
    impl = _IMPLEMENTATIONS.get(root)
    if impl is None:
        impl = _IMPLEMENTATIONS[root] = Implementation(root=Path(root), assignment=ASSIGNMENT)
    run = spec.with_seed(seed)
    return run.value(run.run(impl.attr("bandits", spec.agent)))


def summary(values: np.ndarray, spec: LearningSpec) -> str:
    passed = sum(spec.passes(v) for v in values)
    worst = values.max() if spec.goal == "below" else values.min()
    sd = values.std(ddof=1)
    margin = (spec.threshold - values.mean()) / sd if sd > 0 else float("inf")
    margin = margin if spec.goal == "below" else -margin
    return (
        f"{values.mean():.3f} ± {sd:.3f} (min {values.min():.3f}, max {values.max():.3f}, worst {worst:.3f}); "
        f"pass {passed}/{len(values)}; mean is {margin:+.1f} sd from the threshold"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=30, help="number of unseen seeds (default 30)")
    parser.add_argument("--first-seed", type=int, default=1000, help="first unseen seed (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--checks", nargs="*", default=None, help="only these check names")
    parser.add_argument("--all-mutants", action="store_true", help="run every mutant on every spec")
    parser.add_argument("--mutants", nargs="*", default=(), help="also run these mutant ids on every spec")
    args = parser.parse_args()

    specs = [(n, s) for n, s in load_specs() if args.checks is None or s.check in args.checks]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    graded = {s.seed for _, s in specs}
    if graded & set(seeds):
        parser.error(f"calibration seeds overlap the graded seeds {sorted(graded & set(seeds))}")

    bank = load_bank(ROOT, ASSIGNMENT)
    with tempfile.TemporaryDirectory(prefix="calibrate_bandits_") as tmp:
        roots = {REFERENCE: str(ROOT / "solutions")}
        plan: dict[str, list[str]] = {}
        for name, spec in specs:
            mutants: list[Mutant] = [
                m for m in bank if args.all_mutants or spec.check in m.killed_by or m.id in args.mutants
            ]
            for m in mutants:
                if m.id not in roots:
                    roots[m.id] = str(m.build(ROOT / "solutions", Path(tmp) / m.id))
            plan[name] = [REFERENCE] + [m.id for m in mutants]
        jobs = [(name, label, seed) for name, _ in specs for label in plan[name] for seed in seeds]
        by_name = dict(specs)
        started = time.monotonic()
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            values = pool.map(measure, [(by_name[n], roots[label], seed) for n, label, seed in jobs], chunksize=1)
        elapsed = time.monotonic() - started

    results: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (name, label, _), value in zip(jobs, values, strict=True):
        results[name, label].append(value)
    print(f"# Bandit calibration: {len(seeds)} unseen seeds {seeds[0]}..{seeds[-1]}, {elapsed:.0f} s wall\n")
    for name, spec in specs:
        need = "<" if spec.goal == "below" else "≥"
        print(f"## {spec.check} ({name}): {spec.agent_label()}, {spec.metric} {need} {spec.threshold:g}")
        print(
            f"   {spec.testbed}, {spec.n_arms} arms, shift {spec.mean_shift:g}, {spec.runs}x{spec.steps}, "
            f"graded seed {spec.seed}"
        )
        for label in plan[name]:
            print(f"   {label:32s} {summary(np.array(results[name, label]), spec)}")
        print()
    print_check_verdicts(specs, plan, results)


def print_check_verdicts(
    specs: list[tuple[str, LearningSpec]], plan: dict[str, list[str]], results: dict[tuple[str, str], list[float]]
) -> None:
    """For checks made of several specs: on how many seeds each implementation passes the whole check."""
    by_check: dict[str, list[str]] = defaultdict(list)
    for name, spec in specs:
        by_check[spec.check].append(name)
    spec_of = dict(specs)
    for check, names in by_check.items():
        if len(names) < 2:
            continue
        print(f"## {check}: whole check (passes only when all of {', '.join(names)} pass)")
        labels = [label for label in plan[names[0]] if all(label in plan[n] for n in names)]
        for label in labels:
            passes = [
                all(spec_of[n].passes(v) for n, v in zip(names, seed_values, strict=True))
                for seed_values in zip(*(results[n, label] for n in names), strict=True)
            ]
            print(f"   {label:32s} passes on {sum(passes)}/{len(passes)} seeds")
        print()


if __name__ == "__main__":
    main()
