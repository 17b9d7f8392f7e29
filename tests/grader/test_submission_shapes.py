"""Submissions in the shapes students really upload (``grader/locate.py``): the grader finds the code of the
assignment, says which folder it graded, and refuses a submission whose code it cannot tell apart."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from helpers import FAKE_SOLUTION, grade, run_cli, write_package

from grader.locate import SubmissionError, locate
from grader.report import markdown_text
from grader.submissions import unpack_submission

A = "hw99_demo"
SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
MODULES = {"calc.py": FAKE_SOLUTION["calc.py"], "other.py": FAKE_SOLUTION["other.py"]}
PACKAGE = {"__init__.py": "", **MODULES}
#: a student's own calc.py (all checks but halve's pass): an edited copy, unlike the stub
EDITED = {"__init__.py": "", "calc.py": "def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    return x // 2\n"}
EDITED["other.py"] = FAKE_SOLUTION["other.py"]


def stub_files(course: Path) -> dict[str, str]:
    """The released stub package of hw99_demo, as a student finds it in their repo."""
    return {p.name: p.read_text() for p in (course / "assignments" / A).glob("*.py")}


def repo_decoys(top: Path) -> None:
    """What a whole student repo holds besides the assignment: modules of the same names in the grader's copy,
    the public checks, a virtual environment, git's folder."""
    write_package(top / "grader" / "harness", {"calc.py": "# the grader's own module\n"})
    write_package(top / "tests" / "public" / A, {"test_demo.py": "# public checks\n"})
    write_package(top / ".venv" / "lib" / "python3.11", {"calc.py": "# a library\n"})
    write_package(top / ".git", {"config": ""})
    (top / "README.md").write_text("# my homework\n")


SHAPES = {
    # shape: (files of the submission folder, folder the grader must take the package from, its wording)
    "loose module files": ({"calc.py": MODULES["calc.py"], "other.py": MODULES["other.py"]}, ".", "the files"),
    "the package folder": ({f"{A}/{n}": t for n, t in PACKAGE.items()}, A, "the package"),
    "the package without __init__.py": ({f"{A}/{n}": t for n, t in MODULES.items()}, A, "the package"),
    "the whole repo": ({f"assignments/{A}/{n}": t for n, t in PACKAGE.items()}, f"assignments/{A}", "the package"),
    "GitHub's Download ZIP": (
        {f"hw99-alice-main/assignments/{A}/{n}": t for n, t in PACKAGE.items()},
        f"hw99-alice-main/assignments/{A}",
        "the package",
    ),
    "nested wrappers": (
        {f"upload/week9/final/{A}/{n}": t for n, t in PACKAGE.items()},
        f"upload/week9/final/{A}",
        "the package",
    ),
    "loose files in a wrapper": ({f"hw99-alice/{n}": t for n, t in MODULES.items()}, "hw99-alice", "the files"),
}


def build(top: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        write_package((top / name).parent, {Path(name).name: text})
    return top


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_upload_shape_finds_the_code(shape: str, fake_course_with_stubs: Path, tmp_path: Path) -> None:
    files, folder, wording = SHAPES[shape]
    top = build(tmp_path / "upload", files)
    if shape in ("the whole repo", "GitHub's Download ZIP"):
        repo_decoys(top if shape == "the whole repo" else top / "hw99-alice-main")
    located = locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl")
    package = located.root / A
    assert (package / "calc.py").read_text() == (top / folder / "calc.py").read_text()
    assert (package / "other.py").is_file() and (package / "__init__.py").is_file()
    where = "the top folder of the submission" if folder == "." else f"{folder}/"
    assert f"{A}: graded {wording} in {where}" in located.notes, located.notes
    if "__init__.py" not in {Path(n).name for n in files}:
        assert f"{A}: no __init__.py in the submission, used the released one" in located.notes
    assert not (package / "grader").exists() and not list(package.rglob("test_demo.py"))


def test_download_zip_wrapper_named_like_an_assignment_is_searched(
    fake_course_with_stubs: Path, tmp_path: Path
) -> None:
    """GitHub's "Download ZIP" of a repo named hw99-alice wraps everything in hw99-alice-main/; the zip is
    unpacked as it is and searched (a wrapper starting with "hw" used to be taken for the package)."""
    archive = tmp_path / "hw99-alice-main.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in PACKAGE.items():
            zf.writestr(f"hw99-alice-main/assignments/{A}/{name}", text)
        zf.writestr("__MACOSX/hw99-alice-main/assignments/hw99_demo/._calc.py", "junk")
    top = unpack_submission(archive, tmp_path / "work")
    located = locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl")
    assert located.notes == [f"{A}: graded the package in hw99-alice-main/assignments/{A}/"]


def test_an_unedited_stub_copy_beside_the_real_code_is_set_aside(fake_course_with_stubs: Path, tmp_path: Path) -> None:
    """A stray stub hw99_demo/ at the top and the student's code in assignments/: the stub copy (its module files
    are the released ones) is not graded, and the report says so."""
    top = tmp_path / "upload"
    write_package(top / A, stub_files(fake_course_with_stubs))
    write_package(top / "assignments" / A, EDITED)
    located = locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl")
    assert (located.root / A / "calc.py").read_text() == EDITED["calc.py"]
    assert located.notes == [
        f"{A}: graded the package in assignments/{A}/ (also found {A}/: the unedited stub, not graded)"
    ]


def test_in_a_student_repo_its_own_code_is_never_taken_for_the_stub(
    fake_course_with_stubs: Path, tmp_path: Path
) -> None:
    """`rlgrade grade .` in a student repo (checks.yml): the repo's assignments/ is both the code and the "stub"
    the grader compares with, so a stray stub copy elsewhere is another edited copy: refused, not graded."""
    repo = tmp_path / "repo"
    write_package(repo / "assignments" / A, EDITED)
    write_package(repo / A, stub_files(fake_course_with_stubs))
    with pytest.raises(SubmissionError, match=rf"2 edited copies of {A}: {A}/, assignments/{A}/"):
        locate(repo, [A], repo / "assignments", tmp_path / "impl")


def test_the_folder_uploaded_with_the_same_loose_files_is_graded_once(
    fake_course_with_stubs: Path, tmp_path: Path
) -> None:
    top = write_package(tmp_path / "upload", {"calc.py": EDITED["calc.py"], "other.py": EDITED["other.py"]})
    write_package(top / A, EDITED)
    located = locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl")
    assert located.notes == [
        f"{A}: graded the package in {A}/ (also found the top folder of the submission: the same code)"
    ]


def test_two_edited_copies_are_refused_naming_both(fake_course_with_stubs: Path, tmp_path: Path) -> None:
    top = tmp_path / "upload"
    write_package(top / A, PACKAGE)
    write_package(top / "assignments" / A, EDITED)
    with pytest.raises(SubmissionError, match=rf"2 edited copies of {A}: {A}/, assignments/{A}/; keep only the one"):
        locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl")


def test_a_submission_without_the_code_is_refused_saying_what_was_expected(
    fake_course_with_stubs: Path, tmp_path: Path
) -> None:
    top = write_package(tmp_path / "upload", {"notes.txt": "my answers", "solution.py": "x = 1\n"})
    with pytest.raises(
        SubmissionError, match=rf"no code of {A} in the submission: .* expected {A}/ \(calc.py, other.py\)"
    ):
        locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl")


def test_a_missing_module_is_named_in_the_notes(fake_course_with_stubs: Path, tmp_path: Path) -> None:
    top = write_package(tmp_path / "upload", {"calc.py": MODULES["calc.py"]})
    notes = locate(top, [A], fake_course_with_stubs / "assignments", tmp_path / "impl").notes
    assert f"{A}: missing other.py: the checks that need them get 0" in notes


def test_loose_files_are_graded_in_full_and_the_report_says_from_where(
    fake_course_with_stubs: Path, tmp_path: Path
) -> None:
    """What a Gradescope student uploads when they pick the assignment's files: no folder, no __init__.py."""
    top = write_package(tmp_path / "upload", {"calc.py": MODULES["calc.py"], "other.py": MODULES["other.py"]})
    results = grade(top, tmp_path / "out", "--hidden", course=fake_course_with_stubs)
    assert results["score"] == 10, results["output"]
    assert f"{A}: graded the files in the top folder of the submission" in results["output"]
    assert (
        f"- {markdown_text(A)}: graded the files in the top folder of the submission"
        in (tmp_path / "out" / "report.md").read_text()
    )


@pytest.mark.parametrize("case", ["two edited copies", "no code"])
def test_a_refused_submission_still_gets_a_report_saying_why(
    case: str, fake_course_with_stubs: Path, tmp_path: Path
) -> None:
    """Exit 2 with one line, and a results.json (0 points, the reason) that Gradescope shows the student."""
    top = tmp_path / "upload"
    if case == "two edited copies":
        write_package(top / A, PACKAGE)
        write_package(top / "assignments" / A, EDITED)
    else:
        write_package(top, {"answers.md": "# my answers\n"})
    out = tmp_path / "out"
    proc = run_cli("grade", str(top), "--out", str(out), "--course", str(fake_course_with_stubs))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("rlgrade: error:")], proc.stderr
    results = json.loads((out / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    reason = "2 edited copies" if case == "two edited copies" else "no code of hw99_demo"
    assert results["score"] == 0 and results["output"].startswith("Not graded: ") and reason in results["output"]
    assert markdown_text(reason) in (out / "report.md").read_text()  # report.md escapes markdown: hw99\_demo
