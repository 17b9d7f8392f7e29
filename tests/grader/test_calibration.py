"""``rlgrade calibrate``: the learning-check specs of an assignment re-run on unseen seeds, for the reference
and the mutants that name the check, with a markdown/JSON report and one plot per check; the wrong-verdict
estimates (normal tail, exact upper bound) and the steps to pass of a check that stops at its first pass."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from helpers import COURSE_ROOT, run_cli, write_package

from grader.calibration import (
    REFERENCE,
    SPEC_PROTOCOL,
    CheckCalibration,
    Runs,
    SpecCalibration,
    find_specs,
    normal_verdict,
    unsound,
    upper_bound,
)
from grader.calibration_report import mutants_run
from grader.release import assignment_names

CLIFF = "test_q_learning_cliff_optimal_path"  # hw02: 0.1 s per run, a mutant names it


def calibrate(out: Path, *options: str):
    return run_cli("calibrate", "hw02", "--seeds", "3", "--mutant-seeds", "2", "--workers", "1", "--out", str(out),
                   "--checks", CLIFF, *options)  # fmt: skip


def test_calibration_report_of_a_sound_check(tmp_path: Path) -> None:
    proc = calibrate(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "hw02_tabular.json").read_text())
    (check,) = data["checks"]
    (spec,) = check["specs"]
    assert check["check"] == CLIFF and spec["low"] == spec["high"] == -13 and spec["budget"] is None
    summaries = spec["summaries"]
    assert summaries["reference"]["passed"] == 3 and summaries["reference"]["runs"] == 3
    mutants = {label: s for label, s in summaries.items() if s["expected_verdict"] == "fail"}
    assert mutants and all(s["passed"] == 0 and s["runs"] == 2 for s in mutants.values()), mutants
    variants = {label: s for label, s in summaries.items() if label != "reference" and label not in mutants}
    assert variants and all(s["passed"] == 3 and s["runs"] == 3 for s in variants.values()), variants  # float32
    ref = check["verdicts"]["reference"]
    assert ref["wrong_verdicts"] == 0 and ref["wrong_rate_upper95"] == pytest.approx(1 - 0.05 ** (1 / 3), abs=1e-9)
    assert (tmp_path / f"hw02_tabular-{CLIFF}.png").stat().st_size > 1000
    report = (tmp_path / "hw02_tabular.md").read_text()
    assert f"## {CLIFF}" in report and "Clopper–Pearson" in report and "95 % upper" in report
    assert "each mutant on the first 2 of them" in report


def test_a_run_of_some_checks_keeps_the_others_of_the_report(tmp_path: Path) -> None:
    """``--checks`` re-runs the checks it names and keeps the report's other checks, in file order; it refuses
    (before running anything) when a kept check was calibrated on other seeds."""
    sarsa = "test_sarsa_cliff_safe_path"
    assert calibrate(tmp_path, "--mutant-seeds", "0").returncode == 0
    proc = calibrate(tmp_path, "--mutant-seeds", "0", "--checks", sarsa)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "hw02_tabular.json").read_text())
    assert [c["check"] for c in data["checks"]] == [CLIFF, sarsa]
    assert f"## {CLIFF}" in (tmp_path / "hw02_tabular.md").read_text()
    proc = calibrate(tmp_path, "--mutant-seeds", "0", "--seeds", "2")
    assert proc.returncode != 0 and f"re-run them too with --checks: {sarsa}" in proc.stderr, proc.stderr


def test_every_learning_check_can_be_calibrated() -> None:
    """Every spec of every assignment answers what `rlgrade calibrate` and its report ask (hw09's and hw11's lacked
    describe_run, and their calibration crashed only after all its runs)."""
    incomplete = [
        (assignment, spec.check, name)
        for assignment in assignment_names(COURSE_ROOT)
        for spec in find_specs(COURSE_ROOT, assignment)
        for name in SPEC_PROTOCOL
        if not hasattr(spec, name)
    ]
    assert not incomplete, incomplete
    descriptions = [spec.describe_run() for a in assignment_names(COURSE_ROOT) for spec in find_specs(COURSE_ROOT, a)]
    assert all(isinstance(d, str) and d for d in descriptions)


def test_the_report_says_when_mutants_were_not_run() -> None:
    assert "mutants not run" in mutants_run(0) and "first 10 of them" in mutants_run(10)


def test_calibration_fails_when_the_reference_pass_rate_is_too_low(tmp_path: Path) -> None:
    proc = calibrate(tmp_path, "--min-pass-rate", "1.01")  # no pass rate reaches it
    assert proc.returncode == 1 and f"unsound: {CLIFF}: reference passes 3/3" in proc.stderr


def test_calibration_refuses_the_graded_seed(tmp_path: Path) -> None:
    proc = run_cli("calibrate", "hw02", "--checks", CLIFF, "--first-seed", "0", "--seeds", "5", "--out", str(tmp_path))
    assert proc.returncode == 2 and "overlap the graded seeds" in proc.stderr


# -- the wrong-verdict estimates ---------------------------------------------------------------------------------


def test_exact_upper_bound_is_clopper_pearson() -> None:
    assert upper_bound(0, 30) == pytest.approx(1 - 0.05 ** (1 / 30), abs=1e-12)  # 9.5 %
    p = upper_bound(1, 30)  # P(Bin(30, p) <= 1) = (1 - p)^30 + 30 p (1 - p)^29 = 0.05 at p = 0.1486
    assert (1 - p) ** 30 + 30 * p * (1 - p) ** 29 == pytest.approx(0.05, abs=1e-9) and 0.1485 < p < 0.1487
    assert upper_bound(3, 3) == 1.0


def test_normal_estimate_is_the_tail_beyond_the_bounds() -> None:
    margin, p_pass, p_fail = normal_verdict(10.0, 2.0, 6.0, None)  # 2 sd above the threshold
    assert margin == 2.0 and p_fail == pytest.approx(0.0227501, abs=1e-7) and p_pass == pytest.approx(1 - p_fail)
    margin, p_pass, p_fail = normal_verdict(0.0, 1.0, -1.0, 2.0)  # two bounds: both tails count
    assert margin == 1.0 and p_fail == pytest.approx(0.158655 + 0.0227501, abs=1e-6)
    margin, p_pass, _ = normal_verdict(-40.0, 5.0, 0.0, None)  # a mutant far below: a tiny pass probability
    assert margin == -8.0 and 0 < p_pass < 1e-14
    assert normal_verdict(3.0, 0.0, 3.0, 3.0)[1:] == (1.0, 0.0)  # a point mass inside the region
    assert normal_verdict(math.nan, math.nan, 0.0, None) == (-math.inf, 0.0, 1.0)  # every run raised


def runs(label: str, values: list[float], low: float, steps: list[int] | None = None) -> Runs:
    return Runs(label, list(range(1000, 1000 + len(values))), values, steps or [None] * len(values),
                [0.1] * len(values), [v >= low for v in values])  # fmt: skip


def test_a_reference_that_fails_on_some_seeds_gets_a_pass_rate_below_one() -> None:
    summary = runs(REFERENCE, [5.0, 9.0, 12.0, 3.0, 10.0, 11.0], low=6.0).summary(6.0, None, None)
    assert summary["passed"] == 4 and summary["pass_rate"] < 1 and summary["wrong_verdicts"] == 2
    assert summary["wrong_rate_upper95"] == pytest.approx(upper_bound(2, 6)) and summary["wrong_rate_upper95"] > 0.5
    assert 0.2 < summary["wrong_rate_normal"] < 0.5 and summary["margin_sd"] < 1


def test_a_mutant_that_passes_is_a_wrong_verdict() -> None:
    summary = runs("BUG-1", [1.0, 7.0], low=6.0).summary(6.0, None, None)
    assert summary["expected_verdict"] == "fail" and summary["wrong_verdicts"] == 1
    assert summary["wrong_rate_normal"] == pytest.approx(0.31870, abs=1e-4)  # N(4, 4.24²): P(value ≥ 6)
    assert summary["wrong_rate_upper95"] == pytest.approx(upper_bound(1, 2))


def test_a_check_passes_when_every_spec_passes() -> None:
    """hw01's baseline check: one mutant passes its first spec, the other its second; the check fails both."""
    with_baseline = SpecCalibration("with baseline", 0.85, None, 1, None)
    without = SpecCalibration("without", None, 0.80, 1, None)
    with_baseline.runs = [runs(REFERENCE, [0.93, 0.94], 0.85), runs("ALWAYS", [0.93, 0.94], 0.85)]
    without.runs = [
        Runs(REFERENCE, [1000, 1001], [0.66, 0.65], [None] * 2, [0.1] * 2, [True, True]),
        Runs("ALWAYS", [1000, 1001], [0.93, 0.94], [None] * 2, [0.1] * 2, [False, False]),
    ]
    check = CheckCalibration("test_baseline_matters", [with_baseline, without])
    verdicts = check.verdicts()
    assert verdicts[REFERENCE]["passed"] == 2 and verdicts["ALWAYS"]["passed"] == 0
    assert unsound([check], 0.97) == []
    assert unsound([check], 1.01) == ["test_baseline_matters: reference passes 2/2"]


# -- a check that stops at its first passing evaluation ---------------------------------------------------------

WAITER = '''
    """An agent that plays a balancing rule once it has seen 100, 200 or 300 transitions (by its seed)."""


    class Waiter:
        def __init__(self, observation_space, action_space, *, seed):
            self.wait = 100 * (seed % 3 + 1)
            self.seen = 0

        def act(self, obs, deterministic=False):
            return int(3 * obs[2] + obs[3] > 0) if self.seen >= self.wait else 0

        def observe(self, obs, action, reward, next_obs, terminated, truncated):
            self.seen += 1
    '''

WAITER_CHECKS = """
    from grader.harness.deep_control import DeepSpec

    SPEC = DeepSpec(check="test_waiter_balances", module="waiter", agent="Waiter", env_id="CartPole-v1",
                    steps=400, seed=1, low=100, semantics="best", eval_every=100, eval_episodes=2)


    def test_waiter_balances(impl):
        SPEC.assert_learns(impl.attr(SPEC.module, SPEC.agent), hint="")
    """

NEVER_BALANCES = """
    from grader.mutants import Mutant

    MUTANTS = [Mutant(id="NEVER", assignment="hw98_waiter", description="never balances", file="waiter.py",
                      old="self.wait = 100 * (seed % 3 + 1)", new="self.wait = 10**9",
                      killed_by=("test_waiter_balances",))]
    """


def waiter_course(root: Path, kind: str, bank: str) -> Path:
    """A course in ``root/course`` with the ``hw98_waiter`` reference, its check, and ``bank`` (a module of
    mutants or correct variants) in ``tests/<kind>/hw98_waiter/``."""
    course = root / "course"
    (course / "pyproject.toml").parent.mkdir()
    (course / "pyproject.toml").write_text((COURSE_ROOT / "pyproject.toml").read_text(), encoding="utf-8")
    write_package(course / "solutions" / "hw98_waiter", {"__init__.py": "", "waiter.py": WAITER})
    write_package(course / "tests" / "public" / "hw98_waiter", {"test_waiter.py": WAITER_CHECKS})
    write_package(course / "tests" / kind / "hw98_waiter", {"waiters.py": bank})
    return course


def test_a_check_that_stops_at_its_first_pass_reports_the_steps_to_pass(tmp_path: Path) -> None:
    course = waiter_course(tmp_path, "mutants", NEVER_BALANCES)
    out = tmp_path / "out"
    proc = run_cli("calibrate", "hw98", "--course", str(course), "--seeds", "6", "--mutant-seeds", "2",
                   "--workers", "1", "--out", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (spec,) = json.loads((out / "hw98_waiter.json").read_text())["checks"][0]["specs"]
    ref, never = spec["summaries"]["reference"], spec["summaries"]["NEVER"]
    steps = spec["runs"][0]["steps"]
    assert spec["budget"] == 400 and ref["passed"] == 6 and set(steps) <= {100, 200, 300} and len(set(steps)) > 1
    reached = ref["steps_to_pass"]
    assert reached["reached"] == 6 and reached["max"] == max(steps) and reached["mean"] == pytest.approx(sum(steps) / 6)
    assert reached["margin_sd"] == pytest.approx((400 - reached["mean"]) / reached["sd"])
    assert ref["estimate_from"] == "steps_to_pass" and ref["wrong_rate_normal"] < 0.5
    assert never["passed"] == 0 and never["steps_to_pass"]["reached"] == 0 and never["estimate_from"] == "value"
    report = (out / "hw98_waiter.md").read_text()
    assert "budget margin" in report and "not reached" in report


SLOWER_WAITERS = """
    from grader.mutants import Edit, Variant

    EDIT = "self.wait = 100 * (seed % 3 + 1)"
    VARIANTS = [
        Variant(id="PATIENT", assignment="hw98_waiter", description="waits 300 transitions",
                edits=(Edit("waiter.py", EDIT, "self.wait = 300"),), calibrated_on=("test_waiter_balances",)),
        Variant(id="TOO-SLOW", assignment="hw98_waiter", description="waits 500 transitions (over the budget)",
                edits=(Edit("waiter.py", EDIT, "self.wait = 500"),), calibrated_on=("test_waiter_balances",)),
    ]
    """


def test_a_correct_variant_is_calibrated_like_the_reference(tmp_path: Path) -> None:
    """Variants run on every seed the reference runs on, and one that passes too rarely makes the check unsound."""
    course = waiter_course(tmp_path, "variants", SLOWER_WAITERS)
    out = tmp_path / "out"
    proc = run_cli("calibrate", "hw98", "--course", str(course), "--seeds", "4", "--workers", "1", "--out", str(out))
    assert proc.returncode == 1 and "unsound: test_waiter_balances: TOO-SLOW passes 0/4" in proc.stderr
    assert "PATIENT" not in proc.stderr, proc.stderr
    (check,) = json.loads((out / "hw98_waiter.json").read_text())["checks"]
    verdicts = check["verdicts"]
    assert verdicts["PATIENT"]["passed"] == 4 and verdicts["PATIENT"]["expect_pass"]
    assert verdicts["TOO-SLOW"]["runs"] == 4 and verdicts["TOO-SLOW"]["wrong_verdicts"] == 4
    assert "| PATIENT 4/4, TOO-SLOW 0/4 | – |" in (out / "hw98_waiter.md").read_text()


def test_median_of_runs_is_the_checked_value() -> None:
    """``ControlSpec(runs=3)``: three runs on their own seeds; the value is their median; an even count is refused."""
    from dataclasses import replace

    from grader.harness.tabular_control import ControlSpec
    from grader.impl import Implementation

    spec = ControlSpec(check="c", agent="SarsaAgent", env_id="CliffWalking-v1", episodes=60, alpha=0.5, gamma=1.0,
                       eps_start=0.1, eps_end=0.1, eps_decay_episodes=0, seed=0, eval_episodes=1, low=-17.0,
                       high=-13.0, max_train_steps=100_000, runs=3)  # fmt: skip
    sarsa = Implementation(root=COURSE_ROOT / "solutions", assignment="hw02_tabular").attr("td", "SarsaAgent")
    result = spec.run(sarsa)
    assert len(result.run_values) == 3 and len(set(result.run_values)) > 1, result.run_values
    assert result.value == sorted(result.run_values)[1]
    assert result.train_returns.shape == (3, 60) and spec.passes(result.value)  # runs -17, -17, -200
    with pytest.raises(ValueError, match="odd"):
        replace(spec, runs=2)
