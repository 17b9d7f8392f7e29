"""The "best k of n" parts rule (grader/parts.py): a fake assignment with 3 parts of which the best 2 count, in
results.json, report.md, junit.xml, the gradebook and the Gradescope export; malformed parts files refused."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from helpers import FAKE_CHECKS, FAKE_HIDDEN, FAKE_SOLUTION, grade, run_cli, submission_with, write_package

from grader.parts import PartsError, load_rule, part_scores
from grader.results import CheckResult, total

HEADER, DOUBLE, HALVE, COUNTER = FAKE_CHECKS.split("\n\n\n@pytest.mark.points")
PARTS_TOML = """
best_k = 2

[parts]
doubling = ["test_double*.py"]
halving = ["test_halve.py"]
counting = ["test_counter.py"]
"""


@pytest.fixture
def parted_course(fake_course: Path) -> Path:
    """hw99_demo in 3 parts: doubling (public 2 + hidden 4 points), halving (3), counting (1); best 2 count."""
    public = fake_course / "tests" / "public" / "hw99_demo"
    (public / "test_demo.py").unlink()
    (fake_course / "tests" / "hidden" / "hw99_demo" / "test_demo_hidden.py").unlink()
    files = {
        f"test_{n}.py": f"{HEADER}\n\n\n@pytest.mark.points{body}"
        for n, body in (("double", DOUBLE), ("halve", HALVE), ("counter", COUNTER))
    }
    write_package(public, {**files, "parts.toml": PARTS_TOML})
    write_package(fake_course / "tests" / "hidden" / "hw99_demo", {"test_double_hidden.py": FAKE_HIDDEN})
    return fake_course


def result(part: str, points: float, passed: bool, best_k: int = 2, assignment: str = "hw") -> CheckResult:
    return CheckResult(
        f"{part}{points}", assignment, part, "t", "public", points, passed, "", 0.0, part=part, best_k=best_k
    )


def test_only_the_best_k_parts_count() -> None:
    results = [result("a", 2, True), result("a", 4, False), result("b", 3, True), result("c", 1, True)]
    # parts: a 2/6, b 3/3, c 1/1 → the best two are b and a: 5 points; maximum = the two largest maxima 6 + 3
    assert total(results) == (5, 9)
    assert [(p.part, p.points, p.counted) for p in part_scores(results)] == [
        ("a", 2, True),
        ("b", 3, True),
        ("c", 1, False),
    ]
    unparted = CheckResult("x", "other", "x", "t", "public", 10, True, "", 0.0)
    assert total([*results, unparted]) == (15, 19)  # an assignment without parts counts every check


def test_ties_count_the_part_that_comes_first() -> None:
    results = [result("a", 1, False), result("b", 1, True), result("c", 1, True), result("d", 1, True)]
    assert [p.part for p in part_scores(results) if p.counted] == ["b", "c"]
    assert total(results) == (2, 2)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("best_k = 2\n", "needs a [parts] table"),
        ("best_k = 3\n[parts]\na = ['t_a.py']\nb = ['t_b.py']\n", "best_k must be an integer from 1 to 2"),
        ("best_k = 0\n[parts]\na = ['t_a.py']\n", "best_k must be an integer from 1 to 1"),
        ("best_k = 1\n[parts]\na = []\n", "one or more file-name patterns"),
        ("best_k = [\n", "parts.toml"),
    ],
)
def test_a_malformed_parts_file_is_refused(text: str, error: str, tmp_path: Path) -> None:
    (tmp_path / "parts.toml").write_text(text)
    with pytest.raises(PartsError, match=error.replace("[", r"\[")):
        load_rule(tmp_path)


def test_a_check_file_must_belong_to_exactly_one_part(tmp_path: Path) -> None:
    (tmp_path / "parts.toml").write_text("best_k = 1\n[parts]\na = ['test_a*.py']\nb = ['test_ab.py']\n")
    rule = load_rule(tmp_path)
    assert rule.part_of("test_a_hidden.py") == "a"
    with pytest.raises(PartsError, match="several parts"):
        rule.part_of("test_ab.py")
    with pytest.raises(PartsError, match="no part"):
        rule.part_of("test_c.py")


def test_grading_honours_best_k_in_every_report(parted_course: Path, tmp_path: Path) -> None:
    full = grade("solutions", tmp_path / "full", "--hidden", course=parted_course)
    assert (full["score"], full["extra_data"]["max_score"]) == (9, 9)  # doubling 6 + halving 3
    public = grade("solutions", tmp_path / "public", course=parted_course)
    assert (public["score"], public["extra_data"]["max_score"]) == (5, 5)  # halving 3 + doubling 2

    broken_halve = FAKE_SOLUTION["calc.py"].replace("return x / 2", "return x / 3")
    out = tmp_path / "batch" / "ada"
    results = grade(submission_with(tmp_path, broken_halve), out, "--hidden", course=parted_course)
    assert (results["score"], results["extra_data"]["max_score"]) == (7, 9)  # doubling 6 + counting 1
    parts = {p["part"]: (p["score"], p["max_score"], p["counted"]) for p in results["extra_data"]["parts"]}
    assert parts == {"doubling": (6, 6, True), "halving": (0, 3, False), "counting": (1, 1, True)}
    assert "the best 2 of 3 parts count" in results["output"]
    md = (out / "report.md").read_text()
    assert "Total: 7 / 9 points" in md and "| halving | 0 / 3 | no |" in md and "| counting | 1 / 1 | yes |" in md
    assert 'name="part halving" value="0 / 3"' in (out / "junit.xml").read_text()

    assert run_cli("gradebook", str(out.parent)).returncode == 0
    (row,) = csv.DictReader((out.parent / "gradebook.csv").open())
    assert (row["points"], row["max_points"]) == ("7.0", "9.0")
    assert (row["hw99_demo · part halving"], row["hw99_demo · part counting"]) == ("0.0", "1.0")


def test_a_check_file_outside_every_part_stops_the_run(parted_course: Path, tmp_path: Path) -> None:
    public = parted_course / "tests" / "public" / "hw99_demo"
    (public / "test_extra.py").write_text((public / "test_counter.py").read_text().replace("test_counter", "test_x"))
    proc = run_cli("grade", "solutions", "--out", str(tmp_path / "o"), "--course", str(parted_course))
    assert proc.returncode != 0 and "test_extra.py belongs to no part of parts.toml" in proc.stdout + proc.stderr


def test_the_gradescope_export_ships_the_parts_file(parted_course: Path, tmp_path: Path) -> None:
    from grader.gradescope import export
    from grader.release import make_stub

    stubs = parted_course / "assignments" / "hw99_demo"
    stubs.mkdir(parents=True)
    for path in (parted_course / "solutions" / "hw99_demo").glob("*.py"):
        (stubs / path.name).write_text(make_stub(path.read_text(), path.name))
    with zipfile.ZipFile(export(parted_course, "hw99_demo", tmp_path / "ag.zip", sandbox=False)) as zf:
        shipped = zf.read("course/tests/public/hw99_demo/parts.toml").decode()
    assert shipped == (parted_course / "tests" / "public" / "hw99_demo" / "parts.toml").read_text()
    assert "best_k = 2" in shipped


def test_points_table_says_which_points_count() -> None:
    from grader.release import points_table

    def check(name: str, points: float, part: str) -> dict:
        return {"nodeid": f"tests/public/hw/test_{part}.py::{name}", "title": name, "points": points,
                "cpu_seconds": 10, "part": part, "best_k": 2}  # fmt: skip

    table = points_table([check("a", 6, "doubling"), check("b", 3, "halving"), check("c", 1, "counting")])
    assert "| **total** | | **10** | |" in table
    assert "| **counted: the best 2 of 3 parts** | doubling 6, halving 3, counting 1 | **9** | |" in table
    assert "counted" not in points_table([{**check("a", 6, ""), "part": "", "best_k": 0}])
