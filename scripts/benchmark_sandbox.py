"""How much the sandbox costs: grade the reference of some assignments in-process and sandboxed; print times.

For each assignment, runs its public and hidden checks against ``solutions/`` once in debug mode (student code
imported into pytest) and once sandboxed (a confined child per check, forked by the run's zygote), serially,
and prints the wall times, their ratio and the points of each run (both must be full marks). A benchmark, not
a test: the numbers depend on the machine and its load.

Usage (from the repo root):
    .venv/bin/python scripts/benchmark_sandbox.py                 # every assignment
    .venv/bin/python scripts/benchmark_sandbox.py hw01 hw02
    .venv/bin/python scripts/benchmark_sandbox.py hw02 --checks 5 # and the 5 checks the sandbox slows most
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


def grade(hw: str, sandbox: bool, out: Path) -> tuple[float, float, float, dict[str, float]]:
    """(seconds, points, max points, seconds per check) of one grading run of the reference."""
    command = [sys.executable, "-m", "grader.cli", "grade", "solutions", "--hw", hw, "--hidden", "--out", str(out)]
    started = time.monotonic()
    subprocess.run([*command, "--sandbox" if sandbox else "--no-sandbox"], cwd=ROOT, capture_output=True, check=True)
    seconds = time.monotonic() - started
    results = json.loads((out / "results.json").read_text())
    checks = {t["name"]: t["extra_data"]["execution_time"] for t in results["tests"]}
    return seconds, results["score"], results["extra_data"]["max_score"], checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignment prefixes (default: all)")
    parser.add_argument("--checks", type=int, default=0, help="also list the N checks with the most added time")
    args = parser.parse_args()
    assignments = args.assignments or sorted(p.name.split("_")[0] for p in (ROOT / "solutions").glob("hw*"))
    print(f"{'assignment':12s} {'debug s':>9s} {'sandbox s':>10s} {'ratio':>6s}  points debug / sandbox")
    with tempfile.TemporaryDirectory() as tmp:
        for hw in assignments:
            debug = grade(hw, False, Path(tmp) / f"{hw}-debug")
            boxed = grade(hw, True, Path(tmp) / f"{hw}-sandbox")
            print(
                f"{hw:12s} {debug[0]:9.1f} {boxed[0]:10.1f} {boxed[0] / debug[0]:6.2f}  "
                f"{debug[1]:g}/{debug[2]:g} / {boxed[1]:g}/{boxed[2]:g}",
                flush=True,
            )
            added = sorted(debug[3], key=lambda name: debug[3][name] - boxed[3].get(name, 0.0))
            for name in added[: args.checks]:
                print(f"    {debug[3][name]:7.2f} s {boxed[3].get(name, float('nan')):7.2f} s  {name[:90]}")


if __name__ == "__main__":
    main()
