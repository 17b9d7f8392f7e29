"""The kit's envs of hw08 (Dyna maze, tic-tac-toe) and the grader's perfect tic-tac-toe player."""

from __future__ import annotations

from collections import deque

import numpy as np
from gymnasium.utils.env_checker import check_env

from grader.harness.dyna_maze import GOAL, SHORTEST_PATH, START, cell_index
from grader.harness.envs import make_env
from grader.harness.model_based import DYNA_MAZE, TICTACTOE
from grader.harness.tictactoe import random_opponent
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
