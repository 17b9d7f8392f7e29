"""Known bugs of the TD-control agents (bug catalog "SARSA / Q-learning / Expected SARSA": TD1, TD2, TD4, TD5,
TD6, plus a wrong TD-error sign, no exploration, Double Q mistakes, the ε schedule and the tie-break).

Each mutant patches ``solutions/hw02_tabular/td.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it. Learning checks are listed only where they fail on every unseen calibration
seed (see ``rlgrade calibrate hw02``).
"""

from grader.mutants import Mutant

_A = "hw02_tabular"
_F = "td.py"

_SARSA_TARGET = """        target = reward if terminated else reward + self.gamma * self.Q[next_state, next_action]
"""
_Q_UPDATE = """        target = reward if terminated else reward + self.gamma * self.Q[next_state].max()
        self.Q[state, action] += self.alpha * (target - self.Q[state, action])
"""
_ES_TARGET = """            target = reward + self.gamma * float(self.policy_probs(next_state) @ self.Q[next_state])
"""
_DQ_UPDATE = """        update, other = (self.Q1, self.Q2) if self.rng.random() < 0.5 else (self.Q2, self.Q1)
        best = int(np.argmax(update[next_state]))
        target = reward if terminated else reward + self.gamma * other[next_state, best]
"""

MUTANTS = [
    Mutant(
        id="TD-sign-flipped",
        assignment=_A,
        description="Q-learning moves Q(s, a) away from the target: Q -= α (target − Q)",
        file=_F,
        old=_Q_UPDATE,
        new=_Q_UPDATE.replace("self.Q[state, action] += ", "self.Q[state, action] -= "),
        killed_by=(
            "test_q_learning_update",
            "test_hidden_update_sequences",
            "test_q_learning_taxi",
            "test_q_learning_cliff_optimal_path",
        ),
    ),
    Mutant(
        id="TD-no-exploration",
        assignment=_A,
        description="act() ignores ε and always returns the greedy action",
        file=_F,
        old="""        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_actions))
        return self.greedy_action(state)
""",
        new="""        return self.greedy_action(state)
""",
        killed_by=(
            "test_epsilon_greedy_probabilities",
            "test_sarsa_cliff_safe_path",
            "test_hidden_expected_sarsa_frozenlake",
        ),
    ),
    Mutant(
        id="TD6-bootstrap-through-terminal",
        assignment=_A,
        description="Q-learning bootstraps from s' even when the step terminated",
        file=_F,
        old=_Q_UPDATE,
        new=_Q_UPDATE.replace("reward if terminated else reward + ", "reward + "),
        killed_by=("test_q_learning_update", "test_hidden_update_sequences"),
    ),
    Mutant(
        id="TD1-truncated-as-terminal",
        assignment=_A,
        description="SARSA cuts the bootstrap on truncated steps too (done = terminated or truncated)",
        file=_F,
        old=_SARSA_TARGET,
        new=_SARSA_TARGET.replace("if terminated else", "if terminated or truncated else"),
        killed_by=("test_sarsa_update", "test_hidden_update_sequences"),
    ),
    Mutant(
        id="TD2-sarsa-uses-max",
        assignment=_A,
        description="SARSA's target uses max_a Q(s', a) instead of Q(s', a') (it becomes Q-learning)",
        file=_F,
        old=_SARSA_TARGET,
        new=_SARSA_TARGET.replace("self.Q[next_state, next_action]", "self.Q[next_state].max()"),
        killed_by=("test_sarsa_update", "test_hidden_update_sequences", "test_sarsa_cliff_safe_path"),
    ),
    Mutant(
        id="TD4-expected-sarsa-max",
        assignment=_A,
        description="Expected SARSA's target uses max_a Q(s', a) instead of the expectation under π",
        file=_F,
        old=_ES_TARGET,
        new=_ES_TARGET.replace("float(self.policy_probs(next_state) @ self.Q[next_state])", "self.Q[next_state].max()"),
        killed_by=(
            "test_expected_sarsa_update",
            "test_hidden_update_sequences",
            "test_hidden_expected_sarsa_extreme_epsilon",
        ),
    ),
    Mutant(
        id="TD4-expected-sarsa-uniform",
        assignment=_A,
        description="Expected SARSA's target averages Q(s', ·) uniformly instead of weighting by the ε-greedy π",
        file=_F,
        old=_ES_TARGET,
        new=_ES_TARGET.replace(
            "float(self.policy_probs(next_state) @ self.Q[next_state])", "self.Q[next_state].mean()"
        ),
        killed_by=(
            "test_expected_sarsa_update",
            "test_hidden_update_sequences",
            "test_hidden_expected_sarsa_extreme_epsilon",
        ),
    ),
    Mutant(
        id="TD4-greedy-mass-without-eps-share",
        assignment=_A,
        description="π gives the greedy action 1 − ε instead of 1 − ε + ε/|A| (ε/|A| only on the others)",
        file=_F,
        old="""        probs[greedy] += (1.0 - self.epsilon) / greedy.sum()
""",
        new="""        probs[greedy] = (1.0 - self.epsilon) / greedy.sum()
""",
        killed_by=(
            "test_expected_sarsa_update",
            "test_hidden_update_sequences",
            "test_hidden_expected_sarsa_extreme_epsilon",
        ),
    ),
    Mutant(
        id="TD5-alpha-misplaced",
        assignment=_A,
        description="Q-learning applies α to the old value only: Q <- (1 − α) Q + target",
        file=_F,
        old=_Q_UPDATE,
        new=_Q_UPDATE.replace(
            "self.Q[state, action] += self.alpha * (target - self.Q[state, action])",
            "self.Q[state, action] = (1 - self.alpha) * self.Q[state, action] + target",
        ),
        killed_by=("test_q_learning_update", "test_hidden_update_sequences", "test_q_learning_taxi"),
    ),
    Mutant(
        id="DQ-one-table",
        assignment=_A,
        description="Double Q always updates Q1 with its own max (plain Q-learning on Q1)",
        file=_F,
        old=_DQ_UPDATE,
        new=_DQ_UPDATE.replace(
            "(self.Q1, self.Q2) if self.rng.random() < 0.5 else (self.Q2, self.Q1)", "(self.Q1, self.Q1)"
        ),
        killed_by=("test_double_q_update", "test_hidden_double_q_coin"),
    ),
    Mutant(
        id="DQ-roles-swapped",
        assignment=_A,
        description="Double Q picks A* with the other table and evaluates it with the updated table",
        file=_F,
        old=_DQ_UPDATE,
        new=_DQ_UPDATE.replace("np.argmax(update[next_state])", "np.argmax(other[next_state])").replace(
            "other[next_state, best]", "update[next_state, best]"
        ),
        killed_by=("test_double_q_update",),
    ),
    Mutant(
        id="EPS-no-clamp",
        assignment=_A,
        description="linear_epsilon keeps decreasing after t = duration (no min(t / duration, 1))",
        file=_F,
        old="""    return float(start + (end - start) * min(t / duration, 1.0))
""",
        new="""    return float(start + (end - start) * t / duration)
""",
        killed_by=("test_linear_epsilon",),
    ),
    Mutant(
        id="TIE-first-index",
        assignment=_A,
        description="ties between greedy actions are broken by np.argmax (always the lowest index)",
        file=_F,
        old="""    best = np.flatnonzero(values == values.max())
    return int(best[rng.integers(len(best))])
""",
        new="""    return int(np.argmax(values))
""",
        killed_by=("test_greedy_random_tie_break",),
    ),
    Mutant(
        id="TD-greedy-action-explores",
        assignment=_A,
        description="greedy_action explores with probability ε too (it is act() under another name)",
        file=_F,
        old="""        return argmax_random_tie(self.Q[state], self.rng)
""",
        new="""        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_actions))
        return argmax_random_tie(self.Q[state], self.rng)
""",
        killed_by=("test_hidden_greedy_action_ignores_epsilon",),
    ),
]
