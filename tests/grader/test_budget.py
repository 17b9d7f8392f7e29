"""A check's budget is CPU time, and the wall clock tells a busy machine from stuck code (grader/budget.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import by_name, run_cli, write_package

from grader.budget import (
    BUSY_RETRIES,
    STARVED_SHARE,
    Clock,
    CPUTimeExceeded,
    at_wall_limit,
    cpu_limit,
    cpu_limit_message,
)

SPIN = "while True: pass"


def pinned(code: str, cpu: int) -> subprocess.Popen:
    """A Python process running ``code`` on CPU ``cpu`` only; returns once it has started ``code``."""
    ready = f"import os; os.sched_setaffinity(0, {{{cpu}}}); print('ready', flush=True)\n"
    process = subprocess.Popen([sys.executable, "-c", ready + code], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    return process


def test_the_cpu_limit_counts_cpu_time_not_wall_time() -> None:
    with cpu_limit(0.3):
        time.sleep(0.6)  # twice the limit in wall time, no CPU: no verdict
    started = time.process_time()
    with pytest.raises(CPUTimeExceeded), cpu_limit(0.3):
        while True:
            pass
    # the kernel's interval timer and process_time() count CPU time at different granularity (a scheduler tick)
    assert time.process_time() - started >= 0.3 - 0.02


def test_a_starved_process_is_told_from_a_sleeping_one() -> None:
    """A process that competes with three others for one CPU waits ~3/4 of the time; one that sleeps never."""
    cpu = min(os.sched_getaffinity(0))
    hogs = [pinned(SPIN, cpu) for _ in range(3)]
    starved, sleeper = pinned(SPIN, cpu), pinned("import time; time.sleep(60)", cpu)
    try:
        clocks = {"starved": Clock.start(starved.pid), "sleeper": Clock.start(sleeper.pid)}
        time.sleep(1.5)
        shares = {name: clock.waited_share() for name, clock in clocks.items()}
        assert shares["starved"] > max(0.6, STARVED_SHARE) and shares["sleeper"] < 0.05, shares
        # as the grader judges a check at its wall-clock limit: starved (10 CPU s not used), overrun (the limit
        # is half of what it ran), stuck
        ran, _ = clocks["starved"].since()
        assert ran > 0 and at_wall_limit(clocks["starved"], 10.0)[1] and not at_wall_limit(clocks["sleeper"], 10.0)[1]
        assert at_wall_limit(clocks["starved"], ran / 2)[0].startswith("Timed out: the check used up its CPU-time")
    finally:
        for process in [*hogs, starved, sleeper]:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class FixedClock:
    """A check's processes as :func:`at_wall_limit` sees them: CPU seconds run and the share of time waited."""

    ran: float
    share: float
    started: float = 0.0

    def since(self) -> tuple[float, float]:
        return self.ran, self.share * self.ran

    def waited_share(self) -> float:
        return self.share


def test_a_sandboxed_check_overruns_only_when_both_sides_used_their_limits() -> None:
    """Sandboxed, the grader's side of a 5 s check has 5 s and the child 7 s: a hang whose child ran 6 of its 7 s
    by the wall-clock limit of a busy machine is not graded (it was told "used up its limit of 5 s" under load
    20); in-process the same 6 s are over the limit; both sides' 12 s are an overrun, told with the child's 7 s."""
    busy_child = FixedClock(ran=6.0, share=0.8)
    assert at_wall_limit(busy_child, 5.0) == (cpu_limit_message(5.0), False)
    message, busy = at_wall_limit(busy_child, 5.0, sandboxed=True)
    assert busy and message.startswith("Not graded: the machine was too busy"), message
    assert at_wall_limit(FixedClock(ran=12.0, share=0.1), 5.0, sandboxed=True) == (cpu_limit_message(7.0), False)


STARVED_CHECK = '''
import os

import pytest


@pytest.mark.points(1)
@pytest.mark.timeout(1)
def test_starved(impl):
    """Spins on the CPU where the test keeps twenty other processes spinning."""
    with open(os.environ["RLGRADE_TEST_RUNS"], "a") as runs:
        runs.write("run\\n")
    os.sched_setaffinity(0, {int(os.environ["RLGRADE_TEST_CPU"])})
    while True:  # 1/21 of a CPU: the wall-clock limit, 15 s, comes long before 1 s of CPU time
        pass
'''


@pytest.mark.timeout(900)
def test_a_check_starved_by_a_busy_machine_is_graded_again_then_not_graded(fake_course: Path, tmp_path: Path) -> None:
    """Never the student's 0: the check is run 1 + BUSY_RETRIES times, then reported as not graded (exit 2). The
    busy processes are not the check's own (each in its own session, as other jobs on the machine would be)."""
    write_package(fake_course / "tests" / "public" / "hw99_demo", {"test_starved.py": STARVED_CHECK})
    runs = tmp_path / "runs.txt"
    out = tmp_path / "out"
    cpu = min(os.sched_getaffinity(0))
    spin = [sys.executable, "-c", f"import os; os.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"]
    hogs = [subprocess.Popen(spin, start_new_session=True) for _ in range(20)]
    try:
        proc = run_cli(
            "grade", "solutions", "--out", str(out), "--course", str(fake_course), "--no-sandbox",
            env={"RLGRADE_TEST_RUNS": str(runs), "RLGRADE_TEST_CPU": str(cpu)},
        )  # fmt: skip
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "not graded, the machine was too busy" in proc.stderr
    result = by_name(json.loads((out / "results.json").read_text()))["test_starved"]
    assert result["score"] == 0 and result["output"].startswith("Not graded: the machine was too busy"), result
    assert runs.read_text().count("run") == 1 + BUSY_RETRIES
    assert "NOT GRADED" in proc.stdout
