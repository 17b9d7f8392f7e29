"""Known-bug variants of a reference solution ("mutants"), used to show that checks catch real bugs, and
correct variants, used to show that learning checks pass every correct implementation the docs allow.

A mutant is a one-place text patch of a reference module plus the checks that must fail because of it.
The bank of an assignment is ``tests/mutants/<assignment>/*.py``, each file holding a list ``MUTANTS``.
Correct variants (another initialisation, another style the docstrings allow) are patches of the same kind,
with no ``killed_by``, in ``tests/variants/<assignment>/*.py`` (a list ``VARIANTS``); ``rlgrade calibrate``
runs them next to the reference and expects each to pass like it.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    """One deliberate change: replace ``old`` (which must occur exactly once in ``file``) by ``new`` — a bug,
    or (with ``killed_by == ()``) a correct variant."""

    id: str
    assignment: str
    description: str
    file: str
    old: str
    new: str
    killed_by: tuple[str, ...]

    def build(self, solutions_root: Path, dest_root: Path) -> Path:
        """Copy the reference package to ``dest_root/<assignment>`` and apply the patch; return ``dest_root``."""
        src = solutions_root / self.assignment
        dst = dest_root / self.assignment
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        target = dst / self.file
        text = target.read_text(encoding="utf-8")
        count = text.count(self.old)
        if count != 1:
            raise ValueError(f"mutant {self.id}: the patched text occurs {count} times in {self.file}, not once")
        target.write_text(text.replace(self.old, self.new), encoding="utf-8")
        return dest_root


def load_bank(course_root: Path, assignment: str, kind: str = "mutants") -> list[Mutant]:
    """All ``MUTANTS`` of ``tests/mutants/<assignment>/*.py`` (``kind="variants"``: all ``VARIANTS`` of
    ``tests/variants/<assignment>/*.py``), in file-name order."""
    bank: list[Mutant] = []
    for path in sorted((course_root / "tests" / kind / assignment).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"{kind}_{assignment}_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        bank.extend(getattr(module, kind.upper()))
    return bank
