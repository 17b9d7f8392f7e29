"""Hidden checks of hw01 part 1: the grid world on other layouts, rewards, slip values and seeds."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.envs import checked_reset
from grader.harness.gridworld import (
    GridModel,
    as_position,
    assert_value_error,
    check_all_moves,
    check_path_to_goal,
    check_slip_frequency,
    count_slips,
    describe_cell,
    trajectory,
)
from grader.oracles.gridworld import grid_moves

ENCLOSED = (  # S has walls above, left and below: only RIGHT leaves it
    ".#...",
    "#S..G",
    ".#...",
)
CORRIDOR = ("..S...G",)  # one row: UP and DOWN always hit the edge
COLUMN = ("G", ".", "S", "#", ".")  # one column: LEFT and RIGHT always hit the edge
NEXT_TO_GOAL = (
    "SG",
    "..",
)
PILLAR = (
    "G..",
    "#.#",
    "...",
    ".S.",
)
OPEN = (
    ".....",
    ".....",
    "..S..",
    ".....",
    "....G",
)
LAYOUTS = (ENCLOSED, CORRIDOR, COLUMN, NEXT_TO_GOAL, PILLAR)


@pytest.mark.points(2)
@pytest.mark.timeout(15)
def test_hidden_moves_other_layouts(impl):
    """Moves, walls and edges with slip=0 on five other layouts (a corridor, a column, an enclosed start, ...)"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    for layout in LAYOUTS:
        check_all_moves(GridWorldEnv(layout=layout, slip=0.0), GridModel(layout, grid_moves(layout)))


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_reset_other_layouts(impl):
    """reset() returns the index of S and info['position'] on other layouts"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    for layout in LAYOUTS:
        model = GridModel(layout, grid_moves(layout))
        env = GridWorldEnv(layout=layout)
        n_obs = int(env.observation_space.n)
        assert n_obs == model.rows * model.cols, (
            f"observation_space must be Discrete({model.rows * model.cols}) for layout {layout}, got Discrete({n_obs})"
        )
        obs, info = checked_reset(env, n_obs, seed=11)
        assert obs == model.index(model.start), (
            f"reset() must return {model.index(model.start)} (row * cols + col of S {describe_cell(model.start)}) "
            f"for layout {layout}, got {obs}"
        )
        position = as_position(info, "the info returned by reset()", model.rows, model.cols)
        assert position == model.start, f"reset()'s info['position'] must be {model.start}, got {position}"


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_goal_other_rewards(impl):
    """Other step_reward / goal_reward values, including a goal next to the start"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    for layout, step_reward, goal_reward in (
        (NEXT_TO_GOAL, -0.5, 3.5),
        (CORRIDOR, 0.0, 1.0),
        (ENCLOSED, -2.0, 0.0),
        (PILLAR, 0.25, 7.0),
        (COLUMN, -1.0, -5.0),
    ):
        env = GridWorldEnv(layout=layout, slip=0.0, step_reward=step_reward, goal_reward=goal_reward)
        check_path_to_goal(env, GridModel(layout, grid_moves(layout)), step_reward, goal_reward)


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_hidden_slip_other_values(impl):
    """slip=0.1 and slip=0.6 slip at the right rate; slip=0 never slips"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = GridModel(OPEN, grid_moves(OPEN))
    check_slip_frequency(GridWorldEnv(layout=OPEN, slip=0.1), model, 0.1, 10_000, seed=21, action_seed=210)
    check_slip_frequency(GridWorldEnv(layout=OPEN, slip=0.6), model, 0.6, 4000, seed=22, action_seed=220)
    counts = count_slips(GridWorldEnv(layout=OPEN, slip=0.0), model, 1000, seed=23, action_seed=230)
    assert counts["intended"] == 1000, f"with slip=0 every move must go where the action says, got {counts}"


@pytest.mark.points(1)
@pytest.mark.timeout(15)
def test_hidden_seed_reproducible(impl):
    """Resetting the same env with the same seed replays the episode; other seeds differ"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = GridModel(PILLAR, grid_moves(PILLAR))
    n_obs = model.rows * model.cols
    actions = [int(a) for a in np.random.default_rng(99).integers(4, size=150)]
    env = GridWorldEnv(layout=PILLAR, slip=0.2)
    first = trajectory(env, n_obs, 1234, actions)
    checked_reset(env, n_obs, seed=99)  # spend some of the generator between the two runs
    again = trajectory(env, n_obs, 1234, actions)
    assert first == again, (
        "the same env reset twice with seed=1234 and given the same 150 actions produced different "
        "trajectories: reset(seed=...) must reseed self.np_random via super().reset(seed=seed)"
    )
    other = trajectory(GridWorldEnv(layout=PILLAR, slip=0.2), n_obs, 4321, actions)
    assert other != first, "seeds 1234 and 4321 gave the same 150-step trajectory with slip=0.2"


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_invalid_arguments(impl):
    """Two starts, two goals, unknown characters, an empty layout or slip outside [0, 1] raise ValueError"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    for kwargs, problem in (
        ({"layout": ("S.S", "..G")}, "two 'S'"),
        ({"layout": ("SG.", "..G")}, "two 'G'"),
        ({"layout": ("S.x", "..G")}, "the character 'x' is not one of S G # ."),
        ({"layout": ()}, "no rows"),
        ({"layout": ("S.G",), "slip": 1.5}, "slip is not in [0, 1]"),
        ({"layout": ("S.G",), "slip": -0.1}, "slip is not in [0, 1]"),
        ({"layout": ("S.G",), "render_mode": "human"}, "render_mode must be None or 'ansi'"),
    ):
        call = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        assert_value_error(lambda kwargs=kwargs: GridWorldEnv(**kwargs), call, problem)
