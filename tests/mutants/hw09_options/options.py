"""Known bugs of hw09's options (bug catalog "Options / hierarchical RL": HRL1-HRL3, HRL5, HRL6, and our own:
β read the wrong way round, greedy ties always to the lowest index, exploration over every option, a bootstrap after
termination, a table with its axes swapped, an intra-option update that ignores initiation sets).

Each mutant patches ``solutions/hw09_options/options.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw09_options"
_F = "options.py"
_RUN = ("test_run_option_discounted_return", "test_hidden_run_option_other_paths")
_SMDP = ("test_smdp_update", "test_hidden_smdp_update_other_numbers")
_INTRA = ("test_intra_option_update", "test_hidden_intra_update_self_loop")
_INTRA_LEARNS = ("test_intra_options_beat_primitives", "test_hidden_intra_options_beat_primitives_other_seed")

MUTANTS = [
    Mutant(
        id="HRL2-undiscounted-option-reward",
        assignment=_A,
        description="run_option sums the option's rewards without discounting them inside the option",
        file=_F,
        old="        ret += gamma**k * float(r)",
        new="        ret += float(r)",
        killed_by=_RUN,
    ),
    Mutant(
        id="option-reward-discounted-from-the-first-step",
        assignment=_A,
        description="run_option discounts the first reward too (γ^(t+1) r instead of γ^t r)",
        file=_F,
        old="        ret += gamma**k * float(r)",
        new="        ret += gamma ** (k + 1) * float(r)",
        killed_by=_RUN,
    ),
    Mutant(
        id="HRL6-option-ignores-truncation",
        assignment=_A,
        description="run_option stops at termination only and keeps stepping after the time limit truncated",
        file=_F,
        old="        if truncated or terminated:\n            return s, ret, k, bool(terminated), bool(truncated)",
        new="        if terminated:\n            return s, ret, k, bool(terminated), bool(truncated)",
        killed_by=("test_run_option_truncated",),
    ),
    Mutant(
        id="HRL6-option-ignores-termination",
        assignment=_A,
        description="run_option ignores the episode's end and stops on β only (steps on after the goal)",
        file=_F,
        old="        if truncated or terminated:\n            return s, ret, k, bool(terminated), bool(truncated)",
        new="        if False:\n            return s, ret, k, bool(terminated), bool(truncated)",
        killed_by=(*_RUN, "test_run_option_truncated"),
    ),
    Mutant(
        id="option-beta-inverted",
        assignment=_A,
        description="run_option stops with probability 1 − β(s') instead of β(s')",
        file=_F,
        old="        if rng.random() < beta[s]:",
        new="        if rng.random() >= beta[s]:",
        killed_by=("test_run_option_stops_on_beta", *_RUN),
    ),
    Mutant(
        id="HRL5-explore-unavailable-options",
        assignment=_A,
        description="ε-greedy chooses among every option, available in s or not",
        file=_F,
        old="    candidates = np.flatnonzero(available)",
        new="    candidates = np.arange(len(q_row))",
        killed_by=("test_epsilon_greedy_option", "test_act_only_available_options"),
    ),
    Mutant(
        id="HRL5-explore-over-all-options",
        assignment=_A,
        description="the exploring branch of ε-greedy draws from all options (the greedy one respects availability)",
        file=_F,
        old="        return int(candidates[rng.integers(len(candidates))])",
        new="        return int(rng.integers(len(q_row)))",
        killed_by=("test_epsilon_greedy_option", "test_act_only_available_options"),
    ),
    Mutant(
        id="greedy-ties-lowest-index",
        assignment=_A,
        description="greedy option ties always go to the lowest index (np.argmax) instead of at random",
        file=_F,
        old="    return int(best[rng.integers(len(best))])",
        new="    return int(best[0])",
        killed_by=("test_epsilon_greedy_option",),
    ),
    Mutant(
        id="HRL1-smdp-gamma-not-gamma-k",
        assignment=_A,
        description="the SMDP target discounts by γ instead of γ^k",
        file=_F,
        old="            target += self.gamma**k * max_available(",
        new="            target += self.gamma * max_available(",
        killed_by=_SMDP,
    ),
    Mutant(
        id="smdp-max-over-all-options",
        assignment=_A,
        description="the SMDP target takes the max over every option of s', available or not",
        file=_F,
        old="            target += self.gamma**k * max_available(self.Q[next_state], self.initiation[:, next_state])",
        new="            target += self.gamma**k * self.Q[next_state].max()",
        killed_by=_SMDP,
    ),
    Mutant(
        id="smdp-bootstrap-after-terminated",
        assignment=_A,
        description="the SMDP target bootstraps from s' although the episode terminated",
        file=_F,
        old="        target = R\n        if not terminated:\n",
        new="        target = R\n        if True:\n",
        killed_by=("test_smdp_update",),
    ),
    Mutant(
        id="smdp-table-transposed",
        assignment=_A,
        description="Q is allocated (n_options, n_states) instead of (n_states, n_options) (the exact checks' tables "
        "are square: the learning checks read the (169, 12) table)",
        file=_F,
        old="        self.Q = np.zeros((self.initiation.shape[1], self.initiation.shape[0]))",
        new="        self.Q = np.zeros((self.initiation.shape[0], self.initiation.shape[1]))",
        killed_by=("test_smdp_options_beat_primitives", "test_intra_options_beat_primitives"),
    ),
    Mutant(
        id="smdp-update-never-applied",
        assignment=_A,
        description="the SMDP update computes its target but never changes Q (random hallway options still beat "
        "trained primitives early on: the check's second ratio, against an untrained table, catches it)",
        file=_F,
        old="        self.Q[state, option] += self.alpha * (target - self.Q[state, option])",
        new="        self.Q[state, option] += 0.0 * (target - self.Q[state, option])",
        killed_by=(*_SMDP, "test_smdp_options_beat_primitives"),
    ),
    Mutant(
        id="max-available-ignores-availability",
        assignment=_A,
        description="max_available returns the max over every option",
        file=_F,
        old="    return float(q_row[available].max())",
        new="    return float(q_row.max())",
        killed_by=_SMDP,
    ),
    Mutant(
        id="HRL3-intra-U-always-max",
        assignment=_A,
        description="the intra-option U is max_o' Q(s', o') whatever β_o(s') (the SMDP view of every option)",
        file=_F,
        old="            u = (1.0 - stop) * self.Q[next_state, consistent] + stop * best",
        new="            u = np.full(len(consistent), best)",
        killed_by=_INTRA,
    ),
    Mutant(
        id="HRL3-intra-U-never-max",
        assignment=_A,
        description="the intra-option U is Q(s', o) whatever β_o(s') (the option never terminates)",
        file=_F,
        old="            u = (1.0 - stop) * self.Q[next_state, consistent] + stop * best",
        new="            u = self.Q[next_state, consistent]",
        killed_by=_INTRA,
    ),
    Mutant(
        id="HRL3-intra-beta-swapped",
        assignment=_A,
        description="the intra-option U weighs Q(s', o) by β and the max by 1 − β",
        file=_F,
        old="            u = (1.0 - stop) * self.Q[next_state, consistent] + stop * best",
        new="            u = stop * self.Q[next_state, consistent] + (1.0 - stop) * best",
        killed_by=("test_intra_option_update",),
    ),
    Mutant(
        id="intra-ignores-initiation",
        assignment=_A,
        description="intra-option learning updates every option whose policy takes a in s, available in s or not",
        file=_F,
        old="        consistent = np.flatnonzero(self.initiation[:, state] & (self.policy[:, state] == action))",
        new="        consistent = np.flatnonzero(self.policy[:, state] == action)",
        killed_by=("test_hidden_intra_update_self_loop",),
    ),
    Mutant(
        id="intra-bootstrap-after-terminated",
        assignment=_A,
        description="the intra-option target bootstraps from s' although the episode terminated",
        file=_F,
        old="        if terminated:\n            targets = np.full(len(consistent), float(reward))",
        new="        if False:\n            targets = np.full(len(consistent), float(reward))",
        killed_by=("test_intra_option_update",),
    ),
    Mutant(
        id="intra-update-never-applied",
        assignment=_A,
        description="the intra-option update computes its targets but never changes Q",
        file=_F,
        old="        self.Q[state, consistent] += self.alpha * (targets - self.Q[state, consistent])",
        new="        self.Q[state, consistent] += 0.0 * (targets - self.Q[state, consistent])",
        killed_by=(*_INTRA, *_INTRA_LEARNS),
    ),
]
