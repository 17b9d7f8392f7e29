"""Part "recommender": LinUCB for a contextual bandit of users and items, and offline evaluation of a policy on
logged data by the replay method (Li, Chu, Langford & Schapire 2010; Li, Chu, Langford & Wang 2011).

Each round a user arrives, described by a context vector ``x`` (d floats, the first one a constant 1); the agent
recommends one of ``n_arms`` items and sees only that item's reward (1 = click, 0 = no click). The grader owns the
simulator (``grader/harness/recommender.py``, Gymnasium id ``Recommender-v0``), calls ``act(x)`` and then
``update(x, arm, reward)`` every round, and computes the regret itself from the click probabilities it hides.
"""

from __future__ import annotations

import numpy as np


class LinUCB:
    """Disjoint LinUCB: one ridge regression per arm and an upper confidence bound on its prediction.

    Per arm a (all start at A_a = λ·I (d × d), b_a = 0 (d)):

        θ_a = A_a⁻¹ b_a
        UCB_a(x) = θ_aᵀ x + α · sqrt(xᵀ A_a⁻¹ x)
        update(x, a, r):  A_a ← A_a + x xᵀ,   b_a ← b_a + r · x     (only the chosen arm changes)

    Attributes the grader reads: ``A`` float array (n_arms, d, d) and ``b`` float array (n_arms, d).
    ``act(x)`` returns the arm with the largest UCB; ties go to the lowest index (``np.argmax``), so the agent is
    deterministic. Example (d = 2, λ = 1, α = 1): after ``update([1, 0], 0, 1)``, A_0 = diag(2, 1), b_0 = [1, 0],
    θ_0 = [0.5, 0] and UCB_0([1, 0]) = 0.5 + sqrt(0.5) = 1.2071.
    """

    def __init__(self, n_arms: int, dim: int, alpha: float, lam: float = 1.0) -> None:
        """Store the arguments; ``A`` = n_arms copies of λ·I, ``b`` = zeros (n_arms, dim)."""
        self.n_arms = n_arms
        self.dim = dim
        self.alpha = alpha
        self.lam = lam
        raise NotImplementedError("LinUCB.__init__ — fill this in (see its docstring in recommender.py)")

    def ucb(self, x: np.ndarray) -> np.ndarray:
        """UCB_a(x) of every arm, float array (n_arms,)."""
        raise NotImplementedError("LinUCB.ucb — fill this in (see its docstring in recommender.py)")

    def act(self, x: np.ndarray) -> int:
        """The arm with the largest UCB_a(x), lowest index on ties."""
        raise NotImplementedError("LinUCB.act — fill this in (see its docstring in recommender.py)")

    def update(self, x: np.ndarray, arm: int, reward: float) -> None:
        """A_arm += x xᵀ, b_arm += reward · x; no other arm changes."""
        raise NotImplementedError("LinUCB.update — fill this in (see its docstring in recommender.py)")


def replay_evaluate(
    agent: LinUCB, contexts: np.ndarray, logged_arms: np.ndarray, rewards: np.ndarray
) -> tuple[float, int]:
    """Replay estimate of ``agent``'s average reward on a log collected by a *uniformly random* logging policy.

    Go through the events t = 0, 1, … in order; for each, ask ``a = agent.act(contexts[t])``. If ``a`` equals
    ``logged_arms[t]`` the event is *matched*: keep ``rewards[t]`` and call ``agent.update(contexts[t], a,
    rewards[t])``; otherwise skip the event entirely (no update: the agent never sees a reward for an arm the log
    did not show). Return ``(mean reward over the matched events, number of matched events)``; ``(0.0, 0)`` when
    no event matched. Under uniform logging over K arms about T/K events match, and the estimate is unbiased for
    the agent's online value (Li et al. 2011).
    """
    raise NotImplementedError("replay_evaluate — fill this in (see its docstring in recommender.py)")
