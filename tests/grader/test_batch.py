"""``rlgrade grade-batch``: a folder of submissions graded in parallel into one gradebook, resumable."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import FAKE_SOLUTION, run_cli, write_package

# student -> (calc.py, expected points of test_double (2), test_halve (3), test_counter (1) with public checks)
STUDENTS = {
    "ada": (FAKE_SOLUTION["calc.py"], (2, 3, 1)),
    "ben": ("def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    return x // 2\n", (2, 0, 1)),
    "cy": ("def double(x):\n    return 3 * x\n\n\ndef halve(x):\n    return x / 2\n", (0, 3, 1)),
    "dee": ("def double(x)\n    return 2 * x\n", (0, 0, 1)),
}


def class_folder(root: Path) -> Path:
    folder = root / "class"
    for student, (calc, _) in STUDENTS.items():
        write_package(
            folder / student / "hw99_demo", {"__init__.py": "", "calc.py": calc, "other.py": FAKE_SOLUTION["other.py"]}
        )
    shutil.make_archive(str(folder / "eve"), "zip", folder / "ada")  # a zip of a correct submission
    with zipfile.ZipFile(folder / "zed.zip", "w") as zf:
        zf.writestr("../escape.py", "")  # cannot be graded
    return folder


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)}


@pytest.mark.timeout(1200)
def test_batch_writes_a_gradebook_and_resumes(fake_course: Path, tmp_path: Path) -> None:
    folder, out = class_folder(tmp_path), tmp_path / "out"
    args = ("grade-batch", str(folder), "--out", str(out), "--course", str(fake_course), "--workers", "2")
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "graded 5 submissions" in first.stdout and "could not grade zed: zip member" in first.stderr
    book = gradebook(out)
    for student, (_, points) in {**STUDENTS, "eve": STUDENTS["ada"]}.items():
        row = book[student]
        cells = [float(row[f"hw99_demo · {check}"]) for check in ("test_double", "test_halve", "test_counter")]
        assert tuple(cells) == points and float(row["points"]) == sum(points) and row["max_points"] == "6.0", row
    assert book["zed"]["error"].startswith("zip member") and book["zed"]["points"] == "0.0"
    assert (out / "ada" / "report.md").is_file() and (out / "ada" / "results.json").is_file()
    dee = (out / "dee" / "report.md").read_text()  # calc.py does not import: said once, for both checks
    assert dee.count("SyntaxError") == 1 and "**`test_double`, `test_halve`** (2 checks, 5 points):" in dee
    # progress in a log (stderr is not a terminal here): plain lines, checks counted over the whole batch
    assert "\r" not in first.stderr and "check/s" not in first.stderr
    assert "] grading ada\n" in first.stderr and "] ada: 6 / 6 points" in first.stderr
    progress = [line for line in first.stderr.splitlines() if line.startswith("rlgrade: [")]
    assert progress[-1].startswith("rlgrade: [checks 18/18 · 6 of 6 submissions done] "), first.stderr
    (out / "gradebook.csv").unlink()  # the gradebook of reports made elsewhere (e.g. a CI matrix job each)
    assert run_cli("gradebook", str(out)).returncode == 0 and gradebook(out) == book

    (out / "cy" / "report.md").unlink()  # as if the batch had been interrupted while grading cy
    second = run_cli(*args)
    assert "graded 1 submission in" in second.stdout and "with 2 workers" in second.stdout
    assert "4 already graded, skipped" in second.stdout
    assert gradebook(out)["cy"]["points"] == "4.0"


@pytest.mark.timeout(1200)
def test_batch_scores_go_into_an_nbgrader_gradebook(fake_course: Path, tmp_path: Path) -> None:
    from nbgrader.api import Gradebook

    folder, out, db = class_folder(tmp_path), tmp_path / "out", f"sqlite:///{tmp_path / 'gradebook.db'}"
    run_cli("grade-batch", str(folder), "--out", str(out), "--course", str(fake_course), "--hidden")
    proc = run_cli("nbgrader-export", str(out), "--db", db)
    assert proc.returncode == 0 and "5 students" in proc.stdout, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr  # nbgrader's SQLAlchemy SAWarnings are not shown
    run_cli("nbgrader-export", str(out), "--db", db)  # exporting again updates, never duplicates
    with Gradebook(db) as gb:
        assert sorted(s.id for s in gb.students) == ["ada", "ben", "cy", "dee", "eve"]
        assert gb.find_assignment("hw99_demo").max_score == 10
        book = gradebook(out)
        for student in book:
            if student != "zed":
                assert gb.find_submission("hw99_demo", student).score == float(book[student]["points"])
        assert gb.find_grade("test_double_negative", "checks", "hw99_demo", "cy").score == 0
