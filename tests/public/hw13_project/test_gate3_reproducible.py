"""Gate 3 — reproducibility: two runs with the same seed give identical actions and rewards.

The grader seeds the global generators (numpy, random, torch) the same way before building each agent, builds
two agents with the same ``seed`` and trains each for a few hundred steps in its own loop on the same env seeds.
Every action and reward must be identical: draw your randomness from generators made from ``seed`` (and torch's
global generator, which the grader seeds), never from the clock, ``os.urandom`` or a state shared between agents.
"""

from __future__ import annotations

import pytest

from grader.harness.library import ALGORITHMS, BY_NAME, build, first_difference, library_class, record

NAMES = [a.name for a in ALGORITHMS]


@pytest.mark.points(3)
@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", NAMES)
def test_reproducible(impl, request, name):
    """two training runs with seed 41 give identical actions and rewards at every step"""
    algorithm = BY_NAME[name]
    agent_cls = library_class(impl, request, algorithm)
    runs = [record(build(agent_cls, algorithm, seed=41), algorithm, algorithm.steps, env_seed=9) for _ in range(2)]
    where = first_difference(*runs)
    assert not where, (
        f"two runs of {algorithm.agent} with seed 41 (same env seeds, global generators seeded alike) differ at "
        f"{where} of {algorithm.steps}"
    )
