"""Returns of one episode and their normalisation (Sutton & Barto, 2nd ed., eq. 3.8 and section 13.3).

An episode's rewards are ``rewards[t] = r_t``, the reward received after the action at step t, for
t = 0 .. T-1. All functions are pure: they take plain Python lists or numpy arrays and return plain
``float`` values or float64 numpy arrays; they never modify their inputs.
"""

from __future__ import annotations

import numpy as np


def discounted_return(rewards: list[float] | np.ndarray, gamma: float) -> float:
    """The discounted return of the whole episode from its first step (eq. 3.8), a plain ``float``:

        G_0 = Σ_{k=0}^{T-1} γ^k r_k

    e.g. ``discounted_return([1, 0, 2], 0.5) == 1.5``; an empty episode has return 0.0.
    """
    # BEGIN SOLUTION
    return float(sum(gamma**k * r for k, r in enumerate(rewards)))
    # END SOLUTION


def reward_to_go(rewards: list[float] | np.ndarray, gamma: float) -> np.ndarray:
    """The discounted reward-to-go of every step, a float64 array of shape ``(T,)``:

        G_t = Σ_{k=t}^{T-1} γ^(k-t) r_k,   i.e.   G_{T-1} = r_{T-1},   G_t = r_t + γ G_{t+1}

    Each G_t discounts from step t, not from step 0 (the γ^t in front belongs to the state distribution,
    not to the REINFORCE weight). E.g. ``reward_to_go([1, 0, 2], 0.5) == [1.5, 1.0, 2.0]``.
    """
    # BEGIN SOLUTION
    out = np.zeros(len(rewards))
    g = 0.0
    for t in reversed(range(len(rewards))):
        g = rewards[t] + gamma * g
        out[t] = g
    return out
    # END SOLUTION


def normalize(x: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """``(x - mean(x)) / (std(x) + eps)`` as a float64 array of the same shape, with the POPULATION standard
    deviation (``np.std``, ddof = 0). A constant input gives zeros (never NaN): that is what ``eps`` is for.
    E.g. ``normalize(np.array([1.0, 3.0]))`` ≈ ``[-1, 1]``.
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    return (x - x.mean()) / (x.std() + eps)
    # END SOLUTION
