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
from pathlib import Path

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
    ``db_url`` (e.g. ``sqlite:///gradebook.db``); returns the number of students written."""
    from nbgrader.api import Gradebook, MissingEntry

    # nbgrader creates a new gradebook by running the `alembic` command of its environment (this venv)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    students = sorted(p.parent for p in batch_out.glob("*/results.json"))
    with Gradebook(db_url) as gb:
        for folder in students:
            student = folder.name
            gb.update_or_create_student(student)
            for assignment, checks in check_scores(folder / "results.json").items():
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
