"""Finding an assignment's code in a submission, whatever shape the student uploaded it in.

Students upload the package folder (``hw01_env_bandits/``, with or without ``__init__.py``), only its module
files (Gradescope: "upload the files"), their whole repo (``assignments/hw01_env_bandits/``), GitHub's
"Download ZIP" of it (wrapped in ``rl-homework-main/`` or ``hw01-alice/``), or any of these inside more wrapper
folders. So the grader searches the whole submission instead of expecting one layout.

A *candidate* for assignment ``A`` is a folder of the submission that holds at least one of A's module files
(the ``.py`` files of the released stub ``assignments/A/`` other than ``__init__.py``): a folder named ``A``
(the package), or any other folder holding such files directly (loose files). Folders that tools and the
course create (``.git``, ``.venv``, ``__pycache__``, ``__MACOSX``, ``grader``, ``tests``, ``grading``, …)
are not searched: the student repo's copy of the grader has modules with the same names (``bandits.py``).

One candidate is graded. With several, a candidate whose module files are those of the released stub (line
endings aside) is an untouched copy and is set aside; the edited candidates left must hold the same code (the
folder uploaded together with its loose files, say), and a package is graded before loose files; edited copies
that differ are refused (:class:`SubmissionError`): the grader cannot know which one the student meant. Every
decision is written down in :attr:`Located.notes`, which the reports show.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.runner import GradingError

#: Folders never searched for a student's code (tools', the course's, and the grader's own).
SKIPPED_FOLDERS = frozenset(
    {"__pycache__", "__MACOSX", "node_modules", "site-packages", "venv", "env", "grader", "tests", "grading"}
)
#: How deep below the submission's top folder code is looked for (wrappers inside wrappers).
MAX_DEPTH = 8


class SubmissionError(GradingError):
    """The submission cannot be graded as uploaded (no code of the assignment, or edited copies that differ)."""


@dataclass(frozen=True)
class Candidate:
    folder: Path  # the package folder, or the folder holding the loose module files
    package: bool  # a folder named after the assignment (else loose files)


@dataclass
class Located:
    """The implementation folder built for grading (``root/<assignment>/`` per assignment) and what was done."""

    root: Path
    notes: list[str]


def stub_modules(stub: Path) -> set[str]:
    """The module files (``*.py`` but ``__init__.py``) of the released stub folder of one assignment."""
    return {p.name for p in stub.glob("*.py")} - {"__init__.py"}


def candidates(top: Path, assignment: str, modules: set[str]) -> list[Candidate]:
    """Every folder under ``top`` that holds code of ``assignment``, shallowest first (symlinks not followed)."""
    found: list[Candidate] = []
    for folder, dirs, files in os.walk(top):
        here = Path(folder)
        depth = len(here.relative_to(top).parts)
        dirs[:] = sorted(
            d
            for d in dirs
            if depth < MAX_DEPTH and not d.startswith(".") and d not in SKIPPED_FOLDERS and not d.endswith(".egg-info")
        )
        python = {f for f in files if f.endswith(".py")}
        if python and (here.name == assignment or python & modules):
            found.append(Candidate(here, package=here.name == assignment))
            if here.name == assignment:
                dirs[:] = []  # a package's subfolders are part of it
    return sorted(found, key=lambda c: (len(c.folder.parts), str(c.folder)))


def _text(path: Path) -> str | None:
    return path.read_bytes().decode(errors="replace").replace("\r\n", "\n") if path.is_file() else None


def code_of(candidate: Candidate, modules: set[str]) -> tuple:
    """The candidate's module files as text (line endings aside): all its ``.py`` files if the names are unknown."""
    names = modules or {p.name for p in candidate.folder.glob("*.py")}
    return tuple((name, _text(candidate.folder / name)) for name in sorted(names))


def is_untouched_copy(candidate: Candidate, stub: Path, modules: set[str]) -> bool:
    """Whether the candidate's module files are exactly the released stub's (never true of the stub itself)."""
    if not modules or candidate.folder.resolve() == stub.resolve():
        return False
    return all(_text(candidate.folder / m) == _text(stub / m) for m in modules)


def describe(candidate: Candidate, top: Path) -> str:
    where = candidate.folder.relative_to(top).as_posix()
    return f"{where}/" if where != "." else "the top folder of the submission"


def choose(found: list[Candidate], assignment: str, stub: Path, modules: set[str], top: Path) -> tuple[Candidate, str]:
    """The candidate to grade among several, and a sentence saying why; refuses edited copies that differ."""
    edited = [c for c in found if not is_untouched_copy(c, stub, modules)]
    if len({code_of(c, modules) for c in edited}) > 1:
        raise SubmissionError(
            f"the submission holds {len(edited)} edited copies of {assignment}: "
            f"{', '.join(describe(c, top) for c in edited)}; keep only the one to grade and submit again"
        )
    chosen = next((c for c in edited if c.package), edited[0]) if edited else found[0]
    same = [describe(c, top) for c in edited if c != chosen]
    stubs = [describe(c, top) for c in found if c not in edited and c != chosen]
    return chosen, "; ".join(
        [*([f"also found {', '.join(same)}: the same code"] if same else []),
         *([f"also found {', '.join(stubs)}: the unedited stub, not graded"] if stubs else [])]
    )  # fmt: skip


def copy_candidate(candidate: Candidate, assignment: str, stub: Path, dest: Path) -> list[str]:
    """Copy the candidate's code into ``dest`` (the package folder the checks import); returns notes.

    A package is copied whole (caches and symlinks left out); loose files are copied without their
    subfolders. Without an ``__init__.py`` the released stub's is used (it holds no student code)."""
    notes = []
    if candidate.package:
        shutil.copytree(
            candidate.folder, dest, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".*")
        )  # fmt: skip
        for link in [p for p in dest.rglob("*") if p.is_symlink()]:
            link.unlink()
    else:
        dest.mkdir(parents=True)
        for path in candidate.folder.iterdir():
            if path.is_file() and not path.is_symlink():
                shutil.copy2(path, dest / path.name)
    if not (dest / "__init__.py").is_file():
        init = stub / "__init__.py"
        (dest / "__init__.py").write_bytes(init.read_bytes() if init.is_file() else b"")
        notes.append(f"{assignment}: no __init__.py in the submission, used the released one")
    return notes


def locate(top: Path, assignments: list[str], stubs_root: Path, dest_root: Path) -> Located:
    """Find the code of each assignment in the submission folder ``top`` and copy it into
    ``dest_root/<assignment>/``; ``stubs_root`` holds the released stubs (``assignments/`` of the course).

    Raises :class:`SubmissionError` when no assignment's code is found, or one has several edited copies. An
    assignment without code while another has some is left out (its checks say the package is missing)."""
    notes: list[str] = []
    dest_root.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, set[str]] = {}
    for assignment in assignments:
        stub = stubs_root / assignment
        modules = stub_modules(stub)
        wanted[assignment] = modules
        found = candidates(top, assignment, modules)
        if not found:
            continue
        chosen, why = choose(found, assignment, stub, modules, top) if len(found) > 1 else (found[0], "")
        what = "the package" if chosen.package else "the files"
        notes.append(f"{assignment}: graded {what} in {describe(chosen, top)}" + (f" ({why})" if why else ""))
        missing = sorted(m for m in modules if not (chosen.folder / m).is_file())
        if missing:
            notes.append(f"{assignment}: missing {', '.join(missing)}: the checks that need them get 0")
        notes += copy_candidate(chosen, assignment, stub, dest_root / assignment)
    if not any((dest_root / a).is_dir() for a in assignments):
        expected = "; ".join(
            f"{a}/ ({', '.join(sorted(m))})" if m else f"{a}/" for a, m in wanted.items()
        )  # fmt: skip
        raise SubmissionError(
            f"no code of {', '.join(assignments)} in the submission: upload the assignment folder, its .py files "
            f"or your whole repo; expected {expected}"
        )
    return Located(dest_root, notes)
