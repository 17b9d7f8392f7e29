"""``rlgrade calibrate``: the learning-check specs of an assignment re-run on unseen seeds, for the reference
and the mutants that name the check, with a markdown/JSON report and one plot per check."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli

CLIFF = "test_q_learning_cliff_optimal_path"  # hw02: 0.1 s per run, two mutants name it


def calibrate(out: Path, *options: str):
    return run_cli("calibrate", "hw02", "--seeds", "3", "--mutant-seeds", "2", "--workers", "1", "--out", str(out),
                   "--checks", CLIFF, *options)  # fmt: skip


def test_calibration_report_of_a_sound_check(tmp_path: Path) -> None:
    proc = calibrate(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "hw02_tabular.json").read_text())
    (check,) = data["checks"]
    assert check["check"] == CLIFF and check["low"] == check["high"] == -13
    summaries = check["summaries"]
    assert summaries["reference"]["passed"] == 3 and summaries["reference"]["runs"] == 3
    mutants = {label: s for label, s in summaries.items() if label != "reference"}
    assert mutants and all(s["passed"] == 0 and s["runs"] == 2 for s in mutants.values()), mutants
    assert (tmp_path / f"hw02_tabular-{CLIFF}.png").stat().st_size > 1000
    assert f"## {CLIFF}" in (tmp_path / "hw02_tabular.md").read_text()


def test_calibration_fails_when_the_reference_pass_rate_is_too_low(tmp_path: Path) -> None:
    proc = calibrate(tmp_path, "--min-pass-rate", "1.01")  # no pass rate reaches it
    assert proc.returncode == 1 and f"unsound: {CLIFF}: reference passes 3/3" in proc.stderr


def test_calibration_refuses_the_graded_seed(tmp_path: Path) -> None:
    proc = run_cli("calibrate", "hw02", "--checks", CLIFF, "--first-seed", "0", "--seeds", "5", "--out", str(tmp_path))
    assert proc.returncode == 2 and "overlap the graded seeds" in proc.stderr
