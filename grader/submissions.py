"""Submissions: unpacking and grading one, and grading a whole class into one gradebook (resumable).

A submission is a folder or a ``.zip`` of any shape a student uploads (:mod:`grader.locate` finds the code of
each assignment in it). A batch folder holds one entry per student: a folder or a ``.zip``, whose name
(without ``.zip``) is the student's name. Each submission is graded exactly as ``rlgrade grade`` does (in its
own pytest process, sandboxed with ``sandbox=True``) into ``<out>/<student>/``. A student whose ``report.md``
exists is skipped, so an interrupted batch resumes where it stopped. ``<out>/gradebook.csv`` has one row per
student: name, assignment, points, maximum, then the points of every check; a submission that could not be
graded has 0 points and the reason in the ``error`` column.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import report
from grader.locate import SubmissionError, locate
from grader.progress import BatchProgress
from grader.project import LIBRARY, TEAM_FILE, team_of
from grader.results import CheckResult
from grader.runner import GradingError, Progress, assignment_dirs, run_checks
from grader.sandbox.isolation import describe_isolation


@dataclass(frozen=True)
class Job:
    student: str
    submission: Path
    out: Path


@dataclass
class Grading:
    """The verdicts on one submission, and what the grader did with its shape (which folder it graded)."""

    results: list[CheckResult]
    notes: list[str]


def submissions_in(folder: Path) -> list[Job]:
    """One job per folder or ``.zip`` in ``folder`` (hidden entries skipped), sorted by student name."""
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder of submissions")
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "_")) and (p.is_dir() or p.suffix == ".zip")]
    if not entries:
        raise GradingError(f"no submissions in {folder}: expected one folder or .zip file per student")
    return [Job(p.name.removesuffix(".zip"), p, Path()) for p in sorted(entries)]


def unpack_submission(submission: Path, work_dir: Path) -> Path:
    """The folder to search for the student's code: a zip is extracted into ``work_dir`` (refusing paths that
    escape it), a folder is used in place."""
    if not submission.exists():
        raise GradingError(f"submission {submission} does not exist")
    if submission.is_dir():
        return submission.resolve()
    if not zipfile.is_zipfile(submission):
        raise SubmissionError(f"submission {submission.name} is neither a folder nor a zip file")
    target = (work_dir / "submission").resolve()
    with zipfile.ZipFile(submission) as zf:
        for member in zf.namelist():
            if not (target / member).resolve().is_relative_to(target):
                raise SubmissionError(f"zip member {member!r} would be written outside the submission folder")
        zf.extractall(target)
    return target


def implementation_of(course: Path, submission: str, assignments: list[str], work_dir: Path) -> tuple[str, list[str]]:
    """The ``--impl`` to grade and notes on what was graded. The words ``solutions`` and ``assignments`` name the
    course's own trees (write ``./solutions`` for a folder of that name elsewhere); anything else is a
    submission, whose code of each assignment is found and copied into ``work_dir``."""
    if submission in ("solutions", "assignments"):
        return submission, []
    top = unpack_submission(Path(submission), work_dir)
    located = locate(top, assignments, course / "assignments", work_dir / "impl")
    return str(located.root), located.notes


def open_to_the_sandbox(folder: Path) -> None:
    """The sandbox runs the copied code as another user (``nobody``): it may enter ``folder`` (not list it) and
    read everything below (not change it). Symlinks are left alone (never followed)."""
    folder.chmod(0o711)
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)


def grade_submission(
    course: Path,
    submission: str,
    hw: str | None,
    hidden: bool,
    out: Path,
    sandbox: bool,
    step_summary: bool = True,
    progress: Progress | None = None,
) -> Grading:
    """Grade one submission (a folder, a zip, ``solutions`` or ``assignments``) and write its reports to ``out``;
    ``progress(done, total, running)`` hears of every check that starts or ends."""
    started = time.monotonic()
    dirs = assignment_dirs(course, hw, hidden)
    with tempfile.TemporaryDirectory() as tmp:
        impl, notes = implementation_of(course, submission, sorted({d.name for d in dirs}), Path(tmp))
        if sandbox:
            open_to_the_sandbox(Path(tmp))
        options = ["--curves-dir", str(out / "curves"), *(["--sandbox"] if sandbox else [])]
        results = run_checks(course, impl, dirs, out / "work", options, progress)
        team = team_of(Path(impl) / LIBRARY) if impl not in ("solutions", "assignments") else []
    if team:  # a team project: the gradebook credits every member (write_gradebook)
        (out / TEAM_FILE).write_text("".join(f"{member}\n" for member in team), encoding="utf-8")
    line = describe_isolation(course) if sandbox else ""
    report.write_all(results, out, time.monotonic() - started, step_summary, notes, isolation=line)
    return Grading(results, notes)


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
    already graded, and those that could not be graded (their ``error.txt`` says why; retried next time).
    Progress on stderr: checks done over the whole batch and the students being graded now."""
    jobs = [Job(j.student, j.submission, out / j.student) for j in submissions_in(folder)]
    skipped = [j for j in jobs if (j.out / "report.md").is_file()]
    todo = [j for j in jobs if j not in skipped]
    failed: list[Job] = []
    progress = BatchProgress(len(todo))

    def grade_one(job: Job) -> None:
        """Grade one submission; a submission that cannot be graded gets ``error.txt`` (and is retried next time)."""
        progress.started(job.student)
        (job.out / "error.txt").unlink(missing_ok=True)
        try:
            grading = grade_submission(
                course, str(job.submission), hw, hidden, job.out, sandbox, False, progress.for_student(job.student)
            )
            busy = [r.name for r in grading.results if r.busy]
            if busy:  # no verdict on these checks: the submission is graded again on the next run
                for report_file in ("report.md", "results.json"):
                    (job.out / report_file).unlink(missing_ok=True)
                raise GradingError(f"not graded, the machine was too busy: {', '.join(busy)}")
        except GradingError as err:  # e.g. a zip escaping its folder, two edited copies of the assignment
            job.out.mkdir(parents=True, exist_ok=True)
            (job.out / "error.txt").write_text(str(err) + "\n", encoding="utf-8")
            failed.append(job)
            progress.ended(job.student, f"not graded: {err}")
            return
        progress.ended(job.student, report.summary_line(grading.results))

    with ThreadPoolExecutor(max(1, workers)) as pool:
        running = [pool.submit(grade_one, j) for j in todo]
        try:
            for done in as_completed(running):
                done.result()
        except KeyboardInterrupt:  # stop: drop the queued gradings, let the running ones finish, keep the book
            for future in running:
                future.cancel()
            print("interrupted: finishing the gradings in progress; run the same command again", file=sys.stderr)
            pool.shutdown(wait=True)
            write_gradebook(jobs, out / "gradebook.csv")
            raise
        finally:
            progress.close()
    write_gradebook(jobs, out / "gradebook.csv")
    return [j for j in todo if j not in failed], skipped, failed


def graded_folders(out: Path) -> list[Job]:
    """The report folders in ``out``: ``<student>/`` (grade-batch) or ``<owner>/<repo>/`` (the grade-class
    workflow), each holding ``results.json`` or ``error.txt``; the student is the folder's path below ``out``."""
    if not out.is_dir():
        raise GradingError(f"{out} is not a folder of graded submissions")

    def graded(p: Path) -> bool:
        return (p / "results.json").is_file() or (p / "error.txt").is_file()

    folders = []
    for entry in sorted(p for p in out.iterdir() if p.is_dir()):
        folders += [entry] if graded(entry) else sorted(p for p in entry.iterdir() if p.is_dir() and graded(p))
    return [Job(p.relative_to(out).as_posix(), Path(), p) for p in folders]


def collect_gradebook(out: Path) -> Path:
    """``<out>/gradebook.csv`` from the student folders already in ``out`` (e.g. reports of a CI matrix)."""
    graded = graded_folders(out)
    if not graded:
        raise GradingError(f"no graded submissions (folders with results.json or error.txt) in {out}")
    write_gradebook(graded, out / "gradebook.csv")
    return out / "gradebook.csv"


def flag_repeated_students(rows: list[dict[str, Any]]) -> None:
    """A student with several rows (listed by two teams' proposals, or by a team and graded alone) gets the reason in
    every one of them: a team's list is the students' own word, so the instructor decides which row counts."""
    sources: dict[str, list[str]] = {}
    for row in rows:
        sources.setdefault(row["student"], []).append(row.get("team") or row["student"])
    for row in rows:
        if len(sources[row["student"]]) > 1:
            listed = ", ".join(sources[row["student"]])
            row["error"] = f"{row['student']} has {len(sources[row['student']])} rows (from {listed}): check the teams"


def write_gradebook(jobs: list[Job], path: Path) -> None:
    """One row per student from their ``results.json``: points, maximum, every part's points (an assignment with
    parts, :mod:`grader.parts`; the points column counts only the best k) and every check's points; a student
    without one has 0 points and the reason (``error.txt``) in the ``error`` column."""
    rows, checks = [], []
    for job in jobs:
        results = job.out / "results.json"
        if not results.is_file():
            error = (job.out / "error.txt").read_text().strip() if (job.out / "error.txt").is_file() else "not graded"
            rows.append({"student": job.student, "points": 0.0, "error": error})
            continue
        data = json.loads(results.read_text(encoding="utf-8"))
        if data["extra_data"].get("not_graded"):  # written by `rlgrade grade` for a submission it refused
            rows.append({"student": job.student, "points": 0.0, "error": data["extra_data"]["not_graded"]})
            continue
        row = {"student": job.student, "points": data["score"], "max_points": data["extra_data"]["max_score"]}
        team_file = job.out / TEAM_FILE
        assignments = sorted({t["name"].split(" · ", 1)[0] for t in data["tests"]})
        row["assignment"] = " ".join(assignments)
        columns = [(f"{p['assignment']} · part {p['part']}", p["score"]) for p in data["extra_data"].get("parts", [])]
        columns += [(t["name"].split(":", 1)[0], t["score"]) for t in data["tests"]]  # "<assignment> · <check>"
        for column, score in columns:
            row[column] = score
            if column not in checks:
                checks.append(column)
        members = team_file.read_text(encoding="utf-8").split() if team_file.is_file() else []
        rows += [{**row, "student": member, "team": job.student} for member in members] if members else [row]
    flag_repeated_students(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        team = ["team"] if any("team" in row for row in rows) else []
        writer = csv.DictWriter(
            fh, ["student", *team, "assignment", "points", "max_points", *checks, "error"], restval=""
        )
        writer.writeheader()
        writer.writerows(rows)
