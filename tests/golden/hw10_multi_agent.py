"""The expected values of hw10's public checks (``tests/public/hw10_multi_agent/expected.json``), computed by the
course-only oracles from the inputs the checks define. Course repo only: `rlgrade stubs` runs this."""

from __future__ import annotations

from grader.golden import public_module
from grader.oracles.multi_agent import fictitious_play

GAMES = public_module(__file__, "test_games")


def expected_fictitious_play() -> dict:
    """The actions of the first FICTITIOUS_ROUNDS rounds of fictitious play in Matching Pennies and in BoS."""
    out = {}
    for name in ("Matching Pennies", "Battle of the Sexes"):
        rows, cols = fictitious_play(*GAMES.GAMES[name], GAMES.FICTITIOUS_ROUNDS)
        out[name] = {"rows": rows, "cols": cols}
    return out
