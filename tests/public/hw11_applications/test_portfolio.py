"""Public checks of hw11, part "portfolio": transaction costs, momentum features and a softmax portfolio policy
(``portfolio.py``) on the kit's ``Portfolio-v0`` (``grader/harness/portfolio.py``).

Exact checks compare your numbers with the ones worked out in this file. The learning check trains your
``SoftmaxPortfolio`` with the grader's loop for 2400 steps (5 series of 480 steps) and evaluates it, never calling
``observe``, on 20 held-out series the grader draws, each with its own trends: the return of an evaluation episode
is log(W_agent / W_buy-and-hold), your final wealth over that of equal-weight buy-and-hold on the same prices. The
observations hold past prices only: the grader's env owns the series. Run one check with
``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from grader.harness.deep_control import DeepSpec
from grader.harness.validate import as_float, assert_close

OBS = np.array([[0.1, -0.1], [0.1, -0.1]])
# f = [0.2, −0.2] / (0.1 · sqrt 2) = [1.414214, −1.414214]. β = 0: w = [.5, .5]; y = [1.1, .9]: g = w·y = 1,
# ∂r/∂β = .5·(.1)·1.414214 + .5·(−.1)·(−1.414214) = 0.141421 → β = 0.141421 (lr = 1);
# then β·f = [.2, −.2] → w = softmax = [0.598688, 0.401312].
FEATURES = [np.sqrt(2.0), -np.sqrt(2.0)]
WEIGHTS_AFTER = [np.exp(0.2) / (np.exp(0.2) + np.exp(-0.2)), np.exp(-0.2) / (np.exp(0.2) + np.exp(-0.2))]

PORTFOLIO = DeepSpec(
    check="test_softmax_portfolio_beats_buy_and_hold",
    module="portfolio",
    agent="SoftmaxPortfolio",
    env_id="grader.harness.portfolio:Portfolio-v0",
    steps=2400,
    seed=1121,
    low=0.0,
    eval_episodes=20,
    hparams={"lr": 10.0},
    env_kwargs={"excess": True},
)


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_costs_and_drift(impl):
    """Log return 0 at [.5, .5] with y = [1.1, .9]; turnover 1 at cost .001 → × 0.999; drifted weights."""
    step = impl.attr("portfolio", "portfolio_log_return")
    half, y = np.array([0.5, 0.5]), np.array([1.1, 0.9])
    got = as_float(step(half, half.copy(), y, 0.0), "portfolio_log_return([.5, .5], [.5, .5], [1.1, .9], 0)")
    assert abs(got) < 1e-12, f"log return {got:.6g}, expected 0: w·y = .55 + .45 = 1"
    got = as_float(step(np.array([1.0, 0.0]), half, np.ones(2), 0.001), "portfolio_log_return with cost")
    assert abs(got - np.log(0.999)) < 1e-12, (
        f"log return {got:.8f}, expected log(0.999) = {np.log(0.999):.8f}: turnover |.5 − 1| + |.5 − 0| = 1"
    )
    drift = impl.attr("portfolio", "drifted_weights")
    assert_close(drift(half, y), [0.55, 0.45], "drifted_weights([.5, .5], [1.1, .9])")
    # prices up 20 % and flat: [.6, .5] / 1.1 — the weights of a portfolio always sum to 1
    assert_close(drift(half, np.array([1.2, 1.0])), [6 / 11, 5 / 11], "drifted_weights([.5, .5], [1.2, 1])")


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_momentum_features(impl):
    """momentum_features([[.1, −.1], [.1, −.1]]) = [1.4142, −1.4142]; all-equal returns → zeros."""
    assert_close(impl.attr("portfolio", "momentum_features")(OBS.copy()), FEATURES, "momentum_features(obs)")
    assert_close(impl.attr("portfolio", "momentum_features")(np.zeros((3, 2))), [0.0, 0.0], "features of zeros")


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_softmax_portfolio_act_and_observe(impl):
    """β = 0 gives equal weights; one observe (y = [1.1, .9], lr = 1) makes β = 0.141421, act → [.5987, .4013]."""
    space = gym.spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float64)
    obs_space = gym.spaces.Box(-1.0, 1.0, shape=(2, 2), dtype=np.float64)
    agent = impl.attr("portfolio", "SoftmaxPortfolio")(obs_space, space, seed=0, lr=1.0)
    w = assert_close(agent.act(OBS.copy()), [0.5, 0.5], "act(obs) with β = 0")
    next_obs = np.array([[0.1, -0.1], [np.log(1.1), np.log(0.9)]])
    agent.observe(OBS.copy(), w, 0.0, next_obs, False, False)
    hint = ": ∂r/∂β = Σ w_i (y_i − w·y)/(w·y) f_i with y = exp(next_obs[-1]) and f the features of obs"
    assert abs(as_float(agent.beta, "SoftmaxPortfolio.beta") - np.sqrt(0.02)) < 1e-9, (
        f"β = {float(agent.beta):.6f} after one observe, expected 0.141421{hint}"
    )
    assert_close(agent.act(OBS.copy(), deterministic=True), WEIGHTS_AFTER, "act(obs) after observe", 1e-9, hint)


@pytest.mark.points(5)
@pytest.mark.timeout(40)
def test_softmax_portfolio_beats_buy_and_hold(impl):
    """SoftmaxPortfolio beats equal-weight buy-and-hold on 20 held-out trending series (mean log-wealth ratio > 0)."""
    PORTFOLIO.assert_learns(
        impl.attr("portfolio", "SoftmaxPortfolio"),
        "a correct agent reaches about +0.05 to +0.3; equal weights every step (β stuck at 0) about −0.25",
    )
