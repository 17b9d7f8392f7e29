"""Trusted training and evaluation loop for agents that learn online from transitions (hw03–hw05, hw07; design P3, P4).

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
``agent_cls(observation_space, action_space, seed=seed, **hparams)``. The training loop is
:class:`grader.harness.loops.OnlineTrainer`, run beside the agent (in the sandbox's child when sandboxed:
CartPole, Acrobot and the kit's PointMass hide nothing a student could use, design P9) a chunk of steps at a time.

An agent that acts on N environments at once (hw05 on: A2C, PPO) is trained by
:class:`grader.harness.loops.VectorTrainer` instead (``DeepSpec(n_envs=N)``; the agent is built with
``n_envs=N``): ``act`` gets a batch ``(N, obs_dim)`` and returns one action per row, and ``observe`` gets what
``SyncVectorEnv.step`` returned, reset steps included (Gymnasium's ``NEXT_STEP`` autoreset).

Evaluation runs in the grader: ``eval_episodes`` fixed-seed episodes of fresh envs, in lockstep, with
``act(obs, deterministic=True)``, never calling ``observe``; so the evaluated policy must be a function of
the observation alone (a greedy or mean action, no state kept between calls). A :class:`DeepSpec` states its
semantics: ``final`` evaluates once, after the whole budget; ``best`` evaluates every ``eval_every`` steps and
passes at the first evaluation whose mean return reaches the threshold (training stops there), because a correct
DQN's policy oscillates on CartPole (calibration notes, section 4).

Seeds: ``SeedSequence(seed)`` is split into the agent's ``seed`` (also used for the global torch/numpy RNGs
before the agent is built), the training env's first reset and ``action_space.seed``, and the evaluation
episodes' reset seeds; another ``seed`` (calibration) changes all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside, call_all, seed_global_rngs_of
from grader.harness.curves import Curve, moving_average, record
from grader.harness.envs import make_env
from grader.harness.loops import EpisodeHistory, OnlineTrainer, VectorTrainer, checked_action, checked_action_batch
from grader.harness.validate import InvalidOutput, as_float_array, as_int


def evaluate(
    agent: Any, env_id: str, env_kwargs: dict[str, Any], seeds: list[int], history: int = 0, batched: bool = False
) -> np.ndarray:
    """Undiscounted return of ``act(obs, deterministic=True)`` on one fresh episode per reset seed.

    The episodes run in lockstep, in the grader: per step, one call per unfinished episode, in the order of
    ``seeds``, all in one sandbox message; or, for an agent that acts on a batch (``batched``: vector-env
    agents), one call with the observations of the unfinished episodes as rows. (So the evaluated policy must
    depend on the observation only — and, with ``history`` = L > 0, on the episode's last L observations and
    actions, which the grader keeps and passes: ``act(obs, hist_obs, hist_actions, deterministic=True)``.)"""
    envs = [make_env(env_id, **env_kwargs) for _ in seeds]
    what = f"{type(agent).__name__}.act(obs, deterministic=True) return value"
    observations = [env.reset(seed=seed)[0] for env, seed in zip(envs, seeds, strict=True)]
    histories = [EpisodeHistory(history, env.observation_space, env.action_space) for env in envs] if history else []
    returns = np.zeros(len(seeds))
    running = list(range(len(seeds)))
    act = agent.act  # looked up once: each lookup is a sandbox call
    while running:
        if batched:
            batch = np.stack([observations[i] for i in running])
            space = envs[0].action_space
            actions = list(checked_action_batch(act(batch, deterministic=True), space, len(running), what))
        else:
            calls = [(act, (np.array(observations[i]), *(histories[i].arrays() if history else ()))) for i in running]
            actions = call_all(calls, deterministic=True)
        still = []
        for i, action in zip(running, actions, strict=True):
            env = envs[i]
            checked = action if batched else checked_action(action, env.action_space, what)
            if history:
                histories[i].append(observations[i], checked)
            observations[i], reward, terminated, truncated, _ = env.step(checked)
            returns[i] += float(reward)
            if not (terminated or truncated):
                still.append(i)
        running = still
    for env in envs:
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
    history: int = 0  # L > 0: a memory-based agent, act(obs, hist_obs, hist_actions) with the last L steps
    n_envs: int = 0  # 0: one env (OnlineTrainer); N > 0: N envs in a SyncVectorEnv (VectorTrainer), see run

    def __post_init__(self) -> None:
        if self.semantics not in ("final", "best"):
            raise ValueError(f"{self.check}: semantics must be 'final' or 'best'")
        if self.semantics == "best" and not 0 < self.eval_every <= self.steps:
            raise ValueError(f"{self.check}: semantics 'best' needs 0 < eval_every <= steps")
        if self.n_envs and (self.steps % self.n_envs or self.eval_every % self.n_envs):
            raise ValueError(f"{self.check}: steps and eval_every must be multiples of n_envs = {self.n_envs}")
        if self.n_envs and self.history:
            raise ValueError(f"{self.check}: a vector-env agent (n_envs) with a history is not supported")

    def with_seed(self, seed: int) -> DeepSpec:
        return replace(self, seed=seed)

    def seeds(self) -> tuple[int, int, list[int]]:
        """(agent seed, training env seed, evaluation reset seeds), all from ``SeedSequence(seed)``."""
        agent_seq, env_seq, eval_seq = np.random.SeedSequence(self.seed).spawn(3)
        eval_seeds = np.random.default_rng(eval_seq).integers(2**31, size=self.eval_episodes).tolist()
        return int(agent_seq.generate_state(1)[0]), int(env_seq.generate_state(1)[0]), eval_seeds

    def run(self, agent_cls: Callable[..., Any]) -> DeepResult:
        """Build the agent, train it for at most ``steps`` env steps and evaluate it (module docstring).

        With ``n_envs = N > 0`` the agent is built with ``n_envs=N`` as well, trains on N envs at once
        (:class:`grader.harness.loops.VectorTrainer`) and is evaluated with batched ``act`` calls."""
        agent_seed, env_seed, eval_seeds = self.seeds()
        seed_global_rngs_of(agent_cls, agent_seed)

        probe = make_env(self.env_id, **self.env_kwargs)
        probe.action_space.seed(env_seed)
        vector = {"n_envs": self.n_envs} if self.n_envs else {}
        agent = agent_cls(probe.observation_space, probe.action_space, seed=agent_seed, **vector, **self.hparams)
        probe.close()
        if self.n_envs:
            trainer = beside(agent, VectorTrainer, agent, self.env_id, self.env_kwargs, self.n_envs, env_seed)
        else:
            trainer = beside(agent, OnlineTrainer, agent, self.env_id, self.env_kwargs, env_seed, self.history)
        chunk = self.eval_every if self.semantics == "best" else self.steps
        curve: list[tuple[int, float]] = []
        train_returns: list[float] = []
        episode_ends: list[int] = []
        step, advance = 0, trainer.advance
        while step < self.steps:
            n = min(chunk, self.steps - step)
            step = self._read_progress(advance(n), step, n, train_returns, episode_ends)
            if self.semantics == "best" and step % self.eval_every == 0:
                curve.append((step, self._evaluate(agent, eval_seeds)))
                if curve[-1][1] >= self.low:
                    break
        trainer.close()
        if self.semantics == "final":
            curve.append((step, self._evaluate(agent, eval_seeds)))
        value = max(v for _, v in curve) if self.semantics == "best" else curve[-1][1]
        return DeepResult(value, curve, step, train_returns, episode_ends)

    def _evaluate(self, agent: Any, seeds: list[int]) -> float:
        return float(np.mean(evaluate(agent, self.env_id, self.env_kwargs, seeds, self.history, self.n_envs > 0)))

    @staticmethod
    def _read_progress(progress: object, step: int, chunk: int, returns: list[float], ends: list[int]) -> int:
        """Check what :meth:`OnlineTrainer.advance` returned (``chunk`` more steps after ``step``), append the
        finished episodes to ``returns`` and ``ends``; the new step count."""
        if type(progress) is not dict or not {"step", "returns", "ends"} <= set(progress):
            raise InvalidOutput(f"the training loop returned a {type(progress).__name__} instead of its progress")
        new_step = as_int(progress["step"], "the training loop's step count", step + chunk, step + chunk + 1)
        got, at = progress["returns"], progress["ends"]
        if type(got) is not list or type(at) is not list or len(got) != len(at):
            raise InvalidOutput("the training loop returned malformed episode returns")
        returns.extend(as_float_array(got, "the training episode returns", (len(got),)).tolist())
        ends.extend(as_int(end, "the step of a training episode's end", step + 1, new_step + 1) for end in at)
        return new_step

    def passes(self, value: float) -> bool:
        return value >= self.low

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        result = self.run(agent_cls)
        return Measurement(result.value, result.train_steps)

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, None

    def describe_run(self) -> str:
        every = f", evaluated every {self.eval_every} steps" if self.semantics == "best" else ""
        envs = f" × {self.n_envs} (SyncVectorEnv)" if self.n_envs else ""
        return (
            f"{self.agent}({', '.join(f'{k}={v}' for k, v in self.hparams.items())}) on {self.env_id}{envs}"
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
