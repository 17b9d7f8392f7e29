"""Calibrate the TD-control learning checks of hw02 on seeds the checks never use.

Every ``ControlSpec`` in the hw02 TD check files (public and hidden) is re-run with the reference solution
on ``--seeds`` unseen seeds (a seed changes the training run and the evaluation episodes), and with each
mutant that must fail it (``killed_by`` names the spec's check). For each spec the script prints the
reference's mean ± sd over the seeds, its worst seed, its margin to the threshold in units of that sd, how
many seeds pass, and the same for the mutants. A threshold is sound when the reference passes on every seed
and every listed mutant fails on every seed.

Usage (from the repo root):
    .venv/bin/python scripts/calibrate_hw02_td.py                 # 30 seeds from 1000 (mutants: 10), 2 workers
    .venv/bin/python scripts/calibrate_hw02_td.py --seeds 50 --checks test_q_learning_taxi
    .venv/bin/python scripts/calibrate_hw02_td.py --mutants TD-no-exploration   # also run these mutants
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

from grader.harness.tabular_control import ControlSpec  # noqa: E402
from grader.impl import Implementation  # noqa: E402
from grader.mutants import Mutant, load_bank  # noqa: E402

ASSIGNMENT = "hw02_tabular"
CHECK_FILES = (
    ROOT / "tests" / "public" / ASSIGNMENT / "test_td.py",
    ROOT / "tests" / "hidden" / ASSIGNMENT / "test_td_hidden.py",
)
REFERENCE = "reference"


def load_specs() -> list[tuple[str, ControlSpec]]:
    """(constant name, spec) for every module-level ``ControlSpec`` of the check files, in file order."""
    specs = []
    for path in CHECK_FILES:
        module_spec = importlib.util.spec_from_file_location(f"calibrate_{path.stem}", path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        specs += [(name, value) for name, value in vars(module).items() if isinstance(value, ControlSpec)]
    return specs


_IMPLEMENTATIONS: dict[str, Implementation] = {}


def measure(job: tuple[ControlSpec, str, int]) -> float:
    """The spec's value on ``seed`` for the implementation tree at ``root`` (runs in a worker); nan on error."""
    spec, root, seed = job
    impl = _IMPLEMENTATIONS.get(root)
    if impl is None:
        impl = _IMPLEMENTATIONS[root] = Implementation(root=Path(root), assignment=ASSIGNMENT)
    try:
        return spec.with_seed(seed).run(impl.attr("td", spec.agent)).value
    except Exception:  # a mutant may crash or return a non-finite table: it fails the check
        return float("nan")


def summary(values: np.ndarray, spec: ControlSpec) -> str:
    passed = sum(spec.passes(v) for v in values)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return f"every run raised or returned non-finite values; pass 0/{len(values)}"
    sd = finite.std(ddof=1) if finite.size > 1 else 0.0
    gap = finite.mean() - spec.low
    if spec.high is not None:
        gap = min(gap, spec.high - finite.mean())
    margin = f"{gap / sd:+.1f} sd" if sd > 0 else ("inside" if gap >= 0 else "outside")
    crashed = f", {len(values) - finite.size} runs raised" if finite.size < len(values) else ""
    return (
        f"{finite.mean():.3f} ± {sd:.3f} (min {finite.min():.3f}, max {finite.max():.3f}{crashed}); "
        f"pass {passed}/{len(values)}; mean to nearest bound {margin}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=30, help="number of unseen seeds (default 30)")
    parser.add_argument("--first-seed", type=int, default=1000, help="first unseen seed (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--checks", nargs="*", default=None, help="only these check names")
    parser.add_argument("--mutants", nargs="*", default=(), help="also run these mutant ids on every spec")
    parser.add_argument("--mutant-seeds", type=int, default=10, help="run mutants on the first N seeds (default 10)")
    parser.add_argument("--no-mutants", action="store_true", help="run the reference only")
    args = parser.parse_args()

    specs = [(n, s) for n, s in load_specs() if args.checks is None or s.check in args.checks]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    graded = {s.seed for _, s in specs}
    if graded & set(seeds):
        parser.error(f"calibration seeds overlap the graded seeds {sorted(graded & set(seeds))}")

    bank = load_bank(ROOT, ASSIGNMENT)
    with tempfile.TemporaryDirectory(prefix="calibrate_hw02_td_") as tmp:
        roots = {REFERENCE: str(ROOT / "solutions")}
        plan: dict[str, list[str]] = {}
        for name, spec in specs:
            mutants: list[Mutant] = [
                m for m in bank if not args.no_mutants and (spec.check in m.killed_by or m.id in args.mutants)
            ]
            for m in mutants:
                if m.id not in roots:
                    roots[m.id] = str(m.build(ROOT / "solutions", Path(tmp) / m.id))
            plan[name] = [REFERENCE] + [m.id for m in mutants]
        jobs = [
            (name, label, seed)
            for name, _ in specs
            for label in plan[name]
            for seed in (seeds if label == REFERENCE else seeds[: args.mutant_seeds])
        ]
        by_name = dict(specs)
        started = time.monotonic()
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            values = pool.map(measure, [(by_name[n], roots[label], seed) for n, label, seed in jobs], chunksize=1)
        elapsed = time.monotonic() - started

    results: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (name, label, _), value in zip(jobs, values, strict=True):
        results[name, label].append(value)
    print(f"# hw02 TD-control calibration: {len(seeds)} unseen seeds {seeds[0]}..{seeds[-1]}, {elapsed:.0f} s wall\n")
    for name, spec in specs:
        print(f"## {spec.check} ({name}): {spec.agent} on {spec.env_id}, {spec.metric} {spec.need()}")
        print(
            f"   {spec.episodes} episodes, α {spec.alpha:g}, γ {spec.gamma:g}, ε {spec.eps_start:g}→{spec.eps_end:g} "
            f"over {spec.eps_decay_episodes}, {spec.eval_episodes} eval episodes, graded seed {spec.seed}"
        )
        for label in plan[name]:
            print(f"   {label:36s} {summary(np.array(results[name, label]), spec)}")
        print()


if __name__ == "__main__":
    main()
