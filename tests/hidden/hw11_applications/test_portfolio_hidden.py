"""Hidden checks of hw11, part "portfolio": costs and features on random inputs, the learning check on other
series (3 assets, twice the cost per unit of turnover, stronger trends)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.deep_control import DeepSpec
from grader.harness.validate import as_float, assert_close

PORTFOLIO_HIDDEN = DeepSpec(
    check="test_softmax_portfolio_hidden",
    module="portfolio",
    agent="SoftmaxPortfolio",
    env_id="grader.harness.portfolio:Portfolio-v0",
    steps=2400,
    seed=2121,
    low=0.0,
    eval_episodes=20,
    hparams={"lr": 10.0},
    env_kwargs={"excess": True, "n_assets": 3, "cost": 0.002, "trend": 0.003},
)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_costs_and_features_random(impl):
    """portfolio_log_return, drifted_weights and momentum_features on random inputs equal their formulas."""
    rng = np.random.default_rng(21)
    held, new = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    y = np.exp(rng.normal(0, 0.05, 5))
    want = np.log(1 - 0.003 * np.abs(new - held).sum()) + np.log(new @ y)
    got = as_float(impl.attr("portfolio", "portfolio_log_return")(held, new, y, 0.003), "portfolio_log_return")
    assert abs(got - want) < 1e-12, f"log return {got:.8f}, expected {want:.8f}"
    assert_close(impl.attr("portfolio", "drifted_weights")(held, y), held * y / (held @ y), "drifted_weights")
    obs = rng.normal(0, 0.01, (7, 5))
    want = obs.sum(axis=0) / (obs.std() * np.sqrt(7))
    assert_close(impl.attr("portfolio", "momentum_features")(obs), want, "momentum_features (7 × 5 window)")


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_softmax_portfolio_three_observes(impl):
    """Three observes on random windows move β as the gradient formula says; act is softmax(β·f)."""
    import gymnasium as gym

    rng = np.random.default_rng(22)
    agent = impl.attr("portfolio", "SoftmaxPortfolio")(
        gym.spaces.Box(-1.0, 1.0, shape=(4, 3)), gym.spaces.Box(0.0, 1.0, shape=(3,)), seed=1, lr=2.0
    )
    beta, series = 0.0, rng.normal(0.001, 0.01, (7, 3))
    for t in range(3):
        obs, next_obs = series[t : t + 4], series[t + 1 : t + 5]
        f = obs.sum(axis=0) / (obs.std() * 2.0)
        w = np.exp(beta * f) / np.exp(beta * f).sum()
        got = assert_close(agent.act(obs.copy()), w, f"act(obs) before observe {t + 1}", 1e-9)
        y = np.exp(next_obs[-1])
        beta += 2.0 * float((w * (y - w @ y) / (w @ y)) @ f)
        agent.observe(obs.copy(), got, 0.0, next_obs.copy(), False, t == 2)
    assert abs(as_float(agent.beta, "SoftmaxPortfolio.beta") - beta) < 1e-9, f"β = {agent.beta}, expected {beta:.8f}"


@pytest.mark.points(3)
@pytest.mark.timeout(40)
def test_softmax_portfolio_hidden(impl):
    """SoftmaxPortfolio beats buy-and-hold on 20 held-out 3-asset series with cost 0.002 and trends of sd 0.003."""
    PORTFOLIO_HIDDEN.assert_learns(impl.attr("portfolio", "SoftmaxPortfolio"), "check the exact checks first")
