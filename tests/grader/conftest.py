"""Fixtures for the grader's own tests. ``helpers.py`` beside this file is importable from every test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import COURSE_ROOT, FAKE_CHECKS, FAKE_HIDDEN, FAKE_SOLUTION, SANDBOX_MODES, write_package  # noqa: E402

from grader.sandbox.isolation import bubblewrap  # noqa: E402


@pytest.fixture
def fake_course(tmp_path: Path) -> Path:
    """A course repo with one assignment ``hw99_demo``: 3 public checks (6 points), 1 hidden (4 points)."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "pyproject.toml").write_text((COURSE_ROOT / "pyproject.toml").read_text(), encoding="utf-8")
    write_package(course / "solutions" / "hw99_demo", FAKE_SOLUTION)
    write_package(course / "tests" / "public" / "hw99_demo", {"test_demo.py": FAKE_CHECKS})
    write_package(course / "tests" / "hidden" / "hw99_demo", {"test_demo_hidden.py": FAKE_HIDDEN})
    return course


@pytest.fixture
def fake_course_with_stubs(fake_course: Path) -> Path:
    """The fake course with its released stubs in ``assignments/hw99_demo/`` (the modules, not the README), which
    tell the grader the assignment's file names (``grader/locate.py``)."""
    from grader.release import make_stub

    stubs = fake_course / "assignments" / "hw99_demo"
    stubs.mkdir(parents=True)
    for path in (fake_course / "solutions" / "hw99_demo").glob("*.py"):
        (stubs / path.name).write_text(make_stub(path.read_text(), path.name), encoding="utf-8")
    return fake_course


@pytest.fixture(params=SANDBOX_MODES)
def sandbox_mode(request: pytest.FixtureRequest) -> str:
    """Each sandbox mode that works on this machine: bubblewrap, and the fallback (root without bubblewrap)."""
    if request.param == "bubblewrap" and bubblewrap() is None:
        pytest.skip("bubblewrap cannot create its namespaces here")
    if request.param == "fallback" and os.geteuid() != 0:
        pytest.skip("the fallback holds the line as root only (as a user, grading refuses it)")
    return request.param
