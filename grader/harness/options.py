"""Learning checks of hw09's option learners on the kit's Four Rooms (design P3, P4, P9).

The grader owns the env (:mod:`grader.harness.four_rooms`), the options (built from the env), the seeds, the ε
schedule and the budget (episodes). The loops (:mod:`grader.harness.option_loops`) run beside the agent, execute
the options themselves and count every env step themselves: the agent only chooses options (or actions) and
learns. What comes back is validated before use.

* :class:`OptionsSpec` — comparative: the same learner with the 8 hallway options and the 4 primitives against
  the primitives alone, over the first ``episodes`` episodes of ``runs`` independent runs on the same env seeds.
  ``value`` = mean episode length with options / mean episode length with primitives only; passes when ≤ ``high``.
* :class:`OptionCriticSpec` — improvement: ``value`` = mean length of the last ``window`` episodes / mean length
  of the first ``window`` episodes over ``runs`` runs of ``OptionCritic``; passes when ≤ ``high``.

:func:`option_trial_checked` runs the student's ``run_option`` once beside it (exact checks).

Seeds: ``SeedSequence(seed)`` is split into one sequence per run, each split into the env's reset seed and the
agent's ``rng``; a different ``seed`` (calibration) gives different runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside
from grader.harness.curves import Curve, moving_average, record
from grader.harness.four_rooms import N_STATES, options_and_primitives, primitive_options
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


def _seeds(seed: int, runs: int) -> list[tuple[int, np.random.Generator]]:
    """(env seed, agent generator) of every run."""
    out = []
    for run_seq in np.random.SeedSequence(seed).spawn(runs):
        env_seq, agent_seq = run_seq.spawn(2)
        out.append((int(env_seq.generate_state(1)[0]), np.random.default_rng(agent_seq)))
    return out


def _lengths(value: object, episodes: int, what: str) -> np.ndarray:
    lengths = as_float_array(value, what, (episodes,))
    if np.any(lengths < 1) or np.any(lengths != np.round(lengths)):
        raise AssertionError(f"{what} returned impossible episode lengths {lengths.tolist()[:10]}")
    return lengths


@dataclass(frozen=True)
class OptionsSpec:
    """Options ∪ primitives against primitives alone for one learner (module docstring)."""

    module: ClassVar[str] = "options"
    check: str
    agent: str  # SMDPQLearning or IntraOptionQLearning
    episodes: int
    runs: int
    seed: int
    high: float
    alpha: float = 0.5
    gamma: float = 0.9
    epsilon: float = 0.1
    env_kwargs: dict[str, Any] = field(default_factory=lambda: {"success_prob": 2 / 3, "start": (1, 1)})

    def with_seed(self, seed: int) -> OptionsSpec:
        return replace(self, seed=seed)

    def train(self, agent_cls: Callable[..., Any], options: tuple, env_seed: int, rng: np.random.Generator) -> Any:
        agent = agent_cls(*options, self.alpha, self.gamma, self.epsilon, rng=rng)
        intra = self.agent == "IntraOptionQLearning"
        schedule = (self.epsilon, self.epsilon, 1)
        lengths = beside(
            agent, train_options, agent, intra, self.env_kwargs, options, self.episodes, schedule, env_seed, self.gamma
        )
        return _lengths(lengths, self.episodes, f"the training loop of {self.agent}")

    def run(self, agent_cls: Callable[..., Any]) -> tuple[float, np.ndarray, np.ndarray]:
        """(ratio, episode lengths with options (runs × episodes), with primitives only (runs × episodes))."""
        with_options, primitives = [], []
        for env_seed, rng in _seeds(self.seed, self.runs):
            with_options.append(self.train(agent_cls, options_and_primitives(), env_seed, rng))
            primitives.append(self.train(agent_cls, primitive_options(), env_seed, rng))
        a, b = np.array(with_options), np.array(primitives)
        return float(a.mean() / b.mean()), a, b

    def passes(self, value: float) -> bool:
        return value <= self.high

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        value, a, b = self.run(agent_cls)
        return Measurement(value, int(a.sum() + b.sum()))

    def bounds(self) -> tuple[float | None, float | None]:
        return None, self.high

    def describe_run(self) -> str:
        moves = self.env_kwargs.get("success_prob", 2 / 3)
        return (
            f"{self.agent}(α={self.alpha:g}, γ={self.gamma:g}, ε={self.epsilon:g}) on Four Rooms (moves as intended "
            f"with probability {moves:.3g}, start {self.env_kwargs.get('start')}, goal (7, 9)), first "
            f"{self.episodes} episodes of {self.runs} runs"
        )

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        value, a, b = self.run(agent_cls)
        episodes = list(range(1, self.episodes + 1))
        series = {
            "8 hallway options + 4 primitives": (episodes, a.mean(0).tolist()),
            "4 primitives only": (episodes, b.mean(0).tolist()),
        }
        record(Curve(f"{self.agent} on Four Rooms (seed {self.seed})", "episode", "steps to the goal", series, None))
        assert self.passes(value), (
            f"{self.describe_run()}: episodes with options took {a.mean():.1f} env steps on average, with primitives "
            f"only {b.mean():.1f}; ratio {value:.3f}, needed ≤ {self.high:g} (steps counted by the grader's loop; "
            f"{int(a.sum() + b.sum())} env steps in all, seed {self.seed}); {hint}"
        )
        return value


@dataclass(frozen=True)
class OptionCriticSpec:
    """Option-critic gets faster at reaching the goal over its episodes (module docstring)."""

    module: ClassVar[str] = "option_critic"
    agent: ClassVar[str] = "OptionCritic"
    check: str
    episodes: int
    window: int
    runs: int
    seed: int
    high: float
    n_options: int = 4
    alpha_critic: float = 0.5
    alpha_theta: float = 1.0
    alpha_beta: float = 0.25
    gamma: float = 0.99
    epsilon: float = 0.05
    env_kwargs: dict[str, Any] = field(default_factory=lambda: {"success_prob": 2 / 3, "start": None})

    def with_seed(self, seed: int) -> OptionCriticSpec:
        return replace(self, seed=seed)

    def run(self, agent_cls: Callable[..., Any]) -> tuple[float, np.ndarray]:
        """(ratio last/first window, episode lengths (runs × episodes))."""
        curves = []
        for env_seed, rng in _seeds(self.seed, self.runs):
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
            curves.append(_lengths(lengths, self.episodes, "the option-critic training loop"))
        c = np.array(curves)
        return float(c[:, -self.window :].mean() / c[:, : self.window].mean()), c

    def passes(self, value: float) -> bool:
        return value <= self.high

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        value, c = self.run(agent_cls)
        return Measurement(value, int(c.sum()))

    def bounds(self) -> tuple[float | None, float | None]:
        return None, self.high

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        value, c = self.run(agent_cls)
        episodes = list(range(1, self.episodes + 1))
        series = {
            "steps per episode, mean over runs (moving average)": (episodes, moving_average(c.mean(0).tolist(), 5))
        }
        record(Curve(f"OptionCritic on Four Rooms (seed {self.seed})", "episode", "steps to the goal", series, None))
        first, last = c[:, : self.window].mean(), c[:, -self.window :].mean()
        assert self.passes(value), (
            f"OptionCritic({self.n_options} options, α_critic={self.alpha_critic:g}, α_θ={self.alpha_theta:g}, "
            f"α_β={self.alpha_beta:g}, γ={self.gamma:g}, ε={self.epsilon:g}) on Four Rooms (random starts), "
            f"{self.episodes} episodes of {self.runs} runs: the first {self.window} episodes took {first:.1f} env "
            f"steps on average, the last {self.window} {last:.1f}; ratio {value:.3f}, needed ≤ {self.high:g} "
            f"({int(c.sum())} env steps in all, counted by the grader's loop; seed {self.seed}); {hint}"
        )
        return value
