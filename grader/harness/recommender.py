"""Recommender-v0: the kit's contextual-bandit simulator of users and items (hw11), its ε-greedy baseline and the
learning check that compares a contextual agent's regret with the baseline's.

Every step a user arrives with a context ``x = [1, u]`` (u ~ N(0, I/(d−1)) clipped to ±5, d − 1 taste
features); the agent recommends one of K items; item a is clicked with probability

    p_a(x) = clip(base_a + 0.3 · uᵀ v_a, 0.01, 0.99)       base_a ~ U(0.1, 0.3), v_a a random unit vector

so E[click | x, a] is linear in x where it is not clipped: LinUCB's model. ``reset(seed=...)`` draws the items
from ``self.np_random``; each step draws the click of *every* item from one uniform per item (the reward is the
chosen item's), so two agents on envs with the same seed see the same users and the same would-be clicks
(common random numbers). ``info["click_probs"]`` holds p(x) of the current user for the grader's regret; the
agent never sees it. Truncated after ``max_episode_steps`` (2000 by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import gymnasium as gym
import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside
from grader.harness.curves import Curve, record
from grader.harness.loops import LockstepContextual
from grader.harness.validate import InvalidOutput

ENV_ID = "Recommender-v0"


class RecommenderEnv(gym.Env):
    """Users arrive one per step; the action is the recommended item; the reward is 1 for a click, else 0."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, n_items: int = 10, dim: int = 6) -> None:
        if n_items < 2 or dim < 2:
            raise ValueError(f"Recommender needs n_items >= 2 and dim >= 2, got {n_items}, {dim}")
        self.n_items, self.dim = n_items, dim
        self.observation_space = gym.spaces.Box(-5.0, 5.0, shape=(dim,), dtype=np.float64)
        self.action_space = gym.spaces.Discrete(n_items)
        self._base = np.zeros(n_items)
        self._v = np.zeros((n_items, dim - 1))
        self._x = np.zeros(dim)
        self._probs = np.zeros(n_items)

    def _next_user(self) -> tuple[np.ndarray, dict]:
        u = np.clip(self.np_random.normal(size=self.dim - 1) / np.sqrt(self.dim - 1), -5.0, 5.0)
        self._x = np.concatenate([[1.0], u])
        self._probs = np.clip(self._base + 0.3 * self._v @ u, 0.01, 0.99)
        self._clicks = self.np_random.random(self.n_items) < self._probs
        return self._x.copy(), {"click_probs": self._probs.copy()}

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._base = self.np_random.uniform(0.1, 0.3, self.n_items)
        v = self.np_random.normal(size=(self.n_items, self.dim - 1))
        self._v = v / np.linalg.norm(v, axis=1, keepdims=True)
        return self._next_user()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        reward = float(self._clicks[int(action)])
        obs, info = self._next_user()
        return obs, reward, False, False, info


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=RecommenderEnv, max_episode_steps=2000)


class EpsilonGreedyRidge:
    """The grader's baseline: per-item ridge regression (λ = 1) of the click on x, the greedy item with
    probability 1 − ε, a uniformly random one with probability ε (its own ``rng``)."""

    def __init__(self, n_arms: int, dim: int, epsilon: float, rng: np.random.Generator) -> None:
        self.A = np.stack([np.eye(dim)] * n_arms)
        self.b = np.zeros((len(self.A), dim))
        self.epsilon, self.rng = epsilon, rng

    def act(self, x: np.ndarray) -> int:
        explore = self.rng.random() < self.epsilon
        if explore:
            return int(self.rng.integers(len(self.b)))
        theta = np.linalg.solve(self.A, self.b[..., None])[..., 0]
        return int(np.argmax(theta @ x))

    def update(self, x: np.ndarray, arm: int, reward: float) -> None:
        self.A[arm] = self.A[arm] + x[:, None] * x[None, :]
        self.b[arm] = self.b[arm] + reward * x


def play_regret(agents: list[Any], seeds: list[int], steps: int, stepper: Callable[..., Any]) -> np.ndarray:
    """Cumulative regret curves (runs, steps) of ``agents`` on Recommender-v0 (run i reset with ``seeds[i]``):
    regret_t = max_a p_a(x_t) − p_{a_t}(x_t). ``stepper(contexts, rewards)`` returns every run's action."""
    envs = [gym.make(ENV_ID) for _ in seeds]
    firsts = [env.reset(seed=seed) for env, seed in zip(envs, seeds, strict=True)]
    contexts = np.stack([obs for obs, _ in firsts])
    probs = np.stack([info["click_probs"] for _, info in firsts])
    regret = np.empty((len(seeds), steps))
    rewards = None
    n_items = envs[0].unwrapped.n_items
    for t in range(steps):
        actions = stepper(contexts, rewards)
        if type(actions) is not np.ndarray or actions.shape != (len(seeds),) or actions.dtype.kind not in "iu":
            raise InvalidOutput("the lockstep loop returned something else than one action per run")
        if np.any(actions < 0) or np.any(actions >= n_items):
            raise InvalidOutput(f"the lockstep loop returned items outside [0, {n_items})")
        rows = np.arange(len(seeds))
        regret[:, t] = probs.max(axis=1) - probs[rows, actions]
        steps_out = [env.step(int(a)) for env, a in zip(envs, actions, strict=True)]
        rewards = np.array([r for _, r, *_ in steps_out])
        contexts = np.stack([obs for obs, *_ in steps_out])
        probs = np.stack([out[-1]["click_probs"] for out in steps_out])
    for env in envs:
        env.close()
    return np.cumsum(regret, axis=1)


@dataclass(frozen=True)
class RegretSpec:
    """Learning check: the mean total regret of ``agent(n_arms, dim, **hparams)`` over ``runs`` runs of ``steps``
    users is below the grader's ε-greedy ridge baseline's on the same users and clicks, by the factor
    ``ratio`` (value = agent's regret / baseline's; passes when ``value < ratio``)."""

    check: str
    module: str
    agent: str
    hparams: dict[str, Any]
    steps: int
    runs: int
    seed: int
    ratio: float
    epsilon: float = 0.1

    def with_seed(self, seed: int) -> RegretSpec:
        return replace(self, seed=seed)

    def describe_run(self) -> str:
        return (
            f"{self.agent}({self.hparams}), {self.runs} runs × {self.steps} users; mean regret divided by the grader's "
            f"ε-greedy ({self.epsilon:g}) ridge baseline's on the same users; passes when < {self.ratio:g}"
        )

    def seeds(self) -> tuple[list[int], int]:
        env_seq, baseline_seq = np.random.SeedSequence(self.seed).spawn(2)
        return np.random.default_rng(env_seq).integers(2**31, size=self.runs).tolist(), int(
            baseline_seq.generate_state(1)[0]
        )

    def run(self, agent_cls: Callable[..., Any]) -> tuple[np.ndarray, np.ndarray]:
        """Mean cumulative regret curves (steps,) of the agent and of the baseline."""
        seeds, baseline_seed = self.seeds()
        env = gym.make(ENV_ID)
        n, dim = int(env.action_space.n), int(env.observation_space.shape[0])
        agents = [agent_cls(n, dim, **self.hparams) for _ in seeds]
        lockstep = beside(agents[0], LockstepContextual, agents, n)
        mine = play_regret(agents, seeds, self.steps, lockstep.step)
        rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(baseline_seed).spawn(self.runs)]
        baseline = [EpsilonGreedyRidge(n, dim, self.epsilon, rng) for rng in rngs]
        ours = LockstepContextual(baseline, n)
        theirs = play_regret(baseline, seeds, self.steps, ours.step)
        return mine.mean(axis=0), theirs.mean(axis=0)

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        mine, theirs = self.run(agent_cls)
        return Measurement(float(mine[-1] / theirs[-1]), self.runs * self.steps)

    def passes(self, value: float) -> bool:
        return value < self.ratio

    def bounds(self) -> tuple[float | None, float | None]:
        return None, self.ratio

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        mine, theirs = self.run(agent_cls)
        value = float(mine[-1] / theirs[-1])
        steps = list(range(1, self.steps + 1))
        curves = {self.agent: (steps, mine.tolist()), f"ε-greedy (ε = {self.epsilon:g})": (steps, theirs.tolist())}
        title = f"{self.agent}: regret {mine[-1]:.1f} vs ε-greedy {theirs[-1]:.1f} (seed {self.seed})"
        record(Curve(title, "user", "mean cumulative regret", curves, None))
        assert self.passes(value), (
            f"{self.agent}({', '.join(f'{k}={v}' for k, v in self.hparams.items())}): mean total regret "
            f"{mine[-1]:.1f} over {self.runs} runs of {self.steps} users (seed {self.seed}), the grader's ε-greedy "
            f"ridge baseline {theirs[-1]:.1f} on the same users: ratio {value:.2f}, needed < {self.ratio:g}; {hint}"
        )
        return value
