"""Mutation testing of an assignment's checks: grade every known-bug variant of the reference ("mutant").

For each mutant of ``tests/mutants/<assignment>/`` the public and hidden checks run against the patched
reference: every exact check, and the learning checks (:func:`learning_checks`) only
where the mutant's ``killed_by`` names them, since a learning check costs up to a minute. The result is a kill
matrix (mutant × check). A mutant must lose the points of every check it names, and must not get full marks.
A correct variant (:class:`grader.mutants.Variant`) is graded the same way and must lose no point of an exact check.
"""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.calibration import check_modules, is_spec
from grader.mutants import Mutant, Variant, load_bank
from grader.runner import assignment_dirs, run_checks


@dataclass
class MutantResult:
    mutant: Mutant
    failed: dict[str, bool]  # check name -> it failed (a parametrized check fails when any case fails)

    @property
    def survived(self) -> bool:
        """Full marks on every check that ran: no check catches this bug."""
        return not any(self.failed.values())

    @property
    def missed(self) -> list[str]:
        """Checks named in ``killed_by`` that still passed (or did not run)."""
        return [name for name in self.mutant.killed_by if not self.failed.get(name, False)]


def grade_patched(
    course_root: Path, patched: Mutant | Variant, work: Path, select: str | None = None
) -> dict[str, bool]:
    """Grade a mutant or a variant with the assignment's public and hidden checks (those matching the pytest
    ``-k`` expression ``select``, if given): check name -> it failed."""
    impl = patched.build(course_root / "solutions", work / "impl")
    dirs = assignment_dirs(course_root, patched.assignment.split("_", 1)[0], hidden=True)
    failed: dict[str, bool] = {}
    for result in run_checks(course_root, str(impl), dirs, work / "run", ["-k", select] if select else []):
        name = result.name.split("[")[0]
        failed[name] = failed.get(name, False) or not result.passed
    return failed


def grade_mutant(course_root: Path, mutant: Mutant, work: Path, select: str | None = None) -> MutantResult:
    """Grade the mutant with the assignment's public and hidden checks (``select`` as in :func:`grade_patched`)."""
    return MutantResult(mutant, grade_patched(course_root, mutant, work, select))


def learning_checks(course_root: Path, assignment: str) -> set[str]:
    """The assignment's learning checks: each check a spec names, in the check's own file or, for a check the
    project's gate 4 re-runs, in the homework's file it comes from; and each check marked ``learning`` (runs that
    train through a budget without a spec: the project's benchmark)."""
    names = set()
    for module in check_modules(course_root, assignment):
        for name, check in vars(module).items():
            if not (name.startswith("test_") and callable(check)):
                continue
            home = getattr(check, "__globals__", {})  # the file that defines the check
            marked = any(mark.name == "learning" for mark in getattr(check, "pytestmark", []))
            if marked or any(is_spec(value) and value.check == name for value in home.values()):
                names.add(name)
    return names


def exact_checks_only(course_root: Path, assignment: str) -> str | None:
    """A ``-k`` expression leaving out every learning check of the assignment."""
    return " and ".join(f"not {name}" for name in sorted(learning_checks(course_root, assignment))) or None


def _without(learning: set[str], mutant: Mutant) -> str | None:
    """A ``-k`` expression leaving out the learning checks the mutant does not name."""
    skip = sorted(learning - set(mutant.killed_by))
    return " and ".join(f"not {name}" for name in skip) or None


def mutation_matrix(course_root: Path, assignment: str, workers: int, only: list[str] | None) -> list[MutantResult]:
    learning = learning_checks(course_root, assignment)
    bank = [m for m in load_bank(course_root, assignment) if only is None or m.id in only]
    with tempfile.TemporaryDirectory(prefix=f"mutants_{assignment}_") as tmp, ThreadPoolExecutor(workers) as pool:
        jobs = [pool.submit(grade_mutant, course_root, m, Path(tmp) / m.id, _without(learning, m)) for m in bank]
        return [job.result() for job in jobs]


def write_matrix(assignment: str, results: list[MutantResult], out: Path) -> list[Path]:
    """``<assignment>.md``: the kill matrix (✗ killed, · passed, blank not run), and ``<assignment>.json``."""
    out.mkdir(parents=True, exist_ok=True)
    checks = sorted({name for r in results for name in r.failed})
    killed = sum(not r.survived for r in results)
    lines = [
        f"# Mutation report of {assignment}",
        "",
        f"{len(results)} mutants, {killed} killed by at least one check ({100 * killed / max(1, len(results)):.0f} %). "
        "✗ = the check fails for the mutant (caught), · = it passes, blank = not run (a learning check the "
        "mutant does not name). **bold** = named in the mutant's `killed_by`.",
        "",
        "| check | " + " | ".join(r.mutant.id for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for check in checks:
        cells = []
        for r in results:
            mark = "" if check not in r.failed else ("✗" if r.failed[check] else "·")
            cells.append(f"**{mark}**" if mark and check in r.mutant.killed_by else mark)
        lines.append(f"| {check} | " + " | ".join(cells) + " |")
    lines += ["", "| mutant | bug | checks that catch it | named but passed |", "|---|---|---|---|"]
    for r in results:
        caught = ", ".join(name for name, f in r.failed.items() if f) or "**none: survives**"
        lines.append(f"| {r.mutant.id} | {r.mutant.description} | {caught} | {', '.join(r.missed) or '–'} |")
    data = [
        {"mutant": r.mutant.id, "description": r.mutant.description, "killed_by": list(r.mutant.killed_by),
         "failed": r.failed, "survived": r.survived, "missed": r.missed}
        for r in results
    ]  # fmt: skip
    (out / f"{assignment}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / f"{assignment}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return [out / f"{assignment}.md", out / f"{assignment}.json"]
