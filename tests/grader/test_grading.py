"""Grading end to end on a tiny fake course: scores, messages for broken submissions, exit codes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from helpers import FAKE_SOLUTION, NOT_GRADED, by_name, grade, run_cli, submission_with

from grader.release import make_stub

GOOD_CALC = FAKE_SOLUTION["calc.py"]


def test_reference_gets_all_points_and_hidden_checks_are_marked(fake_course: Path, tmp_path: Path) -> None:
    public = grade("solutions", tmp_path / "public", course=fake_course)
    assert (public["score"], public["extra_data"]["max_score"]) == (6, 6)
    full = grade("solutions", tmp_path / "full", "--hidden", course=fake_course)
    assert (full["score"], full["extra_data"]["max_score"]) == (10, 10)
    hidden = by_name(full)["test_double_negative"]
    assert hidden["visibility"] == "after_published" and hidden["status"] == "passed"


def test_stubs_get_zero_with_not_implemented_messages(fake_course: Path, tmp_path: Path) -> None:
    stub_root = tmp_path / "stubs" / "hw99_demo"
    stub_root.mkdir(parents=True)
    for name, text in FAKE_SOLUTION.items():
        src = (fake_course / "solutions" / "hw99_demo" / name).read_text()
        (stub_root / name).write_text(make_stub(src, name) if name.endswith(".py") else text)
    results = grade(stub_root.parent, tmp_path / "out", "--hidden", course=fake_course)
    assert results["score"] == 0
    for test in results["tests"]:
        assert test["output"].startswith("Not implemented yet:"), test
    assert "Not implemented yet: double — fill this in" in by_name(results)["test_double"]["output"]
    assert "Counter.next — fill this in" in by_name(results)["test_counter"]["output"]


BROKEN = {
    "syntax error": (
        "def double(x)\n    return 2 * x\n",
        {"test_double": "SyntaxError", "test_halve": "line 1"},
    ),
    "missing function": (
        "def double(x):\n    return 2 * x\n",
        {"test_halve": "has no `halve`"},
    ),
    "exception": (
        "def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    return x / 0\n",
        {"test_halve": "Your code raised ZeroDivisionError at calc.py, line 6, in halve"},
    ),
    "wrong value": (
        "def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    return x // 2\n",
        {"test_halve": "halve(3) returned 1.0, expected 1.5"},
    ),
    "wrong type": (
        "def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    return str(x / 2)\n",
        {"test_halve": "halve(3) must be a number, got '1.5'"},
    ),
    "hang": (
        "def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    while True:\n        pass\n",
        # a CPU-time limit stops it: in-process the check's own (5 s), sandboxed the child's (5 s + 2 s start-up)
        {
            "test_halve": {
                "--no-sandbox": "Timed out: the check used up its CPU-time limit of 5 s",
                "--sandbox": "used up its CPU-time limit of 7 s",
            }
        },
    ),
    "exit": (
        "import os\n\n\ndef double(x):\n    return 2 * x\n\n\ndef halve(x):\n    os._exit(0)\n",
        {"test_halve": {"--no-sandbox": "The test process died during this check", "--sandbox": "exited with code 0"}},
    ),
}


@pytest.mark.parametrize("mode", ["--sandbox", "--no-sandbox"])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_function_loses_only_its_checks(case: str, mode: str, fake_course: Path, tmp_path: Path) -> None:
    calc, expected_failures = BROKEN[case]
    hangs = case == "hang"  # on a machine too busy for the CPU limit to come first: not graded, never passed
    results = by_name(grade(submission_with(tmp_path, calc), tmp_path / "out", mode, course=fake_course, busy_ok=hangs))
    for name, fragment in expected_failures.items():
        fragment = fragment[mode] if isinstance(fragment, dict) else fragment
        output = results[name]["output"]
        assert results[name]["score"] == 0
        assert fragment in output or (hangs and output.startswith(NOT_GRADED)), output
    for name, test in results.items():
        if name not in expected_failures:
            assert test["status"] == "passed", (name, test["output"])


def test_a_check_that_ignores_the_timer_signals_is_killed_by_the_grader(fake_course: Path, tmp_path: Path) -> None:
    """In-process grading: code that ignores the CPU-time and the wall-clock signals is killed by the runner at
    the wall-clock limit ((2 + 2) s × 5, + grace) and told it used up its CPU time — busy machine or not, since
    its process ran for longer than that (sandboxed: see test_sandbox.py)."""
    other = (
        "import signal\n\n\nclass Counter:\n    def next(self):\n"
        "        signal.signal(signal.SIGALRM, signal.SIG_IGN)\n        signal.signal(signal.SIGPROF, signal.SIG_IGN)\n"
        "        while True:\n            pass\n"
    )
    submission = submission_with(tmp_path, GOOD_CALC, other)
    results = by_name(grade(submission, tmp_path / "out", "--no-sandbox", course=fake_course, busy_ok=True))
    output = results["test_counter"]["output"]
    assert results["test_counter"]["score"] == 0
    assert "Timed out: the check used up its CPU-time limit of 2 s" in output or output.startswith(NOT_GRADED), output
    assert results["test_double"]["status"] == results["test_halve"]["status"] == "passed"


def test_zip_submission_grades_like_the_folder(fake_course: Path, tmp_path: Path) -> None:
    folder = submission_with(tmp_path, BROKEN["wrong value"][0])
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.rglob("*.py"):
            zf.write(path, Path("my-homework") / path.relative_to(folder))
    from_zip = grade(archive, tmp_path / "zip", course=fake_course)
    from_dir = grade(folder, tmp_path / "dir", course=fake_course)
    assert [(t["name"], t["score"], t["output"]) for t in from_zip["tests"]] == [
        (t["name"], t["score"], t["output"]) for t in from_dir["tests"]
    ]


def test_zip_that_escapes_its_folder_is_refused(fake_course: Path, tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.py", "x = 1\n")
    proc = run_cli("grade", str(archive), "--out", str(tmp_path / "out"), "--course", str(fake_course))
    assert proc.returncode == 2 and "outside the submission folder" in proc.stderr
    assert not (tmp_path / "escaped.py").exists()


def test_grading_twice_gives_identical_verdicts(fake_course: Path, tmp_path: Path) -> None:
    submission = submission_with(tmp_path, BROKEN["exception"][0])
    runs = [grade(submission, tmp_path / f"run{i}", "--hidden", course=fake_course) for i in range(2)]
    verdicts = [[(t["name"], t["score"], t["output"]) for t in run["tests"]] for run in runs]
    assert verdicts[0] == verdicts[1]


def test_grader_failures_exit_non_zero(fake_course: Path, tmp_path: Path) -> None:
    missing = run_cli("grade", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--course", str(fake_course))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    no_hw = run_cli("grade", "solutions", "--hw", "hw42", "--out", str(tmp_path / "o"), "--course", str(fake_course))
    assert no_hw.returncode == 2 and "no assignment matches 'hw42'" in no_hw.stderr


def test_expect_flags_turn_an_unexpected_score_into_exit_1(fake_course: Path, tmp_path: Path) -> None:
    args = ("grade", "solutions", "--out", str(tmp_path / "o"), "--course", str(fake_course))
    assert run_cli(*args, "--expect", "full").returncode == 0
    stub_check = run_cli(*args, "--expect", "stub")
    assert stub_check.returncode == 1 and "expected every check to fail" in stub_check.stderr


def test_reports_agree_and_step_summary_is_written(fake_course: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    import jsonschema

    summary = tmp_path / "summary.md"
    out = tmp_path / "out"
    proc = run_cli(
        "grade", str(submission_with(tmp_path, BROKEN["wrong value"][0])), "--hidden", "--out", str(out),
        "--course", str(fake_course), env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    schema = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
    jsonschema.validate(results, schema)
    assert results["score"] == sum(t["score"] for t in results["tests"]) == 7

    suites = ET.parse(out / "junit.xml").getroot()
    (suite,) = suites.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1")
    failed = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["test_halve"]
    assert "expected 1.5" in failed[0].find("failure").text

    markdown = (out / "report.md").read_text()
    assert "7 / 10 points (3 of 4 checks passed)" in markdown
    assert summary.read_text() == markdown + "\n"
    assert "TOTAL 7 / 10 points" in proc.stdout and "halve(3) returned 1.0" in proc.stdout


def test_rlgrade_test_runs_public_checks_in_process_with_pytest_arguments(fake_course: Path) -> None:
    proc = run_cli("test", "hw99", "-k", "double", "--impl", "solutions", "-p", "no:xdist", cwd=fake_course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "test_double" in proc.stdout and "TOTAL 2 / 2 points (1 of 1 checks passed)" in proc.stdout
    stubs = run_cli("test", "--impl", "assignments", "-p", "no:xdist", cwd=fake_course)
    assert stubs.returncode == 1 and "does not exist" in stubs.stdout  # no assignments/ in the fake course


def test_report_tables_keep_assignments_apart_and_escape_titles() -> None:
    """Two assignments may have checks of the same name: the terminal table heads each assignment's rows; a
    title with ``|x|`` must not end a markdown table cell."""
    from grader.report import markdown, terminal_table
    from grader.results import CheckResult

    def result(assignment: str, name: str, passed: bool, title: str = "t") -> CheckResult:
        return CheckResult(nodeid=f"{assignment}::{name}", assignment=assignment, name=name, title=title,
                           visibility="public", max_points=1, passed=passed, message="m", duration=0.1)  # fmt: skip

    results = [result("hw01_a", "test_x", True), result("hw02_b", "test_x", False, "Huber: |error| <= 1")]
    lines = terminal_table(results).splitlines()
    assert lines[2].startswith("[hw01_a: 1 / 1 points") and lines[4].startswith("[hw02_b: 0 / 1 points")
    assert "Huber: \\|error\\| <= 1 |" in markdown(results)
