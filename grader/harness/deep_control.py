"""Trusted training and evaluation loop for agents that learn online from transitions (hw03, hw04; design P3, P4).

The grader owns the Gymnasium environment, its seeds, the step budget, the episode loop and the evaluation.
The agent under test only answers three calls, always with fresh copies of plain data:

* ``act(obs) -> action``: the action to take while training (it may explore or sample);
* ``observe(obs, action, reward, next_obs, terminated, truncated) -> None``: learn from one transition
  (store it, update at the end of an episode or every few steps, as the algorithm requires);
* ``act(obs, deterministic=True) -> action``: the action of the evaluated policy (greedy / the mean action).

Per training step the harness calls ``a = act(obs)``, validates ``a`` (an ``int`` in ``[0, n)`` for a discrete
action space; a finite float array of the space's shape inside ``[low, high]`` for a box), steps its own env,
then calls ``observe`` with the validated action; when the step ``terminated`` or ``truncated`` the harness
resets the env (``obs`` of the next ``act`` is the new first observation). The agent is built as
``agent_cls(observation_space, action_space, seed=seed, **hparams)``.

Evaluation runs ``eval_episodes`` fixed-seed episodes of a fresh env with ``act(obs, deterministic=True)``
and never calls ``observe``. A :class:`DeepSpec` states its semantics: ``final`` evaluates once, after the
whole budget; ``best`` evaluates every ``eval_every`` steps and passes at the first evaluation whose mean
return reaches the threshold (training stops there), because a correct DQN's policy oscillates on CartPole
(calibration notes, section 4).

Seeds: ``SeedSequence(seed)`` is split into the agent's ``seed`` (also used for the global torch/numpy RNGs
before the agent is built), the training env's first reset and ``action_space.seed``, and the evaluation
episodes' reset seeds; another ``seed`` (calibration) changes all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import gymnasium as gym
import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import seed_global_rngs_of, tell
from grader.harness.curves import Curve, moving_average, record
from grader.harness.validate import InvalidOutput, as_float_array, as_int

# Actions a little outside a box (float32 rounding of a clipped value) are accepted and clipped.
BOX_TOLERANCE = 1e-5


def checked_action(value: object, space: gym.Space, what: str) -> int | np.ndarray:
    """``value`` as a valid action of ``space``: a plain ``int`` for ``Discrete``, a float array for ``Box``."""
    if isinstance(space, gym.spaces.Discrete):
        return as_int(value, what, 0, int(space.n))
    if isinstance(space, gym.spaces.Box):
        action = as_float_array(value, what, space.shape)
        low, high = space.low.astype(np.float64), space.high.astype(np.float64)
        if np.any(action < low - BOX_TOLERANCE) or np.any(action > high + BOX_TOLERANCE):
            raise InvalidOutput(
                f"{what} must lie inside the action space [{low.tolist()}, {high.tolist()}], got {action.tolist()}; "
                "clip (or squash) the sampled action before returning it"
            )
        return np.clip(action, low, high).astype(space.dtype)
    raise TypeError(f"unsupported action space {space}")


def evaluate(agent: Any, env_id: str, env_kwargs: dict[str, Any], seeds: list[int]) -> np.ndarray:
    """Undiscounted return of ``act(obs, deterministic=True)`` on one fresh episode per reset seed."""
    env = gym.make(env_id, **env_kwargs)
    what = f"{type(agent).__name__}.act(obs, deterministic=True) return value"
    returns = np.empty(len(seeds))
    act = agent.act  # looked up once: each lookup is a sandbox call
    for i, seed in enumerate(seeds):
        obs, _ = env.reset(seed=seed)
        total, done = 0.0, False
        while not done:
            action = checked_action(act(np.array(obs), deterministic=True), env.action_space, what)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        returns[i] = total
    env.close()
    return returns


@dataclass(frozen=True)
class DeepResult:
    """One training run: the checked value, the evaluation curve and the budget actually used."""

    value: float  # mean evaluation return: the best one so far (semantics "best") or the final one
    curve: list[tuple[int, float]] = field(repr=False)  # (env steps so far, mean evaluation return)
    train_steps: int
    train_returns: list[float] = field(repr=False)  # undiscounted return of every finished training episode
    episode_ends: list[int] = field(repr=False, default_factory=list)  # env steps at the end of each of them


@dataclass(frozen=True)
class DeepSpec:
    """One learning check of an online deep-RL agent: what to build, where to train it, and the bar.

    Passes when the measured mean evaluation return is ``>= low``. The calibration script
    (``rlgrade calibrate``) finds every ``DeepSpec`` of an assignment's check files and re-runs it
    on unseen seeds with ``with_seed``, so the calibration measures exactly what the check runs.
    """

    check: str  # name of the test function that uses this spec
    module: str  # module of the assignment package that defines the agent
    agent: str  # class name in that module
    env_id: str
    steps: int  # training budget in env steps
    seed: int
    low: float
    semantics: Literal["final", "best"] = "final"
    eval_every: int = 0  # env steps between evaluations for semantics "best"
    eval_episodes: int = 10
    hparams: dict[str, Any] = field(default_factory=dict)
    env_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.semantics not in ("final", "best"):
            raise ValueError(f"{self.check}: semantics must be 'final' or 'best'")
        if self.semantics == "best" and not 0 < self.eval_every <= self.steps:
            raise ValueError(f"{self.check}: semantics 'best' needs 0 < eval_every <= steps")

    def with_seed(self, seed: int) -> DeepSpec:
        return replace(self, seed=seed)

    def run(self, agent_cls: Callable[..., Any]) -> DeepResult:
        """Build the agent, train it for at most ``steps`` env steps and evaluate it (module docstring)."""
        agent_seq, env_seq, eval_seq = np.random.SeedSequence(self.seed).spawn(3)
        agent_seed = int(agent_seq.generate_state(1)[0])
        env_seed = int(env_seq.generate_state(1)[0])
        eval_seeds = np.random.default_rng(eval_seq).integers(2**31, size=self.eval_episodes).tolist()
        seed_global_rngs_of(agent_cls, agent_seed)

        env = gym.make(self.env_id, **self.env_kwargs)
        env.action_space.seed(env_seed)
        agent = agent_cls(env.observation_space, env.action_space, seed=agent_seed, **self.hparams)
        what = f"{type(agent).__name__}.act(obs) return value"
        act, observe = agent.act, agent.observe
        obs, _ = env.reset(seed=env_seed)
        curve: list[tuple[int, float]] = []
        train_returns: list[float] = []
        episode_ends: list[int] = []
        episode_return = 0.0
        step = 0
        while step < self.steps:
            action = checked_action(act(np.array(obs)), env.action_space, what)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            reward, terminated, truncated = float(reward), bool(terminated), bool(truncated)
            tell(observe, np.array(obs), _copy(action), reward, np.array(next_obs), terminated, truncated)
            step += 1
            episode_return += reward
            obs = next_obs
            if terminated or truncated:
                train_returns.append(episode_return)
                episode_ends.append(step)
                episode_return = 0.0
                obs, _ = env.reset()
            if self.semantics == "best" and step % self.eval_every == 0:
                curve.append((step, float(np.mean(evaluate(agent, self.env_id, self.env_kwargs, eval_seeds)))))
                if curve[-1][1] >= self.low:
                    break
        env.close()
        if self.semantics == "final":
            curve.append((step, float(np.mean(evaluate(agent, self.env_id, self.env_kwargs, eval_seeds)))))
        value = max(v for _, v in curve) if self.semantics == "best" else curve[-1][1]
        return DeepResult(value, curve, step, train_returns, episode_ends)

    def passes(self, value: float) -> bool:
        return value >= self.low

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        result = self.run(agent_cls)
        return Measurement(result.value, result.train_steps)

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, None

    def describe_run(self) -> str:
        every = f", evaluated every {self.eval_every} steps" if self.semantics == "best" else ""
        return (
            f"{self.agent}({', '.join(f'{k}={v}' for k, v in self.hparams.items())}) on {self.env_id}"
            f"{' ' + str(self.env_kwargs) if self.env_kwargs else ''}, budget {self.steps} env steps{every}, "
            f"{self.semantics} mean return over {self.eval_episodes} deterministic episodes"
        )

    def describe(self, result: DeepResult) -> str:
        """E.g. ``DQNAgent on CartPole-v1: best mean greedy return 212.4 over 10 episodes, needed ≥ 475; ...``."""
        kind = "best" if self.semantics == "best" else "final"
        every = f", evaluated every {self.eval_every} steps" if self.semantics == "best" else ""
        curve = " ".join(f"{s / 1000:g}k:{v:.0f}" for s, v in result.curve[-12:])
        recent = train_tail(result.train_returns)
        return (
            f"{self.agent} on {self.env_id}{' ' + str(self.env_kwargs) if self.env_kwargs else ''}: {kind} mean "
            f"deterministic return {result.value:.1f} over {self.eval_episodes} evaluation episodes, needed "
            f"≥ {self.low:g}; budget {self.steps} env steps{every} (used {result.train_steps}), seed {self.seed}; "
            f"evaluations (steps:return) {curve}; {recent}"
        )

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> DeepResult:
        """Run the check; fail with the measured number, the threshold, the budget, the curve and ``hint``."""
        result = self.run(agent_cls)
        record(
            Curve(
                f"{self.agent} on {self.env_id} (seed {self.seed})",
                "env steps",
                "undiscounted return",
                {
                    "training episodes (mean of the last 10)": (
                        result.episode_ends,
                        moving_average(result.train_returns, 10),
                    ),
                    f"evaluation ({self.eval_episodes} deterministic episodes)": (
                        [s for s, _ in result.curve],
                        [v for _, v in result.curve],
                    ),
                },
                self.low,
            )
        )
        assert self.passes(result.value), f"{self.describe(result)}. {hint}"
        return result


def train_tail(returns: list[float]) -> str:
    """The mean return of the last 10 % (at least 1) of the training episodes, as a phrase."""
    if not returns:
        return "no training episode finished"
    tail = returns[-max(1, len(returns) // 10) :]
    return f"{len(returns)} training episodes, mean return of the last {len(tail)} {np.mean(tail):.1f}"


def _copy(action: int | np.ndarray) -> int | np.ndarray:
    return action.copy() if isinstance(action, np.ndarray) else action
