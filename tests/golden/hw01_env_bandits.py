"""The expected values of hw01's public checks (``tests/public/hw01_env_bandits/expected.json``): the slip-free
moves of the grid-world layouts the checks use. Course repo only: `rlgrade stubs` runs this."""

from __future__ import annotations

from grader.golden import public_module
from grader.oracles.gridworld import grid_moves

GRIDWORLD = public_module(__file__, "test_gridworld")


def expected_moves() -> dict:
    """``moves[layout name][obs][action]`` for every layout of the grid-world checks."""
    return {name: grid_moves(layout) for name, layout in GRIDWORLD.LAYOUTS.items()}
