"""Write batch grading results into an nbgrader gradebook, for courses that run nbgrader's formgrader.

Each assignment becomes an nbgrader assignment with one notebook, ``checks``, holding one code grade cell per
check (its maximum score = the check's points); each student graded by ``rlgrade grade-batch`` gets a
submission whose grade cells carry the points of the checks (as ``auto_score``). Re-exporting updates the
scores in place. Uses nbgrader's own ``nbgrader.api.Gradebook``.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

from grader.runner import GradingError
from grader.submissions import graded_folders

NOTEBOOK = "checks"


def check_scores(results_json: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """{assignment: {check name: (score, max score)}} from one student's ``results.json``."""
    data = json.loads(results_json.read_text(encoding="utf-8"))
    scores: dict[str, dict[str, tuple[float, float]]] = {}
    for test in data["tests"]:
        assignment, rest = test["name"].split(" · ", 1)
        check = rest.split(":", 1)[0].removesuffix(" (hidden)")
        scores.setdefault(assignment, {})[check] = (float(test["score"]), float(test["max_score"]))
    return scores


def export(batch_out: Path, db_url: str) -> int:
    """Put every graded student of ``batch_out`` (one folder with ``results.json`` each) into the gradebook at
    ``db_url`` (e.g. ``sqlite:///gradebook.db``); returns the number of students written. Refuses, before it
    creates a gradebook, a folder without graded students."""
    students = [job for job in graded_folders(batch_out) if (job.out / "results.json").is_file()]
    if not students:
        raise GradingError(f"no graded submissions (folders with results.json) in {batch_out}; nothing exported")
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    # nbgrader creates a new gradebook by running the `alembic` command of its environment (this venv)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with Gradebook(db_url) as gb, warnings.catch_warnings():
        # nbgrader's add_submission triggers SQLAlchemy autoflush warnings about its own objects; they are harmless
        warnings.simplefilter("ignore", SAWarning)
        for job in students:
            student = job.student
            gb.update_or_create_student(student)
            for assignment, checks in check_scores(job.out / "results.json").items():
                try:
                    gb.find_assignment(assignment)
                except MissingEntry:
                    gb.add_assignment(assignment)
                    gb.add_notebook(NOTEBOOK, assignment)
                for check, (_, max_score) in checks.items():
                    try:
                        gb.find_grade_cell(check, NOTEBOOK, assignment)
                    except MissingEntry:
                        gb.add_grade_cell(check, NOTEBOOK, assignment, max_score=max_score, cell_type="code")
                try:
                    gb.find_submission(assignment, student)
                except MissingEntry:
                    gb.add_submission(assignment, student)
                for check, (score, _) in checks.items():
                    gb.find_grade(check, NOTEBOOK, assignment, student).auto_score = score
                gb.db.commit()
    return len(students)
