"""Multi-armed bandit agents (Sutton & Barto, *Reinforcement Learning: An Introduction*, 2nd ed., ch. 2).

Every agent answers two calls of the grader's loop, one pair per time step t = 1, 2, ...:

* ``act() -> int`` chooses an arm A_t in ``{0, ..., n_arms - 1}``;
* ``update(action, reward)`` learns from the reward R_t the testbed paid for that arm.

The grader owns the testbed and its random numbers. Each agent gets its own ``rng`` (a
``numpy.random.Generator``, always passed as the keyword argument ``rng=``) and must draw *every* random
number from it: never call ``np.random.*`` or the ``random`` module, so the same seed always gives the
same actions.
"""

from __future__ import annotations

import math

import numpy as np


def argmax_random_tie(values: np.ndarray, rng: np.random.Generator) -> int:
    """Return the index of the largest entry of ``values``, breaking ties uniformly at random.

    ``np.argmax`` always returns the *first* maximal index; at the start of learning all estimates are
    equal, so it would keep choosing arm 0. Instead collect every index ``i`` with
    ``values[i] == values.max()`` (this includes ``+inf`` entries) and draw one of them with equal
    probability using ``rng``.

    Args:
        values: 1-D array of numbers (may contain ``+inf``).
        rng: the generator to draw the tie-break from.

    Returns:
        A plain ``int`` index.
    """
    # BEGIN SOLUTION
    best = np.flatnonzero(values == values.max())
    return int(best[rng.integers(len(best))])
    # END SOLUTION


class EpsilonGreedy:
    """ε-greedy action selection with sample-average estimates (S&B section 2.2-2.4).

    Attributes the grader reads:
        q: float array of shape ``(n_arms,)``, the estimates Q(a), all 0.0 at the start.
        n: int array of shape ``(n_arms,)``, N(a) = how many times arm a was updated, all 0 at the start.

    Checked: the incremental mean, the exact action frequencies, the random tie-break, reproducibility
    from ``rng``, and the mean total regret on the grader's Gaussian and Bernoulli testbeds.
    """

    def __init__(self, n_arms: int, epsilon: float, *, rng: np.random.Generator) -> None:
        """Store the arguments; create ``q`` (float zeros) and ``n`` (int zeros), both of length ``n_arms``."""
        self.n_arms = n_arms
        self.epsilon = epsilon
        self.rng = rng
        # BEGIN SOLUTION
        self.q = np.zeros(n_arms)
        self.n = np.zeros(n_arms, dtype=np.int64)
        # END SOLUTION

    def act(self) -> int:
        """Choose an arm: with probability ε a uniformly random arm, otherwise a greedy one.

        Draw ``u = rng.random()``. If ``u < epsilon`` explore: return an arm drawn uniformly from ALL
        ``n_arms`` arms (the greedy one included). Otherwise exploit: return
        ``argmax_random_tie(q, rng)``. Hence, with k arms and a unique greedy arm,

            P(greedy arm) = 1 - ε + ε/k,    P(any other arm) = ε/k.

        ``act`` must not change ``q`` or ``n``. ε = 0 is purely greedy; ε = 1 is uniformly random.
        """
        # BEGIN SOLUTION
        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_arms))
        return argmax_random_tie(self.q, self.rng)
        # END SOLUTION

    def update(self, action: int, reward: float) -> None:
        """Learn from the reward of ``action`` with the incremental sample average (S&B eq. 2.3):

            N(a) <- N(a) + 1
            Q(a) <- Q(a) + (R - Q(a)) / N(a)

        so Q(a) always equals the mean of all rewards received from arm a (e.g. rewards 1, 0, 2 give
        Q = 1.0). Other arms are unchanged.
        """
        # BEGIN SOLUTION
        self.n[action] += 1
        self.q[action] += (reward - self.q[action]) / self.n[action]
        # END SOLUTION


class UCB1:
    """Upper-confidence-bound action selection (S&B section 2.7, eq. 2.10; Auer et al. 2002).

    Attributes the grader reads:
        q: float array ``(n_arms,)``, sample-average estimates Q(a), starting at 0.0.
        n: int array ``(n_arms,)``, pull counts N(a), starting at 0.

    Checked: every arm is tried once first, the exact ``scores()``, random tie-breaks, ``c = 0`` is
    greedy, reproducibility from ``rng``, and the mean total regret on the grader's testbeds.
    """

    def __init__(self, n_arms: int, c: float = math.sqrt(2), *, rng: np.random.Generator) -> None:
        """Store the arguments and create ``q`` (zeros, float) and ``n`` (zeros, int) of length ``n_arms``.

        ``c`` scales the exploration bonus; ``c = sqrt(2)`` is the classic UCB1 of Auer et al.
        """
        self.n_arms = n_arms
        self.c = c
        self.rng = rng
        # BEGIN SOLUTION
        self.q = np.zeros(n_arms)
        self.n = np.zeros(n_arms, dtype=np.int64)
        # END SOLUTION

    def scores(self) -> np.ndarray:
        """Return the upper confidence bound of every arm as a float array of shape ``(n_arms,)``:

            U(a) = Q(a) + c * sqrt( ln(t) / N(a) )     if N(a) > 0
            U(a) = +inf                                if N(a) = 0 (untried arms come first)

        where t = N(0) + ... + N(k-1) is the total number of pulls so far (not N(a), and not t + 1).
        ``scores`` must not change the agent's state and must not raise or warn for untried arms.
        """
        # BEGIN SOLUTION
        scores = np.full(self.n_arms, np.inf)
        tried = self.n > 0
        if tried.any():
            t = self.n.sum()
            scores[tried] = self.q[tried] + self.c * np.sqrt(math.log(t) / self.n[tried])
        return scores
        # END SOLUTION

    def act(self) -> int:
        """Return ``argmax_random_tie(scores(), rng)``: the largest bound, ties broken uniformly at random.

        So the first ``n_arms`` pulls try every arm once, in a random order.
        """
        # BEGIN SOLUTION
        return argmax_random_tie(self.scores(), self.rng)
        # END SOLUTION

    def update(self, action: int, reward: float) -> None:
        """Same incremental sample average as :meth:`EpsilonGreedy.update`:

            N(a) <- N(a) + 1,    Q(a) <- Q(a) + (R - Q(a)) / N(a).

        Other arms are unchanged.
        """
        # BEGIN SOLUTION
        self.n[action] += 1
        self.q[action] += (reward - self.q[action]) / self.n[action]
        # END SOLUTION


class ThompsonBernoulli:
    """Thompson sampling for Bernoulli rewards with a Beta(1, 1) (uniform) prior on every arm (S&B 2.10).

    Attributes the grader reads:
        alpha: float array ``(n_arms,)``, 1 + number of rewards equal to 1 from each arm (starts at 1.0).
        beta: float array ``(n_arms,)``, 1 + number of rewards equal to 0 from each arm (starts at 1.0).

    The posterior of arm a's success probability θ_a is Beta(alpha[a], beta[a]).

    Checked: the posterior counts, the sampling frequencies of ``act``, rejection of non-binary rewards,
    reproducibility from ``rng``, and the mean total regret on the grader's Bernoulli testbeds.
    """

    def __init__(self, n_arms: int, *, rng: np.random.Generator) -> None:
        """Store the arguments; create ``alpha`` and ``beta`` as float arrays of ones (the Beta(1, 1) prior)."""
        self.n_arms = n_arms
        self.rng = rng
        # BEGIN SOLUTION
        self.alpha = np.ones(n_arms)
        self.beta = np.ones(n_arms)
        # END SOLUTION

    def act(self) -> int:
        """Draw θ_a ~ Beta(alpha[a], beta[a]) for every arm with ``rng.beta``; return argmax_a θ_a as an int.

        (Ties between continuous samples have probability zero, so ``np.argmax`` is fine here.)
        Example: alpha = [3, 1], beta = [1, 3] chooses arm 0 with probability 1 - 3·B(3, 4) = 0.95.
        """
        # BEGIN SOLUTION
        return int(np.argmax(self.rng.beta(self.alpha, self.beta)))
        # END SOLUTION

    def update(self, action: int, reward: float) -> None:
        """Bayesian update of the chosen arm's Beta posterior:

            alpha[a] <- alpha[a] + R,    beta[a] <- beta[a] + (1 - R).

        ``reward`` must be 0 or 1 (``0.0``/``1.0`` are fine); raise ``ValueError`` for any other value,
        before changing anything.
        """
        # BEGIN SOLUTION
        if reward not in (0, 1):
            raise ValueError(f"ThompsonBernoulli needs rewards in {{0, 1}}, got {reward!r}")
        self.alpha[action] += reward
        self.beta[action] += 1 - reward
        # END SOLUTION


class GradientBandit:
    """The gradient bandit algorithm: soft-max preferences learned by stochastic gradient ascent (S&B 2.8).

    Attributes the grader reads (and may set):
        h: float array ``(n_arms,)``, the preferences H(a), all 0.0 at the start.

    Checked: ``probs()`` is a numerically stable soft-max, the exact preferences after given updates
    (with and without baseline), reproducibility from ``rng``, and the fraction of optimal actions on the
    S&B Figure 2.5 testbed (means shifted by +4), where the baseline matters.
    """

    def __init__(self, n_arms: int, alpha: float, *, rng: np.random.Generator, baseline: bool = True) -> None:
        """Store the arguments and create ``h`` (zeros, float) plus whatever you need for the baseline R̄.

        ``alpha`` is the step size α; ``baseline=False`` means the baseline R̄ is always 0.
        """
        self.n_arms = n_arms
        self.alpha = alpha
        self.rng = rng
        self.baseline = baseline
        # BEGIN SOLUTION
        self.h = np.zeros(n_arms)
        self.mean_reward = 0.0
        self.t = 0
        # END SOLUTION

    def probs(self) -> np.ndarray:
        """Return the soft-max policy π(a) = exp(H(a)) / Σ_b exp(H(b)) (S&B eq. 2.11), shape ``(n_arms,)``.

        Compute it stably: subtract max_b H(b) before ``np.exp`` (it does not change π), so that
        preferences like [1000, 0, -1000] give [1, 0, 0] instead of ``nan``. Do not change the state.
        """
        # BEGIN SOLUTION
        z = np.exp(self.h - self.h.max())
        return z / z.sum()
        # END SOLUTION

    def act(self) -> int:
        """Sample an arm from π = ``probs()`` with ``rng`` (e.g. ``rng.choice(n_arms, p=pi)``); return an int."""
        # BEGIN SOLUTION
        return int(self.rng.choice(self.n_arms, p=self.probs()))
        # END SOLUTION

    def update(self, action: int, reward: float) -> None:
        """Stochastic-gradient step on the preferences (S&B eq. 2.12), with π the policy *before* the step:

            H(a) <- H(a) + α (R - R̄) (1 - π(a))    for the chosen arm a,
            H(b) <- H(b) - α (R - R̄) π(b)          for every other arm b.

        The baseline R̄ INCLUDES the current reward: first update the running mean of all rewards so far,
        R̄ <- R̄ + (R - R̄) / t where t counts the updates including this one, then use it. So the very
        first update leaves H unchanged (R - R̄ = 0). With ``baseline=False``, R̄ = 0 always.
        """
        # BEGIN SOLUTION
        pi = self.probs()
        if self.baseline:
            self.t += 1
            self.mean_reward += (reward - self.mean_reward) / self.t
        one_hot = np.zeros(self.n_arms)
        one_hot[action] = 1.0
        self.h += self.alpha * (reward - self.mean_reward) * (one_hot - pi)
        # END SOLUTION
