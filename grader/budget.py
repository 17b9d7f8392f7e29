"""A check's budget is CPU time; the wall clock only catches a stuck check (design P7: no verdict depends on
how busy the machine is).

A check's ``@pytest.mark.timeout(T)`` is a CPU-time limit, the same in both modes:

* the process running the check may spend ``T`` CPU seconds on it (:func:`cpu_limit`, with ``ITIMER_PROF``):
  in-process that is the student's code and the harness; sandboxed, the grader's own side;
* sandboxed, the child running the student's code gets ``T + CHILD_START_SECONDS`` (``RLIMIT_CPU``).

The wall clock allows ``WALL_FACTOR × (T + CHILD_START_SECONDS)`` (pytest-timeout inside the check's process,
the grader's kill from outside), which a check reaches only when it is stuck or starved. When it fires,
:func:`at_wall_limit` reads the kernel's ``schedstat`` of the check's processes: if they used the check's CPU
time, the code overran its budget (with the timer's signal blocked); else if they waited for a CPU more than
half the time, the machine was too busy — the check is graded again, and if that keeps happening it is
reported as not graded, never as the student's 0; otherwise the code was stuck (sleeping, blocked, waiting for
input) and fails.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WALL_FACTOR = 5.0
CHILD_START_SECONDS = 2  # the sandboxed child's CPU limit is the check's plus this (its start-up)
STARVED_SHARE = 0.5  # waited for a CPU more than this share of the wall time: the machine was too busy
BUSY_RETRIES = 2  # a starved check is graded again this many times before it is reported as not graded


class CPUTimeExceeded(Exception):
    """The check's process used up the check's CPU-time limit."""


@contextlib.contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`CPUTimeExceeded` in the main thread once this process has used ``seconds`` more CPU time
    (user + system, all threads), and again every second after that (code that swallows it does not escape)."""
    if seconds <= 0 or not hasattr(signal, "ITIMER_PROF"):  # Windows: the wall clock is the only limit
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CPUTimeExceeded(f"used up the check's CPU-time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def wall_limit(cpu_seconds: float) -> float:
    """The wall-clock limit of a check with ``cpu_seconds`` of CPU time (its child's limit, times the factor)."""
    return (cpu_seconds + CHILD_START_SECONDS) * WALL_FACTOR


@dataclass(frozen=True)
class Clock:
    """When a check started, and the CPU time of the processes below ``root`` by then (run, waited)."""

    root: int
    started: float
    times: dict[int, tuple[int, int]]  # per process: nanoseconds run on a CPU, and runnable but waiting for one

    @classmethod
    def start(cls, root: int) -> Clock:
        return cls(root, time.monotonic(), tree_times(root))

    def since(self) -> tuple[float, float]:
        """CPU seconds run, and seconds waited for a CPU, by the processes below ``root`` (alive now) since the
        start; each process counted on its own, so two starved processes can wait longer than the wall time."""
        now = tree_times(self.root)
        ran = sum(run - self.times.get(pid, (0, 0))[0] for pid, (run, _) in now.items())
        waited = sum(wait - self.times.get(pid, (0, 0))[1] for pid, (_, wait) in now.items())
        return ran / 1e9, waited / 1e9

    def waited_share(self) -> float:
        """The share of the wall time since the start that the check's processes waited for a CPU."""
        elapsed = time.monotonic() - self.started
        return self.since()[1] / elapsed if elapsed > 0 else 0.0


def at_wall_limit(clock: Clock, cpu_seconds: float, sandboxed: bool = False) -> tuple[str, bool]:
    """Why a check reached its wall-clock limit, in a student's words, and whether the machine was too busy (then
    the check has no verdict): it used its CPU time (the timer's signal was blocked), it was starved of CPU
    (waited more than :data:`STARVED_SHARE` of the time), or it was stuck. ``sandboxed``: the check's processes
    are the grader's side (``cpu_seconds``) and the child running the student's code (``cpu_seconds`` +
    :data:`CHILD_START_SECONDS`), each held to its own limit, so only both budgets together are an overrun (a
    child that ran 6 of its 7 s on a busy machine did not use up its time, and is told so by its own limit)."""
    ran, _ = clock.since()
    child_seconds = cpu_seconds + CHILD_START_SECONDS
    if ran >= (cpu_seconds + child_seconds if sandboxed else cpu_seconds):
        return cpu_limit_message(child_seconds if sandboxed else cpu_seconds), False
    if clock.waited_share() > STARVED_SHARE:
        return starved_message(clock, cpu_seconds), True
    return stuck_message(cpu_seconds), False


def tree_times(root: int) -> dict[int, tuple[int, int]]:
    """Per process of the tree below ``root`` (``root`` included), the nanoseconds its threads have run and
    waited on a run queue (``/proc/<pid>/task/*/schedstat``); empty where the kernel does not say."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(frontier)
    times = {}
    for pid in tree:
        run = wait = 0
        with contextlib.suppress(OSError, ValueError, IndexError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                fields = (task / "schedstat").read_text().split()
                run, wait = run + int(fields[0]), wait + int(fields[1])
        times[pid] = (run, wait)
    return times


def starved_message(clock: Clock, cpu_seconds: float) -> str:
    wall = time.monotonic() - clock.started
    return (
        f"Not graded: the machine was too busy. The check ran {wall:.0f} s of wall time (its limit is "
        f"{wall_limit(cpu_seconds):g} s for {cpu_seconds:g} s of CPU time), and its processes spent "
        f"{clock.waited_share():.0%} of it waiting for a CPU. This is not your code's fault; grade it again."
    )


def cpu_limit_message(cpu_seconds: float) -> str:
    return (
        f"Timed out: the check used up its CPU-time limit of {cpu_seconds:g} s (an endless loop, or far slower "
        "than the reference)."
    )


def stuck_message(cpu_seconds: float) -> str:
    return (
        f"Timed out: the check did not finish within {wall_limit(cpu_seconds):g} s of wall time (for a CPU-time "
        f"limit of {cpu_seconds:g} s), and not for lack of CPU: your code is stuck (waiting in "
        "sleep, input(), a lock or a blocked read, or looping with the grader's timer signals blocked)."
    )
