"""Hidden learning checks of hw05: A2C on CartPole-v1 with another seed and a shared trunk, and with the
Gaussian head on the kit's PointMass task (every episode is truncated: bootstrapping from V of the final
observation matters there).
Calibration: ``rlgrade calibrate hw05`` → ``calibration/hw05_actor_critic.md`` and the README.
"""

from __future__ import annotations

import pytest

from grader.harness.actor_critic import A2C_HPARAMS
from grader.harness.deep_control import DeepSpec

# The public check's spec on another seed (7), with a shared trunk (the public check trains separate networks). The
# budget is 250k steps: at 150k, orthogonal initialisation passed 30/30 calibration seeds but one only at the last
# evaluation (98.8k ± 30.9k steps to pass, budget margin +1.7 sd); the runs up to their first pass do not depend on it.
HIDDEN_CARTPOLE = DeepSpec(
    check="test_hidden_a2c_cartpole_shared_trunk",
    module="a2c",
    agent="A2CAgent",
    env_id="CartPole-v1",
    steps=250_000,
    seed=7,
    low=300.0,
    semantics="best",
    eval_every=5_000,
    eval_episodes=10,
    hparams={**A2C_HPARAMS, "shared": True},
    n_envs=8,
)


@pytest.mark.points(6)
@pytest.mark.timeout(60)
def test_hidden_a2c_cartpole_shared_trunk(impl):
    """A2C on 8 CartPole-v1 envs, shared trunk, another seed: a deterministic evaluation ≥ 300 within 250k steps"""
    HIDDEN_CARTPOLE.assert_learns(
        impl.attr("a2c", "A2CAgent"), "the public check's task on another seed, with shared=True (one trunk)"
    )


# Calibration: see the README's table (rlgrade calibrate hw05).
POINT_MASS_HPARAMS = {
    "n_steps": 16,
    "lr": 3e-3,
    "gamma": 0.9,
    "gae_lambda": 0.95,
    "vf_coef": 0.5,
    "ent_coef": 0.0,
    "max_grad_norm": 0.5,
    "hidden": (64, 64),
    "shared": False,
    "log_std_init": -0.5,
}
HIDDEN_POINT_MASS = DeepSpec(
    check="test_hidden_a2c_point_mass",
    module="a2c",
    agent="A2CAgent",
    env_id="grader.harness.point_mass:PointMass-v0",
    steps=20_000,
    seed=3,
    low=70.0,
    semantics="final",
    eval_episodes=10,
    hparams=POINT_MASS_HPARAMS,
    n_envs=8,
)


@pytest.mark.points(6)
@pytest.mark.timeout(60)
def test_hidden_a2c_point_mass(impl):
    """Gaussian A2C on 8 PointMass envs (2-D), 20k env steps: the mean policy covers ≥ 70 % of the way to the goal"""
    HIDDEN_POINT_MASS.assert_learns(
        impl.attr("a2c", "A2CAgent"),
        "the return is the percentage of the start distance covered (100 = reached); every episode is truncated "
        "after 50 steps, so a truncated step must bootstrap from V of the final observation",
    )
