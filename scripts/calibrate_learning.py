"""Calibrate the deep-RL learning checks (every ``DeepSpec``) of one assignment on seeds the checks never use.

Every module-level ``DeepSpec`` of ``tests/public/<assignment>/*.py`` and ``tests/hidden/<assignment>/*.py`` is
re-run with the reference solution on ``--seeds`` unseen seeds (a seed changes the agent's initialisation,
the training env and the evaluation episodes), and with each mutant of the bank whose ``killed_by`` names
the spec's check. Per spec it prints the reference's mean ± sd, worst seed, margin to the threshold in sd,
how many seeds pass, the env steps used and the seconds per run; then the same for the mutants. A threshold
is sound when the reference passes on every seed and every listed mutant fails on every seed.

Usage (from the repo root):
    .venv/bin/python scripts/calibrate_learning.py hw04_dqn                      # 30 seeds from 1000, 2 workers
    .venv/bin/python scripts/calibrate_learning.py hw03_policy --checks test_reinforce_cartpole --seeds 10
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
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.harness.deep_control import DeepSpec  # noqa: E402
from grader.impl import Implementation  # noqa: E402
from grader.mutants import load_bank  # noqa: E402

REFERENCE = "reference"


def load_specs(assignment: str) -> list[DeepSpec]:
    """Every module-level ``DeepSpec`` of the assignment's public and hidden check files, in file order."""
    specs = []
    for kind in ("public", "hidden"):
        for path in sorted((ROOT / "tests" / kind / assignment).glob("test_*.py")):
            module_spec = importlib.util.spec_from_file_location(f"calibrate_{kind}_{path.stem}", path)
            assert module_spec is not None and module_spec.loader is not None
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            specs += [value for value in vars(module).values() if isinstance(value, DeepSpec)]
    return specs


def measure(job: tuple[DeepSpec, str, str, int]) -> tuple[float, int, float]:
    """(value, env steps used, seconds) of the spec on ``seed`` for one implementation tree; nan on error."""
    spec, assignment, root, seed = job
    torch.set_num_threads(1)
    started = time.process_time()
    impl = Implementation(root=Path(root), assignment=assignment)
    try:
        result = spec.with_seed(seed).run(impl.attr(spec.module, spec.agent))
        return result.value, result.train_steps, time.process_time() - started
    except Exception:  # a mutant may crash or return invalid actions: it fails the check
        return float("nan"), 0, time.process_time() - started


def summary(runs: list[tuple[float, int, float]], spec: DeepSpec) -> str:
    values = np.array([v for v, _, _ in runs])
    passed = sum(spec.passes(v) for v in values)
    finite = values[np.isfinite(values)]
    steps = np.mean([s for _, s, _ in runs])
    seconds = [t for _, _, t in runs]
    if finite.size == 0:
        return f"every run raised or returned invalid values; pass 0/{len(values)}"
    sd = finite.std(ddof=1) if finite.size > 1 else 0.0
    gap = finite.mean() - spec.low
    margin = f"{gap / sd:+.1f} sd" if sd > 0 else ("inside" if gap >= 0 else "outside")
    crashed = f", {len(values) - finite.size} runs raised" if finite.size < len(values) else ""
    return (
        f"{finite.mean():.1f} ± {sd:.1f} (min {finite.min():.1f}, max {finite.max():.1f}{crashed}); "
        f"pass {passed}/{len(values)}; margin {margin}; steps used {steps:.0f} on average; "
        f"CPU s per run {np.mean(seconds):.1f} (max {max(seconds):.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment", help="e.g. hw04_dqn")
    parser.add_argument("--seeds", type=int, default=30, help="number of unseen seeds (default 30)")
    parser.add_argument("--first-seed", type=int, default=1000, help="first unseen seed (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--checks", nargs="*", default=None, help="only these check names")
    parser.add_argument("--mutant-seeds", type=int, default=10, help="run mutants on the first N seeds (default 10)")
    parser.add_argument("--no-mutants", action="store_true", help="run the reference only")
    args = parser.parse_args()

    specs = [s for s in load_specs(args.assignment) if args.checks is None or s.check in args.checks]
    if not specs:
        parser.error(f"no DeepSpec found for {args.assignment} (checks {args.checks})")
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    graded = {s.seed for s in specs} & set(seeds)
    if graded:
        parser.error(f"calibration seeds overlap the graded seeds {sorted(graded)}")

    bank = [] if args.no_mutants else load_bank(ROOT, args.assignment)
    with tempfile.TemporaryDirectory(prefix=f"calibrate_{args.assignment}_") as tmp:
        roots = {REFERENCE: str(ROOT / "solutions")}
        plan: dict[str, list[str]] = {}
        for spec in specs:
            labels = [REFERENCE]
            for mutant in bank:
                if spec.check in mutant.killed_by:
                    if mutant.id not in roots:
                        roots[mutant.id] = str(mutant.build(ROOT / "solutions", Path(tmp) / mutant.id))
                    labels.append(mutant.id)
            plan[spec.check] = labels
        jobs = [
            (spec, label, seed)
            for spec in specs
            for label in plan[spec.check]
            for seed in (seeds if label == REFERENCE else seeds[: args.mutant_seeds])
        ]
        started = time.monotonic()
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            runs = pool.map(
                measure, [(spec, args.assignment, roots[label], seed) for spec, label, seed in jobs], chunksize=1
            )
        elapsed = time.monotonic() - started

    results: dict[tuple[str, str], list[tuple[float, int, float]]] = defaultdict(list)
    for (spec, label, _), run in zip(jobs, runs, strict=True):
        results[spec.check, label].append(run)
    print(f"# {args.assignment} calibration: {len(seeds)} unseen seeds {seeds[0]}..{seeds[-1]}, {elapsed:.0f} s wall\n")
    for spec in specs:
        every = f", evaluated every {spec.eval_every}" if spec.semantics == "best" else ""
        print(f"## {spec.check}: {spec.agent} on {spec.env_id} {spec.env_kwargs or ''}")
        print(
            f"   {spec.semantics} mean return over {spec.eval_episodes} episodes ≥ {spec.low:g}; budget {spec.steps} "
            f"env steps{every}; hparams {spec.hparams}; graded seed {spec.seed}"
        )
        for label in plan[spec.check]:
            print(f"   {label:36s} {summary(results[spec.check, label], spec)}")
        print()


if __name__ == "__main__":
    main()
