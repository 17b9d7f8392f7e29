"""Hidden checks of hw03's returns (``returns.py``), run only by the graders: other rewards, γ = 0 and γ = 1,
one-step and empty episodes, numpy inputs, and normalisation edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.validate import as_float, as_float_array
from grader.oracles.policy_gradient import reward_to_go

CASES = (
    ([-2.0, 0.5, 0.0, 4.0, -1.0, 1.0], 0.97),
    ([-2.0, 0.5, 0.0, 4.0, -1.0, 1.0], 0.0),
    ([3.0, -1.0, 2.0, 2.0], 1.0),
    ([7.5], 0.8),
)


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_hidden_returns_cases(impl):
    """discounted_return and reward_to_go on other episodes: γ = 0.97, 0 and 1, one step, numpy input, empty"""
    discounted_return = impl.attr("returns", "discounted_return")
    reward_to_go_impl = impl.attr("returns", "reward_to_go")
    for rewards, gamma in CASES:
        expected = reward_to_go(rewards, gamma)
        got = as_float_array(
            reward_to_go_impl(np.array(rewards), gamma), f"reward_to_go(np.array({rewards}), {gamma})", (len(rewards),)
        )
        assert np.allclose(got, expected, rtol=0, atol=1e-9), (
            f"reward_to_go({rewards}, gamma={gamma}) = {np.round(got, 6).tolist()}; expected "
            f"{np.round(expected, 6).tolist()} (G_t = Σ_(k≥t) γ^(k−t) r_k; with γ = 0 it is the reward itself)"
        )
        g0 = as_float(discounted_return(list(rewards), gamma), f"discounted_return({rewards}, {gamma})")
        assert abs(g0 - expected[0]) <= 1e-9, (
            f"discounted_return({rewards}, gamma={gamma}) = {g0:.6g}; expected {expected[0]:.6g}"
        )
    empty = as_float_array(reward_to_go_impl([], 0.9), "reward_to_go([], 0.9)", (0,))
    assert empty.shape == (0,), "the reward-to-go of an empty episode is an empty array"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_hidden_normalize_cases(impl):
    """normalize: a large constant, a single value and negative inputs; the input is not modified"""
    normalize = impl.attr("returns", "normalize")
    for x in (np.full(6, 1e6), np.array([-4.0]), np.array([-3.0, -1.0, -2.0, 6.0])):
        original = x.copy()
        got = as_float_array(normalize(x), f"normalize({original.tolist()})", x.shape)
        expected = (original - original.mean()) / (original.std() + 1e-8)
        assert np.allclose(got, expected, rtol=0, atol=1e-7), (
            f"normalize({original.tolist()}) = {got.tolist()}; expected {np.round(expected, 6).tolist()} "
            "((x − mean) / (std + 1e-8), population std; a constant input gives zeros)"
        )
        assert np.array_equal(x, original), f"normalize modified its input {original.tolist()}"
