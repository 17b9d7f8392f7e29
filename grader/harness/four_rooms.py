"""Four Rooms: the kit's grid for hierarchical RL (hw09's options; Sutton, Precup & Singh 1999, Fig. 2).

**FourRooms-v0.** The 11 × 11 interior of a 13 × 13 grid (row 0 on top, walls ``#`` around and between the rooms)
with four hallways, one in each inner wall:

    #############
    #     #     #      observation  row * 13 + col  (a Discrete(169); wall cells never occur)
    #     #     #      actions      0 up, 1 right, 2 down, 3 left
    #           #      moves        with probability ``success_prob`` the intended direction, otherwise one of
    #     #     #                   the three others, uniformly (the paper: 2/3, so 1/9 each); a move into a wall
    #     #     #                   leaves the agent where it is
    ## ####     #      reward       1 on entering the goal (the episode terminates there), 0 otherwise
    #     ### ###      start        ``start`` (row, col), or a free cell drawn uniformly (goal excluded) if None
    #     #     #      time limit   ``max_episode_steps`` = 1000 (Gymnasium's TimeLimit: truncated)
    #     #     #
    #           #      hallways     (3, 6) top, (6, 2) left, (7, 9) right, (10, 6) bottom
    #     #     #      goal         ``goal``, by default the right hallway (7, 9)
    #############

Randomness comes from ``self.np_random`` only (seeded by ``reset(seed=...)``). ``info["position"]`` is the agent's
``(row, col)``. :func:`hallway_options` builds the paper's 8 hallway options (2 per room) as arrays, and
:func:`primitive_options` the 4 one-step options of the primitive actions.

Make it with ``gym.make("grader.harness.four_rooms:FourRooms-v0", success_prob=1.0)`` (Gymnasium imports this
module, which registers the id; the trusted loops use :func:`grader.harness.envs.make_env`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np

FOUR_ROOMS = "FourRooms-v0"
FOUR_ROOMS_ID = f"grader.harness.four_rooms:{FOUR_ROOMS}"
LAYOUT = (
    "#############",
    "#     #     #",
    "#     #     #",
    "#           #",
    "#     #     #",
    "#     #     #",
    "## ####     #",
    "#     ### ###",
    "#     #     #",
    "#     #     #",
    "#           #",
    "#     #     #",
    "#############",
)
SIZE = len(LAYOUT)
N_STATES = SIZE * SIZE
HALLWAYS = ((3, 6), (6, 2), (7, 9), (10, 6))
# Each room's cells (row and column ranges, hallways excluded) and its two hallways.
ROOMS = (
    ((range(1, 6), range(1, 6)), ((3, 6), (6, 2))),  # top left
    ((range(1, 7), range(7, 12)), ((3, 6), (7, 9))),  # top right
    ((range(7, 12), range(1, 6)), ((6, 2), (10, 6))),  # bottom left
    ((range(8, 12), range(7, 12)), ((7, 9), (10, 6))),  # bottom right
)
OFFSETS = ((-1, 0), (0, 1), (1, 0), (0, -1))
FREE = tuple((r, c) for r in range(SIZE) for c in range(SIZE) if LAYOUT[r][c] == " ")


def index(cell: tuple[int, int]) -> int:
    return cell[0] * SIZE + cell[1]


def move(cell: tuple[int, int], direction: int) -> tuple[int, int]:
    """Where a move in ``direction`` from ``cell`` leads (the same cell if a wall is in the way)."""
    r, c = cell[0] + OFFSETS[direction][0], cell[1] + OFFSETS[direction][1]
    return (r, c) if LAYOUT[r][c] == " " else cell


class FourRoomsEnv(gym.Env):
    """Sutton, Precup & Singh's Four Rooms (module docstring): reward 1 on entering ``goal``, else 0."""

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        success_prob: float = 2 / 3,
        goal: tuple[int, int] = (7, 9),
        start: tuple[int, int] | None = None,
        render_mode: str | None = None,
    ) -> None:
        if not 0.0 <= success_prob <= 1.0:
            raise ValueError(f"success_prob must lie in [0, 1], got {success_prob}")
        for name, cell in (("goal", goal), ("start", start)):
            if cell is not None and tuple(cell) not in FREE:
                raise ValueError(f"{name} {cell} is not a free cell of Four Rooms")
        if start is not None and tuple(start) == tuple(goal):
            raise ValueError("start and goal must differ")
        self.success_prob = float(success_prob)
        self.goal = (int(goal[0]), int(goal[1]))
        self.start = None if start is None else (int(start[0]), int(start[1]))
        self.render_mode: str | None = render_mode
        self.observation_space = gym.spaces.Discrete(N_STATES)
        self.action_space = gym.spaces.Discrete(4)
        self._starts = [cell for cell in FREE if cell != self.goal]
        self._cell = self._starts[0]

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        if self.start is None:
            self._cell = self._starts[int(self.np_random.integers(len(self._starts)))]
        else:
            self._cell = self.start
        return index(self._cell), {"position": self._cell}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        heading = int(action)
        if not 0 <= heading < 4:
            raise ValueError(f"Four Rooms actions are 0-3, got {action!r}")
        if self.np_random.random() >= self.success_prob:
            others = [d for d in range(4) if d != heading]
            heading = others[int(self.np_random.integers(3))]
        self._cell = move(self._cell, heading)
        at_goal = self._cell == self.goal
        return index(self._cell), float(at_goal), at_goal, False, {"position": self._cell}

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            rows = [list(row) for row in LAYOUT]
            rows[self.goal[0]][self.goal[1]] = "G"
            rows[self._cell[0]][self._cell[1]] = "A"
            return "\n".join("".join(row) for row in rows)
        return None


def hallway_options() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 8 hallway options (2 per room, in the order of ``ROOMS`` and their hallways) as arrays over the
    169 observations: ``initiation`` bool (8, 169), ``policy`` int64 (8, 169), ``beta`` float (8, 169).

    Option (room, target hallway): initiation set = the room's cells and its OTHER hallway; policy = the first
    action (order up, right, down, left) of a shortest path to the target inside that set, −1 outside it;
    β = 0 inside the initiation set, 1 everywhere else (on the target, in other rooms, on walls).
    """
    initiation = np.zeros((8, N_STATES), dtype=bool)
    policy = np.full((8, N_STATES), -1, dtype=np.int64)
    beta = np.ones((8, N_STATES))
    o = 0
    for (rows, cols), hallways in ROOMS:
        room = {(r, c) for r in rows for c in cols if LAYOUT[r][c] == " "}
        for target in hallways:
            cells = room | {h for h in hallways if h != target}
            steps = _distances(target, cells)
            for cell in cells:
                initiation[o, index(cell)] = True
                beta[o, index(cell)] = 0.0
                policy[o, index(cell)] = min(range(4), key=lambda d, cell=cell: steps.get(move(cell, d), 1 << 30))
            o += 1
    return initiation, policy, beta


def _distances(target: tuple[int, int], cells: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Steps from every cell of ``cells`` to ``target`` moving inside ``cells`` (breadth-first from the target)."""
    dist = {target: 0}
    frontier = deque([target])
    while frontier:
        cell = frontier.popleft()
        for d in range(4):
            nxt = move(cell, d)
            if nxt in cells and nxt not in dist:
                dist[nxt] = dist[cell] + 1
                frontier.append(nxt)
    return dist


def primitive_options() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 4 primitive actions as one-step options: available everywhere, policy ``a``, β = 1 everywhere."""
    initiation = np.ones((4, N_STATES), dtype=bool)
    policy = np.repeat(np.arange(4, dtype=np.int64)[:, None], N_STATES, axis=1)
    return initiation, policy, np.ones((4, N_STATES))


def options_and_primitives() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 8 hallway options followed by the 4 primitives (options 8-11 are actions 0-3)."""
    parts = list(zip(hallway_options(), primitive_options(), strict=True))
    return tuple(np.concatenate(pair) for pair in parts)  # type: ignore[return-value]


if FOUR_ROOMS not in gym.registry:
    gym.register(id=FOUR_ROOMS, entry_point=FourRoomsEnv, max_episode_steps=1000)
