"""Known bugs of hw02's Monte Carlo methods (bug catalog "Monte Carlo", MC1-MC5, plus control-update bugs).

Each mutant patches ``solutions/hw02_tabular/mc.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it. Learning checks are listed only where ``rlgrade calibrate hw02`` shows the
mutant failing on every unseen seed.
"""

from grader.mutants import Mutant

_A = "hw02_tabular"
_F = "mc.py"

MUTANTS = [
    Mutant(
        id="MC1-returns-accumulated-forward",
        assignment=_A,
        description="returns are accumulated forward from the start (G_t = Σ_{k≤t} γ^k R_{k+1}) instead of backward",
        file=_F,
        old="""    g = 0.0
    for t in reversed(range(len(rewards))):
        g = rewards[t] + gamma * g
        G[t] = g
""",
        new="""    g = 0.0
    for t in range(len(rewards)):
        g = g + gamma**t * rewards[t]
        G[t] = g
""",
        killed_by=(
            "test_discounted_returns",
            "test_mc_prediction_first_vs_every_visit",
            "test_mc_prediction_blackjack",
            "test_hidden_discounted_returns_edge_cases",
            "test_hidden_mc_prediction_other_episodes",
            "test_hidden_mc_prediction_blackjack_other_seed",
        ),
    ),
    Mutant(
        id="MC2-every-visit-always",
        assignment=_A,
        description="mc_prediction ignores first_visit=True and always averages every visit",
        file=_F,
        old="            if first_visit and s in seen:\n                continue\n",
        new="",
        killed_by=("test_mc_prediction_first_vs_every_visit", "test_hidden_mc_prediction_other_episodes"),
    ),
    Mutant(
        id="MC2-control-every-visit",
        assignment=_A,
        description="update_episode averages the returns of every occurrence of (s, a), not only the first",
        file=_F,
        old="            if first[(s, a)] == t:\n",
        new="            if True:\n",
        killed_by=("test_mc_control_update_first_visit", "test_hidden_mc_control_update_gamma_one"),
    ),
    Mutant(
        id="MC3-control-last-return-only",
        assignment=_A,
        description="update_episode overwrites Q(s, a) with the latest return instead of the sample average",
        file=_F,
        old="self.q[s, a] += (g - self.q[s, a]) / self.n[s, a]",
        new="self.q[s, a] = g",
        killed_by=(
            "test_mc_control_update_first_visit",
            "test_mc_control_learns_blackjack",
            "test_hidden_mc_control_update_gamma_one",
            "test_hidden_mc_control_learns_blackjack_other_seed",
        ),
    ),
    Mutant(
        id="MC5-epsilon-not-applied",
        assignment=_A,
        description="policy_probs ignores ε: all probability on the greedy actions (pure greedy control from Q = 0)",
        file=_F,
        old="        return self.epsilon / self.n_actions + (1 - self.epsilon) * greedy / greedy.sum()\n",
        new="        return greedy / greedy.sum()\n",
        killed_by=(
            "test_eps_soft_policy_probs",
            "test_eps_soft_act_frequencies",
            "test_mc_control_learns_blackjack",
            "test_hidden_eps_soft_extremes",
            "test_hidden_mc_control_learns_blackjack_other_seed",
        ),
    ),
    Mutant(
        id="MC5-greedy-mass-not-shared",
        assignment=_A,
        description="policy_probs gives 1 − ε + ε/|A| to every tied greedy action (probabilities do not sum to 1)",
        file=_F,
        old="        return self.epsilon / self.n_actions + (1 - self.epsilon) * greedy / greedy.sum()\n",
        new="        return self.epsilon / self.n_actions + (1 - self.epsilon) * greedy\n",
        killed_by=(
            "test_eps_soft_policy_probs",
            "test_mc_control_learns_blackjack",
            "test_hidden_eps_soft_extremes",
            "test_hidden_mc_control_learns_blackjack_other_seed",
        ),
    ),
    Mutant(
        id="MC-integer-q-table",
        assignment=_A,
        description="MC control keeps q in an int array (np.zeros_like(n)): every sample average is truncated",
        file=_F,
        old="""        self.q = np.zeros((n_states, n_actions))
        self.n = np.zeros((n_states, n_actions), dtype=np.int64)
""",
        new="""        self.n = np.zeros((n_states, n_actions), dtype=np.int64)
        self.q = np.zeros_like(self.n)
""",
        killed_by=("test_mc_control_update_first_visit",),
    ),
]
