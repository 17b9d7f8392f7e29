"""Hidden checks of gates 1–3: other seeds, other probe observations, and a seed that must matter."""

from __future__ import annotations

import pytest

from grader.harness.library import (
    ALGORITHMS,
    BY_NAME,
    build,
    checked_act,
    first_difference,
    library_class,
    probe_observations,
    record,
)
from grader.harness.library import scratch_file as scratch

NAMES = [a.name for a in ALGORITHMS]


@pytest.mark.points(2)
@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", NAMES)
def test_hidden_reproducible_other_seed(impl, request, name):
    """two training runs with seed 57 (other env seeds) give identical actions and rewards"""
    algorithm = BY_NAME[name]
    agent_cls = library_class(impl, request, algorithm)
    runs = [record(build(agent_cls, algorithm, seed=57), algorithm, algorithm.steps, env_seed=13) for _ in range(2)]
    where = first_difference(*runs)
    assert not where, f"two runs of {algorithm.agent} with seed 57 differ at {where} of {algorithm.steps}"


@pytest.mark.points(2)
@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", NAMES)
def test_hidden_seed_matters(impl, request, name):
    """agents built with seeds 61 and 62 act differently somewhere in a training run on the same env seeds"""
    algorithm = BY_NAME[name]
    agent_cls = library_class(impl, request, algorithm)
    runs = [record(build(agent_cls, algorithm, seed=s), algorithm, algorithm.steps, env_seed=14) for s in (61, 62)]
    assert first_difference(*runs), (
        f"{algorithm.agent} built with seed 61 and with seed 62 took the same {algorithm.steps} actions: make its "
        "random generator from the seed argument (np.random.default_rng(seed)), not from a constant"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", NAMES)
def test_hidden_save_load_longer_training(impl, request, tmp_path, name):
    """load(save(agent)) after twice the training acts identically on other probe observations"""
    algorithm = BY_NAME[name]
    agent_cls = library_class(impl, request, algorithm)
    trained = build(agent_cls, algorithm, seed=71)
    record(trained, algorithm, steps=2 * algorithm.steps, env_seed=15)
    path = scratch(request, tmp_path, f"hidden_{name}.pt")
    trained.save(path)
    loaded = build(agent_cls, algorithm, seed=72)
    loaded.load(path)
    for deterministic in (True, False):
        for k, obs in enumerate(probe_observations(algorithm, seed=16, n=12)):
            want = checked_act(trained, algorithm, obs, deterministic)
            got = checked_act(loaded, algorithm, obs, deterministic)
            assert got == want, (
                f"the loaded agent's {'greedy' if deterministic else 'exploring'} action on probe observation {k} is "
                f"{list(got)}, the saved agent's {list(want)} (after {2 * algorithm.steps} training steps)"
            )
