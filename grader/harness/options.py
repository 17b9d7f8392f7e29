"""Learning checks of hw09's option learners on the kit's Four Rooms (design P3, P4, P9).

The grader owns the env (:mod:`grader.harness.four_rooms`), the options (built from the env), the seeds, the ε
schedule and the budget (episodes). Training runs beside the agent (:mod:`grader.harness.option_loops`: the loop
executes the options and counts the steps; its lengths are only shown, as curves). The verdict is the grader's
own evaluation, in its own process, on evaluation seeds that never leave it: after training it reads the agent's
tables and plays them (:func:`evaluate_options`, :func:`evaluate_option_critic`), executing every option itself.

* :class:`OptionsSpec` — ``value`` = mean evaluation length of the learner trained ``episodes`` episodes with the
  8 hallway options + 4 primitives, divided by that of a baseline: the same learner trained as long with the 4
  primitives alone (``against="primitives"``: options reach the goal in fewer steps early on) or an all-zero table
  over the same options (``against="untrained"``: it learnt something). Passes when ≤ ``high``.
* :class:`OptionCriticSpec` — ``value`` = mean evaluation length of ``OptionCritic``'s tables after ``episodes``
  episodes / that of all-zero tables (uniform actions, β = 0.5). Passes when ≤ ``high``.

:func:`option_trial_checked` runs the student's ``run_option`` once beside it (exact checks).

Seeds: ``SeedSequence(seed)`` is split into one sequence per run, each split into the env's reset seed, the
agent's ``rng`` and the evaluation seed; a different ``seed`` (calibration) gives different runs.
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
from grader.harness.four_rooms import FOUR_ROOMS_ID, N_STATES, options_and_primitives, primitive_options
from grader.harness.option_loops import option_trial, train_option_critic, train_options
from grader.harness.validate import InvalidOutput, as_bool, as_float, as_float_array, as_int


def option_result(value: object) -> tuple[int, float, int, bool, bool]:
    """What run_option returned, checked: (next_state, R, k, terminated, truncated)."""
    if type(value) not in (tuple, list) or len(value) != 5:
        raise InvalidOutput(f"run_option must return (next_state, R, k, terminated, truncated), got {value!r:.80}")
    return (
        as_int(value[0], "run_option's next_state", 0, N_STATES),
        as_float(value[1], "run_option's R"),
        as_int(value[2], "run_option's k", 0, 1 << 30),
        as_bool(value[3], "run_option's terminated"),
        as_bool(value[4], "run_option's truncated"),
    )


def option_trial_checked(
    run_option: Any,
    start: tuple[int, int],
    policy_action: int,
    beta: np.ndarray,
    gamma: float = 0.9,
    max_steps: int = 1000,
    rng_seed: int = 0,
) -> tuple[tuple[int, float, int, bool, bool], int, int]:
    """The student's ``run_option`` on a deterministic Four Rooms started at ``start`` (time limit ``max_steps``),
    the option taking ``policy_action`` everywhere and terminating with the row ``beta``, ``rng =
    default_rng(rng_seed)`` (:func:`grader.harness.option_loops.option_trial`, beside the code); (checked result,
    env steps taken, steps taken after the episode ended)."""
    policy = np.full(N_STATES, policy_action, dtype=np.int64)
    kwargs = {"success_prob": 1.0, "start": start}
    out = beside(run_option, option_trial, run_option, kwargs, max_steps, 0, policy, beta, gamma, rng_seed)
    if type(out) is not tuple or len(out) != 3:
        raise InvalidOutput("the option trial returned something else than (result, steps, steps after the end)")
    return option_result(out[0]), as_int(out[1], "steps", 0, 1 << 30), as_int(out[2], "steps after end", 0, 1 << 30)


def assert_option_result(got: tuple, steps: int, after_end: int, want: tuple, setting: str) -> None:
    """``got`` (from :func:`option_trial_checked`) equals ``want`` (R within 1e-9), k is the steps the grader's
    wrapper counted, and no step came after the episode's end."""
    k = got[2]
    assert after_end == 0, (
        f"{setting}: run_option called env.step {after_end} more time(s) after the episode had ended "
        "(terminated or truncated): stop executing the option as soon as the episode ends"
    )
    assert k == steps, f"{setting}: run_option returned k = {k}, but it took {steps} env steps; k is the steps taken"
    names = ("next_state", "R", "k", "terminated", "truncated")
    for name, mine, theirs in zip(names, got, want, strict=True):
        ok = abs(mine - theirs) <= 1e-9 if name == "R" else mine == theirs
        assert ok, (
            f"{setting}: run_option returned {name} = {mine}, expected {theirs} (full result {got}, expected {want}; "
            "R = r_1 + γ r_2 + … + γ^(k−1) r_k, stop at the episode's end or with probability beta[s'])"
        )


EVAL_CAP = 500  # env steps per evaluation episode (Four Rooms' own limit is 1000)


def _seeds(seed: int, runs: int) -> list[tuple[int, np.random.Generator, int]]:
    """(env seed, agent generator, evaluation seed) of every run; the evaluation seed never leaves the grader."""
    out = []
    for run_seq in np.random.SeedSequence(seed).spawn(runs):
        env_seq, agent_seq, eval_seq = run_seq.spawn(3)
        eval_seed = int(eval_seq.generate_state(1)[0]) % (1 << 30)
        out.append((int(env_seq.generate_state(1)[0]), np.random.default_rng(agent_seq), eval_seed))
    return out


def _lengths(value: object, episodes: int, what: str) -> np.ndarray:
    lengths = as_float_array(value, what, (episodes,))
    if np.any(lengths < 1) or np.any(lengths != np.round(lengths)):
        raise InvalidOutput(f"{what} returned impossible episode lengths {lengths.tolist()[:10]}")
    return lengths


def _random_best(values: np.ndarray, candidates: np.ndarray, rng: np.random.Generator) -> int:
    best = candidates[values[candidates] == values[candidates].max()]
    return int(best[rng.integers(best.size)])


def evaluate_options(q: np.ndarray, options: tuple, env_kwargs: dict[str, Any], seed: int, episodes: int) -> np.ndarray:
    """The grader's own evaluation of a table ``q`` (n_states, n_options), in its own process: every episode
    (``reset(seed=seed + i)``, at most :data:`EVAL_CAP` steps) starts the available option of largest Q (ties at
    random), executes it to its termination, and so on; returns the episode lengths."""
    initiation, policy, beta = options
    env = make_env(FOUR_ROOMS_ID, max_episode_steps=EVAL_CAP, **env_kwargs)
    rng = np.random.default_rng(seed)
    lengths = np.zeros(episodes, dtype=np.int64)
    for i in range(episodes):
        s, _ = env.reset(seed=seed + i)
        done = False
        while not done:
            o = _random_best(q[s], np.flatnonzero(initiation[:, s]), rng)
            while not done:
                s, _, terminated, truncated, _ = env.step(int(policy[o, s]))
                lengths[i] += 1
                done = terminated or truncated
                if rng.random() < beta[o, s]:
                    break
    env.close()
    return lengths


def evaluate_option_critic(
    tables: dict[str, np.ndarray], env_kwargs: dict[str, Any], seed: int, episodes: int
) -> np.ndarray:
    """The grader's own evaluation of option-critic tables (``theta``, ``vartheta``, ``Q_omega``): the option of
    largest Q_Ω (ties at random), actions drawn from softmax(θ[o, s]), termination with σ(ϑ[o, s'])."""
    theta, vartheta, q_omega = tables["theta"], tables["vartheta"], tables["Q_omega"]
    env = make_env(FOUR_ROOMS_ID, max_episode_steps=EVAL_CAP, **env_kwargs)
    rng = np.random.default_rng(seed)
    every = np.arange(q_omega.shape[1])
    lengths = np.zeros(episodes, dtype=np.int64)
    for i in range(episodes):
        s, _ = env.reset(seed=seed + i)
        o = _random_best(q_omega[s], every, rng)
        while True:
            logits = theta[o, s] - theta[o, s].max()
            a = int(rng.choice(theta.shape[2], p=np.exp(logits) / np.exp(logits).sum()))
            s, _, terminated, truncated, _ = env.step(a)
            lengths[i] += 1
            if terminated or truncated:
                break
            if rng.random() < 1.0 / (1.0 + np.exp(-vartheta[o, s])):
                o = _random_best(q_omega[s], every, rng)
    env.close()
    return lengths


@dataclass(frozen=True)
class OptionsSpec:
    """Options ∪ primitives for one learner, against primitives alone or against no learning (module docstring)."""

    module: ClassVar[str] = "options"
    check: str
    agent: str  # SMDPQLearning or IntraOptionQLearning
    against: str  # "primitives" or "untrained"
    episodes: int
    runs: int
    seed: int
    high: float
    eval_episodes: int = 10
    alpha: float = 0.5
    gamma: float = 0.9
    epsilon: float = 0.1
    env_kwargs: dict[str, Any] = field(default_factory=lambda: {"success_prob": 2 / 3, "start": (1, 1)})

    def with_seed(self, seed: int) -> OptionsSpec:
        return replace(self, seed=seed)

    def describe_run(self) -> str:
        return (
            f"{self.agent}(α={self.alpha:g}, γ={self.gamma:g}, ε={self.epsilon:g}) with the hallway options on Four "
            f"Rooms {self.env_kwargs}, {self.runs} runs × {self.episodes} episodes; greedy steps to the goal over "
            f"{self.eval_episodes} grader episodes, divided by those of {self.against}; passes when ≤ {self.high:g}"
        )

    def train(self, agent_cls: Callable[..., Any], options: tuple, env_seed: int, rng: np.random.Generator) -> tuple:
        """(training episode lengths, the agent's Q table after training, validated)."""
        agent = agent_cls(*options, self.alpha, self.gamma, self.epsilon, rng=rng)
        intra = self.agent == "IntraOptionQLearning"
        schedule = (self.epsilon, self.epsilon, 1)
        lengths = beside(
            agent, train_options, agent, intra, self.env_kwargs, options, self.episodes, schedule, env_seed, self.gamma
        )
        q = as_float_array(getattr(agent, "Q", None), f"{self.agent}.Q", (N_STATES, len(options[0])))
        return _lengths(lengths, self.episodes, f"the training loop of {self.agent}"), q

    def run(self, agent_cls: Callable[..., Any]) -> dict[str, np.ndarray]:
        """Training lengths (runs × episodes) and the grader's evaluation lengths (runs × eval_episodes) of the
        learner with options (``train``, ``eval``) and of the baseline (``base_train``, ``base_eval``)."""
        out: dict[str, list] = {"train": [], "eval": [], "base_train": [], "base_eval": []}
        options = options_and_primitives()
        for env_seed, rng, eval_seed in _seeds(self.seed, self.runs):
            lengths, q = self.train(agent_cls, options, env_seed, rng)
            out["train"].append(lengths)
            out["eval"].append(evaluate_options(q, options, self.env_kwargs, eval_seed, self.eval_episodes))
            if self.against == "primitives":
                lengths, q = self.train(agent_cls, primitive_options(), env_seed, rng)
                out["base_train"].append(lengths)
                base = evaluate_options(q, primitive_options(), self.env_kwargs, eval_seed, self.eval_episodes)
            else:
                base = evaluate_options(np.zeros_like(q), options, self.env_kwargs, eval_seed, self.eval_episodes)
            out["base_eval"].append(base)
        return {key: np.array(value) for key, value in out.items()}

    @staticmethod
    def value(result: dict[str, np.ndarray]) -> float:
        return float(result["eval"].mean() / result["base_eval"].mean())

    def passes(self, value: float) -> bool:
        return value <= self.high

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        result = self.run(agent_cls)
        return Measurement(self.value(result), int(result["train"].sum() + result["base_train"].sum()))

    def bounds(self) -> tuple[float | None, float | None]:
        return None, self.high

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        result = self.run(agent_cls)
        value = self.value(result)
        episodes = list(range(1, self.episodes + 1))
        series = {"8 hallway options + 4 primitives": (episodes, result["train"].mean(0).tolist())}
        if self.against == "primitives":
            series["4 primitives only"] = (episodes, result["base_train"].mean(0).tolist())
        record(Curve(f"{self.agent} on Four Rooms (seed {self.seed})", "episode", "steps to the goal", series, None))
        base = "with the primitives alone" if self.against == "primitives" else "from an all-zero table (no learning)"
        moves = self.env_kwargs.get("success_prob", 2 / 3)
        assert self.passes(value), (
            f"{self.agent}(α={self.alpha:g}, γ={self.gamma:g}, ε={self.epsilon:g}) trained {self.episodes} episodes on "
            f"Four Rooms (moves as intended with probability {moves:.3g}, start {self.env_kwargs.get('start')}, goal "
            f"(7, 9)), {self.runs} runs; the grader's greedy evaluation of your Q over the available options "
            f"({self.eval_episodes} episodes per run, at most {EVAL_CAP} steps each) took {result['eval'].mean():.1f} "
            f"steps per episode with the 8 hallway options + 4 primitives, against {result['base_eval'].mean():.1f} "
            f"{base}: ratio {value:.3f}, needed ≤ {self.high:g} (seed {self.seed}); {hint}"
        )
        return value


@dataclass(frozen=True)
class OptionCriticSpec:
    """Option-critic's learnt options reach the goal faster than untrained ones (module docstring)."""

    module: ClassVar[str] = "option_critic"
    agent: ClassVar[str] = "OptionCritic"
    check: str
    episodes: int
    runs: int
    seed: int
    high: float
    eval_episodes: int = 30
    n_options: int = 4
    alpha_critic: float = 0.5
    alpha_theta: float = 1.0
    alpha_beta: float = 0.25
    gamma: float = 0.99
    epsilon: float = 0.05
    env_kwargs: dict[str, Any] = field(default_factory=lambda: {"success_prob": 2 / 3, "start": None})

    def with_seed(self, seed: int) -> OptionCriticSpec:
        return replace(self, seed=seed)

    def describe_run(self) -> str:
        return (
            f"OptionCritic({self.n_options} options, α_critic={self.alpha_critic:g}, α_θ={self.alpha_theta:g}, "
            f"α_β={self.alpha_beta:g}, γ={self.gamma:g}, ε={self.epsilon:g}) on Four Rooms {self.env_kwargs}, "
            f"{self.runs} runs × {self.episodes} episodes; steps to the goal over {self.eval_episodes} grader "
            f"episodes, trained divided by untrained; passes when ≤ {self.high:g}"
        )

    def tables(self, agent: Any) -> dict[str, np.ndarray]:
        shapes = {
            "theta": (self.n_options, N_STATES, 4),
            "vartheta": (self.n_options, N_STATES),
            "Q_omega": (N_STATES, self.n_options),
        }
        return {
            name: as_float_array(getattr(agent, name, None), f"OptionCritic.{name}", s) for name, s in shapes.items()
        }

    def run(self, agent_cls: Callable[..., Any]) -> dict[str, np.ndarray]:
        """Training lengths (runs × episodes), the grader's evaluation lengths of the trained tables (``eval``) and
        of all-zero tables (``base_eval``: uniform actions, β = 0.5), runs × eval_episodes."""
        out: dict[str, list] = {"train": [], "eval": [], "base_eval": []}
        for env_seed, rng, eval_seed in _seeds(self.seed, self.runs):
            agent = agent_cls(
                N_STATES,
                self.n_options,
                4,
                self.alpha_critic,
                self.alpha_theta,
                self.alpha_beta,
                self.gamma,
                self.epsilon,
                rng=rng,
            )
            schedule = (self.epsilon, self.epsilon, 1)
            lengths = beside(
                agent, train_option_critic, agent, self.env_kwargs, self.n_options, self.episodes, schedule, env_seed
            )
            out["train"].append(_lengths(lengths, self.episodes, "the option-critic training loop"))
            tables = self.tables(agent)
            out["eval"].append(evaluate_option_critic(tables, self.env_kwargs, eval_seed, self.eval_episodes))
            zeros = {name: np.zeros_like(table) for name, table in tables.items()}
            out["base_eval"].append(evaluate_option_critic(zeros, self.env_kwargs, eval_seed, self.eval_episodes))
        return {key: np.array(value) for key, value in out.items()}

    def passes(self, value: float) -> bool:
        return value <= self.high

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        result = self.run(agent_cls)
        return Measurement(OptionsSpec.value(result), int(result["train"].sum()))

    def bounds(self) -> tuple[float | None, float | None]:
        return None, self.high

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        result = self.run(agent_cls)
        value = OptionsSpec.value(result)
        episodes = list(range(1, self.episodes + 1))
        curve = moving_average(result["train"].mean(0).tolist(), 5)
        series = {"steps per episode, mean over runs (moving average)": (episodes, curve)}
        record(Curve(f"OptionCritic on Four Rooms (seed {self.seed})", "episode", "steps to the goal", series, None))
        assert self.passes(value), (
            f"OptionCritic({self.n_options} options, α_critic={self.alpha_critic:g}, α_θ={self.alpha_theta:g}, "
            f"α_β={self.alpha_beta:g}, γ={self.gamma:g}, ε={self.epsilon:g}) trained {self.episodes} episodes on Four "
            f"Rooms (random starts), {self.runs} runs: the grader's evaluation of your θ, ϑ and Q_Ω (greedy option, "
            f"actions drawn from softmax(θ), {self.eval_episodes} episodes per run, at most {EVAL_CAP} steps) took "
            f"{result['eval'].mean():.1f} steps per episode, against {result['base_eval'].mean():.1f} with all-zero "
            f"tables: ratio {value:.3f}, needed ≤ {self.high:g} (seed {self.seed}); {hint}"
        )
        return value
