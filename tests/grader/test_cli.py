"""What a new user meets at the command line: help texts, one-line errors with a non-zero exit, progress lines in
logs, and the grade-class workflow's roster step (which runs before anything is installed) and gradebook."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from helpers import COURSE_ROOT, run_cli

from grader.cli import build_parser
from grader.progress import BatchProgress, CheckProgress
from grader.roster import RosterError, read_roster


def subcommands() -> dict:
    parser = build_parser()
    return next(a for a in parser._actions if a.dest == "command").choices


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_option_has_a_help_text(command: str) -> None:
    for action in subcommands()[command]._actions:
        assert action.help, f"rlgrade {command} {'/'.join(action.option_strings) or action.dest} has no help text"


def test_rlgrade_test_help_says_it_takes_an_assignment_and_pytest_options() -> None:
    help_text = run_cli("test", "--help").stdout
    assert "rlgrade test [hwNN]" in help_text and "pytest" in help_text and "--pdb" in help_text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gradebook", "/nonexistent/batch"), "/nonexistent/batch is not a folder of graded submissions"),
        (("nbgrader-export", "/nonexistent/batch"), "/nonexistent/batch is not a folder of graded submissions"),
        (("nbgrader-export", "{empty}"), "no graded submissions (folders with results.json)"),
        (("gradebook", "{empty}"), "no graded submissions"),
        (("grade-batch", "{empty}", "--course", str(COURSE_ROOT)), "no submissions in"),
        (("grade-batch", "/nonexistent/class", "--course", str(COURSE_ROOT)), "is not a folder of submissions"),
    ],
)
def test_missing_or_empty_folders_are_one_line_errors(args: tuple, message: str, tmp_path: Path) -> None:
    """Exit 2, one line on stderr, no traceback, and no stray gradebook.db in the current folder."""
    (tmp_path / "empty").mkdir()
    proc = run_cli(*(a.format(empty=tmp_path / "empty") for a in args), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and message in proc.stderr, proc.stderr
    assert not (tmp_path / "gradebook.db").exists()


def test_stubs_in_a_student_repo_says_it_belongs_to_the_course_repo(tmp_path: Path) -> None:
    repo = tmp_path / "student-repo"
    (repo / "tests" / "public").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    proc = run_cli("stubs", cwd=repo)
    assert proc.returncode == 2 and "no solutions/hwNN_*" in proc.stderr and "wrote stubs" not in proc.stdout


def test_progress_off_a_terminal_is_plain_lines() -> None:
    """Logs (CI, Gradescope) get one line per event, never a redrawn bar."""
    log = StringIO()
    progress = CheckProgress(log)
    for done, running in [(0, "t.py::test_a"), (0, "t.py::test_a"), (1, "t.py::test_b"), (2, None)]:
        progress(done, 2, running)
    progress.close()
    assert log.getvalue() == "rlgrade: check 1/2: test_a\nrlgrade: check 2/2: test_b\n"


def test_batch_progress_counts_checks_over_the_batch_and_names_who_is_graded_now() -> None:
    log = StringIO()
    batch = BatchProgress(3, log)
    batch.started("alice")
    batch.for_student("alice")(0, 4, "t.py::test_a")
    batch.started("bob")
    batch.for_student("bob")(1, 4, "t.py::test_c")
    batch.for_student("alice")(2, 4, "t.py::test_b")
    assert batch.status() == "checks 3/12 · 0 of 3 submissions done · grading alice (test_b), bob (test_c)"
    batch.ended("alice", "4 / 6 points")
    assert batch.status() == "checks 5/12 · 1 of 3 submissions done · grading bob (test_c)"
    assert log.getvalue().splitlines() == [
        "rlgrade: [checks 0/? · 0 of 3 submissions done] grading alice",
        "rlgrade: [checks 0/12 · 0 of 3 submissions done] grading bob",
        "rlgrade: [checks 5/12 · 1 of 3 submissions done] alice: 4 / 6 points",
    ]
    assert "\r" not in log.getvalue()


ROSTERS = {
    "only comments": (
        "# Student repos: owner/name, one per line.\n# course-org/rl-homework-alice\n\n",
        "lists no student repos",
    ),
    "a URL": (
        "https://github.com/course-org/rl-alice\n",
        "line 1: 'https://github.com/course-org/rl-alice' is not owner/name",
    ),
    "a bare name": ("course-org/rl-alice\nrl-bob\n", "line 2: 'rl-bob' is not owner/name"),
    "twice": ("course-org/rl-alice\ncourse-org/RL-Alice  # again\n", "line 2: course-org/RL-Alice is listed twice"),
    "two owners": ("course-org/rl-alice\nbob/rl-homework\n", "repos of 2 owners (bob, course-org)"),
}


@pytest.mark.parametrize("case", sorted(ROSTERS))
def test_a_roster_that_cannot_be_graded_says_why(case: str, tmp_path: Path) -> None:
    text, message = ROSTERS[case]
    (tmp_path / "roster.txt").write_text(text)
    with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_roster(tmp_path / "roster.txt")


def test_the_shipped_roster_stops_the_workflow_with_a_message(tmp_path: Path) -> None:
    """The grade-class roster step, as the workflow runs it: the standard library only (-S: no site-packages)."""
    output = tmp_path / "github_output"
    env_run = {"GITHUB_OUTPUT": str(output), "PATH": "/usr/bin:/bin"}
    shipped = subprocess.run(
        [sys.executable, "-S", "-m", "grader.roster", "roster.txt"], cwd=COURSE_ROOT, capture_output=True,
        text=True, env=env_run,
    )  # fmt: skip
    assert shipped.returncode == 1 and shipped.stdout.startswith("::error title=roster::roster.txt lists no")
    assert "Traceback" not in shipped.stderr and not output.exists()
    (tmp_path / "roster.txt").write_text("# class of 2027\ncourse-org/rl-homework-alice\ncourse-org/rl-homework-bob\n")
    good = subprocess.run(
        [sys.executable, "-S", "-m", "grader.roster", str(tmp_path / "roster.txt")], cwd=COURSE_ROOT,
        capture_output=True, text=True, env=env_run,
    )  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert output.read_text() == 'repos=["course-org/rl-homework-alice", "course-org/rl-homework-bob"]\n'


def test_class_gradebook_names_owner_and_repo_and_keeps_repos_not_graded(tmp_path: Path) -> None:
    """The grade-class artifacts merged: grading/<owner>/<repo>/ each. Repos of two students share a name; a repo
    that could not be checked out has error.txt."""
    grading = tmp_path / "grading"
    result = {
        "score": 2.0,
        "output": "2 / 5 points",
        "extra_data": {"max_score": 5.0},
        "tests": [
            {"name": "hw99_demo · test_a: A", "score": 2.0, "max_score": 2.0},
            {"name": "hw99_demo · test_b: B", "score": 0.0, "max_score": 3.0},
        ],
    }
    for owner in ("alice", "bob"):
        (grading / owner / "rl-homework").mkdir(parents=True)
        (grading / owner / "rl-homework" / "results.json").write_text(json.dumps(result))
    (grading / "carol" / "rl-homework").mkdir(parents=True)
    (grading / "carol" / "rl-homework" / "error.txt").write_text("could not check out carol/rl-homework\n")
    proc = run_cli("gradebook", str(grading))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with (grading / "gradebook.csv").open() as fh:
        rows = {row["student"]: row for row in csv.DictReader(fh)}
    assert sorted(rows) == ["alice/rl-homework", "bob/rl-homework", "carol/rl-homework"]
    assert rows["alice/rl-homework"]["points"] == "2.0" and rows["bob/rl-homework"]["hw99_demo · test_a"] == "2.0"
    assert rows["carol/rl-homework"]["points"] == "0.0"
    assert rows["carol/rl-homework"]["error"] == "could not check out carol/rl-homework"
