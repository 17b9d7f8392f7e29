"""Expected values of the public checks, kept as data: a student repo carries the answers, not the code that
computes them (issue 18).

Public checks ship to every student, so they must not contain or import code that computes what a student's
function returns (the grader's oracles, :mod:`grader.oracles`, stay in the course repo). A public check reads
its expected values from ``expected.json`` beside it with :func:`expected`. The course repo generates that file
with ``rlgrade stubs`` from ``tests/golden/<assignment>.py`` (never released): each function
``expected_<name>()`` there computes the value ``<name>`` with the oracles, from inputs the public check defines
(:func:`public_module` loads them); ``rlgrade stubs --check`` reports a file that is out of date.

Floats are compared to a relative 1e-12 (:func:`same_values`), not digit for digit: numpy's sums and matrix
products take other SIMD paths on other CPUs, which moves the last bit (seen: hw02's value iteration 2e-16 apart
on two machines). The public checks' own tolerances are many orders of magnitude wider.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

FILE = "expected.json"
PREFIX = "expected_"
RELATIVE_TOLERANCE = 1e-12


@functools.cache
def _values(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing (in the course repo, `rlgrade stubs` writes it)") from None


def expected(check_file: str, name: str) -> Any:
    """The expected value ``name`` of the public checks in the folder of ``check_file`` (pass ``__file__``)."""
    path = Path(check_file).resolve().with_name(FILE)
    values = _values(path)
    if name not in values:
        raise KeyError(f"{path} has no value {name!r} (in the course repo, `rlgrade stubs` writes it)")
    return values[name]


def public_module(generator_file: str, check: str) -> ModuleType:
    """The public check module ``check`` (e.g. ``"test_dp"``) of the generator's assignment, for its inputs."""
    generator = Path(generator_file).resolve()
    path = generator.parents[1] / "public" / generator.stem / f"{check}.py"
    return _load(path, f"rlgrade_public_{generator.stem}_{check}")


def generate(course_root: Path, assignment: str) -> str | None:
    """The text of ``tests/public/<assignment>/expected.json`` (None: the assignment has no generator)."""
    generator = course_root / "tests" / "golden" / f"{assignment}.py"
    if not generator.is_file():
        return None
    module = _load(generator, f"rlgrade_golden_{assignment}")
    values = {
        name.removeprefix(PREFIX): plain(function(), name)
        for name, function in sorted(vars(module).items())
        if name.startswith(PREFIX) and callable(function)
    }
    return json.dumps(values, indent=1, sort_keys=True) + "\n"


def is_up_to_date(path: Path, text: str) -> bool:
    """Whether the file ``path`` holds the values of ``text`` (expected.json), floats to :data:`RELATIVE_TOLERANCE`."""
    return path.is_file() and same_values(json.loads(path.read_text(encoding="utf-8")), json.loads(text))


def same_values(a: Any, b: Any) -> bool:
    """The same JSON data, every float equal to :data:`RELATIVE_TOLERANCE` of the larger magnitude (at least 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_values(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= RELATIVE_TOLERANCE * max(1.0, abs(a), abs(b))
    return type(a) is type(b) and a == b


def plain(value: Any, where: str) -> Any:
    """``value`` as JSON data: arrays and tuples become lists, numpy scalars Python numbers; floats keep every
    digit (JSON writes the shortest repr that reads back to the same float)."""
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), where)
    if isinstance(value, list | tuple):
        return [plain(v, where) for v in value]
    if isinstance(value, dict):
        if not all(type(k) is str for k in value):
            raise TypeError(f"{where}: the keys of an expected dict must be strings")
        return {k: plain(v, where) for k, v in value.items()}
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{where}: {type(value).__name__} is not JSON data")


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
