"""Gate 4 — regression of iql: hw10_multi_agent's public checks, re-run on its copy in your library.

The checks are hw10_multi_agent's own (``tests/public/hw10_multi_agent/``), with their points; they load your code from
``hw13_project/hw10_multi_agent/`` instead of ``hw10_multi_agent/`` (``grader/harness/regression.py``).
"""

from __future__ import annotations

import pytest

from grader.harness.regression import homework_checks, library_homework

globals().update(homework_checks(__file__, "hw10_multi_agent", ("test_learners",)))


@pytest.fixture
def impl(request):
    """hw10_multi_agent as packaged in your library."""
    yield from library_homework(request, "hw10_multi_agent")
