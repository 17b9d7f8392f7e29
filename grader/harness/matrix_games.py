"""The matrix games of hw10 (public data: students see every number here).

A two-player game is a pair ``(A, B)`` of float arrays ``(n_rows, n_cols)``: row player's and column player's
payoffs. Action 0 of the Prisoner's Dilemma is *cooperate*, 1 *defect*. The Climbing and Penalty games are the
cooperative (common-payoff, A = B) games of Claus & Boutilier (1998), "The dynamics of reinforcement learning in
cooperative multiagent systems", AAAI: their optimal joint action is surrounded by heavy penalties for
miscoordination, which pushes independent learners towards a safer, suboptimal joint action.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from grader.harness.validate import InvalidOutput, as_float, as_int

Game = tuple[np.ndarray, np.ndarray]


def _common(payoff: list[list[float]]) -> Game:
    """A common-payoff (fully cooperative) game: both players get the same payoff."""
    table = np.array(payoff, dtype=np.float64)
    return table, table.copy()


PRISONERS_DILEMMA: Game = (np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]]))
MATCHING_PENNIES: Game = (np.array([[1.0, -1.0], [-1.0, 1.0]]), np.array([[-1.0, 1.0], [1.0, -1.0]]))
BATTLE_OF_THE_SEXES: Game = (np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 2.0]]))
# Claus & Boutilier (1998), table 3: the optimum (0, 0) = 11 has −30 next to it.
CLIMBING: Game = _common([[11.0, -30.0, 0.0], [-30.0, 7.0, 6.0], [0.0, 0.0, 5.0]])


def penalty(k: float) -> Game:
    """Claus & Boutilier's Penalty game (table 4), k ≤ 0: two optima (0, 0) and (2, 2) worth 10, the
    miscoordinations (0, 2) and (2, 0) cost k, and the safe joint action (1, 1) is worth 2."""
    return _common([[10.0, 0.0, k], [0.0, 2.0, 0.0], [k, 0.0, 10.0]])


def int_list(value: object, what: str, n_actions: int) -> list[int]:
    """A returned 1-D sequence of actions as a list of plain ints in [0, n_actions)."""
    items = np.asarray(value, dtype=object)
    if items.ndim != 1:
        raise InvalidOutput(f"{what} must be a 1-D sequence of actions, got shape {items.shape}")
    return [as_int(x, f"{what}[{k}]", 0, n_actions) for k, x in enumerate(items.tolist())]


def checked_equilibria(value: object, what: str, shape: tuple[int, int]) -> list[tuple[int, int]]:
    """A returned list of joint actions (i, j) as plain int pairs inside the game."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise InvalidOutput(f"{what} must be a list of (i, j) pairs, got a {type(value).__name__}")
    pairs = []
    for k, pair in enumerate(value):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InvalidOutput(f"{what}[{k}] must be a pair (i, j), got {pair!r:.60}")
        pairs.append((as_int(pair[0], f"{what}[{k}][0]", 0, shape[0]), as_int(pair[1], f"{what}[{k}][1]", 0, shape[1])))
    return pairs


def checked_mix(value: object, what: str) -> tuple[float, float]:
    """A returned pair (p, q) as two plain floats."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InvalidOutput(f"{what} must be the pair (p, q), got {value!r:.60}")
    return as_float(value[0], f"{what}[0] (p)"), as_float(value[1], f"{what}[1] (q)")


class MatrixGameEnv(ParallelEnv):
    """A cooperative matrix game as a PettingZoo parallel environment: every episode is one round.

    ``reset`` gives every agent the observation 0 (``Discrete(1)``: a single state); ``step(actions)`` pays every
    agent the common payoff ``payoff[actions[agents[0]], actions[agents[1]]]`` and terminates them all (they are
    then removed from ``env.agents``). Actions are matched to agents by name, the row of ``payoff`` being the first
    name of ``agents``; the order of ``agents`` is also the order of every dict the env returns.
    """

    metadata = {"name": "matrix_game_v0", "render_modes": []}

    def __init__(self, payoff: list[list[float]], agents: tuple[str, ...] = ("agent_0", "agent_1")) -> None:
        self.payoff = np.array(payoff, dtype=np.float64)
        self.possible_agents = list(agents)
        self.agents: list[str] = []
        self.render_mode = None
        self._observation_space = spaces.Discrete(1)
        self._action_space = spaces.Discrete(self.payoff.shape[0])

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_space

    def reset(self, seed: int | None = None, options: dict | None = None) -> tuple[dict, dict]:
        self.agents = list(self.possible_agents)
        return {name: 0 for name in self.agents}, {name: {} for name in self.agents}

    def step(self, actions: dict[str, int]) -> tuple[dict, dict, dict, dict, dict]:
        row, col = (int(actions[name]) for name in self.possible_agents)
        reward = float(self.payoff[row, col])
        names, self.agents = self.agents, []
        return (
            {name: 0 for name in names},
            {name: reward for name in names},
            {name: True for name in names},
            {name: False for name in names},
            {name: {} for name in names},
        )
