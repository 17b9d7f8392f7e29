"""Numbers in check messages: shown to the digits that matter, and where a result first differs (issue 19).

A message shows the inputs, the expected and the received values; these helpers print arrays compactly
(6 significant digits, enough to see a float32 rounding from a real difference) and name the first entry that
differs, so a student sees at once which step, env or parameter to look at.
"""

from __future__ import annotations

import numpy as np


def show(values: object, digits: int = 6) -> str:
    """``values`` (a number or a nested array) as a compact list with ``digits`` significant digits."""
    array = np.asarray(values, dtype=np.float64)
    text = np.array2string(array, separator=", ", formatter={"float_kind": lambda x: f"{x:.{digits}g}"})
    return text.replace("\n", "")


def first_difference(got: np.ndarray, want: np.ndarray, atol: float) -> str:
    """Where ``got`` first differs from ``want`` by more than ``atol`` (row-major order), as a phrase such as
    ``"at [1, 0]: expected -2, got -3.1875"``; empty when they agree."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    bad = np.argwhere(np.abs(got - want) > atol)
    if not bad.size:
        return ""
    index = tuple(int(i) for i in bad[0])
    return f"at {list(index)}: expected {want[index]:.6g}, got {got[index]:.6g}"
