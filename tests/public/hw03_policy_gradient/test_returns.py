"""Public checks of hw03's returns (``returns.py``): discounted return, reward-to-go and normalisation.

Each check compares your function on given episodes with the answers of ``expected.json`` beside this file
(computed in the course repo from the definition G_t = Σ_{k≥t} γ^(k−t) r_k). Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.golden import expected
from grader.harness.validate import as_float, as_float_array

REWARDS = [1.0, 0.0, 2.0, -1.0, 3.0]
GAMMA = 0.9
EPISODES = [(REWARDS, GAMMA), ([1.0, 0.0, 2.0], 0.5), (REWARDS, 1.0), ([], 0.9), ([1.0, 0.0, 2.0], 1.0)]


def reward_to_go_of(rewards: list[float], gamma: float) -> np.ndarray:
    """The expected reward-to-go of one of EPISODES."""
    return np.array(expected(__file__, "reward_to_go")[EPISODES.index((rewards, gamma))])


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_discounted_return(impl):
    """discounted_return: G_0 = Σ_k γ^k r_k of a given episode (and 0 for an empty one)"""
    discounted_return = impl.attr("returns", "discounted_return")
    for rewards, gamma in EPISODES[:4]:
        got = as_float(discounted_return(list(rewards), gamma), f"discounted_return({rewards}, {gamma})")
        want = float(reward_to_go_of(rewards, gamma)[0]) if rewards else 0.0
        assert abs(got - want) <= 1e-9, (
            f"discounted_return({rewards}, gamma={gamma}) = {got:.6g}; expected {want:.6g} = Σ_k γ^k r_k "
            "(the first reward is not discounted)"
        )


@pytest.mark.points(5)
@pytest.mark.timeout(10)
def test_reward_to_go(impl):
    """reward_to_go: G_t = Σ_{k≥t} γ^(k−t) r_k for every step t (catalog PG2: not the total return for every t)"""
    reward_to_go_impl = impl.attr("returns", "reward_to_go")
    for rewards, gamma in (EPISODES[0], EPISODES[4], EPISODES[1]):
        got = as_float_array(
            reward_to_go_impl(list(rewards), gamma), f"reward_to_go({rewards}, {gamma})", (len(rewards),)
        )
        want = reward_to_go_of(rewards, gamma)
        assert np.allclose(got, want, rtol=0, atol=1e-9), (
            f"reward_to_go({rewards}, gamma={gamma}) = {np.round(got, 6).tolist()}; expected "
            f"{np.round(want, 6).tolist()}. G_t only counts the rewards from step t on (the same value for "
            "every t is the total return, not the reward-to-go), and discounts them from step t: "
            "γ^(k−t), not γ^k"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_normalize(impl):
    """normalize: (x − mean) / (std + eps) with the population std; a constant input gives zeros, not NaN"""
    normalize = impl.attr("returns", "normalize")
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    got = as_float_array(normalize(x.copy()), f"normalize({x.tolist()})", x.shape)
    expected = (x - x.mean()) / (x.std() + 1e-8)
    assert np.allclose(got, expected, rtol=0, atol=1e-7), (
        f"normalize({x.tolist()}) = {np.round(got, 6).tolist()}; expected {np.round(expected, 6).tolist()} "
        "(np.std, i.e. ddof = 0, plus eps = 1e-8)"
    )
    constant = np.full(4, 3.0)
    what = "normalize([3, 3, 3, 3]) (a constant input: with eps added to the std it is 0/eps = 0, never 0/0)"
    got = as_float_array(normalize(constant.copy()), what, (4,))
    assert np.allclose(got, 0.0, rtol=0, atol=1e-9), (
        f"normalize([3, 3, 3, 3]) = {got.tolist()}; expected zeros: add eps to the std so a constant batch "
        "(e.g. every episode with the same return) gives 0 and never 0/0 = NaN"
    )
