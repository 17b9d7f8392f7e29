"""Dynamic programming on a known model (Sutton & Barto, *Reinforcement Learning: An Introduction*, 2nd ed., ch. 4).

The model is the transition table of Gymnasium's toy-text environments, ``P = env.unwrapped.P``:

    P[s][a] = [(prob, next_state, reward, terminated), ...]

one tuple per possible outcome of taking action ``a`` in state ``s`` (the probabilities sum to 1). States are
``0, ..., n_states - 1`` with ``n_states = len(P)``; actions are ``0, ..., n_actions - 1`` with
``n_actions = len(P[0])``. ``P`` may be a dict of dicts (as Gymnasium builds it) or a list of lists.

**No bootstrapping after termination.** An outcome with ``terminated=True`` ends the episode: its value is
its reward only, ``reward + gamma * V[next_state] * (1 - terminated)``, whatever number ``V[next_state]``
happens to hold. (FrozenLake's holes and goal are such states; the grader also passes value arrays whose
terminal entries are not 0.)

Values are float64 arrays of shape ``(n_states,)``, action values ``(n_states, n_actions)``: compute in float64
throughout (the checks compare values to 1e-9; float32 rounding alone is 1e-7). A stochastic policy is an array
``pi`` of shape ``(n_states, n_actions)`` with ``pi[s, a] = π(a|s)``; a deterministic policy is an int array of
shape ``(n_states,)`` holding one action per state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Outcome = tuple[float, int, float, bool]
Model = Mapping[int, Mapping[int, Sequence[Outcome]]] | Sequence[Sequence[Sequence[Outcome]]]

TIE_TOLERANCE = 1e-9
"""Actions whose values are within this distance of the best one count as tied (see :func:`greedy_policy`)."""


def bellman_backup(P: Model, V: np.ndarray, gamma: float) -> np.ndarray:
    """One-step lookahead: the action values of ``V`` (S&B eq. 4.6),

        Q[s, a] = Σ_{(p, s', r, done) in P[s][a]}  p · ( r + γ · V[s'] · (1 − done) ),

    summed over EVERY outcome of ``P[s][a]``. Pure function: ``V`` is not modified.

    Returns:
        A float64 array of shape ``(n_states, n_actions)``.
    """
    raise NotImplementedError("bellman_backup — fill this in (see its docstring in dp.py)")


def policy_evaluation(
    P: Model,
    pi: np.ndarray,
    gamma: float,
    theta: float = 1e-10,
    v0: np.ndarray | None = None,
    max_sweeps: int = 100_000,
) -> np.ndarray:
    """Iterative policy evaluation of the stochastic policy ``pi`` (S&B section 4.1, eq. 4.5).

    Start from ``V_0 = v0`` (zeros when ``v0`` is None) and apply *synchronous* sweeps: every new value is
    computed from the previous array only (no in-place updates within a sweep),

        V_{k+1}[s] = Σ_a π(a|s) · Q_k[s, a],      Q_k = bellman_backup(P, V_k, γ).

    Stop after the first sweep with ``max_s |V_{k+1}[s] − V_k[s]| < theta``, or after ``max_sweeps`` sweeps,
    and return ``V_{k+1}`` (a new float64 array of shape ``(n_states,)``; ``v0`` is not modified).
    """
    raise NotImplementedError("policy_evaluation — fill this in (see its docstring in dp.py)")


def greedy_policy(Q: np.ndarray) -> np.ndarray:
    """The deterministic greedy policy of ``Q`` with a fixed tie-break (S&B eq. 4.9).

    In every state, the greedy actions are those with ``Q[s, a] >= max_a' Q[s, a'] − TIE_TOLERANCE``; return the
    LOWEST-index greedy action. (A fixed rule matters: breaking ties differently from one call to the next can
    make policy iteration switch between equally good policies forever.)

    Returns:
        An int array of shape ``(n_states,)``.
    """
    raise NotImplementedError("greedy_policy — fill this in (see its docstring in dp.py)")


def policy_iteration(
    P: Model, gamma: float, theta: float = 1e-10, max_iterations: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """Policy iteration (S&B section 4.3): evaluate, improve, repeat until the policy is stable.

    Start from the policy that takes action 0 in every state. Each iteration: evaluate the current
    deterministic policy with ``policy_evaluation(P, one_hot_pi, gamma, theta)`` (from ``V_0 = 0``), then
    improve it with ``greedy_policy(bellman_backup(P, V, gamma))``. When the improved policy equals the current
    one, return ``(V, policy)``: the value of that policy and the policy (int array ``(n_states,)``). Raise
    ``RuntimeError`` if the policy is still changing after ``max_iterations`` iterations.
    """
    raise NotImplementedError("policy_iteration — fill this in (see its docstring in dp.py)")


def value_iteration(
    P: Model, gamma: float, theta: float = 1e-10, max_sweeps: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Value iteration (S&B section 4.4, eq. 4.10) with synchronous sweeps from ``V_0 = 0``:

        V_{k+1}[s] = max_a Q_k[s, a],      Q_k = bellman_backup(P, V_k, γ).

    Stop after the first sweep with ``max_s |V_{k+1}[s] − V_k[s]| < theta`` (or ``max_sweeps`` sweeps) and
    return ``(V, greedy_policy(bellman_backup(P, V, gamma)))`` with ``V = V_{k+1}``.
    """
    raise NotImplementedError("value_iteration — fill this in (see its docstring in dp.py)")
