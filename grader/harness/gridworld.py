"""hw01's grid world as the checks see it (:class:`GridModel`: a layout and its moves as data, paths found by
search), and the checks that compare an env under test with it: every move (:func:`check_all_moves`), a
shortest path to the goal, slip frequencies, seeds. The move rule itself is the course-only
:func:`grader.oracles.gridworld.grid_moves`."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grader.harness.calls import beside
from grader.harness.envs import checked_reset, checked_step
from grader.harness.loops import scripted_steps
from grader.harness.validate import InvalidOutput, as_bool, as_float, as_int

Cell = tuple[int, int]

ACTION_NAMES = ("up", "right", "down", "left")
"""hw01 grid world actions 0, 1, 2, 3."""
_OFFSETS: tuple[Cell, ...] = ((-1, 0), (0, 1), (1, 0), (0, -1))


class GridModel:
    """hw01's grid world as the checks see it: a layout and, as data, where each action leads.

    Cells are ``(row, col)`` with row 0 on top; observation ``row * cols + col``; actions 0-3 are up, right,
    down, left. ``moves[obs][action]`` is the observation a slip-free move leads to; the public checks read it
    from their ``expected.json``, hidden checks from :func:`grader.oracles.gridworld.grid_moves`.
    """

    def __init__(self, layout: Sequence[str], moves: Sequence[Sequence[int]]) -> None:
        self.layout = tuple(layout)
        self.rows, self.cols = len(self.layout), len(self.layout[0])
        self.moves = [[int(m) for m in row] for row in moves]
        if len(self.moves) != self.rows * self.cols or any(len(row) != 4 for row in self.moves):
            raise ValueError(f"the move table does not fit the layout {self.layout}")
        self.start = self.find("S")
        self.goal = self.find("G")

    def find(self, char: str) -> Cell:
        return next((r, c) for r, row in enumerate(self.layout) for c, ch in enumerate(row) if ch == char)

    def index(self, cell: Cell) -> int:
        return cell[0] * self.cols + cell[1]

    def cell(self, index: int) -> Cell:
        return divmod(index, self.cols)

    def move(self, cell: Cell, action: int) -> Cell:
        """Where a non-slipping move of ``action`` from ``cell`` leads."""
        return self.cell(self.moves[self.index(cell)][action])

    def neighbours(self, cell: Cell) -> list[tuple[int, Cell]]:
        return [(a, self.move(cell, a)) for a in range(4) if self.move(cell, a) != cell]

    def path(self, source: Cell, target: Cell) -> list[int]:
        """A shortest list of actions from ``source`` to ``target`` (breadth-first search), never passing
        through the goal on the way (entering it ends the episode)."""
        previous = self._search(source)
        if target not in previous:
            raise ValueError(f"no path from {source} to {target} in {self.layout}")
        actions = []
        while target != source:
            target, action = previous[target]
            actions.append(action)
        return actions[::-1]

    def reachable(self) -> list[Cell]:
        """Cells the agent can stand on before the episode ends (reachable from S, goal excluded), in order."""
        return sorted(cell for cell in self._search(self.start) if cell != self.goal)

    def _search(self, source: Cell) -> dict[Cell, tuple[Cell, int]]:
        """Breadth-first search from ``source`` that does not expand the goal: each cell found and the
        (previous cell, action) that first reached it (``source`` maps to itself)."""
        previous: dict[Cell, tuple[Cell, int]] = {source: (source, -1)}
        frontier = deque([source])
        while frontier:
            cell = frontier.popleft()
            if cell == self.goal:
                continue
            for action, nxt in self.neighbours(cell):
                if nxt not in previous:
                    previous[nxt] = (cell, action)
                    frontier.append(nxt)
        return previous

    def render(self, agent: Cell) -> list[str]:
        """The ansi rendering's lines: the layout with ``A`` on the agent's cell."""
        lines = [list(row) for row in self.layout]
        lines[agent[0]][agent[1]] = "A"
        return ["".join(line) for line in lines]


def describe_cell(cell: Cell) -> str:
    """``(row 2, col 4)``: how messages name a cell."""
    return f"(row {cell[0]}, col {cell[1]})"


def as_position(info: dict, what: str, rows: int, cols: int) -> Cell:
    """``info["position"]`` as a validated ``(row, col)`` pair of plain ints."""
    if "position" not in info:
        raise InvalidOutput(f"{what} must have the key 'position' with the agent's (row, col), got keys {list(info)}")
    value = info["position"]
    if type(value) not in (tuple, list) or len(value) != 2:
        raise InvalidOutput(f"{what}['position'] must be a (row, col) tuple, got {value!r:.60}")
    return (
        as_int(value[0], f"the row in {what}['position']", 0, rows),
        as_int(value[1], f"the column in {what}['position']", 0, cols),
    )


def check_all_moves(env: Any, model: GridModel) -> int:
    """From every cell the agent can reach, try every action in a slip-free ``env`` and compare each move
    (and ``info["position"]``) with ``model``; return how many moves were compared.

    The agent is led to each cell along a shortest path from ``S``; every step on the way is compared too.
    """
    n_obs = model.rows * model.cols
    compared = 0
    for cell in model.reachable():
        for action in range(4):
            obs, _ = checked_reset(env, n_obs, seed=0)
            here = model.cell(obs)
            assert here == model.start, (
                f"reset() must put the agent on S {describe_cell(model.start)} (observation "
                f"{model.index(model.start)}), got observation {obs} {describe_cell(here)}; layout {model.layout}"
            )
            for a in [*model.path(model.start, cell), action]:
                step = checked_step(env, a, n_obs)
                expected, got = model.move(here, a), model.cell(step.obs)
                if got != expected:
                    why = (
                        "the way is blocked by a wall '#' or the edge, so the agent stays"
                        if expected == here
                        else ("that cell is free")
                    )
                    raise AssertionError(
                        f"with slip=0, action {a} ({ACTION_NAMES[a]}) from {describe_cell(here)} must lead to "
                        f"{describe_cell(expected)} ({why}), but your env moved the agent to {describe_cell(got)} "
                        f"(observation {step.obs} = row * cols + col with cols={model.cols}); layout {model.layout}"
                    )
                position = as_position(step.info, "the info returned by step()", model.rows, model.cols)
                assert position == got, (
                    f"info['position'] returned by step() is {position}, but the observation {step.obs} is the cell "
                    f"{got} (observation = row * cols + col with cols={model.cols})"
                )
                here = got
                compared += 1
    return compared


def _opens_on_all_sides(model: GridModel, cell: Cell) -> bool:
    return all(model.move(cell, a) not in (cell, model.goal) for a in range(4))


SLIP_KINDS = ("intended", "turned right", "backwards", "turned left")
"""How the direction actually moved relates to the action: offset 0, 1, 2, 3 (clockwise) from it."""


def count_slips(env: Any, model: GridModel, n_steps: int, seed: int, action_seed: int) -> dict[str, int]:
    """Step ``env`` with uniformly random actions and count the directions the agent actually moved in.

    Every move starts on a cell whose four neighbours are free floor, so the direction is visible in the
    observation; after a move onto any other cell the env is reset without a seed (its generator keeps
    running). Returns counts for each of :data:`SLIP_KINDS`, plus ``"stayed"`` and ``"jumped"``
    (moved further than one cell), which a correct env never produces here.
    """
    n_obs = model.rows * model.cols
    assert _opens_on_all_sides(model, model.start), "count_slips needs a start with four free neighbours"
    actions = [int(a) for a in np.random.default_rng(action_seed).integers(4, size=n_steps)]
    closed = [obs for obs in range(n_obs) if not _opens_on_all_sides(model, model.cell(obs))]
    entries = scripted(env, n_obs, seed, actions, closed, reset_on_terminated=False)
    counts = dict.fromkeys((*SLIP_KINDS, "stayed", "jumped"), 0)
    moves = iter(actions)
    here = None
    for obs, reward, _ in entries:
        there = model.cell(obs)
        if reward is None:  # a reset
            here = there
            continue
        action = next(moves)
        offset = (there[0] - here[0], there[1] - here[1])
        if offset == (0, 0):
            counts["stayed"] += 1
        elif offset in _OFFSETS:
            counts[SLIP_KINDS[(_OFFSETS.index(offset) - action) % 4]] += 1
        else:
            counts["jumped"] += 1
        here = there
    return counts


def trajectory(env: Any, n_obs: int, seed: int, actions: Sequence[int]) -> list[tuple[int, float | None, bool]]:
    """``(obs, reward, terminated)`` after ``reset(seed=seed)`` and each action; a terminated episode is
    followed by ``reset()`` without a seed, recorded as ``(obs, None, False)``."""
    return scripted(env, n_obs, seed, list(actions), [], reset_on_terminated=True)


def scripted(
    env: Any, n_obs: int, seed: int, actions: list[int], reset_states: list[int], reset_on_terminated: bool
) -> list[tuple[int, float | None, bool]]:
    """:func:`grader.harness.loops.scripted_steps`, run beside the env under test; its entries, validated."""
    entries = beside(env, scripted_steps, env, n_obs, seed, actions, reset_states, reset_on_terminated)
    if type(entries) is not list or len(entries) < len(actions) + 1:
        raise InvalidOutput(f"the scripted episode loop returned a {type(entries).__name__} instead of its steps")
    checked = []
    for entry in entries:
        if type(entry) is not tuple or len(entry) != 3:
            raise InvalidOutput("the scripted episode loop returned a malformed step")
        obs, reward, terminated = entry
        reward = None if reward is None else as_float(reward, "a reward")
        checked.append((as_int(obs, "an observation", 0, n_obs), reward, as_bool(terminated, "terminated")))
    if checked[0][1] is not None or sum(reward is not None for _, reward, _ in checked) != len(actions):
        raise InvalidOutput("the scripted episode loop returned another number of steps than it was given actions")
    return checked


def check_path_to_goal(env: Any, model: GridModel, step_reward: float, goal_reward: float) -> None:
    """Walk a shortest path to G in a slip-free env; check every reward and flag."""
    n_obs = model.rows * model.cols
    checked_reset(env, n_obs, seed=0)
    here = model.start
    actions = model.path(model.start, model.goal)
    for t, action in enumerate(actions, start=1):
        step = checked_step(env, action, n_obs)
        there = model.move(here, action)
        assert step.obs == model.index(there), (
            f"with slip=0, step {t} (action {ACTION_NAMES[action]} from {describe_cell(here)}) must lead to "
            f"observation {model.index(there)} {describe_cell(there)}, got {step.obs}"
        )
        on_goal = there == model.goal
        want = goal_reward if on_goal else step_reward
        assert math.isclose(step.reward, want, abs_tol=1e-12), (
            f"step {t} of the way to G {'enters the goal' if on_goal else 'does not reach the goal'}: the reward "
            f"must be {want} ({'goal_reward, without step_reward added' if on_goal else 'step_reward'}), "
            f"got {step.reward}; env built with step_reward={step_reward}, goal_reward={goal_reward}"
        )
        assert step.terminated is on_goal, (
            f"step {t} ends on {describe_cell(there)}: terminated must be {on_goal} "
            f"({'the agent entered G' if on_goal else 'the agent is not on G yet'}), got {step.terminated}"
        )
        assert step.truncated is False, f"the env itself must never set truncated=True; step {t} did"
        here = there


def check_slip_frequency(env: Any, model: GridModel, slip: float, n_steps: int, seed: int, action_seed: int) -> None:
    """Count move directions (:func:`count_slips`); the share of sideways moves must be within 4 binomial
    standard deviations of ``slip``, left and right turns equally frequent, no move backwards."""
    counts = count_slips(env, model, n_steps, seed, action_seed)
    assert counts["backwards"] == 0, (
        f"{counts['backwards']} of {n_steps} moves went opposite to the action; a slip turns the move "
        "90 degrees left or right, never backwards"
    )
    assert counts["stayed"] == counts["jumped"] == 0, (
        f"on an open grid every move must change the cell by exactly one step; {counts['stayed']} moves stayed "
        f"in place and {counts['jumped']} jumped further (counts {counts})"
    )
    sideways = counts["turned left"] + counts["turned right"]
    tolerance = 4 * math.sqrt(n_steps * slip * (1 - slip))
    assert abs(sideways - slip * n_steps) <= tolerance, (
        f"with slip={slip}, about {slip * n_steps:.0f} of {n_steps} moves should slip sideways "
        f"(allowed {slip * n_steps - tolerance:.0f} to {slip * n_steps + tolerance:.0f}); your env slipped "
        f"{sideways} times ({counts}). Slip with probability slip, draw with self.np_random"
    )
    if sideways:
        side_tolerance = 4 * math.sqrt(sideways) / 2
        assert abs(counts["turned left"] - sideways / 2) <= side_tolerance, (
            f"slips should turn left and right equally often; of {sideways} slips {counts['turned left']} turned "
            f"left and {counts['turned right']} right"
        )


def assert_value_error(build: Callable[[], Any], call: str, problem: str) -> None:
    """``build()`` must raise ValueError (a NotImplementedError passes through: the stub is untouched)."""
    try:
        build()
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as exc:
        raise AssertionError(
            f"GridWorldEnv({call}) must raise ValueError ({problem}), but it raised {type(exc).__name__}: {exc}"
        ) from None
    raise AssertionError(f"GridWorldEnv({call}) must raise ValueError: {problem}")
