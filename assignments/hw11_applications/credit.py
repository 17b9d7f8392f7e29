"""Part "credit": lending decisions as an offline contextual bandit — off-policy estimators (IPS, self-normalised
IPS, doubly robust) and a lending policy learned from a log (Dudík, Langford & Li 2011).

The grader's simulator (``grader/harness/credit.py``, Gymnasium id ``Lending-v0``) produces a *log*: for every
applicant i the features ``X[i]`` (d floats, the first a constant 1), the action the bank's current (logging)
policy took, ``actions[i]`` (0 = reject, 1 = approve), its probability ``propensities[i]`` = μ(actions[i] | X[i]),
and the reward ``rewards[i]`` (reject: 0; approve: +0.2 if the loan is repaid, −1 if it defaults). Everything here
is plain numpy on those arrays.
"""

from __future__ import annotations

import numpy as np


def ips(rewards: np.ndarray, target_probs: np.ndarray, logging_probs: np.ndarray) -> float:
    """Inverse propensity scoring: V̂ = (1/n) Σ_i w_i r_i with w_i = π(a_i | x_i) / μ(a_i | x_i).

    ``target_probs[i]`` is the target policy's probability of the *logged* action a_i, ``logging_probs[i]`` the
    logging policy's. Example: r = [1, 0, 1], π = [.5, .5, 1], μ = [.25, .5, .5] → w = [2, 1, 2], V̂ = 4/3.
    """
    raise NotImplementedError("ips — fill this in (see its docstring in credit.py)")


def snips(rewards: np.ndarray, target_probs: np.ndarray, logging_probs: np.ndarray) -> float:
    """Self-normalised IPS: V̂ = Σ_i w_i r_i / Σ_i w_i (same w_i as :func:`ips`; 0.0 when Σ w_i = 0).
    Example above: 4 / 5 = 0.8."""
    raise NotImplementedError("snips — fill this in (see its docstring in credit.py)")


def doubly_robust(
    rewards: np.ndarray,
    target_probs: np.ndarray,
    logging_probs: np.ndarray,
    q_logged: np.ndarray,
    v_target: np.ndarray,
) -> float:
    """Doubly robust: V̂ = (1/n) Σ_i [ v̂(x_i) + w_i (r_i − q̂(x_i, a_i)) ].

    ``q_logged[i]`` = q̂(x_i, a_i), a reward model's prediction for the logged action; ``v_target[i]`` =
    v̂(x_i) = Σ_a π(a | x_i) q̂(x_i, a), the model's value of the target policy. Unbiased if either the
    propensities or the model are right. Example: the r, π, μ above with q̂ = [.5, .5, .5], v̂ = [.6, .4, .5]:
    (1.6 − 0.1 + 1.5) / 3 = 1.0.
    """
    raise NotImplementedError("doubly_robust — fill this in (see its docstring in credit.py)")


class LendingPolicy:
    """A deterministic lending policy learned offline: approve when the predicted reward of approving is positive.

    ``fit`` learns a reward model for *approve*: ridge regression (penalty ``lam``, the constant feature too) of
    the reward on the features over the logged *approved* applicants, each weighted by 1 / μ(approve | x)
    (inverse propensity weights undo the logging policy's preference for some applicants):

        w = argmin Σ_i (1/μ_i) (r_i − wᵀx_i)² + lam · ‖w‖²  over approved i
          = (Xᵀ D X + lam · I)⁻¹ Xᵀ D r,   D = diag(1/μ_i)

    Rejecting always pays 0, so ``probs(X)`` is [0, 1] (approve) where wᵀx > 0 and [1, 0] (reject) elsewhere.
    Attribute the grader reads after ``fit``: ``w``, float array (d,).
    """

    def __init__(self, lam: float = 1.0) -> None:
        self.lam = lam
        self.w: np.ndarray | None = None

    def fit(self, X: np.ndarray, actions: np.ndarray, rewards: np.ndarray, propensities: np.ndarray) -> None:
        """Fit ``w`` as above from the log."""
        raise NotImplementedError("LendingPolicy.fit — fill this in (see its docstring in credit.py)")

    def probs(self, X: np.ndarray) -> np.ndarray:
        """Action probabilities, float array (n, 2): columns reject, approve; each row one-hot."""
        raise NotImplementedError("LendingPolicy.probs — fill this in (see its docstring in credit.py)")
