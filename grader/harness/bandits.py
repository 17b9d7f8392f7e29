"""Trusted k-armed bandit testbeds and the agent loop used by the bandit checks (design P3).

The grader owns the testbed, its random numbers and the loop; the agent under test only answers
``act() -> int`` and ``update(action, reward)``. Every value an agent returns is validated before use.
All randomness comes from ``np.random.SeedSequence``/``default_rng`` seeded by the check, never from the
global RNGs, so a check gives the same verdict on every run.

Testbeds (Sutton & Barto, 2nd ed., section 2.3):

* ``gaussian``: true means μ_a ~ N(mean_shift, 1), reward R ~ N(μ_a, 1).
* ``bernoulli``: success probabilities p_a ~ U(0, 1), reward R = 1 with probability p_a, else 0.

The loop draws one N(0, 1) noise (or one U(0, 1) number) per step in advance and pays the chosen arm
μ_a + noise (or 1[u < p_a]); each arm's rewards therefore have exactly the distribution above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside, call_all, global_rng_digests_of, seed_global_rngs_of
from grader.harness.curves import Curve, record
from grader.harness.loops import LockstepBandits
from grader.harness.validate import InvalidOutput, as_float_array, as_int

TESTBED_KINDS = ("gaussian", "bernoulli")

#: ``make_agent(n_arms, rng)`` builds a fresh agent that must draw its randomness from ``rng``.
AgentFactory = Callable[[int, np.random.Generator], Any]


@dataclass(frozen=True)
class Testbed:
    """One bandit problem: the kind of reward and the true mean reward of every arm."""

    __test__ = False  # not a pytest test class, although its name starts with "Test"

    kind: str
    means: np.ndarray

    @classmethod
    def sample(cls, kind: str, n_arms: int, rng: np.random.Generator, mean_shift: float = 0.0) -> Testbed:
        """Draw a new problem: μ_a ~ N(mean_shift, 1) for ``gaussian``, p_a ~ U(0, 1) for ``bernoulli``."""
        if kind == "gaussian":
            means = rng.normal(mean_shift, 1.0, size=n_arms)
        elif kind == "bernoulli":
            if mean_shift:
                raise ValueError("mean_shift applies to the gaussian testbed only")
            means = rng.random(n_arms)
        else:
            raise ValueError(f"testbed kind must be one of {TESTBED_KINDS}, got {kind!r}")
        return cls(kind=kind, means=means)

    @property
    def n_arms(self) -> int:
        return len(self.means)

    @property
    def best_arm(self) -> int:
        return int(np.argmax(self.means))


def describe_testbed(kind: str, n_arms: int, mean_shift: float = 0.0) -> str:
    """Student-facing name of a testbed, e.g. ``Gaussian 10-armed testbed (μ_a ~ N(0, 1))``."""
    if kind == "gaussian":
        return f"Gaussian {n_arms}-armed testbed (μ_a ~ N({mean_shift:g}, 1), rewards ~ N(μ_a, 1))"
    return f"Bernoulli {n_arms}-armed testbed (p_a ~ U(0, 1), rewards in {{0, 1}})"


class RewardStreams:
    """The rewards of independent runs, drawn in advance from each run's ``rng``: Gaussian N(μ_a, 1) (one
    N(0, 1) noise per step) or Bernoulli(p_a) (one U(0, 1) number per step), vectorised over the runs."""

    def __init__(self, testbeds: list[Testbed], steps: int, rngs: list[np.random.Generator]) -> None:
        self.gaussian = np.array([testbed.kind == "gaussian" for testbed in testbeds])
        self.draws = np.stack(
            [
                rng.standard_normal(steps) if testbed.kind == "gaussian" else rng.random(steps)
                for testbed, rng in zip(testbeds, rngs, strict=True)
            ]
        )
        self.means = np.full((len(testbeds), max(testbed.n_arms for testbed in testbeds)), np.nan)
        for i, testbed in enumerate(testbeds):
            self.means[i, : testbed.n_arms] = testbed.means
        self.rows = np.arange(len(testbeds))

    def pay(self, t: int, actions: np.ndarray) -> np.ndarray:
        """The reward of every run at step ``t`` for its (validated) action."""
        mean, draw = self.means[self.rows, actions], self.draws[:, t]
        return np.where(self.gaussian, mean + draw, (draw < mean).astype(np.float64))


def play(agent: Any, testbed: Testbed, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Run ``steps`` act/update rounds of ``agent`` on ``testbed``; return the validated actions.

    Rewards are drawn from ``rng`` (the harness's own generator) and passed as plain floats.
    """
    return play_all([agent], [testbed], steps, [rng])[0]


def play_all(agents: list[Any], testbeds: list[Testbed], steps: int, rngs: list[np.random.Generator]) -> np.ndarray:
    """Independent runs in lockstep (agent ``i`` on testbed ``i`` with reward stream ``rngs[i]``): per step,
    every agent's ``act()`` and then every ``update(a, r)``. The agents are stepped by
    :class:`grader.harness.loops.LockstepBandits`, beside them (one sandbox message per step for all runs);
    the testbeds stay here. Returns the validated actions, shape ``(runs, steps)``."""
    n_arms = np.array([testbed.n_arms for testbed in testbeds])
    stepper = beside(agents[0], LockstepBandits, agents, n_arms.tolist())
    rewards = RewardStreams(testbeds, steps, rngs)
    actions = np.empty((len(agents), steps), dtype=np.int64)
    paid, step = None, stepper.step  # looked up once: each lookup is a sandbox call
    for t in range(steps):
        actions[:, t] = checked_actions(step(paid), n_arms)
        paid = rewards.pay(t, actions[:, t])
    stepper.finish(paid)
    return actions


def checked_actions(value: object, n_arms: np.ndarray) -> np.ndarray:
    """The actions of all runs returned by the lockstep loop: an int array, one action in ``[0, n_arms[i])``
    per run (the loop validated each ``act()`` already; this is the grader's own check of what came back)."""
    if type(value) is not np.ndarray or value.dtype.kind not in "iu" or value.shape != n_arms.shape:
        raise InvalidOutput(f"the lockstep bandit loop returned a {type(value).__name__} instead of the actions")
    if np.any(value < 0) or np.any(value >= n_arms):
        raise InvalidOutput(f"the lockstep bandit loop returned actions outside [0, n_arms): {value.tolist()[:10]}")
    return value


@dataclass(frozen=True)
class BanditStats:
    """Averages over independent runs (each: a fresh testbed and a fresh agent); SE = sd / sqrt(runs)."""

    runs: int
    steps: int
    mean_regret: float  # mean over runs of Σ_t (μ* - μ_{A_t}), the total (pseudo-)regret
    se_regret: float
    frac_optimal: float  # mean over runs of the fraction of steps with A_t = argmax_a μ_a
    se_frac_optimal: float
    frac_optimal_last: float  # the same over the last 10 % of the steps
    se_frac_optimal_last: float
    optimal_curve: np.ndarray = field(repr=False)  # per step: fraction of runs choosing the best arm
    regret_curve: np.ndarray = field(repr=False)  # per step: mean cumulative regret


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    se = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    return float(values.mean()), se


def run_bandit(
    make_agent: AgentFactory,
    testbed_kind: str,
    n_arms: int,
    steps: int,
    runs: int,
    seed: int,
    mean_shift: float = 0.0,
) -> BanditStats:
    """Average the performance of fresh agents over ``runs`` fresh testbeds, everything seeded by ``seed``.

    Run ``i`` uses the ``i``-th child of ``SeedSequence(seed)``, split into a testbed/reward stream and the
    agent's ``rng``; so runs are independent and a different seed gives different, unseen problems.
    """
    testbeds, rngs, agents = [], [], []
    for child in np.random.SeedSequence(seed).spawn(runs):
        testbed_seed, agent_seed = child.spawn(2)
        rngs.append(np.random.default_rng(testbed_seed))
        testbeds.append(Testbed.sample(testbed_kind, n_arms, rngs[-1], mean_shift))
        agents.append(make_agent(n_arms, np.random.default_rng(agent_seed)))
    actions = play_all(agents, testbeds, steps, rngs)
    means = np.stack([testbed.means for testbed in testbeds])
    cumulative = np.cumsum(means.max(axis=1, keepdims=True) - np.take_along_axis(means, actions, axis=1), axis=1)
    regret = cumulative[:, -1]
    optimal = actions == np.array([testbed.best_arm for testbed in testbeds])[:, None]
    last = max(1, steps // 10)
    mean_regret, se_regret = _mean_se(regret)
    frac, se_frac = _mean_se(optimal.mean(axis=1))
    frac_last, se_frac_last = _mean_se(optimal[:, -last:].mean(axis=1))
    return BanditStats(
        runs=runs,
        steps=steps,
        mean_regret=mean_regret,
        se_regret=se_regret,
        frac_optimal=frac,
        se_frac_optimal=se_frac,
        frac_optimal_last=frac_last,
        se_frac_optimal_last=se_frac_last,
        optimal_curve=optimal.mean(axis=0),
        regret_curve=cumulative.mean(axis=0),
    )


METRICS = {
    "regret": ("mean total regret", "mean_regret", "se_regret", "{:.1f}"),
    "optimal_last": (
        "optimal-action rate over the last 10% of steps",
        "frac_optimal_last",
        "se_frac_optimal_last",
        "{:.3f}",
    ),
}


@dataclass(frozen=True)
class LearningSpec:
    """One learning check: which agent, testbed, budget and seed, and the calibrated threshold.

    The check passes when ``metric`` is below (``goal="below"``) or at least (``goal="above"``) the
    threshold. ``rlgrade calibrate`` finds every spec in the check files and re-runs it on unseen seeds
    with ``with_seed``, so the calibration always measures exactly what the check runs.
    """

    module: ClassVar[str] = "bandits"
    check: str  # name of the test function that uses this spec
    agent: str  # class name in bandits.py
    kwargs: dict[str, Any]
    testbed: str
    n_arms: int
    steps: int
    runs: int
    seed: int
    metric: str
    goal: str
    threshold: float
    mean_shift: float = 0.0

    def __post_init__(self) -> None:
        if self.metric not in METRICS or self.goal not in ("below", "above"):
            raise ValueError(f"{self.check}: bad metric {self.metric!r} or goal {self.goal!r}")

    def with_seed(self, seed: int) -> LearningSpec:
        return replace(self, seed=seed)

    def run(self, agent_cls: Callable[..., Any]) -> BanditStats:
        """Run the agent class under test as ``agent_cls(n_arms, **kwargs, rng=rng)``."""
        kwargs = dict(self.kwargs)
        return run_bandit(
            lambda k, rng: agent_cls(k, **kwargs, rng=rng),
            self.testbed,
            self.n_arms,
            self.steps,
            self.runs,
            self.seed,
            self.mean_shift,
        )

    def value(self, stats: BanditStats) -> float:
        return getattr(stats, METRICS[self.metric][1])

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        return Measurement(self.value(self.run(agent_cls)), self.runs * self.steps)

    def bounds(self) -> tuple[float | None, float | None]:
        return (None, self.threshold) if self.goal == "below" else (self.threshold, None)

    def describe_run(self) -> str:
        return (
            f"{self.agent_label()}, {METRICS[self.metric][0]} over {self.runs} runs of {self.steps} steps on the "
            f"{describe_testbed(self.testbed, self.n_arms, self.mean_shift)}"
        )

    def passes(self, value: float) -> bool:
        return value < self.threshold if self.goal == "below" else value >= self.threshold

    def agent_label(self) -> str:
        args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.agent}({args})" if args else self.agent

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> BanditStats:
        """Run the check; fail with the measured number, the threshold and ``hint`` (typical buggy values)."""
        stats = self.run(agent_cls)
        steps = list(range(1, self.steps + 1))
        if self.metric == "regret":
            label, ys = "mean cumulative regret", stats.regret_curve
        else:
            label, ys = "fraction of runs pulling the best arm", stats.optimal_curve
        title = f"{self.agent_label()}: {METRICS[self.metric][0]} {self.value(stats):.3g} (seed {self.seed})"
        record(Curve(title, "step", label, {label: (steps, ys.tolist())}, self.threshold))
        assert self.passes(self.value(stats)), f"{self.describe(stats)}; {hint}"
        return stats

    def describe(self, stats: BanditStats) -> str:
        """E.g. ``mean total regret 213.4 ± 6.1 (SE) over 200 runs of 1000 steps (...), needed < 260``."""
        name, _, se_attr, fmt = METRICS[self.metric]
        value, se = self.value(stats), getattr(stats, se_attr)
        need = "<" if self.goal == "below" else "≥"
        return (
            f"{self.agent_label()}: {name} {fmt.format(value)} ± {fmt.format(se)} (SE) over {self.runs} runs "
            f"of {self.steps} steps ({describe_testbed(self.testbed, self.n_arms, self.mean_shift)}, "
            f"seed {self.seed}), needed {need} {self.threshold:g}"
        )


# -- helpers for the exact component checks -------------------------------------------------------------


def action_frequencies(agent: Any, n_arms: int, n_calls: int) -> np.ndarray:
    """Call ``agent.act()`` ``n_calls`` times without updates; return the fraction of calls per arm."""
    what = f"{type(agent).__name__}.act() return value"
    counts = np.zeros(n_arms)
    for action in call_all([(agent.act, ())] * n_calls):
        counts[as_int(action, what, 0, n_arms)] += 1
    return counts / n_calls


def agent_array(agent: Any, name: str, n_arms: int) -> np.ndarray:
    """The agent's attribute ``name`` (e.g. ``q``, ``n``, ``alpha``, ``h``) as a checked float array ``(n_arms,)``."""
    cls = type(agent).__name__
    if not hasattr(agent, name):
        raise InvalidOutput(f"{cls} has no attribute `{name}`: keep the attributes described in its docstring")
    return as_float_array(getattr(agent, name), f"{cls}.{name}", (n_arms,))


def binomial_tolerance(p: float, n_calls: int, z: float = 4.5) -> float:
    """``z`` binomial standard errors of a frequency with true probability ``p`` (at least 1/n_calls)."""
    return max(z * float(np.sqrt(p * (1 - p) / n_calls)), 1.0 / n_calls)


@dataclass(frozen=True)
class SeededPlay:
    """Actions of one seeded play, and whether the global RNGs were touched while playing."""

    actions: np.ndarray
    touched_numpy_global: bool
    touched_python_random: bool


def seeded_play(make_agent: AgentFactory, n_arms: int, steps: int, agent_seed: int, global_seed: int) -> SeededPlay:
    """Seed the global RNGs with ``global_seed``, then play a fixed Bernoulli testbed with a fresh agent.

    A correct agent gives the same actions for the same ``agent_seed`` whatever ``global_seed`` is, and
    leaves ``np.random``'s global state and the ``random`` module's state exactly as they were. The global
    RNGs are those of the process that runs the agent's code; a first agent, built before seeding, says which.
    """
    code = make_agent(n_arms, np.random.default_rng(agent_seed))
    seed_global_rngs_of(code, global_seed)
    before = global_rng_digests_of(code)
    testbed_rng = np.random.default_rng(20240901)
    testbed = Testbed.sample("bernoulli", n_arms, testbed_rng)
    agent = make_agent(n_arms, np.random.default_rng(agent_seed))
    actions = play(agent, testbed, steps, testbed_rng)
    after = global_rng_digests_of(code)
    return SeededPlay(
        actions=actions,
        touched_numpy_global=after["numpy"] != before["numpy"],
        touched_python_random=after["random"] != before["random"],
    )


def assert_reproducible(make_agent: AgentFactory, label: str, n_arms: int = 10, steps: int = 300) -> None:
    """Fail unless two agents with the same rng seed act identically under different global seeds."""
    first = seeded_play(make_agent, n_arms, steps, agent_seed=11, global_seed=1)
    second = seeded_play(make_agent, n_arms, steps, agent_seed=11, global_seed=2)
    assert not (first.touched_numpy_global or second.touched_numpy_global), (
        f"{label} changed the global np.random state while playing {steps} steps: draw every random number "
        "from the rng passed to the constructor (self.rng), never from np.random.*"
    )
    assert not (first.touched_python_random or second.touched_python_random), (
        f"{label} used Python's `random` module while playing {steps} steps: use self.rng instead"
    )
    differ = np.flatnonzero(first.actions != second.actions)
    assert differ.size == 0, (
        f"two {label} agents built with the same rng seed chose different actions (first at step "
        f"{differ[0] if differ.size else 0}) on the same {steps}-step Bernoulli testbed: draw all "
        "randomness from self.rng, do not create new generators"
    )
