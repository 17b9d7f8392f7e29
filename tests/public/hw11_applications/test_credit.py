"""Public checks of hw11, part "credit": off-policy estimators and a lending policy learned offline
(``credit.py``).

Exact checks compare your numbers with the ones worked out in this file. The learning check fits your
``LendingPolicy`` on a log of 3000 applicants of the kit's ``Lending-v0`` (``grader/harness/credit.py``) decided by
the bank's current policy, then the grader estimates (IPS, its own code) its value on 3000 held-out applicants.
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.credit import LendingSpec
from grader.harness.validate import as_float, assert_close

# r = [1, 0, 1], π(a_i|x_i) = [.5, .5, 1], μ(a_i|x_i) = [.25, .5, .5] → w = [2, 1, 2]:
# IPS = (2 + 0 + 2) / 3 = 1.333333; SNIPS = 4 / (2 + 1 + 2) = 0.8;
# DR with q̂(x_i, a_i) = .5 and v̂(x_i) = [.6, .4, .5]: (.6 + 2·.5) + (.4 + 1·(−.5)) + (.5 + 2·.5) = 3 → 1.0.
R, PI, MU = [1.0, 0.0, 1.0], [0.5, 0.5, 1.0], [0.25, 0.5, 0.5]
Q_LOGGED, V_TARGET = [0.5, 0.5, 0.5], [0.6, 0.4, 0.5]
# LendingPolicy(lam=1) on X = [[1, 0], [1, 1], [1, 2]], actions [1, 1, 0], rewards [1, 0, 0], μ = [.5, .25, .5]:
# approved rows 0, 1 with weights 1/μ = 2, 4: XᵀDX + I = [[7, 4], [4, 5]], XᵀDr = [2, 0]
# → w = (1/19)·[[5, −4], [−4, 7]]·[2, 0] = [10/19, −8/19]; wᵀx = [.526, .105, −.316] → approve, approve, reject.
FIT_X, FIT_ACTIONS, FIT_REWARDS, FIT_MU = [[1, 0], [1, 1], [1, 2]], [1, 1, 0], [1.0, 0.0, 0.0], [0.5, 0.25, 0.5]
FIT_W = [10 / 19, -8 / 19]
FIT_PROBS = [[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]

LENDING = LendingSpec(
    check="test_lending_policy_beats_logging_policy",
    module="credit",
    agent="LendingPolicy",
    hparams={"lam": 1.0},
    n_train=3000,
    n_test=3000,
    seed=1111,
    low=0.05,
)


def arrays(*values):
    return tuple(np.array(v, dtype=float) for v in values)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_ips_and_snips(impl):
    """IPS 1.3333 and SNIPS 0.8 on the 3-event example."""
    got = as_float(impl.attr("credit", "ips")(*arrays(R, PI, MU)), "ips(r, π, μ)")
    assert abs(got - 4 / 3) < 1e-9, f"ips = {got:.6f}, expected 1.333333 = mean of w·r with w = π/μ = [2, 1, 2]"
    got = as_float(impl.attr("credit", "snips")(*arrays(R, PI, MU)), "snips(r, π, μ)")
    assert abs(got - 0.8) < 1e-9, f"snips = {got:.6f}, expected 0.8 = Σ w·r / Σ w = 4 / 5"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_doubly_robust(impl):
    """Doubly robust 1.0 on the 3-event example with a given reward model."""
    got = as_float(impl.attr("credit", "doubly_robust")(*arrays(R, PI, MU, Q_LOGGED, V_TARGET)), "doubly_robust")
    assert abs(got - 1.0) < 1e-9, f"doubly_robust = {got:.6f}, expected 1.0 = mean of v̂ + w·(r − q̂)"


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_lending_policy_fit_hand_worked(impl):
    """LendingPolicy.fit on 3 applicants: w = [10/19, −8/19]; probs approve, approve, reject."""
    policy = impl.attr("credit", "LendingPolicy")(lam=1.0)
    X, actions, rewards, mu = arrays(FIT_X, FIT_ACTIONS, FIT_REWARDS, FIT_MU)
    policy.fit(X, actions.astype(int), rewards, mu)
    hint = ": ridge over the approved rows only, each weighted by 1/μ, λ·I on every feature"
    assert_close(policy.w, FIT_W, "LendingPolicy.w", 1e-9, hint)
    assert_close(policy.probs(X), FIT_PROBS, "LendingPolicy.probs(X)", 1e-9)


@pytest.mark.points(5)
@pytest.mark.timeout(30)
def test_lending_policy_beats_logging_policy(impl):
    """The learned policy's IPS value beats the logging policy's by > 0.05, 95 % lower bound (3000 held out)."""
    LENDING.assert_learns(
        impl.attr("credit", "LendingPolicy"),
        "rejecting everyone gains about 0.02, a correct policy about 0.08 (lower bound)",
    )
