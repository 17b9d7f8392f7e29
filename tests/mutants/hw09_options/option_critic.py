"""Known bugs of hw09's option-critic (our own list: the gradient of π instead of log π, a gradient of the wrong
sign, no σ(1 − σ) in the termination gradient, ϑ moved up its gradient, no baseline, a critic target that ignores β
or bootstraps after termination, an unstable softmax, actions that ignore θ, terminations read the wrong way).

Each mutant patches ``solutions/hw09_options/option_critic.py`` in one place; ``killed_by`` lists the checks that
must fail for it.
"""

from grader.mutants import Mutant

_A = "hw09_options"
_F = "option_critic.py"
_UPDATE = ("test_option_critic_update",)
_PG = ("test_policy_and_termination_gradients", "test_hidden_policy_gradient_theorem_tiny_mdp")
_TG = ("test_policy_and_termination_gradients", "test_hidden_termination_gradient_theorem_tiny_mdp")
_LEARNS = ("test_option_critic_improves", "test_hidden_option_critic_improves_deterministic")

MUTANTS = [
    Mutant(
        id="softmax-unstable",
        assignment=_A,
        description="softmax exponentiates the raw logits (overflows to nan for logits of 1000)",
        file=_F,
        old="    z = np.exp(logits - logits.max())",
        new="    z = np.exp(logits)",
        killed_by=("test_softmax_and_sigmoid",),
    ),
    Mutant(
        id="policy-gradient-sign",
        assignment=_A,
        description="the intra-option policy gradient has the wrong sign (descends the return)",
        file=_F,
        old="    return grad * advantage\n",
        new="    return -grad * advantage\n",
        killed_by=(*_PG, *_UPDATE, *_LEARNS),
    ),
    Mutant(
        id="policy-gradient-without-pi",
        assignment=_A,
        description="the policy gradient is onehot(a) · A (the softmax term is missing)",
        file=_F,
        old="    grad = -softmax(logits)\n",
        new="    grad = np.zeros_like(logits, dtype=float)\n",
        killed_by=(*_PG, *_UPDATE),
    ),
    Mutant(
        id="policy-gradient-of-pi-not-log-pi",
        assignment=_A,
        description="the gradient of π(a) instead of log π(a): an extra factor π(a)",
        file=_F,
        old="    return grad * advantage\n",
        new="    return grad * advantage * softmax(logits)[action]\n",
        killed_by=(*_PG, *_UPDATE),
    ),
    Mutant(
        id="termination-gradient-without-sigmoid-derivative",
        assignment=_A,
        description="the termination gradient is β · A instead of β(1 − β) · A",
        file=_F,
        old="    return b * (1.0 - b) * advantage",
        new="    return b * advantage",
        killed_by=_TG,
    ),
    Mutant(
        id="termination-ascent",
        assignment=_A,
        description="ϑ moves up the termination gradient (options that are worse than the best one stop less)",
        file=_F,
        old="            self.vartheta[o, s2] -= self.alpha_beta",
        new="            self.vartheta[o, s2] += self.alpha_beta",
        killed_by=_UPDATE,
    ),
    Mutant(
        id="policy-gradient-no-baseline",
        assignment=_A,
        description="θ moves with Q_U(s, o, a) instead of the advantage Q_U − Q_Ω the docstring asks for",
        file=_F,
        old="        advantage = self.Q_u[s, o, a] - self.Q_omega[s, o]",
        new="        advantage = self.Q_u[s, o, a]",
        killed_by=_UPDATE,
    ),
    Mutant(
        id="HRL3-critic-U-always-max",
        assignment=_A,
        description="the critic's U is max Q_Ω(s') whatever β_o(s')",
        file=_F,
        old="            target += self.gamma * ((1.0 - b) * self.Q_omega[s2, o] + b * self.Q_omega[s2].max())",
        new="            target += self.gamma * self.Q_omega[s2].max()",
        killed_by=_UPDATE,
    ),
    Mutant(
        id="critic-bootstrap-after-terminated",
        assignment=_A,
        description="the critic bootstraps from s' although the episode terminated",
        file=_F,
        old="        target = float(reward)\n        if not terminated:\n",
        new="        target = float(reward)\n        if True:\n",
        killed_by=_UPDATE,
    ),
    Mutant(
        id="policy-update-never-applied",
        assignment=_A,
        description="the intra-option policies are never updated (θ stays 0: uniform actions)",
        file=_F,
        old="        self.theta[o, s] += self.alpha_theta * policy_gradient(",
        new="        self.theta[o, s] += 0.0 * policy_gradient(",
        killed_by=(*_UPDATE, *_LEARNS),
    ),
    Mutant(
        id="act-ignores-theta",
        assignment=_A,
        description="act draws a uniform action instead of one from softmax(θ[o, s])",
        file=_F,
        old="        return int(self.rng.choice(self.n_actions, p=softmax(self.theta[option, state])))",
        new="        return int(self.rng.integers(self.n_actions))",
        killed_by=("test_option_critic_sampling",),
    ),
    Mutant(
        id="terminates-inverted",
        assignment=_A,
        description="terminates is True with probability 1 − β instead of β",
        file=_F,
        old="        return bool(self.rng.random() < sigmoid(self.vartheta[option, state]))",
        new="        return bool(self.rng.random() >= sigmoid(self.vartheta[option, state]))",
        killed_by=("test_option_critic_sampling",),
    ),
]
