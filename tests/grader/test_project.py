"""The project kit (hw13) itself: the benchmark report on stored curves, the proposal check, team crediting in the
gradebook, the pre-defense gate on stored results, and a library with one broken algorithm failing exactly the
checks that name it. (The reference getting every point and the template none: tests/grader/test_assignments.py.)"""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import COURSE_ROOT

from grader.benchmark import BENCHMARKS, Benchmark, eval_steps, read_runs, stored_baseline, write_run
from grader.benchmark_report import interval, write_report
from grader.project import TEAM_FILE, predefense, proposal_problems, team_of
from grader.submissions import Job, write_gradebook

TEMPLATE = COURSE_ROOT / "solutions" / "hw13_project" / "PROPOSAL.md"
EXAMPLE = COURSE_ROOT / "examples" / "hw13-project" / "PROPOSAL.md"


def test_interval_is_the_t_interval_over_seeds() -> None:
    mean, half = interval(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert mean.tolist() == [3.0, 4.0]
    assert half.tolist() == pytest.approx([4.303 * 2 / math.sqrt(3)] * 2)  # sd 2, t(0.975, 2) = 4.303


def test_report_from_stored_runs(tmp_path: Path) -> None:
    bench = Benchmark("dqn", "CartPole-v1", 4, 2, 1, (1, 2, 3), 150.0, "hw04", baseline="DQN")
    for seed, curve in zip(bench.seeds, ([10.0, 160.0], [20.0, 140.0], [30.0, 180.0]), strict=True):
        write_run(tmp_path / "benchmark", bench, seed, curve, [9.0, 9.0 + seed])
    write_run(tmp_path / "benchmark" / "ablation" / "plain", bench, 1, [5.0, 50.0], None)
    assert [r["seed"] for r in read_runs(tmp_path / "benchmark")["dqn"]] == [1, 2, 3]
    text = write_report(tmp_path / "benchmark", tmp_path / "out").read_text(encoding="utf-8")
    half = 4.303 * 20 / math.sqrt(3)  # final returns 160, 140, 180: mean 160, sd 20 (also the best of each seed)
    base = 4.303 / math.sqrt(3)  # the baseline's final returns 10, 11, 12: mean 11, sd 1
    row = f"| dqn | CartPole-v1 | 4 | 3 | 160.0 ± {half:.1f} | 160.0 | 2 of 3 | Stable-Baselines3 DQN | "
    row += f"11.0 ± {base:.1f} |"
    assert row in text, text
    assert "| dqn, ablation plain | | 4 | 1 | 50.0 ± 0.0 | 50.0 | 0 of 1 |" in text
    assert (tmp_path / "out" / "benchmark_dqn.png").stat().st_size > 0


def test_every_benchmark_seed_has_its_stored_baseline() -> None:
    """Gate 5 reads the baselines ``python -m grader.project baselines`` stored; a changed benchmark definition
    (budget, hyper-parameters, evaluation) has none until they are computed again."""
    for bench in BENCHMARKS.values():
        for seed in bench.seeds:
            curve = stored_baseline(bench, seed)
            assert curve is not None and len(curve) == len(eval_steps(bench)), (bench.algorithm, seed, curve)
            assert np.isfinite(curve).all(), (bench.algorithm, seed, curve)
    assert stored_baseline(replace(BENCHMARKS["dqn"], steps=2 * BENCHMARKS["dqn"].steps), 101) is None


def test_benchmarks_have_three_seeds_and_scale_down() -> None:
    assert all(len(b.seeds) >= 3 for b in BENCHMARKS.values())
    small = BENCHMARKS["dqn"].scaled(0.01)
    assert small.steps == small.eval_every == 2000 and small.seeds == BENCHMARKS["dqn"].seeds


def test_proposal_template_is_incomplete_and_the_example_complete(tmp_path: Path) -> None:
    problems = proposal_problems(TEMPLATE)
    for section in ("Topic", "Team", "Environment", "Baseline", "Metric", "Ablation planned"):
        assert any(f"'## {section}'" in p for p in problems), (section, problems)
    assert proposal_problems(EXAMPLE) == []
    cut = tmp_path / "PROPOSAL.md"
    cut.write_text(EXAMPLE.read_text(encoding="utf-8").replace("## Metric", "## Metrics"), encoding="utf-8")
    assert proposal_problems(cut) == ["section '## Metric' is missing"]


def test_gradebook_credits_every_team_member(tmp_path: Path) -> None:
    assert team_of(EXAMPLE.parent) == ["alice-gh", "bob-gh"]
    jobs = []
    for repo, members in (("org/team-a", ["alice-gh", "bob-gh"]), ("org/carol", [])):
        out = tmp_path / repo
        out.mkdir(parents=True)
        test = {"name": "hw13_project · test_smoke[dqn]: …", "score": 3.0, "max_score": 3.0}
        results = {"score": 3.0, "tests": [test], "extra_data": {"max_score": 3.0}}
        (out / "results.json").write_text(json.dumps(results), encoding="utf-8")
        if members:
            (out / TEAM_FILE).write_text("\n".join(members) + "\n", encoding="utf-8")
        jobs.append(Job(repo, Path(), out))
    write_gradebook(jobs, tmp_path / "gradebook.csv")
    with (tmp_path / "gradebook.csv").open(encoding="utf-8") as fh:
        rows = [(r["student"], r["team"], r["points"]) for r in csv.DictReader(fh)]
    assert rows == [("alice-gh", "org/team-a", "3.0"), ("bob-gh", "org/team-a", "3.0"), ("org/carol", "", "3.0")]
    # a proposal is the students' word: a member listed by a second team is flagged in both rows, for the instructor
    (tmp_path / "org/carol" / TEAM_FILE).write_text("carol-gh\nbob-gh\n", encoding="utf-8")
    write_gradebook(jobs, tmp_path / "gradebook.csv")
    with (tmp_path / "gradebook.csv").open(encoding="utf-8") as fh:
        errors = {(r["student"], r["team"]): r["error"] for r in csv.DictReader(fh)}
    assert errors[("alice-gh", "org/team-a")] == errors[("carol-gh", "org/carol")] == ""
    for team in ("org/team-a", "org/carol"):
        assert errors[("bob-gh", team)] == "bob-gh has 2 rows (from org/team-a, org/carol): check the teams"


def test_predefense_gate_needs_gates_1_to_3(tmp_path: Path) -> None:
    tests = [
        {"name": "hw13_project · test_smoke[dqn]: …", "score": 3.0, "max_score": 3.0},
        {"name": "hw13_project · test_reproducible[td3]: …", "score": 0.0, "max_score": 3.0},
        {"name": "hw13_project · test_dqn_cartpole: …", "score": 0.0, "max_score": 10.0},  # gate 4: not required
    ]
    (tmp_path / "results.json").write_text(json.dumps({"tests": tests}), encoding="utf-8")
    problems = predefense(tmp_path, EXAMPLE, run_baseline=False)
    assert problems == ["gates 1-3: 1 check(s) fail: test_reproducible[td3]"]


def test_library_with_a_broken_td3_fails_only_checks_of_td3(tmp_path: Path) -> None:
    """A TD3 whose exploring actions leave the action box (no clip) fails checks named td3, and no other."""
    library = tmp_path / "impl" / "hw13_project"
    shutil.copytree(COURSE_ROOT / "solutions" / "hw13_project", library, ignore=shutil.ignore_patterns("__pycache__"))
    td3 = library / "hw07_continuous" / "td3.py"
    text = td3.read_text(encoding="utf-8")
    clipped = "return np.clip(action + noise, self.low.numpy(), self.high.numpy()).astype(np.float32)"
    assert text.count(clipped) == 1
    td3.write_text(text.replace(clipped, "return (3.0 * (action + noise)).astype(np.float32)"), encoding="utf-8")
    records = tmp_path / "records.jsonl"
    checks = [str(COURSE_ROOT / "tests" / "public" / "hw13_project" / f) for f in (
        "test_gate1_api.py", "test_gate2_smoke.py", "test_gate3_reproducible.py")]  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pytest", *checks, "--impl", str(tmp_path / "impl"), "--rlgrade-records", str(records),
         "-p", "no:cacheprovider", "-q", "--rootdir", str(COURSE_ROOT), "-c", str(COURSE_ROOT / "pyproject.toml")],
        cwd=COURSE_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    results = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    verdicts = {r["name"]: r["passed"] for r in results if r["kind"] == "result"}
    failed = {name for name, ok in verdicts.items() if not ok}
    assert len(verdicts) == 15 and failed, verdicts
    assert all(name.endswith("[td3]") for name in failed), failed
