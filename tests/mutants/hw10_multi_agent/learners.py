"""Known bugs of hw10's learners (bug catalog "Multi-agent": MA1, MA2-like, and our own: agents matched by dict
position, terminated/truncated mix-ups, hysteresis the wrong way round or never applied, a transposed joint table).

Each mutant patches ``solutions/hw10_multi_agent/learners.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw10_multi_agent"
_F = "learners.py"
_IQL_UPDATES = ("test_iql_updates_only_own_tables", "test_hidden_iql_consecutive_updates")
_JAL_UPDATES = ("test_jal_indexes_joint_table", "test_hidden_jal_consecutive_updates")

MUTANTS = [
    Mutant(
        id="MA1-shared-table",
        assignment=_A,
        description="independent learners share one Q-table object (dict.fromkeys(agents, np.zeros(...)))",
        file=_F,
        old="        self.Q = {name: np.zeros((n_states, n_actions)) for name in self.agents}",
        new="        self.Q = dict.fromkeys(self.agents, np.zeros((n_states, n_actions)))",
        killed_by=("test_iql_fresh_tables",),
    ),
    Mutant(
        id="act-by-dict-position",
        assignment=_A,
        description="IQL act() pairs the observations with self.agents by position (dict order), not by name",
        file=_F,
        old="        for name, state in observations.items():",
        new="        for name, state in zip(self.agents, observations.values(), strict=True):",
        killed_by=("test_iql_act_by_name_and_random_ties",),
    ),
    Mutant(
        id="update-by-dict-position",
        assignment=_A,
        description="IQL update() pairs the actions with self.agents by position (dict order), not by name",
        file=_F,
        old="        for name, action in actions.items():",
        new="        for name, action in zip(self.agents, actions.values(), strict=True):",
        killed_by=_IQL_UPDATES,
    ),
    Mutant(
        id="iql-first-agents-reward",
        assignment=_A,
        description="every independent learner learns from the first agent's reward instead of its own",
        file=_F,
        old="            target = rewards[name] + (0.0 if terminations[name] else self.gamma * q[s2].max())",
        new="            target = rewards[self.agents[0]] + (0.0 if terminations[name] else self.gamma * q[s2].max())",
        killed_by=_IQL_UPDATES,
    ),
    Mutant(
        id="iql-bootstrap-after-terminated",
        assignment=_A,
        description="independent learners bootstrap from s' although the agent terminated",
        file=_F,
        old="            target = rewards[name] + (0.0 if terminations[name] else self.gamma * q[s2].max())",
        new="            target = rewards[name] + self.gamma * q[s2].max()",
        killed_by=_IQL_UPDATES,
    ),
    Mutant(
        id="iql-truncated-as-terminal",
        assignment=_A,
        description="independent learners treat a truncated agent as terminated (no bootstrap)",
        file=_F,
        old="            target = rewards[name] + (0.0 if terminations[name] else self.gamma * q[s2].max())",
        new="            target = rewards[name] + (0.0 if terminations[name] or truncations[name] else "
        "self.gamma * q[s2].max())",
        killed_by=_IQL_UPDATES,
    ),
    Mutant(
        id="iql-td-error-sign",
        assignment=_A,
        description="the TD error has the wrong sign (Q moves away from the target)",
        file=_F,
        old="            td_error = target - q[s, action]",
        new="            td_error = q[s, action] - target",
        killed_by=(*_IQL_UPDATES, "test_iql_penalty_game", "test_hidden_iql_penalty_other_seed_swapped_agents"),
    ),
    Mutant(
        id="argmax-first-index",
        assignment=_A,
        description="argmax_random_tie returns np.argmax: ties always go to the lowest index",
        file=_F,
        old="    return int(best[rng.integers(len(best))])",
        new="    return int(best[0])",
        killed_by=("test_argmax_random_tie", "test_iql_act_by_name_and_random_ties"),
    ),
    Mutant(
        id="iql-never-explores",
        assignment=_A,
        description="act() ignores ε (always greedy)",
        file=_F,
        old="            if self.rng.random() < self.epsilon:\n                joint[name]",
        new="            if self.rng.random() < 0.0:\n                joint[name]",
        killed_by=("test_iql_act_by_name_and_random_ties",),
    ),
    Mutant(
        id="hysteretic-rates-swapped",
        assignment=_A,
        description="hysteretic learners learn a positive TD error at β and a negative one at α",
        file=_F,
        old="        return self.alpha if td_error >= 0 else self.beta",
        new="        return self.beta if td_error >= 0 else self.alpha",
        killed_by=(
            "test_hysteretic_update",
            "test_hysteretic_beats_iql_climbing",
            "test_hidden_hysteretic_consecutive_updates",
            "test_hidden_hysteretic_climbing_other_seed_swapped_agents",
        ),
    ),
    Mutant(
        id="hysteresis-never-applied",
        assignment=_A,
        description="HystereticQLearners uses α for every TD error (β stored but never used): plain IQL",
        file=_F,
        old="        return self.alpha if td_error >= 0 else self.beta",
        new="        return self.alpha",
        killed_by=(
            "test_hysteretic_update",
            "test_hysteretic_beats_iql_climbing",
            "test_hidden_hysteretic_consecutive_updates",
            "test_hidden_hysteretic_climbing_other_seed_swapped_agents",
        ),
    ),
    Mutant(
        id="jal-transposed-table",
        assignment=_A,
        description="the joint-action learner writes Q[s, a_second, a_first]",
        file=_F,
        old="        self.Q[s, a1, a2] += self.alpha * (target - self.Q[s, a1, a2])",
        new="        self.Q[s, a2, a1] += self.alpha * (target - self.Q[s, a2, a1])",
        killed_by=_JAL_UPDATES,
    ),
    Mutant(
        id="jal-first-agent-by-dict-order",
        assignment=_A,
        description="the joint-action learner takes the first agent from the dict's order, not from agents[0]",
        file=_F,
        old="        first, second = self.agents\n        s, s2 = ",
        new="        first, second = list(observations)\n        s, s2 = ",
        killed_by=_JAL_UPDATES,
    ),
    Mutant(
        id="MA2-jal-max-over-current-state",
        assignment=_A,
        description="the joint-action target takes max Q of the current state s instead of the next state s'",
        file=_F,
        old="        target = rewards[first] + (0.0 if terminations[first] else self.gamma * self.Q[s2].max())",
        new="        target = rewards[first] + (0.0 if terminations[first] else self.gamma * self.Q[s].max())",
        killed_by=_JAL_UPDATES,
    ),
    Mutant(
        id="jal-act-by-dict-order",
        assignment=_A,
        description="the joint-action learner's act() maps the joint argmax to the agents in the dict's order",
        file=_F,
        old="        first, second = self.agents\n        if self.rng.random()",
        new="        first, second = list(observations)\n        if self.rng.random()",
        killed_by=("test_jal_indexes_joint_table",),
    ),
    Mutant(
        id="jal-td-error-sign",
        assignment=_A,
        description="the joint-action learner moves Q away from its target (wrong sign)",
        file=_F,
        old="        self.Q[s, a1, a2] += self.alpha * (target - self.Q[s, a1, a2])",
        new="        self.Q[s, a1, a2] -= self.alpha * (target - self.Q[s, a1, a2])",
        killed_by=(*_JAL_UPDATES, "test_jal_climbing", "test_hidden_jal_penalty_swapped_agents"),
    ),
    Mutant(
        id="explores-with-global-rng",
        assignment=_A,
        description="act() draws its exploration coin from np.random instead of the team's rng",
        file=_F,
        old="            if self.rng.random() < self.epsilon:\n                joint[name]",
        new="            if np.random.random() < self.epsilon:\n                joint[name]",
        killed_by=("test_hidden_teams_draw_only_from_rng",),
    ),
]
