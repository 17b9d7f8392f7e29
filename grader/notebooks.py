"""Student versions of the exploration notebooks, made by nbgrader's own preprocessors.

An assignment may ship ``explore.ipynb`` beside its modules: plots and short written questions on top of the
student's graded code (which stays in the ``.py`` files). In the course's version, answer cells carry
nbgrader's solution metadata and ``BEGIN SOLUTION`` / ``END SOLUTION`` markers; the student version is what
nbgrader's ``ClearSolutions`` (code → ``raise NotImplementedError()``, prose → "YOUR ANSWER HERE") and
``ClearOutput`` make of it.
"""

from __future__ import annotations


def student_notebook(source: str) -> str:
    """The student version of a notebook given as JSON text (cleared solutions and outputs)."""
    import nbformat
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    notebook = nbformat.reads(source, as_version=4)
    resources: dict = {}
    for preprocessor in (ClearSolutions(), ClearOutput()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    return nbformat.writes(notebook) + "\n"
