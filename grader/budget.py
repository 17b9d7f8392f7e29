"""A check's budget is CPU time; the wall clock only catches a stuck check (design P7: no verdict depends on
how busy the machine is).

A check's ``@pytest.mark.timeout(T)`` is a CPU-time limit, the same in both modes:

* the process running the check may spend ``T`` CPU seconds on it (:func:`cpu_limit`, with ``ITIMER_PROF``):
  in-process that is the student's code and the harness; sandboxed, the grader's own side;
* sandboxed, the child running the student's code gets ``T + CHILD_START_SECONDS`` (``RLIMIT_CPU``).

The wall clock allows ``WALL_FACTOR × T`` (pytest-timeout inside the check's process, the grader's kill from
outside), which a check reaches only when it is stuck or starved. When it fires, :func:`was_starved` looks at
how long the check's processes waited for a CPU (the kernel's ``schedstat``): more than half the time means the
machine was too busy — the check is graded again, and if that keeps happening it is reported as not graded,
never as the student's 0 — otherwise the code was stuck (sleeping, blocked, waiting for input) and fails.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WALL_FACTOR = 5.0
CHILD_START_SECONDS = 10  # the sandboxed child's CPU limit is the check's plus this (its start-up)
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
    return cpu_seconds * WALL_FACTOR


@dataclass(frozen=True)
class Clock:
    """When a check started, and how long the processes below ``root`` had waited for a CPU by then."""

    root: int
    started: float
    waited: dict[int, int]  # per process: nanoseconds spent runnable but waiting for a CPU

    @classmethod
    def start(cls, root: int) -> Clock:
        return cls(root, time.monotonic(), tree_wait(root))

    def waited_share(self) -> float:
        """The share of the wall time since the start that the processes below ``root`` waited for a CPU (of
        processes alive now; each process counted on its own, so two starved processes can exceed 1)."""
        elapsed = time.monotonic() - self.started
        now = tree_wait(self.root)
        waited = sum(ns - self.waited.get(pid, 0) for pid, ns in now.items())
        return waited / 1e9 / elapsed if elapsed > 0 else 0.0


def was_starved(clock: Clock) -> bool:
    """Whether the check's processes spent more than :data:`STARVED_SHARE` of its wall time waiting for a CPU."""
    return clock.waited_share() > STARVED_SHARE


def tree_wait(root: int) -> dict[int, int]:
    """Per process of the tree below ``root`` (``root`` included), the nanoseconds its threads have waited on
    a run queue (``/proc/<pid>/task/*/schedstat``, second field); empty where the kernel does not say."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(frontier)
    waited = {}
    for pid in tree:
        total = 0
        with contextlib.suppress(OSError, ValueError, IndexError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                total += int((task / "schedstat").read_text().split()[1])
        waited[pid] = total
    return waited


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
        f"Timed out: the check did not finish within {wall_limit(cpu_seconds):g} s of wall time ({WALL_FACTOR:g} × "
        f"its CPU-time limit of {cpu_seconds:g} s), and not for lack of CPU: your code is stuck (waiting in "
        "sleep, input(), a lock or a blocked read, or looping with the grader's timer signals blocked)."
    )
