"""Is a network still as PyTorch initialised it? The deep weeks' learning budgets are calibrated for
``nn.Linear``'s default initialisation (hw03, hw04): other schemes were measured to miss them on some seeds."""

from __future__ import annotations

import numpy as np


def assert_default_linear_init(params: dict[str, np.ndarray], what: str, measured: str) -> None:
    """Fail unless every 2-D weight of ``params`` (``{name: array}``, as :func:`grader.harness.validate.
    as_named_parameters` gives) and its bias look drawn from ``nn.Linear``'s default, U(−1/√fan_in, 1/√fan_in):
    nothing outside the bound, and a weight of ≥ 64 entries with a standard deviation within 25 % of the uniform
    law's (1/√(3 fan_in)). ``what`` names the network, ``measured`` says what another scheme was seen to do."""
    for key, w in params.items():
        if w.ndim != 2:
            continue
        bound = 1.0 / np.sqrt(w.shape[1])
        bias = params.get(key.removesuffix("weight") + "bias", np.zeros(0))
        sd_ratio = float(w.std()) / (bound / np.sqrt(3.0))
        inside = max(np.max(np.abs(w)), np.max(np.abs(bias), initial=0.0)) <= bound * (1 + 1e-6)
        assert inside and (w.size < 64 or 0.75 <= sd_ratio <= 1.25), (
            f"{what}: layer `{key}` ({w.shape[0]}×{w.shape[1]}) starts with max |w| = {np.max(np.abs(w)):.3f}, sd "
            f"{w.std():.3f} and max |b| = {np.max(np.abs(bias), initial=0.0):.3f}; PyTorch's default nn.Linear "
            f"initialisation draws both from U(−1/√{w.shape[1]}, 1/√{w.shape[1]}) = ±{bound:.3f} (sd "
            f"{bound / np.sqrt(3.0):.3f}). Keep it: the learning checks' budgets are calibrated for it ({measured})"
        )
