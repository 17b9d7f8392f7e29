"""Patched copies of a reference solution: known-bug variants ("mutants") and correct variants in other styles.

A *mutant* is a one-place text patch of a reference module plus the checks that must fail because of it; it
shows that the checks catch real bugs. The bank of an assignment is ``tests/mutants/<assignment>/*.py``, each
file holding a list ``MUTANTS``.

A *variant* is a correct implementation written in another style the student text allows (another weight
initialisation, float32 tables, another order of calls the docstrings permit), made of one or more edits of
the reference; it shows that the checks do not depend on the reference's own choices. It must get every point
of the exact checks and pass every learning check it names on (nearly) every calibration seed
(``rlgrade calibrate``). The bank is ``tests/variants/<assignment>/*.py``, each file holding ``VARIANTS``.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (which must occur exactly once in ``file``) by ``new``."""

    file: str
    old: str
    new: str


def build_patched(solutions_root: Path, dest_root: Path, assignment: str, edits: tuple[Edit, ...], label: str) -> Path:
    """Copy the reference package to ``dest_root/<assignment>``, apply ``edits`` in order; return ``dest_root``."""
    src = solutions_root / assignment
    dst = dest_root / assignment
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    for edit in edits:
        target = dst / edit.file
        text = target.read_text(encoding="utf-8")
        count = text.count(edit.old)
        if count != 1:
            raise ValueError(f"{label}: the patched text occurs {count} times in {edit.file}, not once")
        target.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
    return dest_root


@dataclass(frozen=True)
class Mutant:
    """One deliberate bug: replace ``old`` (which must occur exactly once in ``file``) by ``new``."""

    id: str
    assignment: str
    description: str
    file: str
    old: str
    new: str
    killed_by: tuple[str, ...]

    def build(self, solutions_root: Path, dest_root: Path) -> Path:
        """Copy the reference package to ``dest_root/<assignment>`` and apply the patch; return ``dest_root``."""
        edit = Edit(self.file, self.old, self.new)
        return build_patched(solutions_root, dest_root, self.assignment, (edit,), f"mutant {self.id}")


@dataclass(frozen=True)
class Variant:
    """A correct implementation in another style: the reference with ``edits``. ``calibrated_on`` names the
    learning checks it is calibrated on (those its edits can change); it must get every other point too."""

    id: str
    assignment: str
    description: str
    edits: tuple[Edit, ...]
    calibrated_on: tuple[str, ...]

    def build(self, solutions_root: Path, dest_root: Path) -> Path:
        """Copy the reference package to ``dest_root/<assignment>`` and apply the edits; return ``dest_root``."""
        return build_patched(solutions_root, dest_root, self.assignment, self.edits, f"variant {self.id}")


def _load(course_root: Path, folder: str, assignment: str, name: str) -> list:
    bank: list = []
    for path in sorted((course_root / "tests" / folder / assignment).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"{folder}_{assignment}_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        bank.extend(getattr(module, name))
    return bank


def load_bank(course_root: Path, assignment: str) -> list[Mutant]:
    """All ``MUTANTS`` of ``tests/mutants/<assignment>/*.py``, in file-name order."""
    return _load(course_root, "mutants", assignment, "MUTANTS")


def load_variants(course_root: Path, assignment: str) -> list[Variant]:
    """All ``VARIANTS`` of ``tests/variants/<assignment>/*.py``, in file-name order (none without that folder)."""
    return _load(course_root, "variants", assignment, "VARIANTS")
