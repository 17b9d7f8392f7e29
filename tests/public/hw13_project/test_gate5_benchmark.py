"""Gate 5 — the learning benchmark: every algorithm on its benchmark budget, on each of ≥ 3 seeds, beside a baseline.

One check per (algorithm, seed): the grader trains your agent in its own loop on the budget of
``grader/benchmark.py`` (CartPole-v1 20k steps for DQN, Pendulum-v1 6k for TD3, the Penalty game 500 steps for
IQL), evaluating it every ``eval_every`` steps with greedy actions, beside the baseline (Stable-Baselines3's
DQN / TD3; for IQL the uniform random team) trained on the same budget and seeds once for the course
(``grader/benchmark_baselines.json``). A check passes when your agent trains
through the whole budget: the learning itself is graded by the homework checks of gate 4 and by the rubric at the
defense. Graded with ``rlgrade grade … --out DIR`` (or run with ``--report-dir DIR``) each run is stored in
``DIR/benchmark/``; ``python -m grader.project report DIR`` draws the report from them (curves with 95 %
intervals, the table).
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.benchmark import (
    BENCHMARKS,
    baseline_label,
    benchmark_folder,
    eval_steps,
    library_curve,
    stored_baseline,
    write_run,
)
from grader.harness.curves import Curve
from grader.harness.curves import record as record_curve
from grader.harness.library import BY_NAME, library_class

CASES = [(name, seed) for name, bench in BENCHMARKS.items() for seed in bench.seeds]


@pytest.mark.points(1)
@pytest.mark.learning
@pytest.mark.timeout(60)
@pytest.mark.parametrize("name,seed", CASES, ids=[f"{n}-seed{s}" for n, s in CASES])
def test_benchmark(impl, request, name, seed):
    """trains through the benchmark budget in the grader's loop; its evaluation curve is stored beside the baseline's"""
    bench = BENCHMARKS[name]
    library = library_curve(library_class(impl, request, BY_NAME[name]), bench, seed)
    assert np.isfinite(library).all(), f"evaluation returns {library}"
    baseline = stored_baseline(bench, seed)
    series = {"your library": (eval_steps(bench), library)}
    if baseline is not None:
        series[baseline_label(bench)] = (eval_steps(bench), baseline)
    title = f"{name} on {bench.env_id.split(':')[-1]}, seed {seed}: {bench.steps} env steps"
    record_curve(Curve(title, "env steps", "mean greedy evaluation return", series, bench.threshold))
    folder = benchmark_folder(request.config)
    if folder is not None:
        write_run(folder, bench, seed, library, baseline)
