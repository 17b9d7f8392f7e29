"""Trusted training and evaluation loop for the tabular TD-control agents of hw02 (design P3, P4).

The grader owns the Gymnasium environment, its seeds, the ε schedule, the episode loop, the budget and the
evaluation. The agent under test only answers ``act(state) -> int`` and
``update(state, action, reward, next_state, terminated, truncated, next_action=...)`` and exposes ``Q``.
Per episode (the order students are told in ``solutions/hw02_tabular/td.py``):

1. ``agent.epsilon = ε(episode)`` (linear from ``eps_start`` to ``eps_end`` over ``eps_decay_episodes``);
2. ``s = env.reset(...)``, ``a = act(s)``;
3. per step: ``s', r, terminated, truncated = env.step(a)``; unless ``terminated``: ``a' = act(s')``;
   ``update(s, a, r, s', terminated, truncated, next_action=a')`` (``None`` when terminated); ``s, a = s', a'``.

A per-episode step cap of the harness (``train_step_cap``, for envs without a TimeLimit such as
CliffWalking-v1) ends an episode with ``truncated=True``, as a TimeLimit wrapper would; ``max_train_steps``
bounds the env steps of the whole training run (the check fails beyond it instead of hanging). The loop is
:func:`grader.harness.loops.train_td` and runs beside the agent (in the sandbox's child when sandboxed: Gymnasium's
toy-text envs hide nothing a student could use, design P9); it gets the training seed only.

Evaluation never trusts the agent's own policy code: after training the harness reads ``agent.Q`` (checked
with ``as_float_array``) and runs the greedy policy argmax_a Q(s, a) (lowest index on ties) itself on
``eval_episodes`` fixed-seed episodes of a fresh env, each capped at ``eval_step_cap`` steps (so a greedy
policy that loops on CliffWalking-v1 scores -``eval_step_cap`` instead of hanging).

Seeds: ``SeedSequence(seed)`` is split into the training env (first reset seed and ``action_space.seed``),
the agent's ``rng`` and the evaluation episodes' reset seeds; a different ``seed`` (calibration) gives a
different training run *and* different evaluation episodes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside
from grader.harness.curves import Curve, moving_average, record
from grader.harness.envs import make_env
from grader.harness.loops import train_td
from grader.harness.validate import InvalidOutput, as_float, as_float_array, as_int

METRICS = {"mean_return": "mean greedy return", "success_rate": "greedy success rate"}


@dataclass(frozen=True)
class ControlResult:
    """What one training run produced: the greedy evaluation and the budget actually used."""

    value: float  # the spec's metric (mean greedy return, or success rate); with several runs, their median
    eval_returns: np.ndarray = field(repr=False)
    train_steps: int  # env steps of all runs
    train_returns: np.ndarray = field(repr=False)  # undiscounted return of every training episode (runs × episodes)
    run_values: tuple[float, ...] = ()  # each run's value, when the spec has several runs


def agent_table(agent: Any, n_states: int, n_actions: int, name: str = "Q") -> np.ndarray:
    """The agent's table ``name`` (``Q``, ``Q1``, ``Q2``) as a checked finite float array ``(S, A)``."""
    cls = type(agent).__name__
    if not hasattr(agent, name):
        raise InvalidOutput(f"{cls} has no attribute `{name}`: keep the attributes described in its docstring")
    return as_float_array(getattr(agent, name), f"{cls}.{name}", (n_states, n_actions))


def greedy_evaluation(
    q: np.ndarray, env_id: str, env_kwargs: dict[str, Any], seeds: list[int], step_cap: int
) -> np.ndarray:
    """Undiscounted return of the greedy policy argmax_a q[s, a] on one episode per reset seed."""
    env = make_env(env_id, **env_kwargs)
    policy = np.argmax(q, axis=1).tolist()
    returns = np.empty(len(seeds))
    for i, seed in enumerate(seeds):
        s, _ = env.reset(seed=seed)
        total, steps, done = 0.0, 0, False
        while not done and steps < step_cap:
            s, r, terminated, truncated, _ = env.step(policy[s])
            total += float(r)
            steps += 1
            done = terminated or truncated
        returns[i] = total
    env.close()
    return returns


def train(
    agent: Any,
    env_id: str,
    env_kwargs: dict[str, Any],
    episodes: int,
    epsilon: tuple[float, float, int],
    env_seed: int,
    train_step_cap: int | None,
    max_train_steps: int | None = None,
) -> tuple[int, np.ndarray]:
    """Run ``episodes`` training episodes of ``agent`` (the loop in the module docstring, run beside the agent:
    :func:`grader.harness.loops.train_td`). Returns (total env steps, return of every episode), validated."""
    loop_args = (env_id, env_kwargs, episodes, epsilon, env_seed, train_step_cap, max_train_steps)
    result = beside(agent, train_td, agent, *loop_args)
    if type(result) is not tuple or len(result) != 2:
        raise InvalidOutput(f"the training loop returned a {type(result).__name__} instead of (steps, returns)")
    steps = as_int(result[0], "the training loop's step count", 0, 1 << 62)
    return steps, as_float_array(result[1], "the training loop's episode returns", (episodes,))


@dataclass(frozen=True)
class ControlSpec:
    """One TD-control learning check: agent, env, hyper-parameters, budget, seed and calibrated bounds.

    The check passes when ``low <= value`` and (if set) ``value <= high``. ``rlgrade calibrate``
    finds every spec in the check files and re-runs it on unseen seeds with ``with_seed``, so the
    calibration always measures exactly what the check runs.
    """

    module: ClassVar[str] = "td"
    check: str  # name of the test function that uses this spec
    agent: str  # class name in td.py
    env_id: str
    episodes: int
    alpha: float
    gamma: float
    eps_start: float
    eps_end: float
    eps_decay_episodes: int  # 0: ε = eps_end from the first episode on
    seed: int
    eval_episodes: int
    low: float
    high: float | None = None
    metric: str = "mean_return"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    train_step_cap: int | None = None
    max_train_steps: int | None = None
    eval_step_cap: int = 200
    runs: int = 1  # independent training runs (odd); the check's value is the median of their values

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"{self.check}: bad metric {self.metric!r}")
        if self.runs < 1 or self.runs % 2 == 0:
            raise ValueError(f"{self.check}: runs must be odd, so the median is one run's value")

    def with_seed(self, seed: int) -> ControlSpec:
        return replace(self, seed=seed)

    def run(self, agent_cls: Callable[..., Any]) -> ControlResult:
        """One run (``runs == 1``, on ``seed``), or ``runs`` runs on seeds drawn from ``SeedSequence(seed)`` and the
        median of their values: with a per-run false-fail rate p, the median fails with rate ≈ 3p² (3 runs)."""
        if self.runs == 1:
            return self.run_once(agent_cls)
        seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(self.seed).spawn(self.runs)]
        results = [replace(self, seed=seed, runs=1).run_once(agent_cls) for seed in seeds]
        values = tuple(r.value for r in results)
        return ControlResult(
            float(np.median(values)),
            np.concatenate([r.eval_returns for r in results]),
            sum(r.train_steps for r in results),
            np.stack([r.train_returns for r in results]),
            values,
        )

    def run_once(self, agent_cls: Callable[..., Any]) -> ControlResult:
        """Train ``agent_cls(n_states, n_actions, alpha, gamma, epsilon, rng=rng)``, then evaluate it greedily."""
        env_seq, agent_seq, eval_seq = np.random.SeedSequence(self.seed).spawn(3)
        probe = make_env(self.env_id, **self.env_kwargs)
        n_states, n_actions = int(probe.observation_space.n), int(probe.action_space.n)
        probe.close()
        agent = agent_cls(
            n_states,
            n_actions,
            alpha=self.alpha,
            gamma=self.gamma,
            epsilon=self.eps_start,
            rng=np.random.default_rng(agent_seq),
        )
        env_seed = int(env_seq.generate_state(1)[0])
        epsilon = (self.eps_start, self.eps_end, self.eps_decay_episodes)
        steps, train_returns = train(
            agent,
            self.env_id,
            self.env_kwargs,
            self.episodes,
            epsilon,
            env_seed,
            self.train_step_cap,
            self.max_train_steps,
        )
        q = agent_table(agent, n_states, n_actions)
        eval_seeds = np.random.default_rng(eval_seq).integers(2**31, size=self.eval_episodes).tolist()
        returns = greedy_evaluation(q, self.env_id, self.env_kwargs, eval_seeds, self.eval_step_cap)
        value = float(np.mean(returns > 0)) if self.metric == "success_rate" else float(np.mean(returns))
        return ControlResult(as_float(value, "evaluation"), returns, steps, train_returns)

    def passes(self, value: float) -> bool:
        return self.low <= value and (self.high is None or value <= self.high)

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        result = self.run(agent_cls)
        return Measurement(result.value, result.train_steps)

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, self.high

    def describe_run(self) -> str:
        eps = f"ε {self.eps_start:g}→{self.eps_end:g} over {self.eps_decay_episodes} episodes"
        return (
            f"{self.agent}(α={self.alpha:g}, γ={self.gamma:g}, {eps}) on {self.env_id}"
            f"{' ' + str(self.env_kwargs) if self.env_kwargs else ''}, {self.episodes} episodes, "
            f"{METRICS[self.metric]} over {self.eval_episodes} greedy episodes"
            f"{f', median of {self.runs} runs' if self.runs > 1 else ''}"
        )

    def need(self) -> str:
        return f"in [{self.low:g}, {self.high:g}]" if self.high is not None else f"≥ {self.low:g}"

    def describe(self, result: ControlResult) -> str:
        """E.g. ``QLearningAgent(α=0.5, γ=0.99, ε 1→0.01 over 1000 episodes) on Taxi-v4: mean greedy return ...``."""
        if self.eps_decay_episodes > 0:
            eps = f"ε {self.eps_start:g}→{self.eps_end:g} over {self.eps_decay_episodes} episodes"
        else:
            eps = f"ε = {self.eps_end:g}"
        cap = f", eval episodes capped at {self.eval_step_cap} steps" if self.env_id.startswith("Cliff") else ""
        runs = (
            f" (median of {self.runs} runs: {', '.join(f'{v:g}' for v in result.run_values)})" if self.runs > 1 else ""
        )
        per_run = " per run" if self.runs > 1 else ""
        return (
            f"{self.agent}(α={self.alpha:g}, γ={self.gamma:g}, {eps}) on {self.env_id}"
            f"{' ' + str(self.env_kwargs) if self.env_kwargs else ''}: {METRICS[self.metric]} "
            f"{result.value:.3f} over {self.eval_episodes} greedy episode(s){cap}{runs}, needed {self.need()}; "
            f"budget {self.episodes} training episodes{per_run} ({result.train_steps} env steps, mean training "
            f"return of the last 10% {np.mean(result.train_returns[..., -max(1, self.episodes // 10) :]):.1f}), "
            f"seed {self.seed}"
        )

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> ControlResult:
        """Run the check; fail with the measured number, the threshold, the budget and ``hint``."""
        result = self.run(agent_cls)
        window = max(1, self.episodes // 20)
        episodes = list(range(1, self.episodes + 1))
        series = {
            f"training return{f' of run {i + 1}' if self.runs > 1 else ''} (mean of the last {window} episodes)": (
                episodes,
                moving_average(returns.tolist(), window),
            )
            for i, returns in enumerate(np.reshape(result.train_returns, (self.runs, self.episodes)))
        }
        if self.metric == "mean_return":
            series["greedy evaluation after training"] = (
                [self.episodes] * self.runs,
                list(result.run_values or [result.value]),
            )
        threshold = self.low if self.metric == "mean_return" else None
        title = f"{self.agent} on {self.env_id} (seed {self.seed}): {METRICS[self.metric]} {result.value:.3g}"
        record(Curve(title, "training episode", "undiscounted return", series, threshold))
        assert self.passes(result.value), f"{self.describe(result)}; {hint}"
        return result
