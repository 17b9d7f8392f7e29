"""Does a verdict depend on how busy the machine is? Grade the reference idle and under load; compare.

For each assignment, grades the reference (public + hidden checks) in-process and sandboxed, first on the idle
machine, then again while ``2 × nproc`` busy processes (started and stopped by this script) compete for every
core. Every check's verdict and message must be the same under load as idle, and the reference must get every
point. Prints the times and the points of each run and every difference; exits 1 on any. A script, not a test:
it loads the whole machine for several minutes.

Usage (from the repo root):
    .venv/bin/python scripts/grade_under_load.py              # every assignment
    .venv/bin/python scripts/grade_under_load.py hw02 --busy 8
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.release import assignment_names  # noqa: E402
from grader.results import CheckResult  # noqa: E402
from grader.runner import assignment_dirs, run_checks  # noqa: E402

MODES = {"in-process": [], "sandboxed": ["--sandbox"]}


@contextlib.contextmanager
def busy_machine(processes: int) -> Iterator[None]:
    """``processes`` processes that spin on the CPU until the block ends, each in a session of its own (as
    independent jobs are: with the kernel's autogroup scheduling, a session shares the CPU as one task)."""
    spin = [sys.executable, "-c", "while True: pass"]
    hogs = [subprocess.Popen(spin, start_new_session=True) for _ in range(processes)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def grade(assignment: str, extra: list[str], work: Path) -> tuple[float, list[CheckResult]]:
    started = time.monotonic()
    results = run_checks(ROOT, "solutions", assignment_dirs(ROOT, assignment, hidden=True), work, extra)
    return time.monotonic() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignment folders or prefixes (default: all)")
    parser.add_argument("--busy", type=int, default=2 * (os.cpu_count() or 1), help="busy processes (2 × nproc)")
    args = parser.parse_args()
    names = assignment_names(ROOT)
    chosen = [n for n in names if not args.assignments or any(n.startswith(a) for a in args.assignments)]
    problems = 0
    print(f"{'assignment':22s} {'mode':11s} {'idle s':>7s} {'busy s':>7s}  points idle / busy  ({args.busy} busy)")
    with tempfile.TemporaryDirectory() as tmp:
        for assignment in chosen:
            for mode, extra in MODES.items():
                idle_s, idle = grade(assignment, extra, Path(tmp) / f"{assignment}-{mode}-idle")
                with busy_machine(args.busy):
                    busy_s, busy = grade(assignment, extra, Path(tmp) / f"{assignment}-{mode}-busy")
                points = [f"{sum(r.points for r in rs):g}/{sum(r.max_points for r in rs):g}" for rs in (idle, busy)]
                print(f"{assignment:22s} {mode:11s} {idle_s:7.1f} {busy_s:7.1f}  {points[0]} / {points[1]}", flush=True)
                before = {r.name: (r.passed, r.message) for r in idle}
                for r in busy:
                    if not r.passed or before.get(r.name) != (r.passed, r.message):
                        problems += 1
                        print(f"  {r.name}: idle {before.get(r.name)} / busy {(r.passed, r.message)}")
                for r in idle:
                    if not r.passed:
                        problems += 1
                        print(f"  {r.name}: the reference failed on the idle machine: {r.message}")
    print(f"{problems} difference(s) or lost point(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
