"""Known bugs of the bandit agents (bug catalog "Bandits", BAN1-BAN7, plus the classic learning failures).

Each mutant patches ``solutions/hw01_env_bandits/bandits.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it. The learning checks are listed only where they fail on every
unseen calibration seed (see ``rlgrade calibrate hw01``).
"""

from grader.mutants import Mutant

_A = "hw01_env_bandits"
_F = "bandits.py"

_EPS_UPDATE = """        Q = 1.0). Other arms are unchanged.
        \"\"\"
        # BEGIN SOLUTION
        self.n[action] += 1
        self.q[action] += (reward - self.q[action]) / self.n[action]
"""

_UCB_SCORES = """        scores = np.full(self.n_arms, np.inf)
        tried = self.n > 0
        if tried.any():
            t = self.n.sum()
            scores[tried] = self.q[tried] + self.c * np.sqrt(math.log(t) / self.n[tried])
        return scores
"""

_GRADIENT_UPDATE = """        pi = self.probs()
        if self.baseline:
            self.t += 1
            self.mean_reward += (reward - self.mean_reward) / self.t
        one_hot = np.zeros(self.n_arms)
        one_hot[action] = 1.0
        self.h += self.alpha * (reward - self.mean_reward) * (one_hot - pi)
"""

MUTANTS = [
    Mutant(
        id="BAN1-explore-nongreedy-only",
        assignment=_A,
        description="ε-greedy explores only among the non-greedy arms, so P(greedy) = 1 − ε instead of 1 − ε + ε/k",
        file=_F,
        old="""        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_arms))
        return argmax_random_tie(self.q, self.rng)
""",
        new="""        greedy = argmax_random_tie(self.q, self.rng)
        if self.rng.random() < self.epsilon and self.n_arms > 1:
            others = [a for a in range(self.n_arms) if a != greedy]
            return int(others[self.rng.integers(len(others))])
        return greedy
""",
        killed_by=("test_eps_greedy_action_frequencies", "test_hidden_eps_greedy_extreme_epsilon"),
    ),
    Mutant(
        id="BAN2-argmax-first-index",
        assignment=_A,
        description="ties are broken by np.argmax (always the lowest index) instead of uniformly at random",
        file=_F,
        old="""    best = np.flatnonzero(values == values.max())
    return int(best[rng.integers(len(best))])
""",
        new="""    return int(np.argmax(values))
""",
        killed_by=("test_eps_greedy_random_tie_break", "test_hidden_ucb_ties_and_c0"),
    ),
    Mutant(
        id="BAN3-sample-average-off-by-one",
        assignment=_A,
        description="ε-greedy's incremental mean divides by N(a) + 1 after incrementing N(a)",
        file=_F,
        old=_EPS_UPDATE,
        new=_EPS_UPDATE.replace("/ self.n[action]", "/ (self.n[action] + 1)"),
        killed_by=("test_eps_greedy_incremental_mean",),
    ),
    Mutant(
        id="BAN4-ucb-log-of-arm-count",
        assignment=_A,
        description="UCB bonus uses ln N(a) instead of ln t (t = total pulls)",
        file=_F,
        old="np.sqrt(math.log(t) / self.n[tried])",
        new="np.sqrt(np.log(self.n[tried]) / self.n[tried])",
        killed_by=(
            "test_ucb_scores_exact",
            "test_ucb_learns_gaussian",
            "test_hidden_ucb_scores_other_state",
            "test_hidden_ucb_learns_gaussian_20",
        ),
    ),
    Mutant(
        id="BAN4-ucb-untried-not-first",
        assignment=_A,
        description="UCB treats untried arms as N(a) = 1 (no +inf score), so it does not try every arm first",
        file=_F,
        old=_UCB_SCORES,
        new="""        t = max(self.n.sum(), 1)
        return self.q + self.c * np.sqrt(math.log(t) / np.maximum(self.n, 1))
""",
        killed_by=("test_ucb_tries_every_arm_first", "test_ucb_scores_exact", "test_hidden_ucb_scores_other_state"),
    ),
    Mutant(
        id="BAN5-gradient-chosen-arm-only",
        assignment=_A,
        description="the gradient bandit updates only the chosen arm's preference (the −α(R−R̄)π_b terms are missing)",
        file=_F,
        old="""        one_hot = np.zeros(self.n_arms)
        one_hot[action] = 1.0
        self.h += self.alpha * (reward - self.mean_reward) * (one_hot - pi)
""",
        new="""        self.h[action] += self.alpha * (reward - self.mean_reward) * (1 - pi[action])
""",
        killed_by=("test_gradient_exact_preferences", "test_hidden_gradient_exact_three_arms"),
    ),
    Mutant(
        id="BAN7-eps-global-rng",
        assignment=_A,
        description="ε-greedy decides to explore with the global np.random instead of self.rng",
        file=_F,
        old="        if self.rng.random() < self.epsilon:\n",
        new="        if np.random.random() < self.epsilon:\n",
        killed_by=("test_eps_greedy_reproducible",),
    ),
    Mutant(
        id="BAN7-thompson-global-rng",
        assignment=_A,
        description="Thompson sampling draws θ with np.random.beta instead of self.rng.beta",
        file=_F,
        old="return int(np.argmax(self.rng.beta(self.alpha, self.beta)))",
        new="return int(np.argmax(np.random.beta(self.alpha, self.beta)))",
        killed_by=("test_hidden_reproducible_sampling_agents",),
    ),
    Mutant(
        id="EPS-never-explores",
        assignment=_A,
        description="ε-greedy ignores ε and always acts greedily",
        file=_F,
        old="""        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_arms))
        return argmax_random_tie(self.q, self.rng)
""",
        new="""        return argmax_random_tie(self.q, self.rng)
""",
        killed_by=(
            "test_eps_greedy_action_frequencies",
            "test_eps_greedy_learns_gaussian",
            "test_hidden_eps_greedy_extreme_epsilon",
            "test_hidden_eps_greedy_learns_bernoulli",
        ),
    ),
    Mutant(
        id="UCB-no-bonus",
        assignment=_A,
        description="UCB scores are the estimates Q(a) without the exploration bonus (greedy after one round)",
        file=_F,
        old="scores[tried] = self.q[tried] + self.c * np.sqrt(math.log(t) / self.n[tried])",
        new="scores[tried] = self.q[tried]",
        killed_by=(
            "test_ucb_scores_exact",
            "test_ucb_learns_gaussian",
            "test_hidden_single_arm",
            "test_hidden_ucb_scores_other_state",
            "test_hidden_ucb_learns_gaussian_20",
        ),
    ),
    Mutant(
        id="TS-never-updates",
        assignment=_A,
        description="Thompson sampling validates the reward but never updates alpha/beta (acts uniformly at random)",
        file=_F,
        old="""        self.alpha[action] += reward
        self.beta[action] += 1 - reward
""",
        new="",
        killed_by=(
            "test_thompson_posterior",
            "test_thompson_sampling_frequency",
            "test_thompson_learns_bernoulli",
            "test_hidden_thompson_rejects_bad_rewards",
            "test_hidden_thompson_learns_bernoulli_5",
        ),
    ),
    Mutant(
        id="TS-posterior-mean-greedy",
        assignment=_A,
        description="Thompson sampling takes the argmax of the posterior means instead of posterior samples",
        file=_F,
        old="return int(np.argmax(self.rng.beta(self.alpha, self.beta)))",
        new="return int(np.argmax(self.alpha / (self.alpha + self.beta)))",
        killed_by=(
            "test_thompson_sampling_frequency",
            "test_thompson_learns_bernoulli",
            "test_hidden_thompson_learns_bernoulli_5",
        ),
    ),
    Mutant(
        id="TS-accepts-any-reward",
        assignment=_A,
        description="Thompson sampling does not reject rewards outside {0, 1}",
        file=_F,
        old="""        if reward not in (0, 1):
            raise ValueError(f"ThompsonBernoulli needs rewards in {{0, 1}}, got {reward!r}")
""",
        new="",
        killed_by=("test_hidden_thompson_rejects_bad_rewards",),
    ),
    Mutant(
        id="GRAD-no-baseline",
        assignment=_A,
        description="the gradient bandit never uses the baseline (R̄ = 0 even with baseline=True)",
        file=_F,
        old="""        if self.baseline:
            self.t += 1
            self.mean_reward += (reward - self.mean_reward) / self.t
""",
        new="",
        killed_by=(
            "test_gradient_exact_preferences",
            "test_gradient_learns_with_baseline",
            "test_hidden_gradient_exact_three_arms",
            "test_hidden_gradient_baseline_matters",
        ),
    ),
    Mutant(
        id="GRAD-baseline-always",
        assignment=_A,
        description="the gradient bandit ignores baseline=False and always subtracts the running mean",
        file=_F,
        old="        if self.baseline:\n",
        new="        if True:\n",
        killed_by=(
            "test_gradient_exact_preferences",
            "test_hidden_gradient_exact_three_arms",
            "test_hidden_gradient_baseline_matters",
        ),
    ),
    Mutant(
        id="GRAD-baseline-excludes-current",
        assignment=_A,
        description="R̄ is the mean of the rewards BEFORE the current one (the docstring says: including it)",
        file=_F,
        old=_GRADIENT_UPDATE,
        new="""        pi = self.probs()
        one_hot = np.zeros(self.n_arms)
        one_hot[action] = 1.0
        self.h += self.alpha * (reward - self.mean_reward) * (one_hot - pi)
        if self.baseline:
            self.t += 1
            self.mean_reward += (reward - self.mean_reward) / self.t
""",
        killed_by=("test_gradient_exact_preferences", "test_hidden_gradient_exact_three_arms"),
    ),
    Mutant(
        id="GRAD-softmax-overflow",
        assignment=_A,
        description="probs() exponentiates h without subtracting max(h): nan for large preferences",
        file=_F,
        old="z = np.exp(self.h - self.h.max())",
        new="z = np.exp(self.h)",
        killed_by=("test_gradient_probs_stable",),
    ),
    Mutant(
        id="BAN-integer-estimates",
        assignment=_A,
        description="ε-greedy keeps q in an int array (np.zeros_like(n)): every incremental mean is truncated",
        file=_F,
        old="""        self.epsilon = epsilon
        self.rng = rng
        # BEGIN SOLUTION
        self.q = np.zeros(n_arms)
        self.n = np.zeros(n_arms, dtype=np.int64)
""",
        new="""        self.epsilon = epsilon
        self.rng = rng
        # BEGIN SOLUTION
        self.n = np.zeros(n_arms, dtype=np.int64)
        self.q = np.zeros_like(self.n)
""",
        killed_by=("test_eps_greedy_incremental_mean",),
    ),
]
