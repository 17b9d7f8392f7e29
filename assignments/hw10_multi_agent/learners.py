"""Tabular learners for cooperative multi-agent games: independent Q-learners, a joint-action learner and
hysteretic Q-learners (Claus & Boutilier 1998; Matignon, Laurent & Le Fort-Piat 2007).

A *team* object holds every agent of the game and answers the calls of the grader's multi-agent loop
(``grader/harness/loops.py``, ``train_parallel``), which drives a PettingZoo parallel environment. Agents are
named (``"agent_0"``, ``"agent_1"``, …); every call passes dicts keyed by those names:

1. before every episode the grader sets ``team.epsilon`` (its own schedule; the team never decays ε itself);
2. ``observations, infos = env.reset(...)``;
3. per step: ``actions = team.act(observations)`` — a dict with one int action per agent of ``observations``;
   ``next_obs, rewards, terminations, truncations, infos = env.step(actions)``;
   ``team.update(observations, actions, rewards, next_obs, terminations, truncations)``; until every agent is done.

**Match actions to agents by name, never by position**: the grader may pass the dicts in any key order (a
permuted order is checked). Observations are ints in ``[0, n_states)``, actions ints in ``[0, n_actions)``.

A ``terminated`` agent's target does not bootstrap (target = r); a ``truncated`` one still does. Each team gets
its own ``rng`` (a ``numpy.random.Generator``, keyword ``rng=``) and draws every random number from it. Greedy
choices break ties uniformly at random with ``rng`` (with Q all zero, ``np.argmax`` would always pick action 0).
After training the grader reads the tables (``Q``) and plays the greedy policy itself.
"""

from __future__ import annotations

import numpy as np


def argmax_random_tie(values: np.ndarray, rng: np.random.Generator) -> int:
    """Flat index of the largest entry of ``values`` (any shape), ties broken uniformly at random with ``rng``."""
    raise NotImplementedError("argmax_random_tie — fill this in (see its docstring in learners.py)")


class IndependentQLearners:
    """Independent Q-learning (IQL): every agent runs its own Q-learning on its own table and ignores the others,
    which for it are part of the environment (Tan, 1993; Claus & Boutilier's "independent learners").

    Attributes the grader reads (and may set):
        agents: the agent names, as given.
        Q: dict ``{name: float array (n_states, n_actions)}``, all 0.0 at the start, one *separate* array per agent.
        epsilon: the exploration rate; the grader sets it before every episode.

    Per agent i (observation s_i, action a_i, reward r_i, next observation s'_i):

        target_i = r_i + γ · max_a Q_i[s'_i, a]     (target_i = r_i if agent i terminated)
        Q_i[s_i, a_i] ← Q_i[s_i, a_i] + α · (target_i − Q_i[s_i, a_i])

    and nothing else changes: agent i's update never touches another agent's table.
    """

    def __init__(
        self,
        agents: list[str],
        n_states: int,
        n_actions: int,
        alpha: float,
        gamma: float,
        epsilon: float,
        *,
        rng: np.random.Generator,
    ) -> None:
        """Store the arguments; ``Q[name]`` = float zeros ``(n_states, n_actions)``, a separate array per agent."""
        self.agents = list(agents)
        self.n_states = n_states
        self.n_actions = n_actions
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.rng = rng
        raise NotImplementedError("IndependentQLearners.__init__ — fill this in (see its docstring in learners.py)")

    def act(self, observations: dict[str, int]) -> dict[str, int]:
        """ε-greedy action of every agent in ``observations``: per agent, draw ``u = rng.random()``; if u < ε an
        action ``rng.integers(n_actions)`` (uniform over all actions), else ``argmax_random_tie(Q[name][s])``.
        Returns ``{name: int}``. Must not change any table."""
        raise NotImplementedError("IndependentQLearners.act — fill this in (see its docstring in learners.py)")

    def step_size(self, td_error: float) -> float:
        """The learning rate applied to a TD error: α for plain Q-learning."""
        raise NotImplementedError("IndependentQLearners.step_size — fill this in (see its docstring in learners.py)")

    def update(
        self,
        observations: dict[str, int],
        actions: dict[str, int],
        rewards: dict[str, float],
        next_observations: dict[str, int],
        terminations: dict[str, bool],
        truncations: dict[str, bool],
    ) -> None:
        """The Q-learning update of the class docstring for every agent in ``actions``, each from its own
        observation, action, reward and table, with the step size ``step_size(target − Q)``."""
        raise NotImplementedError("IndependentQLearners.update — fill this in (see its docstring in learners.py)")


class HystereticQLearners(IndependentQLearners):
    """Hysteretic Q-learning (Matignon et al., 2007): independent learners that are optimistic about their
    teammates. A TD error δ = target − Q_i[s_i, a_i] ≥ 0 (better than expected) is learnt at rate α, a negative one
    (probably a teammate exploring) at the smaller rate β < α:

        Q_i[s_i, a_i] ← Q_i[s_i, a_i] + (α if δ ≥ 0 else β) · δ

    With β = α this is IQL. In the Climbing game a penalty of −30 for miscoordination drives IQL to a safe,
    suboptimal joint action; hysteretic learners keep the optimum (0, 0) = 11 attractive.
    """

    def __init__(
        self,
        agents: list[str],
        n_states: int,
        n_actions: int,
        alpha: float,
        gamma: float,
        epsilon: float,
        *,
        beta: float,
        rng: np.random.Generator,
    ) -> None:
        """As :class:`IndependentQLearners`, plus the decrease rate ``beta`` (0 ≤ β ≤ α)."""
        super().__init__(agents, n_states, n_actions, alpha, gamma, epsilon, rng=rng)
        self.beta = beta

    def step_size(self, td_error: float) -> float:
        """α for a TD error ≥ 0, β for a negative one."""
        raise NotImplementedError("HystereticQLearners.step_size — fill this in (see its docstring in learners.py)")


class JointActionLearner:
    """A joint-action learner (Claus & Boutilier's JAL) for two agents, learning one table over joint actions:

        Q[s, a_first, a_second]   (float array (n_states, n_actions, n_actions), all 0.0 at the start)

    where *first* is ``agents[0]`` and *second* ``agents[1]`` of the constructor (by name, whatever the order of a
    dict), and s is the first agent's observation (the shared state of a cooperative game). With the team reward
    r (the first agent's reward):

        target = r + γ · max_{b1, b2} Q[s', b1, b2]      (target = r if the first agent terminated)
        Q[s, a_first, a_second] ← Q[s, a_first, a_second] + α · (target − Q[s, a_first, a_second])

    ``act``: draw ``u = rng.random()``; if u < ε both actions uniformly at random (``rng.integers(n_actions)`` for
    the first agent, then for the second), else the joint argmax of ``Q[s]`` with ``argmax_random_tie`` (flat index
    = a_first · n_actions + a_second). The grader plays the joint argmax of ``Q`` after training.
    """

    def __init__(
        self,
        agents: list[str],
        n_states: int,
        n_actions: int,
        alpha: float,
        gamma: float,
        epsilon: float,
        *,
        rng: np.random.Generator,
    ) -> None:
        """Store the arguments (``agents`` has two names); ``Q`` = float zeros ``(n_states, n_actions, n_actions)``."""
        self.agents = list(agents)
        self.n_states = n_states
        self.n_actions = n_actions
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.rng = rng
        raise NotImplementedError("JointActionLearner.__init__ — fill this in (see its docstring in learners.py)")

    def act(self, observations: dict[str, int]) -> dict[str, int]:
        """ε-greedy joint action as ``{name: int}`` for the two agents (see the class docstring)."""
        raise NotImplementedError("JointActionLearner.act — fill this in (see its docstring in learners.py)")

    def update(
        self,
        observations: dict[str, int],
        actions: dict[str, int],
        rewards: dict[str, float],
        next_observations: dict[str, int],
        terminations: dict[str, bool],
        truncations: dict[str, bool],
    ) -> None:
        """The joint-action Q-learning update of the class docstring (only Q[s, a_first, a_second] changes)."""
        raise NotImplementedError("JointActionLearner.update — fill this in (see its docstring in learners.py)")
