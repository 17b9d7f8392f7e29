"""Gate 2 — smoke runs: every algorithm of the library trains for a few hundred env steps without an error.

The grader's loop (``grader/harness/library.py``) trains your agent on the grader's env with small-budget
hyper-parameters (listed there: e.g. DQN learns from step 100); then your command line (``train.train``) trains
it on the registry's default env. Nothing is asked of the returns yet: gate 5 measures learning.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.library import ALGORITHMS, BY_NAME, build, checked_act, library_class, probe_observations, record
from grader.harness.validate import InvalidOutput, as_float_array

NAMES = [a.name for a in ALGORITHMS]


@pytest.mark.points(3)
@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", NAMES)
def test_smoke(impl, request, name):
    """trains for a few hundred env steps in the grader's loop, updates included, and still acts validly"""
    algorithm = BY_NAME[name]
    agent = build(library_class(impl, request, algorithm), algorithm, seed=31)
    run = record(agent, algorithm, steps=algorithm.steps, env_seed=7)
    assert np.isfinite(run.rewards).all()
    for obs in probe_observations(algorithm, seed=8, n=4):
        checked_act(agent, algorithm, obs, deterministic=True)


@pytest.mark.points(2)
@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", NAMES)
def test_command_line(impl, request, name):
    """your command line's train.train(name, None, steps, 0) trains it on its default env and returns episode returns"""
    algorithm = BY_NAME[name]
    library_class(impl, request, algorithm)  # the homework folder is there
    train = impl.attr("train", "train")
    got = train(name, None, algorithm.steps, 0, **algorithm.hparams)
    if type(got) is not tuple or len(got) != 2:
        raise InvalidOutput(f"train({name!r}, …) must return (agent, returns), got {type(got).__name__}")
    returns = got[1]
    if not isinstance(returns, list):
        raise InvalidOutput(f"train({name!r}, …)[1] must be a list of episode returns, got {type(returns).__name__}")
    as_float_array(returns, f"train({name!r}, …) episode returns", (len(returns),))
    assert returns, f"train({name!r}, steps={algorithm.steps}) finished no episode on its default env"
