"""Stubs and student repos, generated from ``solutions/`` (design P1: one source).

Student code in a reference module is fenced by lines ``# BEGIN SOLUTION`` and ``# END SOLUTION`` inside a
function body. The stub keeps everything else (imports, signatures, docstrings) and puts in place of each
fence a ``raise NotImplementedError`` naming the function, so a check on an untouched stub fails with
"Not implemented yet: ..." instead of crashing. An assignment's ``README.md`` may hold the line
``<!-- rlgrade:points-table -->``, replaced by the table of its checks and their points.
"""

from __future__ import annotations

import ast
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from grader import golden
from grader.notebooks import student_notebook
from grader.results import read_records
from grader.student_repo import Changes, RepoUpdateError, update_repo

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
POINTS_TABLE = "<!-- rlgrade:points-table -->"
ASSIGNMENT_GLOB = "hw[0-9][0-9]_*"


class ReleaseError(ValueError):
    """A reference file or an assignment folder cannot be turned into a stub."""


def _function_spans(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, outermost first."""
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return spans


def make_stub(source: str, filename: str) -> str:
    """Replace every fenced solution region of ``source`` by a ``raise NotImplementedError``."""
    tree = ast.parse(source, filename)
    spans = _function_spans(tree)
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        begin = BEGIN.match(lines[i])
        if END.match(lines[i]):
            raise ReleaseError(f"{filename}:{i + 1}: '# END SOLUTION' without a matching BEGIN")
        if not begin:
            out.append(lines[i])
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if END.match(lines[j]) or BEGIN.match(lines[j])), None)
        if end is None or BEGIN.match(lines[end]):
            raise ReleaseError(f"{filename}:{i + 1}: '# BEGIN SOLUTION' is not closed by '# END SOLUTION'")
        owners = [name for first, last, name in spans if first < i + 1 <= last]
        if not owners:
            raise ReleaseError(f"{filename}:{i + 1}: a solution region must be inside a function body")
        message = f"{owners[-1]} — fill this in (see its docstring in {filename})"
        out.append(f'{begin["indent"]}raise NotImplementedError("{message}")\n')
        i = end + 1
    stub = "".join(out)
    ast.parse(stub, filename)
    return stub


def collect_checks(course_root: Path, assignment: str) -> list[dict]:
    """The checks of ``assignment`` (public and hidden) as the plugin collects them: nodeid, points, title."""
    dirs = [course_root / "tests" / kind / assignment for kind in ("public", "hidden")]
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records.jsonl"
        cmd = [
            sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
            "--rootdir", str(course_root), "-c", str(course_root / "pyproject.toml"),
            "--rlgrade-records", str(records), *[str(d) for d in dirs if d.is_dir()],
        ]  # fmt: skip
        proc = subprocess.run(cmd, cwd=course_root, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ReleaseError(f"collecting the checks of {assignment} failed:\n{proc.stdout[-3000:]}{proc.stderr}")
        return [r for r in read_records(records) if r["kind"] == "collected"]


def points_table(checks: list[dict]) -> str:
    """Markdown table of the public checks with their points and CPU-time limits, plus one line for the hidden
    ones and, for an assignment with parts, one for the points that count (the best k parts)."""
    public = [c for c in checks if "/public/" in c["nodeid"]]
    hidden = [c for c in checks if "/hidden/" in c["nodeid"]]
    rows = ["| check | what it measures | points | CPU limit |", "|---|---|---|---|"]
    for c in public:
        file, _, name = c["nodeid"].rpartition("::")
        rows.append(f"| `{name}` ({Path(file).name}) | {c['title']} | {c['points']:g} | {c['cpu_seconds']:g} s |")
    pub, hid = sum(c["points"] for c in public), sum(c["points"] for c in hidden)
    if hidden:
        limits = sorted({c["cpu_seconds"] for c in hidden})
        span = f"{limits[0]:g} s" if len(limits) == 1 else f"{limits[0]:g}–{limits[-1]:g} s"
        rows.append(
            f"| hidden checks ({len(hidden)}) | run by the grader only: other seeds, variants, edge cases | {hid:g} "
            f"| {span} each |"
        )
    rows.append(f"| **total** | | **{pub + hid:g}** | |")
    parts: dict[str, float] = {}
    for c in checks:  # an assignment with parts (grader/parts.py): only the best k count
        if c.get("part"):
            parts[c["part"]] = parts.get(c["part"], 0.0) + c["points"]
    if parts:
        k = next(c["best_k"] for c in checks if c.get("part"))
        counted = sum(sorted(parts.values(), reverse=True)[:k])
        each = ", ".join(f"{name} {points:g}" for name, points in parts.items())
        rows.append(f"| **counted: the best {k} of {len(parts)} parts** | {each} | **{counted:g}** | |")
    return "\n".join(rows)


def write_assignment_stubs(course_root: Path, assignment: str, dest: Path) -> None:
    """Write the student version of ``solutions/<assignment>`` into ``dest``."""
    src = course_root / "solutions" / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if "__pycache__" in rel.parts or path.is_dir():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            target.write_text(make_stub(path.read_text(encoding="utf-8"), path.name), encoding="utf-8")
        elif path.suffix == ".ipynb":
            target.write_text(student_notebook(path.read_text(encoding="utf-8")), encoding="utf-8")
        elif path.name == "README.md":
            text = path.read_text(encoding="utf-8")
            if POINTS_TABLE in text:
                text = text.replace(POINTS_TABLE, points_table(collect_checks(course_root, assignment)))
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copy2(path, target)


def assignment_names(course_root: Path) -> list[str]:
    return sorted(p.name for p in (course_root / "solutions").glob(ASSIGNMENT_GLOB) if p.is_dir())


def write_all_stubs(course_root: Path, dest_root: Path) -> None:
    """Stubs of every assignment into ``dest_root``, and the public checks' expected values (:mod:`grader.golden`)
    into ``tests/public/<assignment>/expected.json``."""
    for name in assignment_names(course_root):
        write_assignment_stubs(course_root, name, dest_root / name)
        values = golden.generate(course_root, name)
        path = course_root / "tests" / "public" / name / golden.FILE
        if values is not None and not golden.is_up_to_date(path, values):  # else keep it: no last-bit churn
            path.write_text(values, encoding="utf-8")


def stub_drift(course_root: Path) -> list[str]:
    """Files of ``assignments/`` and expected-value files that differ from what generation produces now (empty:
    no drift)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "assignments"
        for name in assignment_names(course_root):
            write_assignment_stubs(course_root, name, fresh / name)
        drift = _tree_differences(fresh, course_root / "assignments")
    for name in assignment_names(course_root):
        values = golden.generate(course_root, name)
        path = course_root / "tests" / "public" / name / golden.FILE
        if values is not None and not golden.is_up_to_date(path, values):
            drift.append(f"differs: {path.relative_to(course_root)}")
    return drift


def _tree_differences(expected: Path, actual: Path) -> list[str]:
    def files(root: Path) -> set[str]:
        if not root.is_dir():
            return set()
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    want, have = files(expected), files(actual)
    diffs = [f"missing: {f}" for f in sorted(want - have)] + [f"unexpected: {f}" for f in sorted(have - want)]
    diffs += [f"differs: {f}" for f in sorted(want & have) if not filecmp.cmp(expected / f, actual / f, shallow=False)]
    return diffs


def _is_named(assignment: str, prefix: str) -> bool:
    """``hw01`` (or the full name) names ``hw01_env_bandits``."""
    return assignment == prefix or assignment.startswith(prefix + "_")


@dataclass
class Released:
    """What :func:`release` did: the assignments released and the files it added, changed and deleted."""

    names: list[str]
    changes: Changes


#: An assignment's extra in pyproject.toml, on one line: ``hw10 = ["pettingzoo>=1.24,<2"]``
EXTRA = re.compile(r"^(hw\d+)\s*=\s*\[([^\]]*)\]", re.MULTILINE)


def with_assignment_extras(pyproject: str, names: list[str]) -> str:
    """``pyproject`` (the course's) with the extras of the assignments ``names`` (extra ``hw10`` for
    ``hw10_multi_agent``) added to its dependencies: a student installs the repo with ``pip install -e .``."""
    extras = {m.group(1): re.findall(r'"([^"]+)"', m.group(2)) for m in EXTRA.finditer(pyproject)}
    prefixes = [name.split("_", 1)[0] for name in names]
    added = "".join(f'  "{req}",  # {prefix}\n' for prefix in prefixes for req in extras.get(prefix, []))
    opening = "\ndependencies = [\n"
    if added and opening not in pyproject:
        raise ReleaseError("pyproject.toml must list its dependencies as `dependencies = [` on a line of its own")
    return pyproject.replace(opening, opening + added, 1)


def release(course_root: Path, dest: Path, only: list[str] | None = None) -> Released:
    """Write the student repo into ``dest``, or update the one an earlier release wrote there (files no longer
    released are deleted, files edited since the last release are never overwritten: :mod:`grader.student_repo`).

    ``only`` (prefixes such as ``hw01``) limits it to some assignments, e.g. those released so far. Never
    writes solutions, hidden checks or mutants."""
    names = assignment_names(course_root)
    if only:
        unknown = [p for p in only if not any(_is_named(n, p) for n in names)]
        if unknown:
            raise ReleaseError(f"no assignment {', '.join(unknown)} in {course_root / 'solutions'}")
        names = [n for n in names if any(_is_named(n, p) for p in only)]
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "repo"
        _write_release(course_root, staging, names)
        try:
            changes = update_repo(staging, dest)
        except RepoUpdateError as err:
            raise ReleaseError(str(err)) from None
    return Released(names, changes)


def _write_release(course_root: Path, dest: Path, names: list[str]) -> None:
    """Write the release of ``names`` into the new folder ``dest``: stubs, public checks, the grader, README,
    workflows."""
    for name in names:
        write_assignment_stubs(course_root, name, dest / "assignments" / name)
        public = course_root / "tests" / "public" / name
        if public.is_dir():
            shutil.copytree(public, dest / "tests" / "public" / name, ignore=shutil.ignore_patterns("__pycache__"))
    # grader/oracles computes the homework's answers: course-only (see its docstring)
    shutil.copytree(Path(__file__).parent, dest / "grader", ignore=shutil.ignore_patterns("__pycache__", "oracles"))
    pyproject = (course_root / "pyproject.toml").read_text(encoding="utf-8")
    if COURSE_TESTPATHS not in pyproject:
        raise ReleaseError(f"pyproject.toml must contain `{COURSE_TESTPATHS}` (replaced in the student repo)")
    pyproject = with_assignment_extras(pyproject.replace(COURSE_TESTPATHS, STUDENT_TESTPATHS), names)
    (dest / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    templates = resources.files("grader") / "templates" / "student"
    listing = "\n".join(f"- [`{n}`](assignments/{n}/README.md)" for n in names)
    for rel, target in TEMPLATE_FILES.items():
        text = (templates / rel).read_text(encoding="utf-8").replace("{{assignments}}", listing)
        out = dest / target
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


#: the course repo's pytest runs the grader's own tests; the student repo's runs the public checks
COURSE_TESTPATHS = 'testpaths = ["tests/grader"]'
STUDENT_TESTPATHS = 'testpaths = ["tests/public"]'
#: student-repo template file -> where it goes in the student repo
TEMPLATE_FILES = {
    "README.md": "README.md",
    "Makefile": "Makefile",
    "gitignore": ".gitignore",
    "checks.yml": ".github/workflows/checks.yml",
}
