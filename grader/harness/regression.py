"""Gate 4 of the project: a homework's own checks, re-run on the homework package inside a student's library.

A student packages their homework code by copying the homework folder (``hw04_dqn/``) into their library
(``hw13_project/hw04_dqn/``). Gate 4 does not re-write the homework's checks: a gate-4 check file imports the
check functions (and fixtures) of the homework's check files with :func:`homework_checks`, and overrides the
``impl`` fixture with :func:`library_homework` so those checks load the homework package from inside the
library. A student who breaks their DQN while packaging it loses exactly the points of hw04's checks it fails.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.harness.library import LIBRARY
from grader.impl import Implementation, ImplementationError, resolve_impl_root


def _is_fixture(value: Any) -> bool:
    return getattr(value, "_fixture_function_marker", None) is not None or hasattr(value, "_pytestfixturefunction")


def homework_checks(here: str, homework: str, stems: tuple[str, ...]) -> dict[str, Any]:
    """The checks (``test_*`` functions, with their points and timeouts) and fixtures of the check files ``stems``
    of ``homework``, from the folder of the same visibility as ``here`` (a gate-4 check file: pass ``__file__``);
    hidden check files are named ``<stem>_hidden.py``."""
    visibility = Path(here).resolve().parent.parent
    suffix = "_hidden" if visibility.name == "hidden" else ""
    found: dict[str, Any] = {}
    for stem in stems:
        path = visibility / homework / f"{stem}{suffix}.py"
        name = f"rlgrade_gate4_{hashlib.sha1(str(path).encode()).hexdigest()[:10]}_{path.stem}"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise FileNotFoundError(f"gate 4: no check file {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        for key, value in vars(sys.modules[name]).items():
            if (key.startswith("test_") and callable(value)) or _is_fixture(value):
                found[key] = value
    return found


def library_homework(request: pytest.FixtureRequest, homework: str) -> Iterator[Implementation]:
    """The body of a gate-4 file's ``impl`` fixture: the package ``<library>/<homework>/`` of the implementation
    under test, in-process or sandboxed like every check's."""
    from grader.plugin import implementation

    root = resolve_impl_root(request.config.getoption("--impl"), request.config.rootpath)
    request.node._rlgrade_impl_root = root
    library = root / LIBRARY
    if not (library / homework / "__init__.py").is_file():
        raise ImplementationError(
            f"Not implemented yet: your library has no {homework}/ package: copy your finished homework folder "
            f"{homework}/ (from assignments/) into {LIBRARY}/{homework}/; gate 4 re-runs {homework}'s checks on it"
        )
    package = (library / homework).resolve()  # the reference library links its homework folders: the real folder
    yield from implementation(request, package.parent, package.name)
