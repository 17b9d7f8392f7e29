"""Part "portfolio": transaction-cost accounting and a softmax portfolio policy learned by gradient ascent on the
log return, on the kit's ``Portfolio-v0`` (``grader/harness/portfolio.py``): price series with trends.

Notation: n assets; weights w (w_i ≥ 0, Σ w_i = 1); price relatives y_i = price_i(t) / price_i(t − 1); the
observation is the last L log returns, an array (L, n) — prices up to now only.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np


def drifted_weights(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The weights after prices move by y without trading: w ⊙ y / (w · y).
    Example: w = [.5, .5], y = [1.1, .9] → [.55, .45]."""
    # BEGIN SOLUTION
    w, y = np.asarray(w, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return w * y / (w @ y)
    # END SOLUTION


def portfolio_log_return(w_held: np.ndarray, w_new: np.ndarray, y: np.ndarray, cost: float) -> float:
    """Log return of one step: rebalance from ``w_held`` to ``w_new`` paying ``cost`` per unit of turnover
    (a fraction of wealth), then prices move by y:

        log(1 − cost · Σ_i |w_new,i − w_held,i|) + log(w_new · y)

    Examples: w_held = w_new = [.5, .5], y = [1.1, .9], cost 0 → 0.0; w_held = [1, 0], w_new = [.5, .5],
    y = [1, 1], cost 0.001 → log(0.999) (turnover 1: wealth × 0.999)."""
    # BEGIN SOLUTION
    w_held, w_new = np.asarray(w_held, dtype=np.float64), np.asarray(w_new, dtype=np.float64)
    turnover = np.abs(w_new - w_held).sum()
    return float(np.log(1.0 - cost * turnover) + np.log(w_new @ np.asarray(y, dtype=np.float64)))
    # END SOLUTION


def momentum_features(obs: np.ndarray) -> np.ndarray:
    """One feature per asset from the window of log returns ``obs`` (L, n): its summed log return over the window
    in units of the window's noise,

        f_i = Σ_t obs[t, i] / (s · sqrt(L)),   s = the standard deviation of all L·n entries (ddof = 0)

    (zeros when s = 0). Example: obs = [[.1, −.1], [.1, −.1]] → s = .1, f = [1.41421, −1.41421]."""
    # BEGIN SOLUTION
    obs = np.asarray(obs, dtype=np.float64)
    s = obs.std()
    return obs.sum(axis=0) / (s * np.sqrt(len(obs))) if s > 0 else np.zeros(obs.shape[1])
    # END SOLUTION


class SoftmaxPortfolio:
    """A softmax policy over assets with one learned parameter β (how strongly to follow momentum):

        w = softmax(β · f)            f = momentum_features(obs)

    learned by gradient ascent on the one-step log return r = log(w · y) (the cost term is left out of the
    gradient): with g = w · y,

        ∂r/∂β = Σ_i w_i (y_i − g) / g · f_i          β ← β + lr · ∂r/∂β

    The grader's loop (``grader/harness/deep_control.py``) calls ``act(obs)``, steps the env, then
    ``observe(obs, action, reward, next_obs, terminated, truncated)``: y is not in ``obs`` (no look-ahead) but is
    the last row of ``next_obs``, y = exp(next_obs[-1]). ``act(obs, deterministic=True)`` (evaluation) returns
    the same weights and never learns. β starts at 0 (equal weights). Example: the obs above, β = 0, y = [1.1, .9],
    lr = 1 → w = [.5, .5], ∂r/∂β = 0.141421, β = 0.141421; then act(obs) = softmax([.2, −.2]) = [.598688, .401312].
    """

    def __init__(
        self, observation_space: gym.spaces.Box, action_space: gym.spaces.Box, seed: int = 0, lr: float = 10.0
    ) -> None:
        self.n_assets = int(action_space.shape[0])
        self.lr = lr
        self.beta = 0.0

    def weights(self, obs: np.ndarray) -> np.ndarray:
        """softmax(β · momentum_features(obs)), float array (n,)."""
        # BEGIN SOLUTION
        z = self.beta * momentum_features(obs)
        e = np.exp(z - z.max())
        return e / e.sum()
        # END SOLUTION

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """The portfolio weights for ``obs`` (the same with or without ``deterministic``)."""
        return self.weights(obs)

    def observe(
        self,
        obs: np.ndarray,
        action: np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """One gradient-ascent step on β from this transition (see the class docstring)."""
        # BEGIN SOLUTION
        f = momentum_features(obs)
        w = self.weights(obs)
        y = np.exp(np.asarray(next_obs, dtype=np.float64)[-1])
        g = w @ y
        self.beta += self.lr * float((w * (y - g) / g) @ f)
        # END SOLUTION
