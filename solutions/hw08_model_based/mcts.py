"""Monte-Carlo tree search with UCT (Kocsis & Szepesvári 2006; Browne et al. 2012, "A survey of MCTS methods")
for tic-tac-toe.

A board is a tuple of 9 ints in row-major order: 0 empty, 1 X, 2 O; X moves first. The rules are given below
(:func:`legal_actions`, :func:`play`, :func:`winner`); they are the rules of the kit's TicTacToe-v0 env, on which
the grader plays your search against its own opponents.

One simulation of :func:`uct_search` walks from the root to a leaf and back:

1. **selection** — while the node is fully expanded (every legal move has a child) and the game is not over, go to
   the child with the largest UCB score (:func:`ucb_score`, ties broken at random with ``rng``);
2. **expansion** — unless the game is over there, add ONE child for an untried move chosen uniformly with ``rng``;
3. **simulation** — from the new node's board, play uniformly random moves (with ``rng``) to the end of the game;
4. **backup** — add the result to every node on the path (:func:`backup`).

Values are stored from the point of view of the player who made the move INTO a node (the player NOT to move on
its board), so a parent picks the child with the best value for itself: Q(child) = value_sum / visits.
"""

from __future__ import annotations

import math

import numpy as np

LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
Board = tuple[int, ...]


def to_move(board: Board) -> int:
    """The mark of the player to move: 1 (X) when both have marked as many cells, else 2 (O). Given."""
    return 1 if board.count(1) == board.count(2) else 2


def winner(board: Board) -> int | None:
    """The mark with three in a line, 0 for a full board without one (a draw), ``None`` while it runs. Given."""
    for i, j, k in LINES:
        if board[i] != 0 and board[i] == board[j] == board[k]:
            return board[i]
    return 0 if all(board) else None


def legal_actions(board: Board) -> list[int]:
    """The empty cells, in increasing order (none once the game is over). Given."""
    return [] if winner(board) is not None else [i for i, mark in enumerate(board) if mark == 0]


def play(board: Board, action: int) -> Board:
    """The board after the player to move marks cell ``action``. Given."""
    return board[:action] + (to_move(board),) + board[action + 1 :]


class Node:
    """A node of the search tree: a board, its parent, the move that led to it and its statistics.

    Attributes: ``board``, ``parent`` (``None`` at the root), ``action`` (the move from the parent, ``None`` at the
    root), ``children`` (a dict move → :class:`Node`, empty at the start), ``visits`` (int, 0 at the start) and
    ``value_sum`` (float, 0.0 at the start; the sum of the results backed up through this node, from the point of
    view of the player who moved into it).
    """

    def __init__(self, board: Board, parent: Node | None = None, action: int | None = None) -> None:
        self.board = board
        self.parent = parent
        self.action = action
        # BEGIN SOLUTION
        self.children: dict[int, Node] = {}
        self.visits = 0
        self.value_sum = 0.0
        # END SOLUTION


def ucb_score(parent_visits: int, child_visits: int, child_value_sum: float, c: float) -> float:
    """UCB1 applied to trees (UCT):

        Q + c · sqrt(ln(N_parent) / N_child),   Q = value_sum / N_child

    and ``math.inf`` for a child that was never visited (N_child = 0). Returns a plain float."""
    # BEGIN SOLUTION
    if child_visits == 0:
        return math.inf
    return child_value_sum / child_visits + c * math.sqrt(math.log(parent_visits) / child_visits)
    # END SOLUTION


def select_child(node: Node, c: float, rng: np.random.Generator) -> Node:
    """The child of ``node`` with the largest :func:`ucb_score` (``node.visits`` as N_parent); among equal
    scores one uniformly at random with ``rng``."""
    # BEGIN SOLUTION
    children = list(node.children.values())
    scores = np.array([ucb_score(node.visits, ch.visits, ch.value_sum, c) for ch in children])
    best = np.flatnonzero(scores == scores.max())
    return children[int(best[rng.integers(len(best))])]
    # END SOLUTION


def backup(path: list[Node], value: float) -> None:
    """Add one simulation's result to the nodes of ``path`` (root first, leaf last). ``value`` is the result for
    the player who moved into the LEAF (+1 win, 0 draw, −1 loss). Walking from the leaf up, every node gets
    ``visits += 1`` and ``value_sum += v``, where v = value at the leaf and flips sign at each level up (the
    parent's mover is the other player): leaf +value, its parent −value, the grandparent +value, …"""
    # BEGIN SOLUTION
    for node in reversed(path):
        node.visits += 1
        node.value_sum += value
        value = -value
    # END SOLUTION


def rollout(board: Board, rng: np.random.Generator) -> int:
    """Play uniformly random legal moves (``rng.integers`` over :func:`legal_actions`) until the game ends;
    return :func:`winner` of the final board (1, 2, or 0 for a draw)."""
    # BEGIN SOLUTION
    while (final := winner(board)) is None:
        moves = legal_actions(board)
        board = play(board, moves[int(rng.integers(len(moves)))])
    return final
    # END SOLUTION


def uct_search(board: Board, n_simulations: int, c: float, rng: np.random.Generator) -> int:
    """Run ``n_simulations`` simulations (module docstring) from a root :class:`Node` for ``board`` (a position
    where the game is not over) and return the move (an int) of the root's MOST VISITED child (the lowest move
    among equally visited ones). Every random choice uses ``rng``."""
    # BEGIN SOLUTION
    root = Node(tuple(int(mark) for mark in board))
    for _ in range(n_simulations):
        node, path = root, [root]
        while winner(node.board) is None and len(node.children) == len(legal_actions(node.board)):
            node = select_child(node, c, rng)
            path.append(node)
        if winner(node.board) is None:
            untried = [a for a in legal_actions(node.board) if a not in node.children]
            action = untried[int(rng.integers(len(untried)))]
            node.children[action] = Node(play(node.board, action), node, action)
            node = node.children[action]
            path.append(node)
        result = rollout(node.board, rng)
        mover = 3 - to_move(node.board)
        backup(path, 0.0 if result == 0 else (1.0 if result == mover else -1.0))
    return max(sorted(root.children), key=lambda a: root.children[a].visits)
    # END SOLUTION
