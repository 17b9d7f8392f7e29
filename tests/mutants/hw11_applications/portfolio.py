"""Known bugs of hw11's portfolio part: costs left out or measured in another norm, weights not renormalised
after a price move, features without their noise scale, the gradient step the wrong way, and the price move read
from the current observation instead of the next one.

Each mutant patches ``solutions/hw11_applications/portfolio.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw11_applications"
_F = "portfolio.py"
_COSTS = ("test_costs_and_drift", "test_costs_and_features_random")
_OBSERVE = ("test_softmax_portfolio_act_and_observe", "test_softmax_portfolio_three_observes")

MUTANTS = [
    Mutant(
        id="portfolio-no-cost",
        assignment=_A,
        description="the log return leaves out the transaction cost",
        file=_F,
        old="    return float(np.log(1.0 - cost * turnover) + np.log(w_new @ np.asarray(y, dtype=np.float64)))",
        new="    return float(np.log(w_new @ np.asarray(y, dtype=np.float64)))",
        killed_by=_COSTS,
    ),
    Mutant(
        id="portfolio-turnover-l2",
        assignment=_A,
        description="turnover is the Euclidean norm of the weight change instead of Σ|Δw|",
        file=_F,
        old="    turnover = np.abs(w_new - w_held).sum()",
        new="    turnover = np.linalg.norm(w_new - w_held)",
        killed_by=_COSTS,
    ),
    Mutant(
        id="portfolio-drift-not-normalised",
        assignment=_A,
        description="drifted weights are w ⊙ y, not divided by w · y",
        file=_F,
        old="    return w * y / (w @ y)",
        new="    return w * y",
        killed_by=_COSTS,
    ),
    Mutant(
        id="portfolio-features-unscaled",
        assignment=_A,
        description="momentum features are the raw summed log returns (no division by s·sqrt(L))",
        file=_F,
        old="    return obs.sum(axis=0) / (s * np.sqrt(len(obs))) if s > 0 else np.zeros(obs.shape[1])",
        new="    return obs.sum(axis=0)",
        killed_by=("test_momentum_features", "test_costs_and_features_random", *_OBSERVE),
    ),
    Mutant(
        id="portfolio-gradient-descent",
        assignment=_A,
        description="β moves against the gradient of the log return",
        file=_F,
        old="        self.beta += self.lr * float((w * (y - g) / g) @ f)",
        new="        self.beta -= self.lr * float((w * (y - g) / g) @ f)",
        killed_by=(*_OBSERVE, "test_softmax_portfolio_beats_buy_and_hold", "test_softmax_portfolio_hidden"),
    ),
    Mutant(
        id="portfolio-y-from-current-obs",
        assignment=_A,
        description="observe() reads the price move from obs[-1] (the previous step's) instead of next_obs[-1]",
        file=_F,
        old="        y = np.exp(np.asarray(next_obs, dtype=np.float64)[-1])",
        new="        y = np.exp(np.asarray(obs, dtype=np.float64)[-1])",
        killed_by=_OBSERVE,
    ),
]
