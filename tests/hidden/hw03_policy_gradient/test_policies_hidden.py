"""Hidden checks of hw03's policies (``policies.py``): other sizes — 5 actions and two hidden layers, 3-D Gaussian
actions with a linear mean (no hidden layer), and a batch of one."""

from __future__ import annotations

import pytest
import torch

from grader.harness.policy_gradient import check_categorical, check_gaussian

OBS = torch.tensor(
    [[0.1, 0.2], [-0.9, 0.4], [1.2, -1.1], [0.0, 0.0], [0.7, 0.3], [-0.4, -0.8], [2.0, 1.0]], dtype=torch.float32
)


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_hidden_policy_log_probs(impl):
    """Log-probs of both policies on other shapes: 5 actions / 2 hidden layers, 3-D Gaussian, batch of 1"""
    categorical = impl.attr("policies", "CategoricalPolicy")
    gaussian = impl.attr("policies", "GaussianPolicy")
    check_categorical(categorical, OBS, 5, (8, 8), [4, 0, 2, 2, 1, 3, 0])
    check_categorical(categorical, OBS[:1], 5, (8, 8), [3])
    check_gaussian(gaussian, OBS, 3, (), -1.0, seed=17)
    check_gaussian(gaussian, OBS[2:3], 3, (4,), 0.2, seed=23)
