"""Learning checks of hw08's model-based agents (design P3, P4, P9): Dyna-Q on the kit's Dyna maze, a learned
Pendulum model with CEM-MPC, and UCT search at tic-tac-toe.

* :class:`DynaSpec` trains ``DynaQAgent`` with several numbers of planning steps n through hw02's tabular loop,
  run in the grader's own process, not beside the agent: the steps it counts per episode are the verdict (the loops
  beside an agent only train). Every run of every n steps in lockstep (:func:`train_dyna_lockstep`), so that
  sandboxed one message per step carries the ``act`` and ``update`` calls of all of them (≈ 15k steps per check,
  ≈ 4k messages). The agent only answers ``act`` and ``update``. The value
  is the sample-efficiency ratio of Sutton & Barto's Figure 8.2: mean steps per early episode with fewer planning
  steps divided by those with more, the smaller of the two ratios (n = 0 / n = 5 and n = 5 / n = 50).
* :class:`MPCSpec` collects random-action Pendulum-v1 transitions in the grader, has the submission fit its model on
  them (``MPCAgent.for_pendulum``), then either measures the model's one-step error on held-out transitions the
  grader collected with other seeds, or evaluates the MPC agent on fixed-seed episodes in the grader's own loop
  (:func:`grader.harness.deep_control.evaluate`).
* :class:`SearchSpec` plays ``uct_search`` against an opponent inside the kit's TicTacToe-v0 env (random, or the
  grader's perfect player :func:`grader.oracles.tictactoe.perfect_opponent`); the grader steps the games in
  lockstep, calls the search once per move of every running game in one message, and counts losses. The budget is
  the number of simulations per move, never time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import call_all, seed_global_rngs_of
from grader.harness.curves import Curve, record
from grader.harness.deep_control import evaluate
from grader.harness.envs import make_env
from grader.harness.validate import as_float_array, as_int

DYNA_MAZE = "grader.harness.dyna_maze:DynaMaze-v0"
TICTACTOE = "grader.harness.tictactoe:TicTacToe-v0"
PENDULUM = "Pendulum-v1"


PERFECT_PLAYER = "grader.oracles.tictactoe:perfect_opponent"


def named_function(name: str) -> Callable[..., Any]:
    """The function ``"module:function"`` names (imported only when a check asks for it)."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def spawn_seeds(seed: int, n: int) -> list[int]:
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n)]


@dataclass(frozen=True)
class DynaSpec:
    """Dyna-Q with ``planning`` = (n_0 < n_1 < n_2) planning steps, ``runs`` training runs each (the same run seeds
    for every n), ``episodes`` episodes per run at constant ε. Measured per n: the mean length of episodes 2 …
    ``episodes`` over the runs (episode 1 is a random walk to the goal for every n). Value: min over consecutive
    pairs of mean length(n_i) / mean length(n_{i+1}); passes when ``>= low``."""

    check: str
    seed: int
    low: float
    planning: tuple[int, ...] = (0, 5, 50)
    episodes: int = 5
    runs: int = 5
    alpha: float = 0.1
    gamma: float = 0.95
    epsilon: float = 0.1
    module: str = "dyna"
    agent: str = "DynaQAgent"
    max_train_steps: int = 30_000

    def with_seed(self, seed: int) -> DynaSpec:
        return replace(self, seed=seed)

    def lengths(self, agent_cls: Callable[..., Any]) -> dict[int, np.ndarray]:
        """Per n, the episode lengths of every run ``(runs, episodes)`` as counted by the grader's loop."""
        agents, env_seeds = [], []
        for n in self.planning:
            for run_seed in spawn_seeds(self.seed, self.runs):
                agent_seq, env_seq = np.random.SeedSequence(run_seed).spawn(2)
                agents.append(
                    agent_cls(
                        54,
                        4,
                        self.alpha,
                        self.gamma,
                        self.epsilon,
                        planning_steps=n,
                        rng=np.random.default_rng(agent_seq),
                    )
                )
                env_seeds.append(int(env_seq.generate_state(1)[0]))
        # in the grader's process: the lengths are the verdict, so they must not come from a loop the submission's
        # process could patch; every run in lockstep, so that sandboxed one message per step carries all their calls
        lengths = train_dyna_lockstep(agents, env_seeds, self.episodes, self.epsilon, self.max_train_steps)
        return {n: lengths[k * self.runs : (k + 1) * self.runs] for k, n in enumerate(self.planning)}

    def value_of(self, lengths: dict[int, np.ndarray]) -> float:
        means = [float(lengths[n][:, 1:].mean()) for n in self.planning]
        return min(a / b for a, b in zip(means, means[1:], strict=False))

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        lengths = self.lengths(agent_cls)
        return Measurement(self.value_of(lengths), int(sum(v.sum() for v in lengths.values())))

    def passes(self, value: float) -> bool:
        return value >= self.low

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, None

    def need(self) -> str:
        return f"≥ {self.low:g}"

    def describe_run(self) -> str:
        return (
            f"{self.agent}(α={self.alpha:g}, γ={self.gamma:g}, ε={self.epsilon:g}, n ∈ {list(self.planning)}) on the "
            f"Dyna maze, {self.runs} runs × {self.episodes} episodes per n; smallest ratio of the mean length of "
            "episodes 2+ between consecutive n"
        )

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        lengths = self.lengths(agent_cls)
        value = self.value_of(lengths)
        episodes = list(range(1, self.episodes + 1))
        series = {f"n = {n}": (episodes, lengths[n].mean(axis=0).tolist()) for n in self.planning}
        record(Curve(f"Dyna-Q on the Dyna maze (seed {self.seed})", "episode", "steps per episode", series, None))
        table = "; ".join(
            f"n = {n}: {np.round(lengths[n].mean(axis=0), 1).tolist()} (mean of episodes 2+ "
            f"{lengths[n][:, 1:].mean():.1f})"
            for n in self.planning
        )
        assert self.passes(value), (
            f"{self.describe_run()}: mean steps per episode over the runs, counted by the grader's loop: {table}; "
            f"smallest ratio {value:.2f}, needed {self.need()} (more planning steps must shorten the early episodes, "
            f"Sutton & Barto Fig. 8.2), seed {self.seed}. {hint}"
        )
        return value


def train_dyna_lockstep(
    agents: list[Any], env_seeds: list[int], episodes: int, epsilon: float, max_train_steps: int
) -> np.ndarray:
    """Train tabular TD agents (hw08's ``DynaQAgent``) on the Dyna maze, one env each (reset with its seed at the
    first episode), ``episodes`` episodes at constant ``epsilon``: hw02's control loop
    (:func:`grader.harness.loops.train_td`) for every agent, stepped together. Each agent gets exactly that loop's
    calls in that loop's order (``agent.epsilon = epsilon`` and ``a = act(s)`` at an episode's start; per step
    ``a' = act(s')`` unless terminated, then ``update(s, a, r, s', terminated, truncated, next_action=a')``); the
    calls of all agents for one step go in one :func:`call_all`. Returns the env steps of every episode, counted
    here, ``(agents, episodes)`` float64. Fails once an agent's episodes use more than ``max_train_steps`` steps."""
    n = len(agents)
    what = f"{type(agents[0]).__name__}.act() return value"
    acts, updates = [agent.act for agent in agents], [agent.update for agent in agents]  # fetched once
    envs = [make_env(DYNA_MAZE) for _ in agents]
    n_actions = int(envs[0].action_space.n)
    lengths = np.zeros((n, episodes), dtype=np.int64)
    finished = [0] * n  # episodes done, per agent
    states, actions = [0] * n, [0] * n
    pending: list[tuple | None] = [None] * n  # an update that waits for the agent's next action

    def begin(ids: list[int]) -> None:
        for i in ids:
            agents[i].epsilon = epsilon
            states[i] = int(envs[i].reset(seed=env_seeds[i] if finished[i] == 0 else None)[0])
        for i, a in zip(ids, call_all([(acts[i], (states[i],)) for i in ids]), strict=True):
            actions[i] = as_int(a, what, 0, n_actions)

    running = list(range(n))
    begin(running)
    while running:
        calls: list[tuple] = []
        acting, ended = [], []
        for i in running:
            s2, r, terminal, truncated, _ = envs[i].step(actions[i])
            s2, terminal, truncated = int(s2), bool(terminal), bool(truncated)
            lengths[i, finished[i]] += 1
            if pending[i] is not None:
                calls.append((updates[i], pending[i], {"next_action": actions[i]}))
            pending[i] = (states[i], actions[i], float(r), s2, terminal, truncated)
            states[i] = s2
            if terminal:
                calls.append((updates[i], pending[i], {"next_action": None}))
                pending[i] = None
            else:
                acting.append((i, len(calls)))
                calls.append((acts[i], (s2,)))
            if terminal or truncated:
                ended.append(i)
        results = call_all(calls)
        for i, k in acting:
            actions[i] = as_int(results[k], what, 0, n_actions)
        flush = [(updates[i], pending[i], {"next_action": actions[i]}) for i in ended if pending[i] is not None]
        if flush:  # truncated episodes: their last update, before the next episode's ε and act
            call_all(flush)
        for i in ended:
            pending[i] = None
            finished[i] += 1
            if lengths[i].sum() > max_train_steps:
                raise AssertionError(
                    f"{type(agents[i]).__name__} on the Dyna maze: training used more than {max_train_steps} env "
                    f"steps in its first {finished[i]} of {episodes} episodes; a correct agent needs far fewer: its "
                    "episodes got longer instead of shorter. The exact checks of the agent's update and act() say "
                    "which part differs"
                )
        begin([i for i in ended if finished[i] < episodes])
        running = [i for i in running if finished[i] < episodes]
    for env in envs:
        env.close()
    return lengths.astype(np.float64)


def pendulum_transitions(n: int, seed: int, episode_length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` transitions (s, a, s') of uniformly random torques on Pendulum-v1, a fresh episode (from a seeded
    reset) every ``episode_length`` steps; float64 arrays ``(n, 3)``, ``(n, 1)``, ``(n, 3)``."""
    env = make_env(PENDULUM)
    rng = np.random.default_rng(seed)
    obs, actions, next_obs = [], [], []
    state = None
    for t in range(n):
        if t % episode_length == 0:
            state, _ = env.reset(seed=int(rng.integers(2**31)))
        action = rng.uniform(-2.0, 2.0, size=1).astype(np.float32)
        following, _, _, _, _ = env.step(action)
        obs.append(state)
        actions.append(action)
        next_obs.append(following)
        state = following
    env.close()
    return tuple(np.array(x, dtype=np.float64) for x in (obs, actions, next_obs))  # type: ignore[return-value]


@dataclass(frozen=True)
class MPCSpec:
    """Fit the submission's dynamics model on ``transitions`` random Pendulum transitions, then measure either
    ``metric = "one_step_mse"`` (mean squared error of ``model.predict`` over the coordinates of 2000 held-out
    transitions, passes when ``<= high``) or ``metric = "mpc_return"`` (mean return of the MPC agent over
    ``eval_episodes`` fixed-seed episodes, passes when ``>= low``)."""

    check: str
    seed: int
    metric: str
    low: float | None = None
    high: float | None = None
    transitions: int = 3000
    episode_length: int = 50
    epochs: int = 30
    hparams: dict[str, Any] = field(default_factory=dict)  # planner: horizon, population, n_elites, iterations
    eval_episodes: int = 3
    held_out: int = 2000
    module: str = "mpc"
    agent: str = "MPCAgent"

    def with_seed(self, seed: int) -> MPCSpec:
        return replace(self, seed=seed)

    def run(self, agent_cls: Any) -> tuple[float, float]:
        """(value, the baseline: the error of predicting s' = s, or nothing for the return)."""
        data_seed, agent_seed, test_seed, eval_seed = spawn_seeds(self.seed, 4)
        obs, actions, next_obs = pendulum_transitions(self.transitions, data_seed, self.episode_length)
        seed_global_rngs_of(agent_cls, agent_seed)
        agent = agent_cls.for_pendulum(obs, actions, next_obs, epochs=self.epochs, seed=agent_seed, **self.hparams)
        if self.metric == "one_step_mse":
            t_obs, t_actions, t_next = pendulum_transitions(self.held_out, test_seed, self.episode_length)
            predicted = as_float_array(
                agent.model.predict(t_obs, t_actions), "model.predict(obs, actions)", t_next.shape
            )
            return float(np.mean((predicted - t_next) ** 2)), float(np.mean((t_obs - t_next) ** 2))
        seeds = np.random.default_rng(eval_seed).integers(2**31, size=self.eval_episodes).tolist()
        return float(np.mean(evaluate(agent, PENDULUM, {}, seeds))), float("nan")

    def measure(self, agent_cls: Any) -> Measurement:
        return Measurement(self.run(agent_cls)[0], self.transitions)

    def passes(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def bounds(self) -> tuple[float | None, float | None]:
        return self.low, self.high

    def need(self) -> str:
        return f"≥ {self.low:g}" if self.low is not None else f"≤ {self.high:g}"

    def describe_run(self) -> str:
        what = (
            f"one-step mean squared error on {self.held_out} held-out transitions"
            if self.metric == "one_step_mse"
            else f"CEM-MPC {self.hparams} mean return over {self.eval_episodes} episodes"
        )
        return (
            f"DynamicsModel fitted on {self.transitions} random Pendulum-v1 transitions ({self.epochs} epochs): {what}"
        )

    def assert_learns(self, agent_cls: Any, hint: str) -> float:
        value, baseline = self.run(agent_cls)
        extra = f" (predicting s' = s gives {baseline:.4f})" if self.metric == "one_step_mse" else ""
        assert self.passes(value), (
            f"{self.describe_run()}: {value:.4f}{extra}, needed {self.need()}, seed {self.seed}. {hint}"
        )
        return value


@dataclass(frozen=True)
class SearchSpec:
    """``games`` games of ``uct_search`` (``simulations`` per move, exploration ``c``) against ``opponent``
    ("random", or a player named ``"module:function"``: the hidden checks name the course-only
    :data:`PERFECT_PLAYER`, which the released grader does not hold), playing X in the even games and O in the odd
    ones. Value: the number of games lost
    (an illegal move loses); passes when ``<= high``."""

    check: str
    seed: int
    opponent: str
    games: int
    simulations: int
    c: float = 1.4
    high: float = 0
    module: str = "mcts"
    agent: str = "uct_search"

    def with_seed(self, seed: int) -> SearchSpec:
        return replace(self, seed=seed)

    @staticmethod
    def move_rng(game_seed: int, move: int) -> np.random.Generator:
        """A fresh generator for every move (a sandboxed call would advance only a copy of a shared one)."""
        return np.random.default_rng([game_seed, move])

    def results(self, search: Callable[..., Any]) -> list[float]:
        """The agent's reward of every game: +1 won, 0 drawn, −1 lost."""
        opponent = None if self.opponent == "random" else named_function(self.opponent)
        env_seeds = spawn_seeds(self.seed, self.games)
        envs = [make_env(TICTACTOE, agent_mark=1 + g % 2, opponent=opponent) for g in range(self.games)]
        boards = [env.reset(seed=s)[0] for env, s in zip(envs, env_seeds, strict=True)]
        moves_made = [0] * self.games
        results = [0.0] * self.games
        running = list(range(self.games))
        while running:
            calls = [
                (
                    search,
                    (
                        tuple(int(x) for x in boards[g]),
                        self.simulations,
                        self.c,
                        self.move_rng(env_seeds[g], moves_made[g]),
                    ),
                )
                for g in running
            ]
            moves = call_all(calls)
            still = []
            for g, move in zip(running, moves, strict=True):
                cell = as_int(move, "uct_search(...) return value", 0, 9)
                moves_made[g] += 1
                boards[g], reward, terminated, truncated, _ = envs[g].step(cell)
                if terminated or truncated:
                    results[g] = float(reward)
                else:
                    still.append(g)
            running = still
        return results

    def measure(self, search: Callable[..., Any]) -> Measurement:
        return Measurement(float(sum(r < 0 for r in self.results(search))), self.games * self.simulations)

    def passes(self, value: float) -> bool:
        return value <= self.high

    def bounds(self) -> tuple[float | None, float | None]:
        return None, self.high

    def need(self) -> str:
        return f"≤ {self.high:g} losses"

    def describe_run(self) -> str:
        who = "perfect" if self.opponent == PERFECT_PLAYER else self.opponent
        return (
            f"uct_search({self.simulations} simulations per move, c={self.c:g}) against the {who} player "
            f"on TicTacToe-v0, {self.games} games (X in half, O in half)"
        )

    def assert_learns(self, search: Callable[..., Any], hint: str) -> list[float]:
        results = self.results(search)
        wins, draws, losses = (sum(r > 0 for r in results), sum(r == 0 for r in results), sum(r < 0 for r in results))
        lost = [g for g, r in enumerate(results) if r < 0]
        assert self.passes(losses), (
            f"{self.describe_run()}: {wins} won, {draws} drawn, {losses} lost (games {lost}; even games as X), "
            f"needed {self.need()}, seed {self.seed}. {hint}"
        )
        return results
