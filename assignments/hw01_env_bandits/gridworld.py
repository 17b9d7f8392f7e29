"""A slippery grid world as a Gymnasium environment (hw01, part 1).

The world is a rectangle of cells given as a list of equally long strings, one per row, top row first:

    ``S`` start   ``G`` goal   ``#`` wall   ``.`` floor

The agent starts on ``S`` and must reach ``G``. Cell ``(row, col)`` has the observation ``row * cols + col``
(row 0 is the top row, column 0 the left column). Actions are ``UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3``.

One step with action ``a``:

1. With probability ``slip`` the move slips: the direction becomes one of the two directions perpendicular
   to ``a`` (for UP or DOWN: LEFT or RIGHT; for LEFT or RIGHT: UP or DOWN), each with probability 1/2.
   Otherwise the direction is ``a``. Never the opposite of ``a``. All randomness comes from
   ``self.np_random``, the generator that ``super().reset(seed=seed)`` seeds.
2. The agent moves one cell in that direction, unless that cell is a wall or outside the grid: then the
   agent stays where it is.
3. If the agent is now on ``G``: reward ``goal_reward`` and ``terminated=True``. Otherwise reward
   ``step_reward`` and ``terminated=False``. (The step that enters the goal gives ``goal_reward`` only,
   not ``goal_reward + step_reward``.)
4. ``truncated`` is always ``False``: the environment has no time limit of its own. The time limit
   (50 steps) comes from Gymnasium's ``TimeLimit`` wrapper, which ``gym.make`` adds for the id that
   :func:`register_env` registers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
from gymnasium import spaces

ENV_ID = "rlcourse/GridWorld-v0"
MAX_EPISODE_STEPS = 50

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
MOVES: dict[int, tuple[int, int]] = {UP: (-1, 0), RIGHT: (0, 1), DOWN: (1, 0), LEFT: (0, -1)}
"""(row change, column change) of each action; rows grow downwards."""

START, GOAL, WALL, FLOOR, AGENT = "S", "G", "#", ".", "A"

DEFAULT_LAYOUT: tuple[str, ...] = (
    "S..#.",
    ".#.#.",
    ".#...",
    "...#.",
    "##..G",
)


class GridWorldEnv(gym.Env[int, int]):
    """A grid world with walls, a per-step reward, a goal and slippery moves (rules: see the module doc).

    Observation: ``int`` in ``[0, rows * cols)``, the index ``row * cols + col`` of the agent's cell.
    Action: ``int`` in ``[0, 4)``: ``UP, RIGHT, DOWN, LEFT``.
    ``info`` (from ``reset`` and ``step``): ``{"position": (row, col)}`` of the agent, as plain ints.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        layout: Sequence[str] = DEFAULT_LAYOUT,
        slip: float = 0.1,
        step_reward: float = -1.0,
        goal_reward: float = 10.0,
        render_mode: str | None = None,
    ) -> None:
        """Check and store the arguments and build the spaces.

        Raise ``ValueError`` unless ``layout`` is a non-empty sequence of non-empty rows of equal length,
        made only of the characters ``S G # .``, with exactly one ``S`` and exactly one ``G``. Raise it
        too when ``slip`` is not in ``[0, 1]`` or ``render_mode`` is neither ``None`` nor ``"ansi"``.

        Set ``self.observation_space = spaces.Discrete(rows * cols)``,
        ``self.action_space = spaces.Discrete(4)`` and ``self.render_mode = render_mode``.
        Checks: the spaces on several layouts (also non-square ones); ``ValueError`` on bad layouts.
        """
        raise NotImplementedError("GridWorldEnv.__init__ — fill this in (see its docstring in gridworld.py)")

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[int, dict]:
        """Start a new episode on ``S``; return ``(observation, info)``.

        The first line must be ``super().reset(seed=seed)``: it (re)seeds ``self.np_random`` when a seed is
        given and keeps the generator running when ``seed`` is ``None``. ``options`` is not used.
        Checks: the start index and info on several layouts; the same seed gives the same episode.
        """
        raise NotImplementedError("GridWorldEnv.reset — fill this in (see its docstring in gridworld.py)")

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        """Apply one action; return ``(observation, reward, terminated, truncated, info)``.

        Follow steps 1-4 of the module docstring (``MOVES[direction]`` is the change of row and column).
        ``reward`` is a ``float``; ``terminated`` and ``truncated`` are plain ``bool`` (wrap numpy booleans
        with ``bool(...)``); ``info`` is ``{"position": (row, col)}`` after the move.
        Checks: every move from every cell with ``slip=0`` against the rules (walls, edges); rewards and
        termination on the way to the goal; ``truncated`` is never set; with ``slip=0.3`` about 30 % of the
        moves go sideways (half left, half right of the intended direction) and none backwards; two envs
        reset with the same seed and given the same actions produce the same trajectory.
        """
        raise NotImplementedError("GridWorldEnv.step — fill this in (see its docstring in gridworld.py)")

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: the layout with the agent's cell shown as ``A``, one line per row.

        Rows are joined with ``"\\n"`` and the text ends with ``"\\n"``; e.g. ``"A.#\\n..G\\n"`` for
        the layout ``("S.#", "..G")`` right after ``reset``. With ``render_mode=None``: return ``None``.
        Checks: the lines of the text after ``reset`` and after a few moves.
        """
        raise NotImplementedError("GridWorldEnv.render — fill this in (see its docstring in gridworld.py)")


def register_env() -> None:
    """Register :class:`GridWorldEnv` with Gymnasium as ``ENV_ID``, with a time limit of ``MAX_EPISODE_STEPS``.

    Use ``gym.register(id=ENV_ID, entry_point=GridWorldEnv, max_episode_steps=MAX_EPISODE_STEPS)``:
    pass the class itself as ``entry_point``, not a ``"module:Class"`` string (the checks import your
    package under another name). Calling this function twice must not fail or register anything else.
    Afterwards ``gym.make(ENV_ID, slip=0.0)`` builds a ``GridWorldEnv`` wrapped in ``TimeLimit``, which
    sets ``truncated=True`` (and the env keeps ``terminated=False``) on step 50 unless the goal was reached.
    Checks: ``gym.make(ENV_ID)`` builds your class, truncates on step 50 and not before.
    """
    raise NotImplementedError("register_env — fill this in (see its docstring in gridworld.py)")
