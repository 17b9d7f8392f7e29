"""Dyna-Q: Q-learning plus planning with a learned tabular model (Sutton & Barto, 2nd ed., section 8.2).

The agent answers the calls of the grader's tabular loop (``grader/harness/tabular_control.py``, the same loop as
hw02). Per episode the grader sets ``agent.epsilon``, resets its env and calls ``a = agent.act(s)``; per step it
steps the env, calls ``a' = agent.act(s')`` unless the step terminated, then
``agent.update(s, a, r, s', terminated, truncated, next_action=a')``. The grader counts the env steps of every
episode itself and, after training, reads ``agent.Q``.

One call of ``update`` is one iteration of tabular Dyna-Q (S&B, box on p. 164):

1. direct RL — the Q-learning update on the real transition::

       Q(s, a) ← Q(s, a) + α · (r + γ · (1 − terminated) · max_b Q(s', b) − Q(s, a))

2. model learning — ``model.add(s, a, r, s', terminated)`` (the maze is deterministic: the model keeps the last
   outcome of every pair);
3. planning — ``planning_steps`` times: ``(s, a, r, s', terminated) = model.sample(rng)`` (a pair seen before,
   uniformly) and the same Q-learning update on that simulated transition.

A ``terminated`` transition (real or simulated) never bootstraps; a ``truncated`` one (a time limit) still does,
and the model stores only ``terminated``. Each agent draws every random number from its own ``rng``
(a ``numpy.random.Generator``, keyword ``rng=``).
"""

from __future__ import annotations

import numpy as np

Transition = tuple[int, int, float, int, bool]


def argmax_random_tie(values: np.ndarray, rng: np.random.Generator) -> int:
    """Index of the largest entry of the 1-D array ``values``, ties broken uniformly at random with ``rng``."""
    # BEGIN SOLUTION
    best = np.flatnonzero(values == values.max())
    return int(best[rng.integers(len(best))])
    # END SOLUTION


class TabularModel:
    """A deterministic tabular model: what followed each (state, action) pair the last time it was tried.

    ``add(s, a, r, s', terminated)`` stores (overwrites) the outcome of (s, a). ``sample(rng)`` returns a
    transition ``(s, a, r, s', terminated)`` of a pair seen before, every seen pair with the same probability
    1/len(model), or ``None`` when nothing was stored yet (never a pair that was not seen, never an error).
    ``len(model)`` is the number of distinct pairs stored. ``s, a, s'`` are plain ints, ``r`` a float and
    ``terminated`` a bool.
    """

    def __init__(self) -> None:
        # BEGIN SOLUTION
        self.outcomes: dict[tuple[int, int], tuple[float, int, bool]] = {}
        self.pairs: list[tuple[int, int]] = []
        # END SOLUTION

    def add(self, state: int, action: int, reward: float, next_state: int, terminated: bool) -> None:
        """Store the outcome of (state, action), replacing an earlier one."""
        # BEGIN SOLUTION
        key = (int(state), int(action))
        if key not in self.outcomes:
            self.pairs.append(key)
        self.outcomes[key] = (float(reward), int(next_state), bool(terminated))
        # END SOLUTION

    def sample(self, rng: np.random.Generator) -> Transition | None:
        """A stored transition of a uniformly drawn seen pair, or ``None`` for an empty model."""
        # BEGIN SOLUTION
        if not self.pairs:
            return None
        state, action = self.pairs[int(rng.integers(len(self.pairs)))]
        reward, next_state, terminated = self.outcomes[(state, action)]
        return state, action, reward, next_state, terminated
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION
        return len(self.pairs)
        # END SOLUTION


class DynaQAgent:
    """Tabular Dyna-Q (module docstring) with ``planning_steps`` = n simulated updates per real step (n = 0 is
    plain Q-learning).

    Attributes the grader reads (and may set):
        Q: float array ``(n_states, n_actions)``, all 0.0 at the start.
        model: a :class:`TabularModel`, empty at the start.
        epsilon: the exploration rate of :meth:`act`; the grader sets it before every episode.
    """

    def __init__(
        self,
        n_states: int,
        n_actions: int,
        alpha: float,
        gamma: float,
        epsilon: float,
        *,
        planning_steps: int,
        rng: np.random.Generator,
    ) -> None:
        self.n_states = n_states
        self.n_actions = n_actions
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.planning_steps = planning_steps
        self.rng = rng
        # BEGIN SOLUTION
        self.Q = np.zeros((n_states, n_actions))
        self.model = TabularModel()
        # END SOLUTION

    def act(self, state: int) -> int:
        """ε-greedy: draw ``u = rng.random()``; if u < ε an action ``rng.integers(n_actions)``, else
        ``argmax_random_tie(Q[state], rng)``. Returns a plain int and changes nothing else."""
        # BEGIN SOLUTION
        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_actions))
        return argmax_random_tie(self.Q[state], self.rng)
        # END SOLUTION

    def q_update(self, state: int, action: int, reward: float, next_state: int, terminated: bool) -> None:
        """One Q-learning update of Q(state, action) (step 1 of the module docstring)."""
        # BEGIN SOLUTION
        target = reward + (0.0 if terminated else self.gamma * self.Q[next_state].max())
        self.Q[state, action] += self.alpha * (target - self.Q[state, action])
        # END SOLUTION

    def plan(self, steps: int) -> None:
        """``steps`` planning updates from transitions sampled from the model (none while it is empty)."""
        # BEGIN SOLUTION
        for _ in range(steps):
            transition = self.model.sample(self.rng)
            if transition is None:
                return
            self.q_update(*transition)
        # END SOLUTION

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
        """One Dyna-Q iteration: ``q_update`` on the real transition, ``model.add``, then ``plan(planning_steps)``.
        ``truncated`` and ``next_action`` are not used (a time limit is not a terminal state)."""
        # BEGIN SOLUTION
        self.q_update(state, action, reward, next_state, terminated)
        self.model.add(state, action, reward, next_state, terminated)
        self.plan(self.planning_steps)
        # END SOLUTION
