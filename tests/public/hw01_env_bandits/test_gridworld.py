"""Public checks of hw01 part 1: the grid world environment (gridworld.py)."""

from __future__ import annotations

import re
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from grader.golden import expected
from grader.harness.envs import checked_reset, checked_step
from grader.harness.gridworld import (
    ACTION_NAMES,
    GridModel,
    as_position,
    assert_value_error,
    check_all_moves,
    check_path_to_goal,
    check_slip_frequency,
    describe_cell,
    trajectory,
)
from grader.harness.validate import as_int

ENV_ID = "rlcourse/GridWorld-v0"
UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3

MAZE = (
    "S.#...",
    ".##.#.",
    "...#G.",
    ".#....",
)
OFFSET_START = (
    "#....",
    "..#S.",
    "G....",
)
OPEN = (
    ".....",
    ".....",
    "..S..",
    ".....",
    "G....",
)
LAYOUTS = {"MAZE": MAZE, "OFFSET_START": OFFSET_START, "OPEN": OPEN}


def model_of(layout: tuple[str, ...]) -> GridModel:
    """The grid world of one of LAYOUTS, with its moves from expected.json."""
    name = next(name for name, known in LAYOUTS.items() if known == layout)
    return GridModel(layout, expected(__file__, "moves")[name])


# check_env warns about this for any env built without gym.make; it says nothing about the env.
BENIGN_WARNINGS = ("Not able to test alternative render modes due to the environment not having a spec",)


def _discrete_n(space: object, what: str) -> int:
    assert isinstance(space, gym.spaces.Discrete), f"{what} must be gymnasium.spaces.Discrete, got {space!r}"
    assert int(space.start) == 0, f"{what} must start at 0, got start={space.start}"
    return int(space.n)


@pytest.mark.points(2)
@pytest.mark.timeout(15)
def test_check_env(impl):
    """Gymnasium's check_env accepts GridWorldEnv without errors or warnings"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    env = GridWorldEnv()  # render() has its own check, so check_env does not call it here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_env(env)
        except AssertionError as exc:
            raise AssertionError(f"gymnasium.utils.env_checker.check_env(GridWorldEnv()) failed: {exc}") from None
    texts = [re.sub(r"\x1b\[[0-9;]*m", "", str(w.message)) for w in caught]
    problems = [t for t in texts if t.startswith("WARN:") and not any(b in t for b in BENIGN_WARNINGS)]
    assert not problems, f"check_env passed but warned: {problems[0]}" + (
        f" (and {len(problems) - 1} more warnings)" if len(problems) > 1 else ""
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_spaces(impl):
    """observation_space is Discrete(rows*cols) and action_space is Discrete(4)"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    default = impl.attr("gridworld", "DEFAULT_LAYOUT")
    for layout in (MAZE, OFFSET_START, ("SG",), tuple(default)):
        env = GridWorldEnv(layout=layout)
        rows, cols = len(layout), len(layout[0])
        n_obs = _discrete_n(env.observation_space, "observation_space")
        assert n_obs == rows * cols, (
            f"for a layout of {rows} rows and {cols} columns observation_space must be Discrete({rows * cols}), "
            f"got Discrete({n_obs}); layout {layout}"
        )
        n_actions = _discrete_n(env.action_space, "action_space")
        assert n_actions == 4, f"action_space must be Discrete(4) (up, right, down, left), got Discrete({n_actions})"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_reset_start_and_info(impl):
    """reset() returns the index of S and info['position'], the same for the same seed"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    for layout in (OFFSET_START, MAZE):
        model = model_of(layout)
        env = GridWorldEnv(layout=layout, slip=0.0)
        n_obs = model.rows * model.cols
        first = checked_reset(env, n_obs, seed=3)
        expected = model.index(model.start)
        assert first[0] == expected, (
            f"reset() must return the index row * cols + col of S {describe_cell(model.start)}, i.e. "
            f"{model.start[0]} * {model.cols} + {model.start[1]} = {expected}, got {first[0]}; layout {layout}"
        )
        position = as_position(first[1], "the info returned by reset()", model.rows, model.cols)
        assert position == model.start, f"reset()'s info['position'] must be {model.start}, got {position}"
        for action in model.path(model.start, model.goal)[:2]:
            checked_step(env, action, n_obs)
        again = checked_reset(env, n_obs, seed=3)
        again_position = as_position(again[1], "the info returned by reset()", model.rows, model.cols)
        assert (again[0], again_position) == (expected, model.start), (
            f"after two steps, reset(seed=3) must put the agent back on S: expected observation {expected} and "
            f"position {model.start}, got {again[0]} and {again_position}"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(15)
def test_moves_walls_and_edges(impl):
    """With slip=0 every action moves one cell; walls and the grid's edge leave the agent in place"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = model_of(MAZE)
    check_all_moves(GridWorldEnv(layout=MAZE, slip=0.0), model)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_goal_reward_and_termination(impl):
    """Default rewards: -1.0 per step, 10.0 on the step that enters G, which terminates"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = model_of(MAZE)
    env = GridWorldEnv(layout=MAZE, slip=0.0)
    check_path_to_goal(env, model, step_reward=-1.0, goal_reward=10.0)


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_step_reward_and_no_self_truncation(impl):
    """step_reward is given on every step away from G, and the env never sets truncated by itself"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = model_of(MAZE)
    env = GridWorldEnv(layout=MAZE, slip=0.0, step_reward=-0.25, goal_reward=2.0)
    checked_reset(env, model.rows * model.cols, seed=0)
    for t in range(1, 121):
        action = UP if t % 2 else LEFT  # S is in the top-left corner: both moves bump into the edge
        step = checked_step(env, action, model.rows * model.cols)
        assert step.obs == model.index(model.start), (
            f"action {ACTION_NAMES[action]} from S {describe_cell(model.start)} (top-left corner) must leave "
            f"the agent in place, got observation {step.obs}"
        )
        assert step.reward == -0.25, f"step {t} must give step_reward=-0.25 (set in the constructor), got {step.reward}"
        assert (step.terminated, step.truncated) == (False, False), (
            f"step {t} (agent still on S) returned terminated={step.terminated}, truncated={step.truncated}; "
            "both must stay False: the env has no time limit of its own (TimeLimit adds it)"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(15)
def test_registered_time_limit(impl):
    """gym.make('rlcourse/GridWorld-v0') builds your class and truncates at step 50"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    register_env = impl.attr("gridworld", "register_env")
    gym.registry.pop(ENV_ID, None)
    try:
        register_env()
        register_env()
        spec = impl.registered_env(ENV_ID)
        assert spec is not None, f"after register_env() the id {ENV_ID!r} must be in gymnasium's registry"
        assert spec["entry_point"] is GridWorldEnv, (
            f"gym.make({ENV_ID!r}) must build your GridWorldEnv: register with entry_point=GridWorldEnv (the class "
            f"itself), got entry_point={spec['entry_point']!r}"
        )
        env = GridWorldEnv(layout=MAZE, slip=0.0)  # what gym.make(ENV_ID, layout=MAZE, slip=0.0) builds ...
        if spec["max_episode_steps"] is not None:  # ... wrapped in the grader's own TimeLimit
            steps = as_int(spec["max_episode_steps"], f"max_episode_steps of {ENV_ID!r}", 1, 10**6)
            env = gym.wrappers.TimeLimit(env, max_episode_steps=steps)
        model = model_of(MAZE)
        checked_reset(env, model.rows * model.cols, seed=0)
        for t in range(1, 51):
            step = checked_step(env, UP, model.rows * model.cols)  # bumps into the top edge: never reaches G
            assert step.terminated is False, (
                f"step {t}: terminated must stay False while the agent is not on G (a time limit is not a "
                "terminal state), got True"
            )
            assert step.truncated is (t == 50), (
                f"with max_episode_steps=50, truncated must be {t == 50} on step {t}, got {step.truncated}; "
                "pass max_episode_steps=MAX_EPISODE_STEPS to gym.register"
            )
    finally:
        gym.registry.pop(ENV_ID, None)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_slip_frequency(impl):
    """slip=0.3: about 30% of moves go sideways, half to each side, never backwards"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    check_slip_frequency(GridWorldEnv(layout=OPEN, slip=0.3), model_of(OPEN), 0.3, 10_000, seed=5, action_seed=50)


@pytest.mark.points(2)
@pytest.mark.timeout(15)
def test_seed_determinism(impl):
    """Same seed and actions give the same trajectory; different seeds give different ones"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = model_of(MAZE)
    actions = [int(a) for a in np.random.default_rng(2024).integers(4, size=200)]
    n_obs = model.rows * model.cols
    first = trajectory(GridWorldEnv(layout=MAZE, slip=0.3), n_obs, 7, actions)
    second = trajectory(GridWorldEnv(layout=MAZE, slip=0.3), n_obs, 7, actions)
    differ = next((t for t, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), None)
    assert differ is None and len(first) == len(second), (
        f"two new envs (slip=0.3) reset with seed=7 and given the same 200 actions diverged at entry {differ}: "
        f"{first[differ] if differ is not None else ''} vs {second[differ] if differ is not None else ''} "
        "(obs, reward, terminated). Draw every random number from self.np_random, which "
        "super().reset(seed=seed) seeds, not from np.random, random, or a generator of your own"
    )
    other = trajectory(GridWorldEnv(layout=MAZE, slip=0.3), n_obs, 8, actions)
    assert other != first, (
        "seeds 7 and 8 gave the same 200-step trajectory with slip=0.3: the slips ignore the seed; call "
        "super().reset(seed=seed) in reset and draw from self.np_random"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_render_ansi(impl):
    """render() with render_mode='ansi' returns the layout with the agent shown as 'A'"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    model = model_of(MAZE)
    env = GridWorldEnv(layout=MAZE, slip=0.0, render_mode="ansi")
    checked_reset(env, model.rows * model.cols, seed=0)
    here = model.start
    for action in (None, DOWN, DOWN, RIGHT, UP):
        if action is not None:
            checked_step(env, action, model.rows * model.cols)
            here = model.move(here, action)
        text = env.render()
        assert type(text) is str, f"render() with render_mode='ansi' must return a str, got {type(text).__name__}"
        expected = model.render(here)
        assert text.splitlines() == expected, (
            f"with the agent on {describe_cell(here)} render() must return the lines {expected} "
            f"(the layout, the agent's cell shown as 'A'), got {text.splitlines()}"
        )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_invalid_layout(impl):
    """A layout without G or with rows of different lengths raises ValueError"""
    GridWorldEnv = impl.attr("gridworld", "GridWorldEnv")
    for layout, problem in ((("S..", "..."), "has no 'G'"), (("S...", "..G"), "has rows of lengths 4 and 3")):
        assert_value_error(lambda layout=layout: GridWorldEnv(layout=layout), f"layout={layout}", problem)
