"""Tabular option-critic (Bacon, Harb & Precup 2017): options whose policies and terminations are learnt.

Each of n options o has a softmax intra-option policy and a sigmoid termination over integer states:

    π_o(a | s) = softmax(θ[o, s])_a           θ     float (n_options, n_states, n_actions), zeros at the start
    β_o(s)     = σ(ϑ[o, s]) = 1/(1 + e^(−ϑ))  ϑ     float (n_options, n_states), zeros at the start (β = 0.5)

and the critic keeps Q_Ω[s, o] (n_states, n_options) and Q_U[s, o, a] (n_states, n_options, n_actions), zeros at
the start. The policy over options is ε-greedy on Q_Ω[s] (every option is available everywhere). The two
gradients of the paper, for one step s --a--> s' taken by option o:

    intra-option policy gradient:  ∂ log π_o(a | s) / ∂θ[o, s] · A_U = (onehot(a) − π_o(· | s)) · A_U,
                                   A_U = Q_U[s, o, a] − Q_Ω[s, o]   (Q_Ω[s, o] as a baseline)
    termination gradient:          ∂β_o(s') / ∂ϑ[o, s'] · A_Ω = β_o(s')(1 − β_o(s')) · A_Ω,
                                   A_Ω = Q_Ω[s', o] − max_o' Q_Ω[s', o']

θ moves up its gradient (ascent), ϑ moves DOWN the termination gradient: an option that is worse than the best
one in s' (A_Ω < 0) becomes more likely to terminate there.
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x) of a 1-D array (stable for large logits)."""
    raise NotImplementedError("softmax — fill this in (see its docstring in option_critic.py)")


def sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^(−x))."""
    raise NotImplementedError("sigmoid — fill this in (see its docstring in option_critic.py)")


def policy_gradient(logits: np.ndarray, action: int, advantage: float) -> np.ndarray:
    """∂ log softmax(logits)_action / ∂logits · advantage = (onehot(action) − softmax(logits)) · advantage.

    Example: logits [0, ln 3] (π = [0.25, 0.75]), action 1, advantage 2 → [−0.5, 0.5]."""
    raise NotImplementedError("policy_gradient — fill this in (see its docstring in option_critic.py)")


def termination_gradient(logit: float, advantage: float) -> float:
    """∂σ(logit)/∂logit · advantage = σ(1 − σ) · advantage. Example: logit 0, advantage −2 → −0.5."""
    raise NotImplementedError("termination_gradient — fill this in (see its docstring in option_critic.py)")


class OptionCritic:
    """Tabular option-critic agent (module docstring). The grader's loop, per episode: ``s = reset``,
    ``o = choose_option(s)``; per step ``a = act(s, o)``, ``s', r, terminated, truncated = env.step(a)``,
    ``update(s, o, a, r, s', terminated)``; if the episode goes on and ``terminates(s', o)``, ``o =
    choose_option(s')``. It sets ``agent.epsilon`` before every episode.

    ``update`` does, in this order, with β' = σ(ϑ[o, s']) read before any change:

    1. U = (1 − β') Q_Ω[s', o] + β' max_o' Q_Ω[s', o'];  target = r + γ U  (target = r if terminated)
    2. Q_U[s, o, a] += α_critic (target − Q_U[s, o, a]);  Q_Ω[s, o] += α_critic (target − Q_Ω[s, o])
    3. θ[o, s] += α_θ · policy_gradient(θ[o, s], a, Q_U[s, o, a] − Q_Ω[s, o])      (the values after step 2)
    4. unless terminated: ϑ[o, s'] −= α_β · termination_gradient(ϑ[o, s'], Q_Ω[s', o] − max_o' Q_Ω[s', o'])
    """

    def __init__(
        self,
        n_states: int,
        n_options: int,
        n_actions: int,
        alpha_critic: float,
        alpha_theta: float,
        alpha_beta: float,
        gamma: float,
        epsilon: float,
        *,
        rng: np.random.Generator,
    ) -> None:
        """Store the arguments; ``theta``, ``vartheta``, ``Q_omega``, ``Q_u`` = float zeros of the shapes above."""
        self.n_states, self.n_options, self.n_actions = n_states, n_options, n_actions
        self.alpha_critic = alpha_critic
        self.alpha_theta = alpha_theta
        self.alpha_beta = alpha_beta
        self.gamma = gamma
        self.epsilon = epsilon
        self.rng = rng
        raise NotImplementedError("OptionCritic.__init__ — fill this in (see its docstring in option_critic.py)")

    def choose_option(self, state: int) -> int:
        """ε-greedy on Q_Ω[s]: draw u = rng.random(); if u < ε a uniform option (``rng.integers``), else an option
        of largest Q_Ω[s], ties broken uniformly at random with ``rng``."""
        raise NotImplementedError("OptionCritic.choose_option — fill this in (see its docstring in option_critic.py)")

    def act(self, state: int, option: int) -> int:
        """An action drawn from π_o(· | s) = softmax(θ[o, s]) with ``rng``."""
        raise NotImplementedError("OptionCritic.act — fill this in (see its docstring in option_critic.py)")

    def terminates(self, state: int, option: int) -> bool:
        """Whether option o stops on reaching s: True with probability β_o(s) = σ(ϑ[o, s]) (``rng.random()``)."""
        raise NotImplementedError("OptionCritic.terminates — fill this in (see its docstring in option_critic.py)")

    def update(self, state: int, option: int, action: int, reward: float, next_state: int, terminated: bool) -> None:
        """Steps 1-4 of the class docstring for one transition."""
        raise NotImplementedError("OptionCritic.update — fill this in (see its docstring in option_critic.py)")
