"""Calibrate the Monte Carlo control learning checks of hw02 on seeds the checks never use.

Every ``MCControlSpec`` in the hw02 MC check files (public and hidden) is re-run with the reference solution on
``--seeds`` unseen training seeds (the evaluation seed stays the check's), and with each mutant whose
``killed_by`` names the spec's check. For each spec the script prints the mean ± sd of the greedy policy's
mean return, the worst seed, the margin to the threshold in units of that sd and how many seeds pass. A
threshold is sound when the reference passes on every seed with a margin of at least 3 sd and every listed
mutant fails on every seed.

Usage (from the repo root):
    .venv/bin/python scripts/calibrate_hw02_mc.py                  # 30 seeds from 1000, 2 workers
    .venv/bin/python scripts/calibrate_hw02_mc.py --seeds 10 --mutant MC5-epsilon-not-applied
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.harness.tabular_models import MCControlSpec  # noqa: E402
from grader.impl import Implementation  # noqa: E402
from grader.mutants import load_bank  # noqa: E402

ASSIGNMENT = "hw02_tabular"
CHECK_FILES = (
    ROOT / "tests" / "public" / ASSIGNMENT / "test_mc.py",
    ROOT / "tests" / "hidden" / ASSIGNMENT / "test_mc_hidden.py",
)


def load_specs() -> list[MCControlSpec]:
    """Every module-level ``MCControlSpec`` of the check files, in file order."""
    specs = []
    for path in CHECK_FILES:
        module_spec = importlib.util.spec_from_file_location(f"calibrate_{path.stem}", path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        specs += [value for value in vars(module).values() if isinstance(value, MCControlSpec)]
    return specs


def measure(job: tuple[MCControlSpec, str, int]) -> float:
    """The spec's metric on ``seed`` for the implementation tree at ``root`` (runs in a worker)."""
    spec, root, seed = job
    impl = Implementation(root=Path(root), assignment=ASSIGNMENT)
    return spec.with_seed(seed).value(impl.attr("mc", "MCControlAgent"))


def summary(values: np.ndarray, spec: MCControlSpec) -> str:
    sd = values.std(ddof=1)
    margin = (values.mean() - spec.threshold) / sd if sd > 0 else float("inf")
    passed = int(np.sum(values >= spec.threshold))
    return (
        f"{values.mean():.4f} ± {sd:.4f} (min {values.min():.4f}, max {values.max():.4f}); "
        f"pass {passed}/{len(values)}; mean is {margin:+.1f} sd from the threshold {spec.threshold:g}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mutant", action="append", default=[], help="only these mutant ids (repeatable)")
    parser.add_argument("--episodes", type=int, help="try another training budget than the checks'")
    parser.add_argument("--check", action="append", default=[], help="only these checks (repeatable)")
    args = parser.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    bank = [m for m in load_bank(ROOT, ASSIGNMENT) if m.file == "mc.py"]
    with tempfile.TemporaryDirectory() as tmp, multiprocessing.Pool(args.workers) as pool:
        built: dict[str, str] = {}
        for spec in load_specs():
            if args.check and spec.check not in args.check:
                continue
            spec = replace(spec, episodes=args.episodes or spec.episodes)
            trees = {"reference": str(ROOT / "solutions")}
            for mutant in bank:
                if spec.check in mutant.killed_by and (not args.mutant or mutant.id in args.mutant):
                    if mutant.id not in built:
                        built[mutant.id] = str(mutant.build(ROOT / "solutions", Path(tmp) / mutant.id))
                    trees[mutant.id] = built[mutant.id]
            print(f"{spec.check}: ε = {spec.epsilon}, {spec.episodes} episodes, threshold {spec.threshold:g}")
            for name, root in trees.items():
                start = time.perf_counter()
                values = np.array(pool.map(measure, [(spec, root, seed) for seed in seeds]))
                print(f"  {name:32s} {summary(values, spec)}  [{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
