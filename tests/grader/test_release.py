"""Stub generation, the drift check, and the student repo that ``rlgrade release`` writes."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib
from helpers import COURSE_ROOT, run_cli

from grader import golden
from grader.release import BEGIN, ReleaseError, make_stub, release, stub_drift, with_assignment_extras

SOURCE = textwrap.dedent(
    '''
    import math


    class Agent:
        """An agent."""

        def __init__(self, n: int) -> None:
            self.n = n

        def act(self, x: float) -> float:
            """Return sqrt(x) * n."""
            # BEGIN SOLUTION
            root = math.sqrt(x)
            return root * self.n
            # END SOLUTION


    def helper(values: list[float]) -> float:
        """Sum of values."""
        total = 0.0
        # BEGIN SOLUTION
        for v in values:
            total += v
        # END SOLUTION
        return total
    '''
).lstrip()


def test_stub_keeps_signatures_and_docstrings_and_raises_with_the_function_name() -> None:
    stub = make_stub(SOURCE, "agent.py")
    assert "math.sqrt" not in stub and "total += v" not in stub and "BEGIN SOLUTION" not in stub
    assert (
        'def act(self, x: float) -> float:\n        """Return sqrt(x) * n."""\n        raise NotImplementedError('
        in stub
    )
    assert "Agent.act — fill this in (see its docstring in agent.py)" in stub
    assert '    raise NotImplementedError("helper — fill this in' in stub
    assert "self.n = n" in stub and "return total" in stub
    namespace: dict = {}
    exec(compile(stub, "agent.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="Agent.act — fill this in"):
        namespace["Agent"](2).act(4.0)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "is not closed"),
        ("def f():\n    return 1\n    # END SOLUTION\n", "without a matching BEGIN"),
        ("# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n", "must be inside a function body"),
        ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "is not closed"),
    ],
)
def test_malformed_fences_are_refused(source: str, problem: str) -> None:
    with pytest.raises(ReleaseError, match=problem):
        make_stub(source, "bad.py")


def test_assignments_folder_is_what_solutions_generate() -> None:
    """The drift check: edit solutions/, then run `rlgrade stubs`; never edit assignments/ by hand."""
    drift = stub_drift(COURSE_ROOT)
    assert drift == [], "assignments/ drifted from solutions/ (run `rlgrade stubs`):\n" + "\n".join(drift)


def test_expected_values_differing_in_the_last_bit_are_up_to_date(tmp_path: Path) -> None:
    """numpy on another CPU moves a float's last bit (hw02: 0.319934629669306 vs 0.3199346296693061); a real
    change of a value, a key or a type is still drift."""
    path = tmp_path / "expected.json"
    path.write_text(json.dumps({"v": [0.319934629669306, 2.0], "n": 3, "s": "a"}))
    assert golden.is_up_to_date(path, json.dumps({"v": [0.3199346296693061, 2.0], "n": 3, "s": "a"}))
    for changed in (
        {"v": [0.3199346297, 2.0], "n": 3, "s": "a"},
        {"v": [0.319934629669306], "n": 3, "s": "a"},
        {"v": [0.319934629669306, 2.0], "n": 3.0, "s": "a"},
        {"v": [0.319934629669306, 2.0], "n": 3},
    ):
        assert not golden.is_up_to_date(path, json.dumps(changed)), changed
    assert not golden.is_up_to_date(tmp_path / "missing.json", json.dumps({"n": 3}))


def test_stubs_check_command_reports_drift(fake_course: Path) -> None:
    assert run_cli("stubs", "--course", str(fake_course)).returncode == 0
    assert run_cli("stubs", "--check", "--course", str(fake_course)).returncode == 0
    calc = fake_course / "assignments" / "hw99_demo" / "calc.py"
    calc.write_text(calc.read_text() + "\n# edited by hand\n")
    proc = run_cli("stubs", "--check", "--course", str(fake_course))
    assert proc.returncode == 1 and "differs: hw99_demo/calc.py" in proc.stdout


def test_assignment_readme_gets_the_points_table(fake_course: Path) -> None:
    run_cli("stubs", "--course", str(fake_course))
    readme = (fake_course / "assignments" / "hw99_demo" / "README.md").read_text()
    assert "| `test_double` (test_demo.py) | double(x) returns 2x. | 2 | 5 s |" in readme
    assert "| check | what it measures | points | CPU limit |" in readme  # the limit a student's check runs under
    assert "| hidden checks (1) |" in readme and "| **total** | | **10** | |" in readme


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("release") / "student-repo"
    release(COURSE_ROOT, dest)
    return dest


def test_student_repo_installs_the_extras_of_its_assignments(student_repo: Path) -> None:
    """A student runs `pip install -e .`: the extra of an assignment (hw10's PettingZoo) is a plain dependency of
    the released repo, and only for the assignments released."""
    course = (COURSE_ROOT / "pyproject.toml").read_text()
    assert not any(d.startswith("pettingzoo") for d in tomllib.loads(course)["project"]["dependencies"])
    released = tomllib.loads((student_repo / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "pettingzoo>=1.24,<2" in released
    assert with_assignment_extras(course, ["hw01_env_bandits", "hw04_dqn"]) == course


def _solution_lines() -> set[str]:
    """Every non-trivial line inside a solution fence of the reference."""
    lines: set[str] = set()
    for path in (COURSE_ROOT / "solutions").rglob("*.py"):
        inside = False
        for line in path.read_text().splitlines():
            if BEGIN.match(line):
                inside = True
            elif "# END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12 and not line.strip().startswith("#"):
                lines.add(line.strip())
    return lines


# Lines of the reference's solution regions that the released grader may share: generic statements of the
# Gymnasium and torch APIs, counters and attribute set-up, none of which computes an answer.
GENERIC_LINES = frozenset(
    {
        "obs, reward, terminated, truncated, _ = env.step(action)",
        "if not (terminated or truncated):",
        "super().reset(seed=seed)",
        "with torch.no_grad():",
        "loss.backward()",
        "return returns",
        "return scores",
        "self.step = 0",
        "self.step += 1",
        "self.episode_return = 0.0",
        "self.episode_return += reward",
        "self.layout = tuple(layout)",
        "self.rows, self.cols = len(self.layout), len(self.layout[0])",
        "for t in range(steps):",  # a loop header: the bandit harness's steps, hw05's GAE recursion over a rollout
        "for _ in range(steps):",  # the same header: the project template's train loop, a solution's rollout
        "if duration <= 0:",  # the harness's own ε schedule of its training loops (the README states the formula)
        # PettingZoo's parallel-env idioms (its own custom-env tutorial has them): the kit's Two-switches task (hw10
        # VDN) and the student's env of hw10 part 3 both seed, and end every agent, this way
        "if seed is not None:",
        "self.agents = []",
    }
)


def test_student_repo_has_no_solutions_and_no_hidden_checks(student_repo: Path) -> None:
    """No solution line in any shipped file, the released grader included (issue 18: public checks read
    expected values as data; the course-only grader/oracles is not released), except GENERIC_LINES."""
    files = [p for p in student_repo.rglob("*") if p.is_file()]
    names = {str(p.relative_to(student_repo)) for p in files}
    assert not any(n.startswith(("solutions", "tests/hidden", "tests/mutants", "tests/grader")) for n in names)
    assert not any(n.startswith(("grader/oracles", "tests/golden")) for n in names), "course-only code was released"
    assert {"README.md", "pyproject.toml", "Makefile", ".github/workflows/checks.yml"} <= names
    assert any(n.startswith("assignments/hw01_env_bandits/") for n in names)
    assert any(n.startswith("tests/public/hw01_env_bandits/test_") for n in names)
    assert "tests/public/hw02_tabular/expected.json" in names, "the public checks' expected values were not released"
    secret_lines = _solution_lines() - GENERIC_LINES
    assert secret_lines, "the reference has no fenced solution lines"
    for path in files:
        if path.suffix in (".py", ".md", ".toml", ".yml", ".json"):
            text = path.read_text()
            in_grader = path.relative_to(student_repo).parts[0] == "grader"  # the grader names the fences
            assert "BEGIN SOLUTION" not in text or in_grader, path
            shipped = {line.strip() for line in text.splitlines()}
            leaked = sorted(secret_lines & shipped)
            assert not leaked, f"{path} contains solution code: {leaked[:3]}"


def test_released_grader_imports_only_itself(student_repo: Path) -> None:
    """Every ``grader.…`` module the released grader imports is in the released copy. (Run from this venv, the
    course's editable install would supply a missing module; a student's fresh venv would not.)"""
    package = student_repo / "grader"
    missing = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            for name in (n for n in names if n.split(".")[0] == "grader"):
                file = student_repo.joinpath(*name.split("."))
                if not (file.with_suffix(".py").is_file() or (file / "__init__.py").is_file()):
                    missing.add(f"{name} (imported by {path.relative_to(student_repo)})")
    assert not missing, f"the student repo's grader/ imports modules it does not contain: {sorted(missing)}"


def test_public_checks_run_in_the_student_repo(student_repo: Path, tmp_path: Path) -> None:
    """The released repo's own grader copy runs its public checks on its stubs: 0 points, no crash."""
    env = {**os.environ, "PYTHONPATH": str(student_repo)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "--report-dir", str(tmp_path / "report")],
        cwd=student_repo, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr
    assert "rlgrade: points" in proc.stdout and "TOTAL 0 / " in proc.stdout
    assert "Not implemented yet" in proc.stdout
    assert str(student_repo / "grader") in subprocess.run(
        [sys.executable, "-c", "import grader; print(grader.__file__)"], cwd=student_repo, capture_output=True,
        text=True, env=env,
    ).stdout  # fmt: skip


def test_release_of_some_assignments_only(tmp_path: Path) -> None:
    """``rlgrade release DEST --hw hw01``: week by week, only the assignments named; an unknown name is refused."""
    assert release(COURSE_ROOT, tmp_path / "week1", only=["hw01"]).names == ["hw01_env_bandits"]
    assert sorted(p.name for p in (tmp_path / "week1" / "assignments").iterdir()) == ["hw01_env_bandits"]
    assert sorted(p.name for p in (tmp_path / "week1" / "tests" / "public").iterdir()) == ["hw01_env_bandits"]
    with pytest.raises(ReleaseError, match="no assignment hw42"):
        release(COURSE_ROOT, tmp_path / "nothing", only=["hw42"])
