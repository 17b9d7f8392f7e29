"""Hidden checks of hw11, part "recommender": LinUCB with other sizes and parameters, replay on a random log,
the regret check on other seeds."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.recommender import RegretSpec
from grader.harness.validate import as_float, as_int, assert_close

LINUCB_REGRET_HIDDEN = RegretSpec(
    check="test_linucb_regret_hidden",
    module="recommender",
    agent="LinUCB",
    hparams={"alpha": 0.5},
    steps=2000,
    runs=12,
    seed=2202,
    ratio=1.0,
)


def ucb_oracle(A: np.ndarray, b: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
    A_inv = np.linalg.inv(A)
    return np.array([A_inv[a] @ b[a] @ x + alpha * np.sqrt(x @ A_inv[a] @ x) for a in range(len(b))])


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_linucb_three_arms_three_features(impl):
    """LinUCB (3 arms, d = 3, λ = 0.5, α = 2) after 4 updates: A, b and UCB as the formulas give."""
    agent = impl.attr("recommender", "LinUCB")(3, 3, 2.0, 0.5)
    A, b = np.stack([0.5 * np.eye(3)] * 3), np.zeros((3, 3))
    for x, arm, r in [([1, 0.5, -1], 2, 1.0), ([1, -2, 0], 0, 0.0), ([1, 1, 1], 2, 0.5), ([0, 1, 3], 1, 1.0)]:
        x = np.array(x, dtype=float)
        agent.update(x, arm, r)
        A[arm] += np.outer(x, x)
        b[arm] += r * x
    assert_close(agent.A, A, "A after 4 updates")
    assert_close(agent.b, b, "b after 4 updates")
    x = np.array([1.0, 0.2, -0.4])
    want = ucb_oracle(A, b, x, 2.0)
    assert_close(agent.ucb(x), want, "ucb([1, 0.2, -0.4])")
    assert as_int(agent.act(x), "act([1, 0.2, -0.4])", 0, 3) == int(np.argmax(want))


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_replay_evaluate_random_log(impl):
    """Replay on a 300-event random log (4 arms): the grader's own replay of the same LinUCB gives the same value."""
    rng = np.random.default_rng(7)
    contexts = np.hstack([np.ones((300, 1)), rng.normal(size=(300, 2))])
    arms, rewards = rng.integers(4, size=300), (rng.random(300) < 0.3).astype(float)
    agent = impl.attr("recommender", "LinUCB")(4, 3, 0.4, 1.0)
    out = impl.attr("recommender", "replay_evaluate")(agent, contexts.copy(), arms.copy(), rewards.copy())
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise AssertionError(f"replay_evaluate must return (value, n_matched), got {type(out).__name__}")
    A, b, kept = np.stack([np.eye(3)] * 4), np.zeros((4, 3)), []
    for x, logged, r in zip(contexts, arms, rewards, strict=True):
        arm = int(np.argmax(ucb_oracle(A, b, x, 0.4)))
        if arm == logged:
            kept.append(r)
            A[arm] += np.outer(x, x)
            b[arm] += r * x
    matched = as_int(out[1], "replay n_matched", 0, 301)
    assert matched == len(kept), f"{matched} matched events, expected {len(kept)}"
    value = as_float(out[0], "replay value")
    assert abs(value - np.mean(kept)) < 1e-9, f"replay value {value:.6f}, expected {np.mean(kept):.6f}"


@pytest.mark.points(3)
@pytest.mark.timeout(40)
def test_linucb_regret_hidden(impl):
    """LinUCB (α = 0.5): less regret than ε-greedy on 12 runs × 2000 other users of Recommender-v0."""
    LINUCB_REGRET_HIDDEN.assert_learns(impl.attr("recommender", "LinUCB"), "check the exact checks first")
