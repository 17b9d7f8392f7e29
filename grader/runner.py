"""One grading run: pytest in a child process, watched from outside, restarted after a crash.

The checks run in a separate pytest process that streams one record per check to a file. This process
watches it: a check that overruns its wall-clock limit (even one that ignores signals) has its process group
killed, a check during which the process died (``os._exit``, segfault, memory) gets 0 with a message,
and pytest is started again on the checks not graded yet. So every collected check ends with a verdict
and a report is always written (design P6). A check that reached its wall-clock limit because the machine was
too busy (:mod:`grader.budget`) is graded again, up to ``BUSY_RETRIES`` times, then reported as not graded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.budget import BUSY_RETRIES, Clock, at_wall_limit, wall_limit
from grader.launcher import LAUNCHER, Run
from grader.results import CheckResult, read_records, result_from_record
from grader.sandbox.zygote import preloads

#: Seconds a check may overrun its wall-clock limit (pytest-timeout's) before the grader kills the process.
KILL_GRACE = 10.0
POLL_INTERVAL = 0.1


class GradingError(RuntimeError):
    """The grader itself could not grade (bad course layout, checks that do not collect, ...)."""


@dataclass
class _Watch:
    """What the records file says about the current pytest process."""

    collected: dict[str, dict]
    results: dict[str, CheckResult]
    current: str | None


def assignment_dirs(course_root: Path, selector: str | None, hidden: bool) -> list[Path]:
    """The check folders to run: ``tests/public/<hw>`` (and ``tests/hidden/<hw>``) for every assignment
    whose folder name starts with ``selector`` (all assignments when ``selector`` is None)."""
    public = course_root / "tests" / "public"
    names = sorted(p.name for p in public.glob("hw*") if p.is_dir())
    if selector:
        names = [n for n in names if n == selector or n.startswith(selector + "_")]
        if not names:
            raise GradingError(f"no assignment matches {selector!r} in {public}")
    dirs = [public / n for n in names]
    if hidden:
        for name in names:
            hidden_dir = course_root / "tests" / "hidden" / name
            if not hidden_dir.is_dir():
                raise GradingError(f"--hidden: hidden checks for {name} not found at {hidden_dir}")
            dirs.append(hidden_dir)
    return dirs


def _pytest_args(course_root: Path, impl: str, records: Path, targets: list[str], extra: list[str]) -> list[str]:
    return [
        *targets,
        "--impl", impl, "--rlgrade-records", str(records),
        "--rootdir", str(course_root), "-c", str(course_root / "pyproject.toml"),
        "-p", "no:cacheprovider", "-q", "--no-header", "-rN", "--color=no", *extra,
    ]  # fmt: skip


def _read_watch(records: Path) -> _Watch:
    collected: dict[str, dict] = {}
    results: dict[str, CheckResult] = {}
    current = None
    for rec in read_records(records):
        if rec["kind"] == "collected":
            collected[rec["nodeid"]] = rec
        elif rec["kind"] == "started":
            current = rec["nodeid"]
        elif rec["kind"] == "result":
            results[rec["nodeid"]] = result_from_record(rec)
            if current == rec["nodeid"]:
                current = None
    return _Watch(collected, results, current)


def _kill_group(proc: Run) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _lost_check(nodeid: str, collected: dict, why: str, busy: bool = False) -> CheckResult:
    """A 0-point verdict for a check whose pytest process was killed or died while it ran (``busy``: not graded,
    the machine was too busy)."""
    path, _, name = nodeid.partition("::")
    parts = Path(path).parts
    return CheckResult(
        nodeid=nodeid,
        assignment=parts[-2],
        name=name,
        title=collected.get(nodeid, {}).get("title", ""),
        visibility=parts[-3],
        max_points=float(collected[nodeid]["points"]),
        passed=False,
        message=why,
        duration=wall_limit(float(collected[nodeid].get("cpu_seconds", 0.0))),
        busy=busy,
        part=collected[nodeid].get("part", ""),
        best_k=int(collected[nodeid].get("best_k", 0)),
    )


#: progress(done, total, running check) — called when a check starts or ends
Progress = Callable[[int, int, "str | None"], None]


def run_checks(
    course_root: Path,
    impl: str,
    test_dirs: list[Path],
    work_dir: Path,
    extra_args: list[str] | None = None,
    progress: Progress | None = None,
) -> list[CheckResult]:
    """Run the checks in ``test_dirs`` against ``impl`` and return one result per collected check,
    in collection order. ``work_dir`` receives the records and the pytest log; ``progress(done, total,
    running)`` is called whenever a check starts or ends."""
    work_dir.mkdir(parents=True, exist_ok=True)
    work_dir.chmod(0o700)  # the records and the log are the grader's alone (a sandboxed check runs as another uid)
    records = work_dir / "records.jsonl"
    records.unlink(missing_ok=True)
    log = work_dir / "pytest.log"
    targets = [str(d) for d in test_dirs]
    collected: dict[str, dict] = {}
    results: dict[str, CheckResult] = {}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)  # the report is the grader's to write, not pytest's
    busy_runs: dict[str, int] = {}
    while True:
        graded_before = len(results)
        with log.open("a", encoding="utf-8") as log_fh:
            args = _pytest_args(course_root, impl, records, targets, extra_args or [])
            preload = preloads([course_root / t.split("::")[0] for t in targets])
            proc = LAUNCHER.launch(args, course_root, env, log_fh.fileno(), preload)
            lost = _watch(proc, records, "--sandbox" in (extra_args or []), progress, len(results))
        watch = _read_watch(records)
        collected.update(watch.collected)
        results.update(watch.results)
        if lost is None and watch.current is not None:
            lost = (
                watch.current,
                f"The test process died during this check (exit code {proc.returncode}): "
                "your code may have called os._exit/sys.exit, crashed the interpreter or used too much memory.",
            )
        if lost is not None:
            results[lost[0]] = _lost_check(lost[0], collected, *lost[1:])
        retry = [n for n, r in results.items() if r.busy and busy_runs.get(n, 0) < BUSY_RETRIES]
        for nodeid in retry:  # the machine was too busy to grade it: grade it again
            busy_runs[nodeid] = busy_runs.get(nodeid, 0) + 1
            del results[nodeid]
        if not collected:
            raise GradingError(
                f"pytest collected no checks (exit code {proc.returncode}); see {log}:\n"
                + log.read_text(encoding="utf-8")[-3000:]
            )
        if proc.returncode not in (0, 1) and lost is None:
            raise GradingError(
                f"pytest failed with exit code {proc.returncode}; see {log}:\n"
                + log.read_text(encoding="utf-8")[-3000:]
            )
        remaining = [n for n in collected if n not in results]
        if not remaining:
            return [results[n] for n in collected]
        if len(results) == graded_before and not retry:
            raise GradingError(f"pytest stopped without grading any of {len(remaining)} checks; see {log}")
        targets = remaining
        records.unlink()


def _watch(
    proc: Run,
    records: Path,
    sandboxed: bool,
    progress: Progress | None = None,
    graded_before: int = 0,
) -> tuple[str, str, bool] | None:
    """Wait for ``proc``; kill it when the running check overruns its wall-clock limit by ``KILL_GRACE``.
    Returns (nodeid, message, machine too busy) for a check the grader had to kill, else None."""
    current, clock, size = None, Clock.start(proc.pid), -1
    limits: dict[str, float] = {}
    while proc.poll() is None:
        time.sleep(POLL_INTERVAL)
        if records.exists() and records.stat().st_size != size:
            size = records.stat().st_size
            watch = _read_watch(records)
            if watch.current != current:
                current, clock = watch.current, Clock.start(proc.pid)
            limits = {n: float(r.get("cpu_seconds") or 0) for n, r in watch.collected.items()}
            if progress is not None and watch.collected:
                progress(graded_before + len(watch.results), graded_before + len(watch.collected), current)
        if current is None:
            continue
        cpu_seconds = limits.get(current, 0.0)
        if cpu_seconds and time.monotonic() - clock.started > wall_limit(cpu_seconds) + KILL_GRACE:
            message, busy = at_wall_limit(clock, cpu_seconds, sandboxed)
            _kill_group(proc)
            return current, message, busy
    return None
