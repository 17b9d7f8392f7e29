"""Nim-v0: the kit's game of Nim (hw11), its perfect-play oracle and the learning checks of a self-play learner.

Normal-play Nim: players alternate taking ``count`` ≥ 1 objects from one heap; whoever takes the last object wins.
Bouton's theorem (1901) is the oracle: a position is lost for the player to move iff the XOR of the heap sizes
(the *nim-sum*) is 0, so a perfect move leaves a nim-sum of 0 whenever one exists. From (1, 3, 5, 7) the nim-sum is
1 ⊕ 3 ⊕ 5 ⊕ 7 = 0: the first player loses against perfect play.

The Gymnasium env plays one side against a built-in opponent (``"random"`` or ``"perfect"``): observation = the
heap sizes (MultiDiscrete), action = ``offset[heap] + count − 1`` (Discrete(Σ heaps)); reward +1 when the agent
takes the last object, −1 when the opponent does, −1 (and the end) for an illegal move. ``agent_first=False`` lets
the opponent open; ``random_start=True`` draws a non-empty start position uniformly from ``self.np_random``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import reduce
from itertools import product
from operator import xor
from typing import Any

import gymnasium as gym
import numpy as np

from grader.calibration import Measurement
from grader.harness.calls import beside
from grader.harness.loops import train_nim_selfplay
from grader.harness.validate import as_float_array

ENV_ID = "Nim-v0"
HEAPS = (1, 3, 5, 7)


def nim_sum(position: tuple[int, ...]) -> int:
    return reduce(xor, position, 0)


def moves_of(position: tuple[int, ...]) -> list[tuple[int, int]]:
    """Legal moves (heap, count), heap by heap, count 1, 2, …"""
    return [(heap, k) for heap in range(len(position)) for k in range(1, position[heap] + 1)]


def play(position: tuple[int, ...], move: tuple[int, int]) -> tuple[int, ...]:
    after = list(position)
    after[move[0]] -= move[1]
    return tuple(after)


def perfect_move(position: tuple[int, ...], rng: np.random.Generator) -> tuple[int, int]:
    """A move to nim-sum 0 if one exists (the first), else a random legal move (the position is lost anyway)."""
    moves = moves_of(position)
    winning = [m for m in moves if nim_sum(play(position, m)) == 0]
    return winning[0] if winning else moves[int(rng.integers(len(moves)))]


def positions(heaps: tuple[int, ...] = HEAPS) -> list[tuple[int, ...]]:
    """Every non-empty position with heap i in [0, heaps[i]]."""
    return [p for p in product(*(range(h + 1) for h in heaps)) if sum(p)]


class NimEnv(gym.Env):
    """Nim against a built-in opponent; see the module docstring."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(
        self, heaps: tuple[int, ...] = HEAPS, opponent: str = "random", agent_first: bool = True, random_start=False
    ) -> None:
        if opponent not in ("random", "perfect") or not heaps or min(heaps) < 1:
            raise ValueError("Nim needs heaps >= 1 and opponent 'random' or 'perfect'")
        self.heaps, self.opponent = tuple(heaps), opponent
        self.agent_first, self.random_start = agent_first, random_start
        self.offsets = np.concatenate([[0], np.cumsum(self.heaps)[:-1]]).astype(int)
        self.observation_space = gym.spaces.MultiDiscrete([h + 1 for h in self.heaps])
        self.action_space = gym.spaces.Discrete(sum(self.heaps))
        self._position = self.heaps

    def decode(self, action: int) -> tuple[int, int]:
        heap = int(np.searchsorted(self.offsets, action, side="right") - 1)
        return heap, int(action - self.offsets[heap] + 1)

    def _opponent_moves(self) -> None:
        rng = self.np_random
        if self.opponent == "perfect":
            move = perfect_move(self._position, rng)
        else:
            moves = moves_of(self._position)
            move = moves[int(rng.integers(len(moves)))]
        self._position = play(self._position, move)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        if self.random_start:
            starts = positions(self.heaps)
            self._position = starts[int(self.np_random.integers(len(starts)))]
        else:
            self._position = self.heaps
        if not self.agent_first:
            self._opponent_moves()
        return np.array(self._position, dtype=np.int64), {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        heap, count = self.decode(int(action))
        if count > self._position[heap]:
            return np.array(self._position, dtype=np.int64), -1.0, True, False, {"illegal": True}
        self._position = play(self._position, (heap, count))
        if not sum(self._position):
            return np.array(self._position, dtype=np.int64), 1.0, True, False, {}
        self._opponent_moves()
        done = not sum(self._position)
        return np.array(self._position, dtype=np.int64), -1.0 if done else 0.0, done, False, {}


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=NimEnv)


def greedy_move(V: np.ndarray, position: tuple[int, ...]) -> tuple[int, int]:
    """The grader's greedy move from a value table over afterstates: the first legal move with the largest value."""
    moves = moves_of(position)
    return moves[int(np.argmax([V[play(position, m)] for m in moves]))]


def perfect_share(V: np.ndarray, heaps: tuple[int, ...]) -> float:
    """Share of the winnable positions (nim-sum ≠ 0) where the greedy move of ``V`` leaves nim-sum 0."""
    winnable = [p for p in positions(heaps) if nim_sum(p)]
    return float(np.mean([nim_sum(play(p, greedy_move(V, p))) == 0 for p in winnable]))


def losses_against_random(V: np.ndarray, heaps: tuple[int, ...], games: int, seed: int) -> int:
    """Games lost by the greedy policy of ``V`` against a uniformly random opponent: half the games from random
    winnable positions with the agent to move, half from the full heaps (nim-sum 0) with the random player to move."""
    rng = np.random.default_rng(seed)
    winnable = [p for p in positions(heaps) if nim_sum(p)]
    lost = 0
    for game in range(games):
        if game % 2 == 0:
            position, agent_turn = winnable[int(rng.integers(len(winnable)))], True
        else:
            position, agent_turn = tuple(heaps), False
        while True:
            if agent_turn:
                position = play(position, greedy_move(V, position))
            else:
                moves = moves_of(position)
                position = play(position, moves[int(rng.integers(len(moves)))])
            if not sum(position):
                lost += not agent_turn
                break
            agent_turn = not agent_turn
    return lost


@dataclass(frozen=True)
class NimSpec:
    """Learning check of a Nim self-play learner ``agent(alpha, epsilon, rng=...)``: ``games`` self-play games
    (:func:`grader.harness.loops.train_nim_selfplay`), then the grader reads ``V`` and plays greedily itself.
    ``metric``: ``"perfect"`` (the share of winnable positions played perfectly, passes when ≥ ``threshold``) or
    ``"losses"`` (games lost of ``eval_games`` against a random player, passes when ≤ ``threshold``)."""

    check: str
    module: str
    agent: str
    alpha: float
    epsilon: float
    games: int
    seed: int
    metric: str
    threshold: float
    eval_games: int = 300
    heaps: tuple[int, ...] = HEAPS

    def with_seed(self, seed: int) -> NimSpec:
        return replace(self, seed=seed)

    def describe_run(self) -> str:
        what = (
            f"share of winnable positions played perfectly; passes when ≥ {self.threshold:g}"
            if self.metric == "perfect"
            else f"games lost of {self.eval_games} against a random player; passes when ≤ {self.threshold:g}"
        )
        games = f"{self.games} self-play games of Nim {self.heaps}"
        return f"{self.agent}(α={self.alpha:g}, ε={self.epsilon:g}), {games}: {what}"

    def table(self, agent_cls: Callable[..., Any]) -> np.ndarray:
        agent_seed, loop_seed, _ = (int(s.generate_state(1)[0]) for s in np.random.SeedSequence(self.seed).spawn(3))
        agent = agent_cls(self.alpha, self.epsilon, rng=np.random.default_rng(agent_seed))
        beside(agent, train_nim_selfplay, agent, list(self.heaps), self.games, self.epsilon, loop_seed)
        return as_float_array(agent.V, f"{self.agent}.V", tuple(h + 1 for h in self.heaps))

    def value(self, V: np.ndarray) -> float:
        if self.metric == "perfect":
            return perfect_share(V, self.heaps)
        eval_seed = int(np.random.SeedSequence(self.seed).spawn(3)[2].generate_state(1)[0])
        return float(losses_against_random(V, self.heaps, self.eval_games, eval_seed))

    def measure(self, agent_cls: Callable[..., Any]) -> Measurement:
        return Measurement(self.value(self.table(agent_cls)), self.games)

    def passes(self, value: float) -> bool:
        return value >= self.threshold if self.metric == "perfect" else value <= self.threshold

    def bounds(self) -> tuple[float | None, float | None]:
        return (self.threshold, None) if self.metric == "perfect" else (None, self.threshold)

    def assert_learns(self, agent_cls: Callable[..., Any], hint: str) -> float:
        value = self.value(self.table(agent_cls))
        run = (
            f"{self.agent}(alpha={self.alpha}, epsilon={self.epsilon}), {self.games} self-play games, seed {self.seed}"
        )
        if self.metric == "perfect":
            text = f"plays perfectly in {value:.1%} of the winnable positions, needed ≥ {self.threshold:.0%}"
        else:
            text = f"lost {value:g} of {self.eval_games} games against a random player, needed ≤ {self.threshold:g}"
        assert self.passes(value), f"{run}: {text}; {hint}"
        return value
