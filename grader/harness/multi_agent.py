"""Learning checks of hw10's multi-agent teams on the kit's cooperative matrix games (design P3, P4, P9).

The grader owns the PettingZoo env (:class:`grader.harness.matrix_games.MatrixGameEnv`), its seeds, the ε schedule,
the episode loop and the budget; the loop (:func:`grader.harness.loops.train_parallel`) runs beside the team (in
the sandbox's child when sandboxed: the payoffs are public, and the loop gets the training seed only). After
training the grader reads the team's tables (``Q``: a dict of per-agent tables, or a joint table
``Q[s, a_first, a_second]``), forms the greedy joint action itself (lowest index on ties) and checks whether it is
an optimal joint action of the game. A check runs ``runs`` independent teams and measures the fraction that end on
an optimum: "reaches the optimum on most seeds" is ``low``, "rarely reaches it" (plain IQL on the Climbing game)
is ``high``.

Seeds: ``SeedSequence(seed)`` is split into one sequence per run, each split into the env's reset seed and the
team's ``rng``; a different ``seed`` (calibration) gives different runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside, seed_global_rngs_of
from grader.harness.curves import Curve, moving_average, record
from grader.harness.envs import make_parallel_env
from grader.harness.loops import checked_joint_action, train_parallel
from grader.harness.validate import InvalidOutput, as_bool, as_float, as_float_array, as_int

MATRIX_GAME = "grader.harness.matrix_games:MatrixGameEnv"


def greedy_joint_action(team: Any, env_agents: tuple[str, ...], n_actions: int) -> tuple[int, int]:
    """The greedy joint action ``(row, column)`` (row = ``env_agents[0]``) read from the team's tables."""
    cls = type(team).__name__
    if not hasattr(team, "Q"):
        raise InvalidOutput(f"{cls} has no attribute `Q`: keep the attributes described in its docstring")
    tables = team.Q
    if isinstance(tables, dict):
        actions = {}
        for name in env_agents:
            if name not in tables:
                raise InvalidOutput(f"{cls}.Q has no table for the agent {name!r} (keys: {sorted(map(str, tables))})")
            q = as_float_array(tables[name], f"{cls}.Q[{name!r}]", (1, n_actions))
            actions[name] = int(np.argmax(q[0]))
        return actions[env_agents[0]], actions[env_agents[1]]
    q = as_float_array(tables, f"{cls}.Q", (1, n_actions, n_actions))
    first, second = np.unravel_index(int(np.argmax(q[0])), (n_actions, n_actions))
    team_agents = [str(a) for a in team.agents]
    by_name = {team_agents[0]: int(first), team_agents[1]: int(second)}
    return by_name[env_agents[0]], by_name[env_agents[1]]


@dataclass(frozen=True)
class TeamSpec:
    """One multi-agent learning check: team class, game, hyper-parameters, budget, runs, seed and bounds.

    ``value`` = the fraction of the ``runs`` independent teams whose greedy joint action after training is optimal;
    the check passes when ``low <= value <= high``. ``rlgrade calibrate`` re-runs it on unseen seeds (``with_seed``).
    """

    module: ClassVar[str] = "learners"
    check: str
    agent: str  # class name in learners.py
    game: str  # its name in the messages
    payoff: tuple[tuple[float, ...], ...]
    episodes: int
    alpha: float
    gamma: float
    eps_start: float
    eps_end: float
    eps_decay_episodes: int
    runs: int
    seed: int
    low: float = 0.0
    high: float = 1.0
    beta: float | None = None  # hysteretic learners' decrease rate
    team_agents: tuple[str, ...] = ("agent_0", "agent_1")  # the names given to the team, in this order
    env_agents: tuple[str, ...] = ("agent_0", "agent_1")  # the env's order (dict order, payoff rows first)

    def with_seed(self, seed: int) -> TeamSpec:
        return replace(self, seed=seed)

    def optimal(self, joint: tuple[int, int]) -> bool:
        payoff = np.array(self.payoff)
        return bool(payoff[joint] >= payoff.max())

    def run(self, agent_cls: Callable[..., Any]) -> tuple[float, np.ndarray, list[tuple[int, int]], int]:
        """(fraction optimal, training returns (runs × episodes), greedy joint action per run, env steps)."""
        n_actions = len(self.payoff)
        extra = {} if self.beta is None else {"beta": self.beta}
        env_kwargs = {"payoff": [list(row) for row in self.payoff], "agents": self.env_agents}
        epsilon = (self.eps_start, self.eps_end, self.eps_decay_episodes)
        joints, curves, total = [], [], 0
        for run_seq in np.random.SeedSequence(self.seed).spawn(self.runs):
            env_seq, team_seq = run_seq.spawn(2)
            team = agent_cls(
                list(self.team_agents),
                1,
                n_actions,
                alpha=self.alpha,
                gamma=self.gamma,
                epsilon=self.eps_start,
                rng=np.random.default_rng(team_seq),
                **extra,
            )
            env_seed = int(env_seq.generate_state(1)[0])
            result = beside(team, train_parallel, team, MATRIX_GAME, env_kwargs, self.episodes, epsilon, env_seed)
            if type(result) is not tuple or len(result) != 2:
                raise InvalidOutput(f"the training loop returned a {type(result).__name__} instead of (steps, returns)")
            total += as_int(result[0], "the training loop's step count", 0, 1 << 62)
            curves.append(as_float_array(result[1], "the training loop's episode returns", (self.episodes,)))
            joints.append(greedy_joint_action(team, self.env_agents, n_actions))
        value = float(np.mean([self.optimal(joint) for joint in joints]))
        return value, np.stack(curves), joints, total

    def passes(self, value: float) -> bool:
        return self.low <= value <= self.high

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        value, _, _, steps = self.run(agent_cls)
        return Measurement(value, steps)

    def bounds(self) -> tuple[float | None, float | None]:
        return (self.low if self.low > 0 else None), (self.high if self.high < 1 else None)

    def need(self) -> str:
        if self.high < 1:
            return f"≤ {self.high:g}"
        return f"≥ {self.low:g}"

    def describe_run(self) -> str:
        beta = f", β={self.beta:g}" if self.beta is not None else ""
        return (
            f"{self.agent}(α={self.alpha:g}{beta}, ε {self.eps_start:g}→{self.eps_end:g} over "
            f"{self.eps_decay_episodes} episodes) on the {self.game} game, {self.episodes} episodes, fraction of "
            f"{self.runs} runs whose greedy joint action is optimal"
        )

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        """Run the check; fail with the measured fraction, the bound, the joint actions reached and ``hint``."""
        value, curves, joints, steps = self.run(agent_cls)
        window = max(1, self.episodes // 20)
        episodes = list(range(1, self.episodes + 1))
        mean_curve = moving_average(curves.mean(0).tolist(), window)
        series = {"team reward, mean over runs (moving average)": (episodes, mean_curve)}
        record(Curve(f"{self.agent} on the {self.game} game (seed {self.seed})", "episode", "reward", series, None))
        counts: dict[tuple[int, int], int] = {}
        for joint in joints:
            counts[joint] = counts.get(joint, 0) + 1
        reached = ", ".join(f"{joint}: {n}" for joint, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        assert self.passes(value), (
            f"{self.describe_run()}: {value:.2f} ({round(value * self.runs)} of {self.runs}), needed {self.need()}; "
            f"greedy joint actions reached (runs): {reached}; payoff {[list(r) for r in self.payoff]}; budget "
            f"{steps} env steps in all, seed {self.seed}; {hint}"
        )
        return value


def _checked_dict(value: object, names: list[str], what: str) -> dict:
    if not isinstance(value, dict) or set(value) != set(names):
        keys = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise InvalidOutput(f"{what} must be a dict keyed by the live agents {sorted(names)}, got {keys}")
    return value


def checked_parallel_reset(env: Any, n_obs: int, **kwargs: Any) -> dict[str, int]:
    """``env.reset(**kwargs)`` of a PettingZoo parallel env with ``Discrete(n_obs)`` observations, as plain
    ``{agent: int}`` (the infos are checked to be dicts of dicts)."""
    result = env.reset(**kwargs)
    if type(result) is not tuple or len(result) != 2:
        raise InvalidOutput(f"reset() must return the pair (observations, infos), got {result!r:.80}")
    names = [str(name) for name in env.agents]
    obs = _checked_dict(result[0], names, "the observations returned by reset()")
    infos = _checked_dict(result[1], names, "the infos returned by reset()")
    if not all(isinstance(info, dict) for info in infos.values()):
        raise InvalidOutput("every agent's info returned by reset() must be a dict")
    return {name: as_int(obs[name], f"reset()'s observation of {name!r}", 0, n_obs) for name in names}


def checked_parallel_step(env: Any, actions: dict[str, int], n_obs: int) -> tuple[dict, dict, dict, dict]:
    """``env.step(actions)`` as plain ``(observations, rewards, terminations, truncations)`` dicts keyed by the agents
    of ``actions`` (the live agents before the step)."""
    result = env.step(dict(actions))
    if type(result) is not tuple or len(result) != 5:
        raise InvalidOutput(
            "step() must return (observations, rewards, terminations, truncations, infos) (PettingZoo parallel API), "
            f"got {result!r:.80}"
        )
    names = list(actions)
    obs, rewards, terminations, truncations, _ = (
        _checked_dict(part, names, f"the {what} returned by step()")
        for part, what in zip(result, ("observations", "rewards", "terminations", "truncations", "infos"), strict=True)
    )
    return (
        {n: as_int(obs[n], f"step()'s observation of {n!r}", 0, n_obs) for n in names},
        {n: as_float(rewards[n], f"step()'s reward of {n!r}") for n in names},
        {n: as_bool(terminations[n], f"step()'s termination of {n!r}") for n in names},
        {n: as_bool(truncations[n], f"step()'s truncation of {n!r}") for n in names},
    )


def evaluate_team(team: Any, env_id: str, env_kwargs: dict[str, Any], seeds: list[int]) -> np.ndarray:
    """Greedy evaluation of a trained team, in the grader: ``team.epsilon = 0``, then one episode of a fresh env of
    the kit per reset seed, ``team.act(observations)`` per step (validated by name), never ``update``. Returns per
    episode 1.0 when the env terminated it (the team reached its goal) and 0.0 when it was truncated."""
    team.epsilon = 0.0
    env = make_parallel_env(env_id, **env_kwargs)
    what = f"{type(team).__name__}.act() return value"
    act = team.act  # looked up once: each lookup is a sandbox call
    successes = np.zeros(len(seeds))
    for k, seed in enumerate(seeds):
        observations = env.reset(seed=seed)[0]
        while env.agents:
            live = list(env.agents)
            joint = act({name: int(observations[name]) for name in live})
            actions = checked_joint_action(joint, live, env.action_space, what)
            observations, _, terminations, _, _ = env.step(actions)
            successes[k] = float(all(terminations.values()))
    env.close()
    return successes


@dataclass(frozen=True)
class DeepTeamSpec:
    """A learning check of a team that learns from replayed transitions (hw10's VDN) on a cooperative env of the kit.

    ``runs`` independent teams are built as ``agent_cls(list(team_agents), n_obs, n_actions, seed=..., **hparams)``
    (torch's and numpy's global generators seeded first), trained by the grader's loop
    (:func:`grader.harness.loops.train_parallel`, beside the team) for ``episodes`` episodes with ε linear from
    ``eps_start`` to ``eps_end`` over ``eps_decay_episodes``, then evaluated greedily by the grader
    (:func:`evaluate_team`) on ``eval_episodes`` fixed-seed episodes each. A run *learnt* when its team succeeds on
    at least ``success`` of its evaluation episodes; ``value`` = the fraction of runs that learnt, and the check
    passes when ``value >= low`` (a correct team occasionally never finds the reward while exploring: counting runs
    bounds the false-fail rate binomially, as :class:`TeamSpec` does).
    """

    module: ClassVar[str] = "vdn"
    check: str
    agent: str
    env_id: str
    env_kwargs: tuple[tuple[str, Any], ...]  # a tuple of pairs: the spec stays hashable
    n_obs: int
    n_actions: int
    episodes: int
    eps_start: float
    eps_end: float
    eps_decay_episodes: int
    runs: int
    eval_episodes: int
    seed: int
    low: float
    success: float = 0.9
    hparams: tuple[tuple[str, Any], ...] = ()
    team_agents: tuple[str, ...] = ("agent_0", "agent_1")
    max_train_steps: int | None = None

    def with_seed(self, seed: int) -> DeepTeamSpec:
        return replace(self, seed=seed)

    def run(self, agent_cls: Callable[..., Any]) -> tuple[float, np.ndarray, np.ndarray, int]:
        """(fraction of runs that learnt, success rate per run, training returns (runs × episodes), env steps)."""
        env_kwargs, epsilon = dict(self.env_kwargs), (self.eps_start, self.eps_end, self.eps_decay_episodes)
        successes, curves, total = [], [], 0
        for run_seq in np.random.SeedSequence(self.seed).spawn(self.runs):
            team_seq, env_seq, eval_seq = run_seq.spawn(3)
            team_seed, env_seed = int(team_seq.generate_state(1)[0]), int(env_seq.generate_state(1)[0])
            seed_global_rngs_of(agent_cls, team_seed)
            team = agent_cls(list(self.team_agents), self.n_obs, self.n_actions, seed=team_seed, **dict(self.hparams))
            result = beside(
                team, train_parallel, team, self.env_id, env_kwargs, self.episodes, epsilon, env_seed,
                self.max_train_steps,
            )  # fmt: skip
            if type(result) is not tuple or len(result) != 2:
                raise InvalidOutput(f"the training loop returned a {type(result).__name__} instead of (steps, returns)")
            total += as_int(result[0], "the training loop's step count", 0, 1 << 62)
            curves.append(as_float_array(result[1], "the training loop's episode returns", (self.episodes,)))
            eval_seeds = np.random.default_rng(eval_seq).integers(2**31, size=self.eval_episodes).tolist()
            successes.append(float(np.mean(evaluate_team(team, self.env_id, env_kwargs, eval_seeds))))
        rates = np.array(successes)
        return float(np.mean(rates >= self.success)), rates, np.stack(curves), total

    def passes(self, value: float) -> bool:
        return value >= self.low

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        value, _, _, steps = self.run(agent_cls)
        return Measurement(value, steps)

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, None

    def describe_run(self) -> str:
        hparams = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.hparams)
        return (
            f"{self.agent}({hparams}) on {self.env_id.rpartition(':')[2]}({dict(self.env_kwargs)}), {self.episodes} "
            f"episodes (ε {self.eps_start:g}→{self.eps_end:g} over {self.eps_decay_episodes}), fraction of {self.runs} "
            f"runs whose greedy team succeeds on ≥ {self.success:.0%} of {self.eval_episodes} evaluation episodes"
        )

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        """Run the check; fail with the success rate, the bar, the training curve's tail and ``hint``."""
        value, rates, curves, steps = self.run(agent_cls)
        window = max(1, self.episodes // 20)
        episodes = list(range(1, self.episodes + 1))
        mean_curve = moving_average(curves.mean(0).tolist(), window)
        series = {"team return, mean over runs (moving average)": (episodes, mean_curve)}
        record(Curve(f"{self.agent} (seed {self.seed})", "episode", "return", series, None))
        tail = ", ".join(f"{x:.2f}" for x in mean_curve[-5 * window :: window])
        assert self.passes(value), (
            f"{self.describe_run()}: {value:.2f} ({round(value * self.runs)} of {self.runs}), needed ≥ {self.low:g}; "
            f"success rate of each run {np.round(rates, 2).tolist()}; training return (mean over runs, moving "
            f"average) near the end: {tail}; budget {steps} env steps in all, seed {self.seed}; {hint}"
        )
        return value
