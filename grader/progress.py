"""Progress of a grading on stderr: a live bar in a terminal, plain lines in logs (CI, Gradescope, files).

A bar redrawn with carriage returns turns into one endless line in a log, so when stderr is not a terminal
the grader prints one line per event instead: each check as it starts (one grading), each submission as it
starts and ends plus a line at most every ``HEARTBEAT_SECONDS`` (a batch). What is printed never changes a
verdict; the times shown are wall-clock times for the reader only.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

#: A batch that is not on a terminal says where it is at least this often (seconds), between its events.
HEARTBEAT_SECONDS = 60.0


def check_name(nodeid: str | None) -> str:
    return nodeid.rsplit("::", 1)[-1] if nodeid else ""


def plural(count: int, word: str) -> str:
    """``1 worker``, ``2 workers``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


class CheckProgress:
    """Progress of one grading, called as ``progress(done, total, running check)`` by the runner."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = None
        self.last: str | None = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit="check", leave=False, file=self.stream)

    def __call__(self, done: int, total: int, running: str | None) -> None:
        if self.bar is not None:
            self.bar.total, self.bar.n = total, done
            self.bar.set_postfix_str(check_name(running), refresh=True)
        elif running and running != self.last:
            print(f"rlgrade: check {done + 1}/{total}: {check_name(running)}", file=self.stream, flush=True)
        self.last = running

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class BatchProgress:
    """Progress of a batch: checks done over every submission, and who is being graded now.

    Each submission of a batch runs the same checks, so once one has collected its ``n`` checks the batch
    has ``n`` × submissions to grade. Gradings run in threads; every method may be called from any of them."""

    def __init__(self, submissions: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.submissions = submissions
        self.lock = threading.Lock()
        self.done: dict[str, int] = {}  # checks graded per student
        self.per_submission = 0  # checks of one submission (0 until a grading has collected them)
        self.running: dict[str, str] = {}  # student -> the check running now ("" while starting)
        self.finished = 0
        self.last_line = time.monotonic()
        self.bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit="check", file=self.stream, total=0)

    def counters(self) -> str:
        """``checks 37/128 · 1 of 4 submissions done``."""
        total = self.per_submission * self.submissions
        return (
            f"checks {sum(self.done.values())}/{total or '?'} · {self.finished} of {self.submissions} submissions done"
        )

    def now(self) -> str:
        """``grading alice (test_ucb), bob`` (a student without a check name is still starting)."""
        names = ", ".join(f"{s} ({c})" if c else s for s, c in sorted(self.running.items()))
        return f"grading {names}" if names else ""

    def status(self) -> str:
        return " · ".join(part for part in (self.counters(), self.now()) if part)

    def _show(self, event: str = "") -> None:
        """Redraw the bar (and write ``event`` above it), or print ``event`` or a heartbeat as a plain line."""
        if self.bar is not None:
            self.bar.total = self.per_submission * self.submissions or None
            self.bar.n = sum(self.done.values())
            self.bar.set_postfix_str(self.status().split(" · ", 1)[1], refresh=True)
            if event:
                self.bar.write(event)
        elif event or time.monotonic() - self.last_line >= HEARTBEAT_SECONDS:
            print(f"rlgrade: [{self.counters()}] {event or self.now()}", file=self.stream, flush=True)
            self.last_line = time.monotonic()

    def started(self, student: str) -> None:
        with self.lock:
            self.running[student] = ""
            self.done[student] = 0
            self._show(f"grading {student}")

    def for_student(self, student: str):
        """The ``progress(done, total, running)`` callback of one student's grading."""

        def progress(done: int, total: int, running: str | None) -> None:
            with self.lock:
                self.per_submission = max(self.per_submission, total)
                self.done[student] = done
                if student in self.running:
                    self.running[student] = check_name(running)
                self._show()

        return progress

    def ended(self, student: str, outcome: str) -> None:
        with self.lock:
            self.running.pop(student, None)
            self.finished += 1
            self.done[student] = max(self.done.get(student, 0), self.per_submission)
            self._show(f"{student}: {outcome}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
