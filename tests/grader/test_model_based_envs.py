"""The kit's envs of hw08 (Dyna maze, tic-tac-toe), the grader's perfect tic-tac-toe player, and the lockstep loop
that trains hw08's Dyna-Q agents."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from gymnasium.utils.env_checker import check_env
from helpers import COURSE_ROOT

from grader.harness.dyna_maze import GOAL, SHORTEST_PATH, START, cell_index
from grader.harness.envs import make_env
from grader.harness.loops import train_td
from grader.harness.model_based import DYNA_MAZE, TICTACTOE, train_dyna_lockstep
from grader.harness.tictactoe import random_opponent
from grader.impl import Implementation
from grader.oracles.tictactoe import minimax_value, perfect_opponent


def test_envs_pass_check_env() -> None:
    check_env(make_env(DYNA_MAZE).unwrapped)
    check_env(make_env(TICTACTOE).unwrapped)
    check_env(make_env(TICTACTOE, agent_mark=2, opponent=perfect_opponent).unwrapped)


def test_dyna_maze_shortest_path_is_14() -> None:
    """Breadth-first search over the env's own step function (deterministic) finds Sutton & Barto's 14 steps."""
    env = make_env(DYNA_MAZE).unwrapped
    start, goal = cell_index(*START), cell_index(*GOAL)
    dist, queue = {start: 0}, deque([start])
    while queue:
        s = queue.popleft()
        for a in range(4):
            env._cell = divmod(s, 9)
            s2, r, terminated, _, _ = env.step(a)
            assert r == (1.0 if s2 == goal else 0.0) and terminated == (s2 == goal)
            if s2 not in dist:
                dist[s2] = dist[s] + 1
                queue.append(s2)
    assert dist[goal] == SHORTEST_PATH == 14
    assert len(dist) == 54 - 7  # every open cell is reachable


def test_tictactoe_seeded_and_perfect_play() -> None:
    assert minimax_value((0,) * 9) == 0  # tic-tac-toe is a draw
    results = []
    for seed in range(40):
        env = make_env(TICTACTOE, agent_mark=1 + seed % 2, opponent=perfect_opponent)
        obs, _ = env.reset(seed=seed)
        rng, done, reward = np.random.default_rng(seed), False, 0.0
        while not done:
            obs, reward, done, _, _ = env.step(random_opponent(tuple(int(x) for x in obs), rng))
        results.append(reward)
    assert max(results) <= 0 and min(results) < 0  # the perfect player never loses and beats a random one
    a, b = make_env(TICTACTOE), make_env(TICTACTOE)
    obs_a, obs_b = a.reset(seed=3)[0], b.reset(seed=3)[0]
    for cell in (4, 0, 8, 2, 6):
        if obs_a[cell] == 0:
            obs_a, ra, da, _, _ = a.step(cell)
            obs_b, rb, db, _, _ = b.step(cell)
            assert np.array_equal(obs_a, obs_b) and ra == rb and da == db
            if da:
                break
    env = make_env(TICTACTOE, agent_mark=2)
    obs, _ = env.reset(seed=0)
    occupied = int(np.flatnonzero(obs)[0])  # the opponent opened there
    _, reward, terminated, _, info = env.step(occupied)
    assert reward == -1.0 and terminated and info["illegal"]


class Recorder:
    """A Dyna-Q agent that logs every call it gets and every ε it is given; ``stuck`` always moves up (never reaches
    the goal: its episodes end truncated at the maze's 5000 steps)."""

    def __init__(self, agent: Any, stuck: bool = False) -> None:
        self.agent, self.stuck, self.log = agent, stuck, []

    @property
    def epsilon(self) -> float:
        return self.agent.epsilon

    @epsilon.setter
    def epsilon(self, value: float) -> None:
        self.log.append(("epsilon", value))
        self.agent.epsilon = value

    def act(self, s: int) -> int:
        a = 0 if self.stuck else self.agent.act(s)
        self.log.append(("act", s, a))
        return a

    def update(self, *transition: Any, next_action: int | None) -> None:
        self.log.append(("update", *transition, next_action))
        self.agent.update(*transition, next_action=next_action)


def test_the_lockstep_loop_gives_each_agent_the_tabular_loop_alone() -> None:
    """hw08's Dyna check steps all its agents together (one sandbox message per step): each agent must get exactly
    the calls, in the order, that hw02's loop run for it alone gives — terminated and truncated episodes alike —
    and the episode lengths must add up to that loop's env steps."""
    dyna = Implementation(root=COURSE_ROOT / "solutions", assignment="hw08_model_based").attr("dyna", "DynaQAgent")
    plan = [(0, 1, False), (5, 2, False), (50, 3, False), (0, 4, True)]  # planning steps, seed, stuck

    def agents() -> list[Recorder]:
        return [
            Recorder(dyna(54, 4, 0.1, 0.95, 0.1, planning_steps=n, rng=np.random.default_rng(s)), k) for n, s, k in plan
        ]

    together, env_seeds = agents(), [11, 12, 13, 14]
    lengths = train_dyna_lockstep(together, env_seeds, 3, 0.1, 30_000)
    assert lengths[3].tolist() == [5000.0] * 3, lengths[3]
    for alone, agent, env_seed, row in zip(agents(), together, env_seeds, lengths, strict=True):
        total, _ = train_td(alone, DYNA_MAZE, {}, 3, (0.1, 0.1, 0), env_seed, None, 30_000)
        assert agent.log == alone.log
        assert row.sum() == total
