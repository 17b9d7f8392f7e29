"""Hidden checks of hw11, part "credit": the estimators on a random log, the learned policy on other seeds."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.credit import LendingSpec
from grader.harness.validate import as_float, assert_close

LENDING_HIDDEN = LendingSpec(
    check="test_lending_policy_hidden",
    module="credit",
    agent="LendingPolicy",
    hparams={"lam": 3.0},
    n_train=3000,
    n_test=3000,
    seed=2222,
    low=0.05,
)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_estimators_random_log(impl):
    """IPS, SNIPS and DR on a 50-event random log equal their formulas."""
    rng = np.random.default_rng(11)
    r, pi, mu = rng.normal(size=50), rng.uniform(0, 1, 50), rng.uniform(0.1, 1, 50)
    q, v = rng.normal(size=50), rng.normal(size=50)
    w = pi / mu
    for name, args, want in [
        ("ips", (r, pi, mu), np.mean(w * r)),
        ("snips", (r, pi, mu), np.sum(w * r) / np.sum(w)),
        ("doubly_robust", (r, pi, mu, q, v), np.mean(v + w * (r - q))),
    ]:
        got = as_float(impl.attr("credit", name)(*(a.copy() for a in args)), name)
        assert abs(got - want) < 1e-9, f"{name} = {got:.6f}, expected {want:.6f}"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_lending_policy_fit_random_log(impl):
    """LendingPolicy(lam=2).fit on a 40-applicant log: w equals the weighted ridge formula."""
    rng = np.random.default_rng(12)
    X = np.hstack([np.ones((40, 1)), rng.normal(size=(40, 3))])
    actions, mu, rewards = rng.integers(2, size=40), rng.uniform(0.1, 0.9, 40), rng.normal(size=40)
    policy = impl.attr("credit", "LendingPolicy")(lam=2.0)
    policy.fit(X.copy(), actions.copy(), rewards.copy(), mu.copy())
    a = actions == 1
    D = 1 / mu[a]
    want = np.linalg.solve(X[a].T @ (D[:, None] * X[a]) + 2.0 * np.eye(4), X[a].T @ (D * rewards[a]))
    assert_close(policy.w, want, "LendingPolicy(lam=2).w", 1e-9)
    approve = (X @ want > 0).astype(float)
    assert_close(policy.probs(X.copy()), np.stack([1 - approve, approve], axis=1), "probs(X)", 1e-9)


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_lending_policy_hidden(impl):
    """The learned policy (lam = 3) beats the logging policy by > 0.05 (95 % lower bound) on other logs."""
    LENDING_HIDDEN.assert_learns(impl.attr("credit", "LendingPolicy"), "check the exact checks first")
