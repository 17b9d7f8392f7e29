"""Part "games": Nim learned by self-play with Q-learning on afterstates (Sutton & Barto 2018, §6.8).

Nim with heaps (1, 3, 5, 7): two players alternate; a move takes ``count`` ≥ 1 objects from one ``heap``; whoever
takes the last object wins. A position is a tuple of heap sizes; a move ``(heap, count)`` is legal when
``1 ≤ count ≤ heaps[heap]``. The *afterstate* of a move is the position it leaves, seen by the player who just
moved: one value table V over afterstates, indexed ``V[h0, h1, h2, h3]``, shape (2, 4, 6, 8), serves both sides
(self-play: the same agent moves for both players).

The grader's loop (``grader/harness/loops.py``, ``train_nim_selfplay``) plays whole games: before every game it
sets ``agent.epsilon``; per move it calls ``move = agent.act(position)`` and, after applying it,
``agent.update(afterstate)``. After training it reads ``V`` and plays the greedy policy itself.
"""

from __future__ import annotations

import numpy as np

HEAPS = (1, 3, 5, 7)


def legal_moves(position: tuple[int, ...]) -> list[tuple[int, int]]:
    """Every legal move ``(heap, count)`` in the order heap 0, 1, …, and within a heap count 1, 2, …
    Example: (1, 0, 2, 0) → [(0, 1), (2, 1), (2, 2)]; an empty position has none."""
    raise NotImplementedError("legal_moves — fill this in (see its docstring in games.py)")


def afterstate(position: tuple[int, ...], move: tuple[int, int]) -> tuple[int, ...]:
    """The position after ``move``: (1, 3, 5, 7) and (2, 4) → (1, 3, 1, 7)."""
    raise NotImplementedError("afterstate — fill this in (see its docstring in games.py)")


class AfterstateQLearner:
    """Q-learning on afterstates with the negamax target, for self-play.

    ``V[s']`` estimates the final outcome (+1 win, −1 loss) for the player who just moved to s'. After a move to s':

        target = +1                                  if s' is empty (the mover took the last object)
        target = −max_{m legal at s'} V[afterstate(s', m)]   otherwise (the opponent's best reply)
        V[s'] ← V[s'] + α · (target − V[s'])

    ``act(position)``: with probability ε (draw ``u = rng.random()``; explore if u < ε) a legal move chosen
    uniformly with ``rng.integers(len(moves))`` from :func:`legal_moves`, else the greedy move, the first legal move
    (in :func:`legal_moves` order) with the largest V[afterstate]. Attributes the grader reads and sets: ``V``
    (float array (2, 4, 6, 8), zeros at the start), ``epsilon``.
    """

    def __init__(self, alpha: float, epsilon: float, *, rng: np.random.Generator, heaps: tuple[int, ...] = HEAPS):
        self.alpha = alpha
        self.epsilon = epsilon
        self.rng = rng
        self.heaps = tuple(heaps)
        raise NotImplementedError("AfterstateQLearner.__init__ — fill this in (see its docstring in games.py)")

    def greedy(self, position: tuple[int, ...]) -> tuple[int, int]:
        """The first legal move with the largest V[afterstate]."""
        raise NotImplementedError("AfterstateQLearner.greedy — fill this in (see its docstring in games.py)")

    def act(self, position: tuple[int, ...]) -> tuple[int, int]:
        """ε-greedy move at ``position`` (which has at least one legal move)."""
        raise NotImplementedError("AfterstateQLearner.act — fill this in (see its docstring in games.py)")

    def update(self, after: tuple[int, ...]) -> None:
        """One Q-learning step on ``V[after]`` with the negamax target above."""
        raise NotImplementedError("AfterstateQLearner.update — fill this in (see its docstring in games.py)")
