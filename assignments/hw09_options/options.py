"""Options (Sutton, Precup & Singh 1999): executing an option, SMDP Q-learning and intra-option Q-learning.

An *option* o is a triple (I_o, π_o, β_o): it may start in a state of its initiation set I_o, then picks actions
with its policy π_o until it terminates, in the state s it has just reached, with probability β_o(s). A primitive
action a is the option available everywhere whose policy is a and whose β is 1 everywhere (it lasts one step).

Here a set of n options over the integer states ``0 .. n_states − 1`` comes as three arrays (numpy):

    initiation  bool  (n_options, n_states)   initiation[o, s]: may o start in s?
    policy      int   (n_options, n_states)   policy[o, s]: the action o takes in s (−1 where o never acts)
    beta        float (n_options, n_states)   beta[o, s]: the probability that o terminates on reaching s

The grader builds them from its Four Rooms env (``grader/harness/four_rooms.py``: 8 hallway options, 2 per room,
then the 4 primitives); a check may give you any other set. Tables are ``Q[s, o]`` (n_states, n_options) float,
all 0 at the start. The grader's loop sets ``agent.epsilon`` before every episode; the agent never decays it.
Every random number comes from the ``rng`` (a ``numpy.random.Generator``) the agent or the function is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def run_option(
    env: Any, state: int, policy: np.ndarray, beta: np.ndarray, gamma: float, rng: np.random.Generator
) -> tuple[int, float, int, bool, bool]:
    """Execute one option in ``env`` (a Gymnasium env with integer observations) from ``state``, the env's
    current observation, and return ``(next_state, R, k, terminated, truncated)``.

    ``policy`` and ``beta`` are the option's rows (n_states,). Repeat: ``a = policy[s]``; ``s', r, terminated,
    truncated, info = env.step(a)``; add γ^t · r to R (t = 0 for the first step); k += 1; then stop if the
    episode ended (terminated or truncated: never step an env whose episode is over), otherwise draw
    ``u = rng.random()`` and stop if ``u < beta[s']``.

    R = r_1 + γ r_2 + … + γ^(k−1) r_k is the discounted reward of the option, k the number of steps it actually
    took; rewards [0, 0, 1] with γ = 0.9 give R = 0.81, k = 3. ``next_state`` is the last observation (an int).
    """
    raise NotImplementedError("run_option — fill this in (see its docstring in options.py)")


def epsilon_greedy_option(q_row: np.ndarray, available: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """An ε-greedy choice among the options available in a state.

    ``q_row`` = Q[s] (n_options,), ``available`` = initiation[:, s] (bool, at least one True). Draw
    ``u = rng.random()``; if u < ε return a uniformly random available option (``rng.integers``), else an
    available option of largest Q, ties broken uniformly at random with ``rng``. An option outside its initiation
    set is never returned, whatever its Q value.
    """
    raise NotImplementedError("epsilon_greedy_option — fill this in (see its docstring in options.py)")


def max_available(q_row: np.ndarray, available: np.ndarray) -> float:
    """max over the options available in s of Q[s, o] (``available`` = initiation[:, s])."""
    raise NotImplementedError("max_available — fill this in (see its docstring in options.py)")


class SMDPQLearning:
    """SMDP Q-learning over options: after option o ran from s for k steps with discounted reward R and ended in s',

        target = R + γ^k · max_{o' available in s'} Q[s', o']      (target = R if the episode terminated)
        Q[s, o] ← Q[s, o] + α · (target − Q[s, o])

    A truncated episode (time limit) still bootstraps. Example: α = 0.5, Q[s, o] = 0, R = 0.81, k = 3, γ = 0.9 and
    max Q[s'] = 2 give 0.5 · (0.81 + 0.729 · 2) = 1.134.

    Attributes the grader reads (and may set): ``Q`` (n_states, n_options) float, ``epsilon``.
    """

    def __init__(
        self,
        initiation: np.ndarray,
        policy: np.ndarray,
        beta: np.ndarray,
        alpha: float,
        gamma: float,
        epsilon: float,
        *,
        rng: np.random.Generator,
    ) -> None:
        """Store the arguments (arrays as given); ``Q`` = float zeros (n_states, n_options)."""
        self.initiation = np.asarray(initiation, dtype=bool)
        self.policy = np.asarray(policy)
        self.beta = np.asarray(beta, dtype=float)
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.rng = rng
        raise NotImplementedError("SMDPQLearning.__init__ — fill this in (see its docstring in options.py)")

    def act(self, state: int) -> int:
        """The option to start in ``state``: ``epsilon_greedy_option(Q[s], initiation[:, s], ε, rng)``."""
        raise NotImplementedError("SMDPQLearning.act — fill this in (see its docstring in options.py)")

    def update(self, state: int, option: int, R: float, k: int, next_state: int, terminated: bool) -> None:
        """The SMDP Q-learning update of the class docstring for one finished option."""
        raise NotImplementedError("SMDPQLearning.update — fill this in (see its docstring in options.py)")


class IntraOptionQLearning(SMDPQLearning):
    """Intra-option Q-learning: learns from every primitive step about every option that would have taken it.

    After a step s --a--> s' with reward r, for EVERY option o consistent with it (initiation[o, s] is True and
    policy[o, s] == a), whether or not o is the option being executed:

        U(s', o) = (1 − β_o(s')) · Q[s', o] + β_o(s') · max_{o' available in s'} Q[s', o']
        target = r + γ · U(s', o)                        (target = r if the episode terminated)
        Q[s, o] ← Q[s, o] + α · (target − Q[s, o])

    Every U uses the table as it was before this step's updates. Example: β_o(s') = 0.3, Q[s', o] = 2 and
    max Q[s'] = 5 give U = 0.7 · 2 + 0.3 · 5 = 2.9. Acting is ``SMDPQLearning.act``; the grader's loop executes
    the chosen option and calls ``update`` after every primitive step.
    """

    def update(self, state: int, action: int, reward: float, next_state: int, terminated: bool) -> None:  # type: ignore[override]
        """The intra-option update of the class docstring for one primitive step."""
        raise NotImplementedError("IntraOptionQLearning.update — fill this in (see its docstring in options.py)")
