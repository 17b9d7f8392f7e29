"""The expected values of hw03's public checks (``tests/public/hw03_policy_gradient/expected.json``), computed
by the course-only oracles from the inputs the checks define. Course repo only: `rlgrade stubs` runs this."""

from __future__ import annotations

import numpy as np

from grader.golden import public_module
from grader.oracles.policy_gradient import bandit_loss, bandit_policy_gradient, reward_to_go

RETURNS = public_module(__file__, "test_returns")
REINFORCE = public_module(__file__, "test_reinforce")


def expected_reward_to_go() -> list:
    """The reward-to-go of each of RETURNS.EPISODES, in order."""
    return [reward_to_go(rewards, gamma) for rewards, gamma in RETURNS.EPISODES]


def expected_bandit_loss_and_gradient() -> dict:
    bandit = REINFORCE.BANDIT
    theta, actions, returns = np.array(bandit["theta0"]), bandit["actions"], bandit["returns"]
    return {"loss": bandit_loss(theta, actions, returns), "grad": bandit_policy_gradient(theta, actions, returns)}
