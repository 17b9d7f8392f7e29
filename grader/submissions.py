"""Submissions: unpacking and grading one, and grading a whole class into one gradebook (resumable).

A batch folder holds one entry per student: a folder (their repo or its ``assignments/``) or a ``.zip``; the
entry's name (without ``.zip``) is the student's name. Each submission is graded exactly as ``rlgrade grade``
does (in its own pytest process, sandboxed with ``sandbox=True``) into ``<out>/<student>/``. A student whose
``report.md`` exists is skipped, so an interrupted batch resumes where it stopped. ``<out>/gradebook.csv`` has
one row per student: name, assignment, points, maximum, then the points of every check.
"""

from __future__ import annotations

import csv
import json
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader import report
from grader.results import CheckResult
from grader.runner import GradingError, assignment_dirs, run_checks
from grader.sandbox.isolation import describe_isolation


@dataclass(frozen=True)
class Job:
    student: str
    submission: Path
    out: Path


def submissions_in(folder: Path) -> list[Job]:
    """One job per folder or ``.zip`` in ``folder`` (hidden entries skipped), sorted by student name."""
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder of submissions")
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "_")) and (p.is_dir() or p.suffix == ".zip")]
    return [Job(p.name.removesuffix(".zip"), p, Path()) for p in sorted(entries)]


def unpack_submission(submission: str, work_dir: Path) -> str:
    """A zip is extracted into ``work_dir`` (refusing paths that escape it); folders are used in place.
    The words ``solutions`` and ``assignments`` name the course's own trees (write ``./solutions`` for a
    folder of that name elsewhere)."""
    if submission in ("solutions", "assignments"):
        return submission
    path = Path(submission)
    if not path.exists():
        raise GradingError(f"submission {submission} does not exist")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise GradingError(f"submission {submission} is neither a folder nor a zip file")
        target = (work_dir / "submission").resolve()
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                if not (target / member).resolve().is_relative_to(target):
                    raise GradingError(f"zip member {member!r} would be written outside the submission folder")
            zf.extractall(target)
        entries = [p for p in target.iterdir() if not p.name.startswith("__MACOSX")]
        single_wrapper = len(entries) == 1 and entries[0].is_dir() and not entries[0].name.startswith("hw")
        path = entries[0] if single_wrapper else target
    return str(path.resolve())


def grade_submission(
    course: Path,
    submission: str,
    hw: str | None,
    hidden: bool,
    out: Path,
    sandbox: bool,
    step_summary: bool = True,
    show_progress: bool = False,
) -> list[CheckResult]:
    """Grade one submission (a folder, a zip, ``solutions`` or ``assignments``) and write its reports to ``out``;
    ``show_progress`` draws a progress bar of the checks (with the one running) on stderr."""
    from tqdm import tqdm

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, tqdm(unit="check", disable=not show_progress, leave=False) as bar:

        def progress(done: int, total: int, running: str | None) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(running.rsplit("::", 1)[-1] if running else "", refresh=True)

        impl = unpack_submission(submission, Path(tmp))
        dirs = assignment_dirs(course, hw, hidden)
        options = ["--curves-dir", str(out / "curves"), *(["--sandbox"] if sandbox else [])]
        results = run_checks(course, impl, dirs, out / "work", options, progress)
    line = describe_isolation(course) if sandbox else ""
    report.write_all(results, out, time.monotonic() - started, step_summary, isolation=line)
    return results


def grade_batch(
    course: Path,
    folder: Path,
    out: Path,
    hw: str | None,
    hidden: bool,
    workers: int,
    sandbox: bool,
) -> tuple[list[Job], list[Job], list[Job]]:
    """Grade every submission of ``folder`` not graded yet; returns the jobs graded now, those skipped as
    already graded, and those that could not be graded (their ``error.txt`` says why; retried next time)."""
    jobs = [Job(j.student, j.submission, out / j.student) for j in submissions_in(folder)]
    skipped = [j for j in jobs if (j.out / "report.md").is_file()]
    todo = [j for j in jobs if j not in skipped]
    failed: list[Job] = []
    from tqdm import tqdm

    with ThreadPoolExecutor(max(1, workers)) as pool, tqdm(total=len(todo), unit="submission") as bar:
        running = {
            pool.submit(grade_submission, course, str(j.submission), hw, hidden, j.out, sandbox, False): j for j in todo
        }
        try:
            for done in as_completed(running):
                job = running[done]
                try:
                    busy = [r.name for r in done.result() if r.busy]
                    if busy:  # no verdict on these checks: the submission is graded again on the next run
                        for report_file in ("report.md", "results.json"):
                            (job.out / report_file).unlink(missing_ok=True)
                        raise GradingError(f"not graded, the machine was too busy: {', '.join(busy)}")
                except GradingError as err:  # this submission cannot be graded (e.g. a zip escaping its folder)
                    job.out.mkdir(parents=True, exist_ok=True)
                    (job.out / "error.txt").write_text(str(err) + "\n", encoding="utf-8")
                    failed.append(job)
                bar.set_postfix_str(job.student)
                bar.update()
        except KeyboardInterrupt:  # stop: drop the queued gradings, let the running ones finish, keep the book
            for future in running:
                future.cancel()
            bar.write("interrupted: finishing the gradings in progress; run the same command again to resume")
            pool.shutdown(wait=True)
            write_gradebook(jobs, out / "gradebook.csv")
            raise
    write_gradebook(jobs, out / "gradebook.csv")
    return [j for j in todo if j not in failed], skipped, failed


def collect_gradebook(out: Path) -> Path:
    """``<out>/gradebook.csv`` from the student folders already in ``out`` (e.g. reports of a CI matrix)."""
    graded = [p for p in sorted(out.iterdir()) if (p / "results.json").is_file() or (p / "error.txt").is_file()]
    if not graded:
        raise GradingError(f"no graded submissions (folders with results.json) in {out}")
    write_gradebook([Job(p.name, Path(), p) for p in graded], out / "gradebook.csv")
    return out / "gradebook.csv"


def write_gradebook(jobs: list[Job], path: Path) -> None:
    """One row per student from their ``results.json``: points, maximum and every check's points."""
    rows, checks = [], []
    for job in jobs:
        results = job.out / "results.json"
        if not results.is_file():
            error = (job.out / "error.txt").read_text().strip() if (job.out / "error.txt").is_file() else "not graded"
            rows.append({"student": job.student, "error": error})
            continue
        data = json.loads(results.read_text(encoding="utf-8"))
        row = {"student": job.student, "points": data["score"], "max_points": data["extra_data"]["max_score"]}
        assignments = sorted({t["name"].split(" · ", 1)[0] for t in data["tests"]})
        row["assignment"] = " ".join(assignments)
        for test in data["tests"]:
            check = test["name"].split(":", 1)[0]  # "<assignment> · <check>"
            row[check] = test["score"]
            if check not in checks:
                checks.append(check)
        rows.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["student", "assignment", "points", "max_points", *checks, "error"], restval="")
        writer.writeheader()
        writer.writerows(rows)
