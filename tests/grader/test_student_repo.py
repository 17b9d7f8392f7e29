"""The published student repo, week after week: ``rlgrade release`` into it, commit, and students merge with
``git pull --no-rebase upstream main`` in their clones (the one way of creating student repos the docs give)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import COURSE_ROOT, FAKE_CHECKS

from grader.release import ReleaseError, release
from grader.student_repo import MANIFEST

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
STUDENT_DOUBLE = "    return x + x  # the student's own answer\n"


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert proc.returncode == 0, f"git {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc


@pytest.fixture
def two_week_course(fake_course: Path) -> Path:
    """The fake course with a second assignment, hw98_warmup, whose public checks hold a file that week 2 drops."""
    shutil.copytree(fake_course / "solutions" / "hw99_demo", fake_course / "solutions" / "hw98_warmup")
    public = fake_course / "tests" / "public" / "hw98_warmup"
    public.mkdir(parents=True)
    (public / "test_warmup.py").write_text(FAKE_CHECKS, encoding="utf-8")
    (public / "test_extra.py").write_text(FAKE_CHECKS.replace("def test_", "def test_extra_"), encoding="utf-8")
    return fake_course


def test_next_weeks_release_merges_into_a_students_repo(two_week_course: Path, tmp_path: Path) -> None:
    course, published, student = two_week_course, tmp_path / "published", tmp_path / "student"
    week1 = release(course, published, only=["hw98"])
    assert week1.names == ["hw98_warmup"] and (published / MANIFEST).is_file()
    git(published, "init", "-q", "-b", "main")
    git(published, "add", "-A")
    git(published, "commit", "-q", "-m", "week 1: hw98")

    # the student: a clone of the published repo (pushed to their own repo in real life), then their work
    git(tmp_path, "clone", "-q", str(published), str(student))
    git(student, "remote", "rename", "origin", "upstream")
    calc = student / "assignments" / "hw98_warmup" / "calc.py"
    lines = calc.read_text().splitlines(keepends=True)
    stub_line = next(i for i, line in enumerate(lines) if "double — fill this in" in line)
    calc.write_text("".join([*lines[:stub_line], STUDENT_DOUBLE, *lines[stub_line + 1 :]]))
    git(student, "commit", "-q", "-am", "my double")

    # the course for week 2: a check file removed, hw99 released too
    (course / "tests" / "public" / "hw98_warmup" / "test_extra.py").unlink()
    week2 = release(course, published, only=["hw98", "hw99"])
    assert week2.changes.removed == ["tests/public/hw98_warmup/test_extra.py"]
    assert "assignments/hw99_demo/calc.py" in week2.changes.added and "README.md" in week2.changes.updated
    # hw98's stubs stay as they were (its README's points table lost the removed checks)
    assert [p for p in week2.changes.updated if p.startswith("assignments/")] == ["assignments/hw98_warmup/README.md"]
    git(published, "add", "-A")
    git(published, "commit", "-q", "-m", "week 2: hw99")

    pulled = git(student, "pull", "--no-rebase", "upstream", "main")
    assert "unrelated histories" not in pulled.stdout + pulled.stderr
    assert STUDENT_DOUBLE in calc.read_text(), "the student's edit was lost"
    assert not (student / "tests" / "public" / "hw98_warmup" / "test_extra.py").exists(), "a removed file stayed"
    assert (student / "assignments" / "hw99_demo" / "calc.py").is_file(), "the new assignment did not arrive"
    assert "assignments/hw99_demo/README.md" in (student / "README.md").read_text()
    assert git(student, "status", "--porcelain").stdout == ""


def test_release_never_overwrites_a_file_edited_since_the_last_one(fake_course: Path, tmp_path: Path) -> None:
    repo = tmp_path / "published"
    release(fake_course, repo)
    again = release(fake_course, repo)  # nothing changed in the course: nothing changes in the repo
    assert (again.changes.added, again.changes.updated, again.changes.removed) == ([], [], [])
    calc = repo / "assignments" / "hw99_demo" / "calc.py"
    calc.write_text(calc.read_text() + "# edited in the published repo\n")
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    (fake_course / "solutions" / "hw99_demo" / "new_module.py").write_text('"""New."""\n')
    with pytest.raises(ReleaseError, match=r"changed by hand since the last release .*: assignments/hw99_demo/calc.py"):
        release(fake_course, repo)
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before, "a refused release changed files"


@pytest.mark.parametrize("content", ["a student's repo", "a file release would write"])
def test_release_refuses_a_folder_it_did_not_write(content: str, fake_course: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # a fresh clone of an empty GitHub repo: fine
    release(fake_course, tmp_path / "fresh")
    assert release(fake_course, repo).changes.added
    other = tmp_path / "other"
    if content == "a student's repo":  # no list of released files: never written by release
        (other / "assignments").mkdir(parents=True)
        with pytest.raises(ReleaseError, match=f"is not empty and has no {MANIFEST}"):
            release(fake_course, other)
    else:  # released before, then someone added a file where the next release writes one
        release(fake_course, other, only=["hw99"])
        (other / "tests" / "public" / "hw99_demo" / "test_new.py").write_text("# by hand\n")
        (fake_course / "tests" / "public" / "hw99_demo" / "test_new.py").write_text(FAKE_CHECKS)
        with pytest.raises(ReleaseError, match="tests/public/hw99_demo/test_new.py"):
            release(fake_course, other)


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("student") / "repo"
    release(COURSE_ROOT, dest, only=["hw01"])
    return dest


def test_student_workflows_hold_no_secret(released: Path) -> None:
    """Summative grading runs on the course's side: nothing a student can edit or run may name a secret."""
    workflows = sorted((released / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["checks.yml"]
    templates = sorted((COURSE_ROOT / "grader" / "templates" / "student").iterdir())
    for path in [*workflows, *templates]:
        text = path.read_text()
        assert not re.search(r"secrets\.|secrets\[|COURSE_REPO|_TOKEN", text), f"{path} references a secret"
    checks = (released / ".github" / "workflows" / "checks.yml").read_text()
    assert "cache: pip" in checks and "cache-dependency-path: pyproject.toml" in checks
    assert "::notice title=Public checks::" in checks


def test_student_text_links_nothing_that_only_the_course_repo_has(released: Path) -> None:
    """Students cannot open the course repo's calibration reports, mutation matrices, solutions or hidden checks."""
    course_only = re.compile(r"(?<![\w/])(calibration|mutation|solutions|tests/hidden|tests/mutants)/")
    # every week's README is released as written in solutions/ (only its points table is filled in)
    for path in [released / "README.md", *COURSE_ROOT.glob("solutions/*/README.md")]:
        found = course_only.findall(path.read_text())
        assert not found, f"{path} points to the course repo's {found}"
