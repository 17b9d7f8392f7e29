"""Public checks of hw03's policies (``policies.py``): log-probabilities of the categorical and the Gaussian policy.

The expected values are computed by the grader from your policy's OWN network output on given inputs
(``logits_net(obs)``, ``mean_net(obs)``, ``log_std``), so they hold whatever the random initialisation.
"""

from __future__ import annotations

import pytest
import torch

from grader.harness.policy_gradient import check_categorical, check_gaussian

OBS = torch.tensor(
    [[0.5, -1.0, 0.2], [1.5, 0.3, -0.7], [-0.2, 0.0, 1.0], [0.9, 0.9, 0.9], [-1.3, 0.4, 0.1]], dtype=torch.float32
)


@pytest.mark.points(5)
@pytest.mark.timeout(20)
def test_categorical_log_prob(impl):
    """CategoricalPolicy.log_prob equals log softmax(logits_net(obs))[a], one value per state, shape (B,)"""
    check_categorical(impl.attr("policies", "CategoricalPolicy"), OBS, 4, (16,), [0, 3, 1, 2, 3])


@pytest.mark.points(6)
@pytest.mark.timeout(20)
def test_gaussian_log_prob(impl):
    """GaussianPolicy.log_prob: Σ over 2 action dims of log N(a; mean_net(s), exp(log_std)²), and its gradient"""
    check_gaussian(impl.attr("policies", "GaussianPolicy"), OBS, 2, (16,), 0.4, seed=5)
