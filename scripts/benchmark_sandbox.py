"""How much the sandbox costs: grade the reference of some assignments in-process and sandboxed; print times.

For each assignment, runs its public and hidden checks against ``solutions/`` once in debug mode (student code
imported into pytest) and once sandboxed (a confined child per check, forked by the run's zygote), serially,
and prints the wall times, their ratio and the points of each run (both must be full marks). A benchmark, not
a test: the numbers depend on the machine and its load.

Usage (from the repo root):
    .venv/bin/python scripts/benchmark_sandbox.py                 # hw02 and hw04
    .venv/bin/python scripts/benchmark_sandbox.py hw01 hw02
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def grade(hw: str, sandbox: bool, out: Path) -> tuple[float, float, float]:
    """(seconds, points, max points) of one grading run of the reference."""
    command = [sys.executable, "-m", "grader.cli", "grade", "solutions", "--hw", hw, "--hidden", "--out", str(out)]
    started = time.monotonic()
    subprocess.run([*command, "--sandbox" if sandbox else "--no-sandbox"], cwd=ROOT, capture_output=True, check=True)
    seconds = time.monotonic() - started
    results = json.loads((out / "results.json").read_text())
    return seconds, results["score"], results["extra_data"]["max_score"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=["hw02", "hw04"], help="assignment prefixes")
    args = parser.parse_args()
    print(f"{'assignment':12s} {'debug s':>9s} {'sandbox s':>10s} {'ratio':>6s}  points debug / sandbox")
    with tempfile.TemporaryDirectory() as tmp:
        for hw in args.assignments:
            debug = grade(hw, False, Path(tmp) / f"{hw}-debug")
            boxed = grade(hw, True, Path(tmp) / f"{hw}-sandbox")
            print(
                f"{hw:12s} {debug[0]:9.1f} {boxed[0]:10.1f} {boxed[0] / debug[0]:6.2f}  "
                f"{debug[1]:g}/{debug[2]:g} / {boxed[1]:g}/{boxed[2]:g}"
            )


if __name__ == "__main__":
    main()
