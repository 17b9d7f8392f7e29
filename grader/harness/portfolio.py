"""Portfolio-v0: the kit's portfolio-management environment over synthetic price series with trends (hw11).

At reset the env draws ``window + length`` steps of log returns for ``n_assets`` assets,

    log y_{t,i} = μ_i + σ · ε_{t,i}      μ_i ~ N(0, trend²) (each asset's trend), ε ~ N(0, 1)

(y = price relatives, price_t / price_{t−1}). The observation at step t is the last ``window`` log returns,
shape (window, n_assets): prices up to now, never the next one (no look-ahead). The action is a vector of
non-negative weights, normalised by the env (all zero: equal weights). Holding ``w_held`` (the weights after the
last move of prices), rebalancing to ``w`` pays a proportional cost and then the prices move by y_t:

    reward = log(1 − cost · ‖w − w_held‖₁) + log(w · y_t)        w_held ← w ⊙ y_t / (w · y_t)

so the return is the log of the final wealth (start: 1, equal weights held). With ``excess=True`` the reward is
the log return *in excess* of equal-weight buy-and-hold (buy 1/n of each asset at the start, never trade), so the
return is log(W_agent / W_buy-and-hold). ``info`` has ``price_relatives`` (y_t, revealed after the step, also the
last row of the next observation), ``wealth`` and ``buy_and_hold``. Truncated after ``length`` steps.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

ENV_ID = "Portfolio-v0"


class PortfolioEnv(gym.Env):
    """Rebalance a portfolio of ``n_assets`` assets every step; reward = log return net of transaction costs."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(
        self,
        n_assets: int = 4,
        length: int = 480,
        window: int = 20,
        cost: float = 0.001,
        trend: float = 0.002,
        volatility: float = 0.01,
        excess: bool = False,
    ) -> None:
        if n_assets < 2 or length < 1 or window < 1 or not 0 <= cost < 0.5:
            raise ValueError("Portfolio needs n_assets >= 2, length >= 1, window >= 1 and 0 <= cost < 0.5")
        self.n_assets, self.length, self.window, self.cost = n_assets, length, window, cost
        self.trend, self.volatility, self.excess = trend, volatility, excess
        self.observation_space = gym.spaces.Box(-1.0, 1.0, shape=(window, n_assets), dtype=np.float64)
        self.action_space = gym.spaces.Box(0.0, 1.0, shape=(n_assets,), dtype=np.float64)
        self._log_y = np.zeros((window + length, n_assets))
        self._t = 0
        self._held = np.full(n_assets, 1.0 / n_assets)
        self._wealth = self._bh = 1.0
        self._bh_values = self._held.copy()

    def _obs(self) -> np.ndarray:
        return self._log_y[self._t : self._t + self.window].copy()

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        mu = self.np_random.normal(0.0, self.trend, self.n_assets)
        noise = self.np_random.normal(0.0, self.volatility, (self.window + self.length, self.n_assets))
        self._log_y = np.clip(mu + noise, -1.0, 1.0)
        self._t = 0
        self._held = np.full(self.n_assets, 1.0 / self.n_assets)
        self._bh_values = self._held.copy()
        self._wealth = self._bh = 1.0
        return self._obs(), {"wealth": 1.0, "buy_and_hold": 1.0}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        a = np.clip(np.asarray(action, dtype=np.float64), 0.0, 1.0)
        w = a / a.sum() if a.sum() > 0 else np.full(self.n_assets, 1.0 / self.n_assets)
        y = np.exp(self._log_y[self._t + self.window])
        growth = w @ y
        reward = float(np.log(1.0 - self.cost * np.abs(w - self._held).sum()) + np.log(growth))
        self._held = w * y / growth
        self._wealth *= float(np.exp(reward))
        bh_before = self._bh_values.sum()
        self._bh_values = self._bh_values * y
        self._bh = float(self._bh_values.sum())
        if self.excess:
            reward -= float(np.log(self._bh / bh_before))
        self._t += 1
        info = {"price_relatives": y, "wealth": self._wealth, "buy_and_hold": self._bh}
        return self._obs(), reward, False, self._t >= self.length, info


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=PortfolioEnv)
