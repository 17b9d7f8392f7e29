"""Hidden learning checks of hw06: PPO with a Gaussian policy on the kit's PointMass task (every episode is
truncated) and PPO on Acrobot-v1 (every step costs −1 until the tip swings up).
Calibration: ``rlgrade calibrate hw06`` → ``calibration/hw06_ppo.md``.
"""

from __future__ import annotations

import pytest

from grader.harness.deep_control import DeepSpec

POINT_MASS_HPARAMS = {
    "n_steps": 32, "n_epochs": 10, "minibatch_size": 64, "lr": 3e-3, "gamma": 0.9, "gae_lambda": 0.95, "clip": 0.2,
    "clip_vloss": None, "norm_adv": True, "vf_coef": 0.5, "ent_coef": 0.0, "max_grad_norm": 0.5, "hidden": (64, 64),
    "log_std_init": -0.5,
}  # fmt: skip
HIDDEN_POINT_MASS = DeepSpec(
    check="test_hidden_ppo_point_mass",
    module="ppo",
    agent="PPOAgent",
    env_id="grader.harness.point_mass:PointMass-v0",
    steps=20_480,
    seed=3,
    low=70.0,
    semantics="final",
    eval_episodes=10,
    hparams=POINT_MASS_HPARAMS,
    n_envs=8,
)


@pytest.mark.points(6)
@pytest.mark.timeout(60)
def test_hidden_ppo_point_mass(impl):
    """Gaussian PPO on 8 PointMass envs (2-D), 20,480 env steps: the mean policy covers ≥ 70 % of the way to the goal"""
    HIDDEN_POINT_MASS.assert_learns(
        impl.attr("ppo", "PPOAgent"),
        "the return is the percentage of the start distance covered (100 = reached); the log-probabilities must be "
        "those of the raw samples, and a truncated step must bootstrap",
    )


ACROBOT_HPARAMS = {
    "n_steps": 64, "n_epochs": 4, "minibatch_size": 128, "lr": 1e-3, "gamma": 0.99, "gae_lambda": 0.95,
    "clip": 0.2, "clip_vloss": None, "norm_adv": True, "vf_coef": 0.5, "ent_coef": 0.01, "max_grad_norm": 0.5,
    "hidden": (64, 64),
}  # fmt: skip
HIDDEN_ACROBOT = DeepSpec(
    check="test_hidden_ppo_acrobot",
    module="ppo",
    agent="PPOAgent",
    env_id="Acrobot-v1",
    steps=163_840,
    seed=4,
    low=-120.0,
    semantics="best",
    eval_every=10_240,
    eval_episodes=10,
    hparams=ACROBOT_HPARAMS,
    n_envs=8,
)


@pytest.mark.points(6)
@pytest.mark.timeout(60)
def test_hidden_ppo_acrobot(impl):
    """PPO on 8 Acrobot-v1 envs: a deterministic evaluation (every 10,240 steps) ≥ −120 within 163,840 env steps"""
    HIDDEN_ACROBOT.assert_learns(
        impl.attr("ppo", "PPOAgent"),
        "random play scores about −500 (the 500-step limit); a correct agent swings up in under 120 steps within "
        "20k-40k env steps",
    )
