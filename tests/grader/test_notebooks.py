"""Exploration notebooks: the course's version runs top to bottom against the reference, and the student
version (made by nbgrader's preprocessors during `rlgrade stubs`) keeps the questions but no answers."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from helpers import COURSE_ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((COURSE_ROOT / "solutions").glob("hw*/*.ipynb"))


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_course_notebook_runs_against_the_reference(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    figures = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})
    ]
    assert figures, f"{path.name} drew no figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_student_notebook_has_the_questions_but_no_answers(path: Path) -> None:
    student = json.loads((COURSE_ROOT / "assignments" / path.parent.name / path.name).read_text())
    course = json.loads(path.read_text())
    assert len(student["cells"]) == len(course["cells"])
    for mine, theirs in zip(course["cells"], student["cells"], strict=True):
        text = "".join(theirs["source"])
        assert "BEGIN SOLUTION" not in text and not theirs.get("outputs")
        if mine["metadata"].get("nbgrader", {}).get("solution"):
            assert ("YOUR CODE HERE" if mine["cell_type"] == "code" else "YOUR ANSWER HERE") in text
            question = "".join(mine["source"]).split("BEGIN SOLUTION")[0].strip()
            assert question.replace("###", "").strip() in text or mine["cell_type"] == "code"
