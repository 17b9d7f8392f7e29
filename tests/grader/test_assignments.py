"""Every assignment of the course: the reference gets every point, the untouched stubs get none,
grading is deterministic, every mutant of the bank loses the points of the checks that name its bug, and every
correct variant (another style the student text allows) gets every point of the exact checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import COURSE_ROOT, grade

from grader.calibration import find_specs
from grader.mutants import Mutant, Variant, load_bank, load_variants
from grader.mutation import exact_checks_only, grade_mutant, grade_patched, learning_checks
from grader.release import assignment_names

ASSIGNMENTS = assignment_names(COURSE_ROOT)
MUTANTS = [m for a in ASSIGNMENTS for m in load_bank(COURSE_ROOT, a)]
VARIANTS = [v for a in ASSIGNMENTS for v in load_variants(COURSE_ROOT, a)]
# Grading a whole assignment takes up to ~3 min on one core idle; a wall-clock backstop only, generous for a busy
# machine (the checks themselves are limited in CPU time).
GRADING_TIMEOUT = 2400


def hw(assignment: str) -> str:
    return assignment.split("_", 1)[0]


@pytest.mark.timeout(GRADING_TIMEOUT)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_gets_every_public_and_hidden_point(assignment: str, tmp_path: Path) -> None:
    results = grade("solutions", tmp_path, "--hw", hw(assignment), "--hidden")
    failed = {t["name"]: t["output"] for t in results["tests"] if t["status"] != "passed"}
    assert not failed, f"the reference fails: {failed}"
    assert results["score"] == results["extra_data"]["max_score"] > 0


@pytest.mark.timeout(GRADING_TIMEOUT)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stubs_get_zero_and_say_what_is_not_implemented(assignment: str, tmp_path: Path) -> None:
    results = grade("assignments", tmp_path, "--hw", hw(assignment), "--hidden")
    assert results["score"] == 0
    unclear = {t["name"]: t["output"] for t in results["tests"] if not t["output"].startswith("Not implemented yet:")}
    assert not unclear, f"checks failing the stubs without saying what is missing: {unclear}"


@pytest.mark.timeout(GRADING_TIMEOUT)
@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{hw(m.assignment)}-{m.id}" for m in MUTANTS])
def test_mutant_loses_the_points_of_the_checks_that_name_its_bug(mutant: Mutant, tmp_path: Path) -> None:
    result = grade_mutant(COURSE_ROOT, mutant, tmp_path, " or ".join(mutant.killed_by))
    missing = set(mutant.killed_by) - set(result.failed)
    assert not missing, f"{mutant.id}: killed_by names checks that do not exist: {missing}"
    assert not result.missed, f"{mutant.id} ({mutant.description}) passes {result.missed}"


@pytest.mark.timeout(GRADING_TIMEOUT)
@pytest.mark.parametrize("variant", VARIANTS, ids=[f"{hw(v.assignment)}-{v.id}" for v in VARIANTS])
def test_correct_variant_gets_every_point_of_the_exact_checks(variant: Variant, tmp_path: Path) -> None:
    failed = grade_patched(COURSE_ROOT, variant, tmp_path, exact_checks_only(COURSE_ROOT, variant.assignment))
    lost = sorted(name for name, f in failed.items() if f)
    assert failed and not lost, f"{variant.id} ({variant.description}) loses the points of {lost}"


def test_exact_checks_leave_out_every_learning_run_also_those_the_project_re_runs() -> None:
    """A spec's check (hw04's), a homework's learning check re-run by the project's gate 4 and the project's
    benchmark (marked ``learning``) are learning checks; exact checks, re-run or not, are not."""
    assert learning_checks(COURSE_ROOT, "hw04_dqn") == {spec.check for spec in find_specs(COURSE_ROOT, "hw04_dqn")}
    project = learning_checks(COURSE_ROOT, "hw13_project")
    assert {"test_benchmark", "test_dqn_cartpole", "test_td3_pendulum", "test_iql_penalty_game"} <= project
    assert not project & {"test_agent_api", "test_buffer_wraps_around", "test_smoke"}
