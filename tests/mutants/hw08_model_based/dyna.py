"""Known bugs of hw08's Dyna-Q (bug catalog "Model-based": MB1, MB3, MB4; "TD": TD1, TD5, TD6; and our own).

Each mutant patches ``solutions/hw08_model_based/dyna.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw08_model_based"
_F = "dyna.py"
_EXACT_PLANNING = ("test_planning_steps_exact", "test_hidden_planning_other_numbers")
_LEARNING = ("test_dyna_planning_shortens_episodes", "test_hidden_dyna_other_seed")

MUTANTS = [
    Mutant(
        id="MB4-planning-never-runs",
        assignment=_A,
        description="update never plans (n ignored): Dyna-Q is plain Q-learning",
        file=_F,
        old="        self.plan(self.planning_steps)",
        new="        self.plan(0)",
        killed_by=(*_EXACT_PLANNING, "test_planning_keeps_terminal_flags", *_LEARNING),
    ),
    Mutant(
        id="MB4-plan-before-model-update",
        assignment=_A,
        description="update plans before it stores the real transition (the first step plans on an empty model)",
        file=_F,
        old="""        self.model.add(state, action, reward, next_state, terminated)
        self.plan(self.planning_steps)""",
        new="""        self.plan(self.planning_steps)
        self.model.add(state, action, reward, next_state, terminated)""",
        killed_by=(*_EXACT_PLANNING, "test_planning_keeps_terminal_flags"),
    ),
    Mutant(
        id="MB3-model-forgets-terminal",
        assignment=_A,
        description="the model stores every transition as non-terminal, so planning bootstraps from the goal",
        file=_F,
        old="        self.outcomes[key] = (float(reward), int(next_state), bool(terminated))",
        new="        self.outcomes[key] = (float(reward), int(next_state), False)",
        killed_by=("test_model_samples_only_seen_pairs", "test_planning_keeps_terminal_flags"),
    ),
    Mutant(
        id="MB1-samples-additions-not-pairs",
        assignment=_A,
        description="the model keeps one entry per add() call, so pairs seen often are sampled more (and len counts "
        "additions)",
        file=_F,
        old="""        if key not in self.outcomes:
            self.pairs.append(key)""",
        new="""        self.pairs.append(key)""",
        killed_by=("test_model_samples_only_seen_pairs",),
    ),
    Mutant(
        id="MB1-keeps-first-outcome",
        assignment=_A,
        description="the model keeps the first outcome of a pair and ignores later ones",
        file=_F,
        old="""        if key not in self.outcomes:
            self.pairs.append(key)
        self.outcomes[key] = (float(reward), int(next_state), bool(terminated))""",
        new="""        if key not in self.outcomes:
            self.pairs.append(key)
            self.outcomes[key] = (float(reward), int(next_state), bool(terminated))""",
        killed_by=("test_model_samples_only_seen_pairs",),
    ),
    Mutant(
        id="empty-model-breaks",
        assignment=_A,
        description="sample() on an empty model draws from an empty range (ValueError) instead of returning None",
        file=_F,
        old="""        if not self.pairs:
            return None
        state, action""",
        new="""        state, action""",
        killed_by=("test_model_samples_only_seen_pairs", "test_plan_on_empty_model"),
    ),
    Mutant(
        id="TD6-bootstraps-terminal",
        assignment=_A,
        description="q_update bootstraps from s' even when the transition terminated",
        file=_F,
        old="        target = reward + (0.0 if terminated else self.gamma * self.Q[next_state].max())",
        new="        target = reward + self.gamma * self.Q[next_state].max()",
        killed_by=("test_q_update", "test_planning_keeps_terminal_flags"),
    ),
    Mutant(
        id="TD1-truncated-as-terminal",
        assignment=_A,
        description="update treats a truncated step as terminal (no bootstrap, stored as terminal)",
        file=_F,
        old="""        self.q_update(state, action, reward, next_state, terminated)
        self.model.add(state, action, reward, next_state, terminated)""",
        new="""        self.q_update(state, action, reward, next_state, terminated or truncated)
        self.model.add(state, action, reward, next_state, terminated or truncated)""",
        killed_by=("test_planning_keeps_terminal_flags",),
    ),
    Mutant(
        id="TD5-alpha-placement",
        assignment=_A,
        description="Q ← (1 − α)·Q + target: α missing on the target",
        file=_F,
        old="        self.Q[state, action] += self.alpha * (target - self.Q[state, action])",
        new="        self.Q[state, action] = (1 - self.alpha) * self.Q[state, action] + target",
        killed_by=("test_q_update", *_EXACT_PLANNING),
    ),
    Mutant(
        id="greedy-first-index",
        assignment=_A,
        description="act breaks ties with np.argmax (always the first action) instead of at random",
        file=_F,
        old="        return argmax_random_tie(self.Q[state], self.rng)",
        new="        return int(np.argmax(self.Q[state]))",
        killed_by=("test_act_epsilon_greedy",),
    ),
]
