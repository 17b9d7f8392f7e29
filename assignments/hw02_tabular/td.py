"""Tabular temporal-difference control (Sutton & Barto, *Reinforcement Learning: An Introduction*, 2nd ed., ch. 6).

Every agent keeps action values Q(s, a) in a float array of shape ``(n_states, n_actions)`` that starts at
zero, and answers the calls of the grader's loop (``grader/harness/tabular_control.py``). Per episode:

1. the grader sets ``agent.epsilon`` (its own schedule, e.g. ``linear_epsilon(episode, ...)``); the agent
   never decays ε itself;
2. ``s = env.reset(...)`` and ``a = agent.act(s)``;
3. per step: ``s', r, terminated, truncated = env.step(a)``; then, *unless* ``terminated``,
   ``a' = agent.act(s')`` (for a truncated step too: an action that is never executed); then
   ``agent.update(s, a, r, s', terminated, truncated, next_action=a')`` (``next_action=None`` when
   ``terminated``); then ``s, a = s', a'`` until ``terminated or truncated``.

So every agent sees ``act(s')`` *before* ``update`` of the step that led to s'. After training the grader
reads ``agent.Q`` and evaluates the greedy policy argmax_a Q(s, a) itself.

The TD target bootstraps from s' unless the step ``terminated`` (s' is terminal, its value is 0). A
``truncated`` step (a time limit) did not reach a terminal state, so its target STILL bootstraps from s'.

Each agent gets its own ``rng`` (a ``numpy.random.Generator``, always the keyword argument ``rng=``) and must
draw *every* random number from it, never from ``np.random.*`` or the ``random`` module.
"""

from __future__ import annotations

import numpy as np


def linear_epsilon(t: int, start: float, end: float, duration: int) -> float:
    """Linearly annealed ε: ``start`` at t = 0, ``end`` at t = duration and for every t after it.

        ε(t) = start + (end - start) · min(t / duration, 1)

    ``t`` counts episodes (or steps) from 0; ``duration <= 0`` means ``end`` right away. A pure function
    returning a plain ``float``, e.g. ``linear_epsilon(50, 1.0, 0.1, 100) == 0.55``.
    """
    raise NotImplementedError("linear_epsilon — fill this in (see its docstring in td.py)")


def argmax_random_tie(values: np.ndarray, rng: np.random.Generator) -> int:
    """Index of the largest entry of the 1-D array ``values``, ties broken uniformly at random with ``rng``.

    (``np.argmax`` always returns the first maximum: with Q all zero it would always choose action 0.)
    """
    raise NotImplementedError("argmax_random_tie — fill this in (see its docstring in td.py)")


class SarsaAgent:
    """On-policy TD control, SARSA (S&B section 6.4, eq. 6.7).

    Attributes the grader reads (and may set):
        Q: float array ``(n_states, n_actions)``, all 0.0 at the start.
        epsilon: the exploration rate ε used by :meth:`act`; the grader sets it before every episode.

    Checked: the exact update with ``next_action`` (terminated and truncated steps too), the ε-greedy
    action probabilities and random tie-break, and the greedy return after training on Taxi-v4 and on
    CliffWalking-v1, where SARSA with ε = 0.1 learns the *safe* path (S&B Example 6.6).
    """

    def __init__(
        self, n_states: int, n_actions: int, alpha: float, gamma: float, epsilon: float, *, rng: np.random.Generator
    ) -> None:
        """Store the arguments and create ``Q`` = float zeros of shape ``(n_states, n_actions)``."""
        self.n_states = n_states
        self.n_actions = n_actions
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.rng = rng
        raise NotImplementedError("SarsaAgent.__init__ — fill this in (see its docstring in td.py)")

    def greedy_action(self, state: int) -> int:
        """argmax_a Q(state, a) as an ``int``, ties broken uniformly at random (``argmax_random_tie``)."""
        raise NotImplementedError("SarsaAgent.greedy_action — fill this in (see its docstring in td.py)")

    def act(self, state: int) -> int:
        """ε-greedy action: draw ``u = rng.random()``; if ``u < epsilon`` return ``rng.integers(n_actions)``
        (uniform over ALL actions, the greedy one included), else ``greedy_action(state)``. So with a unique
        greedy action, P(greedy) = 1 - ε + ε/|A| and P(any other action) = ε/|A|. Must not change ``Q``.
        """
        raise NotImplementedError("SarsaAgent.act — fill this in (see its docstring in td.py)")

    def update(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        truncated: bool,
        next_action: int | None = None,
    ) -> None:
        """SARSA update (eq. 6.7) with the action A' = ``next_action`` the agent will take in S':

            target = R + γ Q(S', A')      if not terminated (a truncated step still bootstraps)
            target = R                    if terminated
            Q(S, A) <- Q(S, A) + α (target - Q(S, A))

        Only Q(S, A) changes. ``next_action`` is ``None`` only when ``terminated``.
        """
        raise NotImplementedError("SarsaAgent.update — fill this in (see its docstring in td.py)")


class QLearningAgent(SarsaAgent):
    """Off-policy TD control, Q-learning (S&B section 6.5, eq. 6.8); acts ε-greedily like :class:`SarsaAgent`.

    Checked: the exact update (terminated and truncated steps too), and the greedy return after training
    on Taxi-v4 and on CliffWalking-v1, where Q-learning learns the optimal cliff-edge path (return -13).
    """

    def update(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        truncated: bool,
        next_action: int | None = None,
    ) -> None:
        """Q-learning update (eq. 6.8); ``next_action`` is ignored:

        target = R + γ max_a Q(S', a)   if not terminated (a truncated step still bootstraps)
        target = R                      if terminated
        Q(S, A) <- Q(S, A) + α (target - Q(S, A))
        """
        raise NotImplementedError("QLearningAgent.update — fill this in (see its docstring in td.py)")


class ExpectedSarsaAgent(SarsaAgent):
    """Expected SARSA (S&B section 6.6, eq. 6.9) under the agent's own ε-greedy policy.

    Checked: the policy probabilities (ties included), the exact update, and learning on the grader's tasks.
    """

    def policy_probs(self, state: int) -> np.ndarray:
        """π(·|state) of :meth:`act` with the current ``epsilon``, a float array of shape ``(n_actions,)``:

            π(a|s) = ε/|A| + (1 - ε)/|G|    for every a in G = {a : Q(s, a) = max_b Q(s, b)}
            π(a|s) = ε/|A|                  otherwise

        i.e. the 1 - ε of greedy probability is split equally among tied greedy actions, exactly as the
        random tie-break of :meth:`act` does. Example: Q(s) = [2, 5, -1, 3], ε = 0.2 → [0.05, 0.85, 0.05, 0.05].
        """
        raise NotImplementedError("ExpectedSarsaAgent.policy_probs — fill this in (see its docstring in td.py)")

    def update(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        truncated: bool,
        next_action: int | None = None,
    ) -> None:
        """Expected SARSA update (eq. 6.9); ``next_action`` is ignored:

        target = R + γ Σ_a π(a|S') Q(S', a)   if not terminated (π = ``policy_probs(S')``, current ε)
        target = R                            if terminated
        Q(S, A) <- Q(S, A) + α (target - Q(S, A))
        """
        raise NotImplementedError("ExpectedSarsaAgent.update — fill this in (see its docstring in td.py)")


class DoubleQLearningAgent(SarsaAgent):
    """Double Q-learning (S&B section 6.7, the box "Double Q-learning" next to Figure 6.5).

    Attributes the grader reads:
        Q1, Q2: the two float tables ``(n_states, n_actions)``, all 0.0 at the start.
        Q: (read-only) their average (Q1 + Q2) / 2; :meth:`act` and :meth:`greedy_action` are ε-greedy and
           greedy on it (the same actions as on Q1 + Q2).

    Checked: exactly one table changes per update, the target evaluates the updated table's argmax with
    the *other* table, each table is chosen about half of the time, and learning on the grader's tasks.
    """

    def __init__(
        self, n_states: int, n_actions: int, alpha: float, gamma: float, epsilon: float, *, rng: np.random.Generator
    ) -> None:
        """Store the arguments and create ``Q1`` and ``Q2``, float zeros of shape ``(n_states, n_actions)``."""
        self.n_states = n_states
        self.n_actions = n_actions
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.rng = rng
        raise NotImplementedError("DoubleQLearningAgent.__init__ — fill this in (see its docstring in td.py)")

    @property
    def Q(self) -> np.ndarray:  # noqa: N802 - the textbook's name
        """(Q1 + Q2) / 2, a new array (writing to it changes neither table)."""
        raise NotImplementedError("DoubleQLearningAgent.Q — fill this in (see its docstring in td.py)")

    def greedy_action(self, state: int) -> int:
        """argmax_a (Q1 + Q2)(state, a) as an ``int``, ties broken uniformly at random."""
        raise NotImplementedError("DoubleQLearningAgent.greedy_action — fill this in (see its docstring in td.py)")

    def update(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        truncated: bool,
        next_action: int | None = None,
    ) -> None:
        """Double Q-learning update; ``next_action`` is ignored. With probability 1/2 (draw ``rng.random() < 0.5``)
        update Q1 using Q2, otherwise update Q2 using Q1 — exactly one table changes:

            A* = argmax_a Q1(S', a)                       (the updated table picks the action ...)
            target = R + γ Q2(S', A*)                     (... the other table evaluates it)
            target = R                                    if terminated
            Q1(S, A) <- Q1(S, A) + α (target - Q1(S, A))

        and the same with Q1 and Q2 swapped. A truncated step still bootstraps. Ties in A* may be broken
        either way.
        """
        raise NotImplementedError("DoubleQLearningAgent.update — fill this in (see its docstring in td.py)")
