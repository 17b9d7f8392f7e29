"""Helpers of the grader's own tests: a tiny fake course, and running ``rlgrade`` as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[2]

FAKE_CHECKS = '''
import pytest

from grader.harness.validate import as_float


@pytest.mark.points(2)
@pytest.mark.timeout(5)
def test_double(impl):
    """double(x) returns 2x."""
    value = as_float(impl.attr("calc", "double")(3), "double(3)")
    assert value == 6.0, f"double(3) returned {value}, expected 6.0"


@pytest.mark.points(3)
@pytest.mark.timeout(5)
def test_halve(impl):
    """halve(x) returns x/2."""
    value = as_float(impl.attr("calc", "halve")(3), "halve(3)")
    assert value == 1.5, f"halve(3) returned {value}, expected 1.5"


@pytest.mark.points(1)
@pytest.mark.timeout(2)
def test_counter(impl):
    """Counter counts up from 0."""
    counter = impl.attr("other", "Counter")()
    assert [counter.next() for _ in range(3)] == [0, 1, 2], "Counter.next() must return 0, 1, 2"
'''

FAKE_HIDDEN = '''
import pytest

from grader.harness.validate import as_float


@pytest.mark.points(4)
@pytest.mark.timeout(5)
def test_double_negative(impl):
    """double(x) also works for negative x."""
    value = as_float(impl.attr("calc", "double")(-2.5), "double(-2.5)")
    assert value == -5.0, f"double(-2.5) returned {value}, expected -5.0"
'''

FAKE_SOLUTION = {
    "__init__.py": '"""A demo assignment."""\n',
    "calc.py": '''
        """Arithmetic."""


        def double(x: float) -> float:
            """Return 2x."""
            # BEGIN SOLUTION
            return 2 * x
            # END SOLUTION


        def halve(x: float) -> float:
            """Return x / 2."""
            # BEGIN SOLUTION
            return x / 2
            # END SOLUTION
        ''',
    "other.py": '''
        """A counter."""


        class Counter:
            """Counts 0, 1, 2, ..."""

            def __init__(self) -> None:
                self.value = 0

            def next(self) -> int:
                """Return the current value, then add one."""
                # BEGIN SOLUTION
                self.value += 1
                return self.value - 1
                # END SOLUTION
        ''',
    "README.md": "# hw99\n\n<!-- rlgrade:points-table -->\n",
}


def write_package(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def submission_with(tmp_path: Path, calc: str, other: str | None = None) -> Path:
    """A submission of ``hw99_demo`` whose calc.py (and other.py) are the given sources."""
    files = {"__init__.py": "", "calc.py": calc, "other.py": other or FAKE_SOLUTION["other.py"]}
    return write_package(tmp_path / "submission" / "hw99_demo", files).parent


#: The sandbox's two modes (grader/sandbox/isolation.py). The fallback is what the grader uses where bubblewrap is
#: missing or refused (containers); the tests get it by hiding bwrap from the grader's PATH.
SANDBOX_MODES = ("bubblewrap", "fallback")
#: The words of each mode in the isolation line (results.json's extra_data), so a test knows which mode ran.
MODE_WORDS = {"bubblewrap": "sandbox: bubblewrap (", "fallback": "sandbox WITHOUT bubblewrap (fallback as root"}


def sandbox_env(mode: str, tmp_path: Path) -> dict[str, str]:
    """The grader's environment for ``mode`` (added to this process's)."""
    if mode == "bubblewrap":
        return {}
    no_bwrap = tmp_path / "path-without-bwrap"
    no_bwrap.mkdir(exist_ok=True)
    return {"PATH": str(no_bwrap)}


def check_results(course: Path, submission: Path, out: Path, mode: str | None, env: dict | None = None) -> dict:
    """Run the course's public checks with pytest (``mode``: sandboxed in that mode; None: in-process) and return
    results.json; asserts the checks ran in ``mode``."""
    options = ["--sandbox"] if mode else []
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/public", "--impl", str(submission), *options, "--report-dir", str(out)],
        cwd=course,
        capture_output=True,
        text=True,
        env={**os.environ, **(sandbox_env(mode, out.parent) if mode else {}), **(env or {})},
        timeout=900,  # a hang catcher only: on a busy machine the sandboxed checks take several times longer
    )
    assert (out / "results.json").is_file(), f"no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
    results = json.loads((out / "results.json").read_text())
    isolation = results["extra_data"].get("isolation", "")
    assert (MODE_WORDS[mode] in isolation) if mode else not isolation, f"not graded in mode {mode}: {isolation}"
    return results


def by_check(results: dict) -> dict[str, dict]:
    """results.json tests keyed by check name (without the assignment and the title)."""
    return {t["name"].split(" · ", 1)[1].split(":", 1)[0]: t for t in results["tests"]}


def run_cli(*args: str, cwd: Path = COURSE_ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``rlgrade`` as a user would, in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


#: What a check that burns CPU gets when the machine is so busy that it cannot reach its CPU-time limit within
#: its wall-clock limit: no verdict (grader/budget.py). Tests of such checks accept it as the other right answer.
NOT_GRADED = "Not graded: the machine was too busy"


def grade(submission: str | Path, out: Path, *options: str, course: Path = COURSE_ROOT, busy_ok: bool = False) -> dict:
    """Grade with the CLI and return the parsed results.json (asserts the grader itself succeeded; with
    ``busy_ok``, exit 2 for checks not graded on a busy machine is a success too)."""
    proc = run_cli("grade", str(submission), "--out", str(out), "--course", str(course), *options)
    busy = busy_ok and proc.returncode == 2 and "not graded, the machine was too busy" in proc.stderr
    assert proc.returncode == 0 or busy, f"rlgrade grade failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return json.loads((out / "results.json").read_text())


def by_name(results: dict) -> dict[str, dict]:
    """results.json tests keyed by check name (the part after '· ' and before ' (hidden)' / ':')."""
    out = {}
    for t in results["tests"]:
        name = t["name"].split(" · ", 1)[1].split(":", 1)[0].removesuffix(" (hidden)")
        out[name] = t
    return out
