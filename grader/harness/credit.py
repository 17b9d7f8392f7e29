"""Lending-v0: the kit's credit-scoring simulator (hw11), the logs of the bank's current lending policy, and the
learning check of a lending policy learned offline from such a log.

Each episode is one applicant (one step): ``x = [1, income, debt ratio, credit history, late payments]`` (the
last four standardised, N(0, 1)); action 1 approves the loan, 0 rejects it. An approved applicant repays with

    P(repay | x) = sigmoid(1.5 + 1.0·income − 1.2·debt + 0.6·history − 1.0·late)

and the bank earns ``INTEREST`` (0.25) on a repaid loan and loses the principal (−1) on a default; a rejection
earns 0. So approving pays in expectation iff P(repay | x) > 1 / 1.25 = 0.8. ``info["repay_prob"]`` holds the
probability (the agent never sees it). The *logging* policy, the bank's current rule, approves with probability
μ(approve | x) = clip(sigmoid(0.5 + 0.8·income − 0.3·debt), 0.1, 0.9): it looks at income and a little at debt,
and ignores history and late payments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import gymnasium as gym
import numpy as np

from grader.calibration import Measurement
from grader.harness.validate import as_float_array

ENV_ID = "Lending-v0"
INTEREST = 0.25
REPAY_WEIGHTS = np.array([1.5, 1.0, -1.2, 0.6, -1.0])
LOGGING_WEIGHTS = np.array([0.5, 0.8, -0.3, 0.0, 0.0])


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def logging_approve_prob(X: np.ndarray) -> np.ndarray:
    """μ(approve | x) of the bank's current policy, for every row of ``X``."""
    return np.clip(sigmoid(X @ LOGGING_WEIGHTS), 0.1, 0.9)


class LendingEnv(gym.Env):
    """One applicant per episode: observe the features, approve (1) or reject (0), get the bank's profit."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(-10.0, 10.0, shape=(len(REPAY_WEIGHTS),), dtype=np.float64)
        self.action_space = gym.spaces.Discrete(2)
        self._x = np.zeros(len(REPAY_WEIGHTS))

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        features = np.clip(self.np_random.normal(size=len(REPAY_WEIGHTS) - 1), -10.0, 10.0)
        self._x = np.concatenate([[1.0], features])
        return self._x.copy(), {"repay_prob": float(sigmoid(self._x @ REPAY_WEIGHTS))}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        p = float(sigmoid(self._x @ REPAY_WEIGHTS))
        reward = (INTEREST if self.np_random.random() < p else -1.0) if int(action) == 1 else 0.0
        return self._x.copy(), reward, True, False, {"repay_prob": p}


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=LendingEnv)


@dataclass(frozen=True)
class Log:
    """A log of the logging policy: features, actions, propensities μ(a_i | x_i), rewards."""

    X: np.ndarray
    actions: np.ndarray
    propensities: np.ndarray
    rewards: np.ndarray


def collect_log(n: int, seed: int) -> Log:
    """``n`` applicants of Lending-v0 (the first reset with ``seed``), each decided by the logging policy."""
    env = gym.make(ENV_ID)
    rng = np.random.default_rng(seed)
    rows, actions, props, rewards = [], [], [], []
    obs = env.reset(seed=seed)[0]
    for _ in range(n):
        approve = float(logging_approve_prob(obs[None])[0])
        action = int(rng.random() < approve)
        _, reward, *_ = env.step(action)
        rows.append(obs)
        actions.append(action)
        props.append(approve if action else 1.0 - approve)
        rewards.append(reward)
        obs, _ = env.reset()
    env.close()
    return Log(np.array(rows), np.array(actions), np.array(props), np.array(rewards))


@dataclass(frozen=True)
class LendingSpec:
    """Learning check: ``agent(**hparams).fit(...)`` on a training log of ``n_train`` applicants, then its
    ``probs`` on a held-out log of ``n_test``; the grader's IPS estimate of the learned policy's value minus the
    logging policy's (the mean logged reward), per applicant d_i = w_i r_i − r_i, must have a lower 95 % bound
    mean(d) − 1.96·se(d) above ``low`` (value = that lower bound)."""

    check: str
    module: str
    agent: str
    hparams: dict[str, Any]
    n_train: int
    n_test: int
    seed: int
    low: float = 0.0

    def with_seed(self, seed: int) -> LendingSpec:
        return replace(self, seed=seed)

    def describe_run(self) -> str:
        return (
            f"{self.agent}({self.hparams}) fitted on {self.n_train} logged applicants; 95 % lower bound of its IPS "
            f"value minus the logging policy's on {self.n_test} held-out applicants; passes when > {self.low:g}"
        )

    def run(self, agent_cls: Callable[..., Any]) -> dict[str, float]:
        train_seed, test_seed = (int(s.generate_state(1)[0]) for s in np.random.SeedSequence(self.seed).spawn(2))
        train, test = collect_log(self.n_train, train_seed), collect_log(self.n_test, test_seed)
        policy = agent_cls(**self.hparams)
        policy.fit(train.X.copy(), train.actions.copy(), train.rewards.copy(), train.propensities.copy())
        what = f"{self.agent}.probs(X) on the held-out log"
        probs = as_float_array(policy.probs(test.X.copy()), what, (self.n_test, 2))
        if np.any(probs < -1e-9) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
            raise AssertionError(f"{what}: every row must be probabilities summing to 1")
        weights = probs[np.arange(self.n_test), test.actions] / test.propensities
        diffs = weights * test.rewards - test.rewards
        se = float(diffs.std(ddof=1) / np.sqrt(self.n_test))
        return {
            "ips": float(np.mean(weights * test.rewards)),
            "logging": float(test.rewards.mean()),
            "lower": float(diffs.mean() - 1.96 * se),
        }

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        return Measurement(self.run(agent_cls)["lower"], self.n_train + self.n_test)

    def passes(self, value: float) -> bool:
        return value > self.low

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, None

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> dict[str, float]:
        out = self.run(agent_cls)
        assert self.passes(out["lower"]), (
            f"{self.agent} fitted on {self.n_train} logged applicants (seed {self.seed}): IPS value on "
            f"{self.n_test} held-out applicants {out['ips']:.4f} per applicant, the logging policy's "
            f"{out['logging']:.4f}; the 95 % lower bound of the difference is {out['lower']:.4f}, needed > "
            f"{self.low:g}; {hint}"
        )
        return out
