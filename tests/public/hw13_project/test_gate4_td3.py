"""Gate 4 — regression of td3: hw07_continuous's public checks, re-run on its copy in your library.

The checks are hw07_continuous's own (``tests/public/hw07_continuous/``), with their points; they load your code from
``hw13_project/hw07_continuous/`` instead of ``hw07_continuous/`` (``grader/harness/regression.py``).
"""

from __future__ import annotations

import pytest

from grader.harness.regression import homework_checks, library_homework

globals().update(homework_checks(__file__, "hw07_continuous", ("test_ddpg_td3", "test_ddpg_td3_agent")))


@pytest.fixture
def impl(request):
    """hw07_continuous as packaged in your library."""
    yield from library_homework(request, "hw07_continuous")
