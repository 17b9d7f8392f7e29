"""Gate 4 — regression of dqn: hw04_dqn's public checks, re-run on its copy in your library.

The checks are hw04_dqn's own (``tests/public/hw04_dqn/``), with their points; they load your code from
``hw13_project/hw04_dqn/`` instead of ``hw04_dqn/`` (``grader/harness/regression.py``).
"""

from __future__ import annotations

import pytest

from grader.harness.regression import homework_checks, library_homework

globals().update(homework_checks(__file__, "hw04_dqn", ("test_dqn", "test_replay")))


@pytest.fixture
def impl(request):
    """hw04_dqn as packaged in your library."""
    yield from library_homework(request, "hw04_dqn")
