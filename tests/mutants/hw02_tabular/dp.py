"""Known bugs of hw02's dynamic programming (bug catalog "Dynamic programming", DP1-DP6).

Each mutant patches ``solutions/hw02_tabular/dp.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw02_tabular"
_F = "dp.py"

_BACKUP = "Q[s, a] = sum(p * (r + gamma * V[s_next] * (not done)) for p, s_next, r, done in P[s][a])"

_EVALUATION = """        V_new = np.sum(pi * bellman_backup(P, V, gamma), axis=1)
        delta = np.max(np.abs(V_new - V))
        V = V_new
"""

_VI = """        V_new = bellman_backup(P, V, gamma).max(axis=1)
"""

MUTANTS = [
    Mutant(
        id="DP1-bootstrap-from-terminal",
        assignment=_A,
        description="the backup bootstraps after terminated outcomes (no (1 − done) mask)",
        file=_F,
        old=_BACKUP,
        new="Q[s, a] = sum(p * (r + gamma * V[s_next]) for p, s_next, r, done in P[s][a])",
        killed_by=(
            "test_bellman_backup_small_mdp",
            "test_bellman_backup_frozen_lake",
            "test_policy_evaluation_synchronous_sweeps",
            "test_hidden_bellman_backup_other_values",
            "test_hidden_policy_evaluation_sweeps_other_mdp",
        ),
    ),
    Mutant(
        id="DP2-in-place-sweeps",
        assignment=_A,
        description="policy evaluation updates V in place within a sweep (Gauss-Seidel) where synchronous is required",
        file=_F,
        old=_EVALUATION,
        new="""        V_old = V.copy()
        for s in range(len(P)):
            V[s] = np.sum(pi[s] * bellman_backup(P, V, gamma)[s])
        delta = np.max(np.abs(V - V_old))
""",
        killed_by=("test_policy_evaluation_synchronous_sweeps", "test_hidden_policy_evaluation_sweeps_other_mdp"),
    ),
    Mutant(
        id="DP3-first-outcome-only",
        assignment=_A,
        description="the backup uses only the first outcome of P[s][a] as if it had probability 1",
        file=_F,
        old=_BACKUP,
        new="""p, s_next, r, done = P[s][a][0]
            Q[s, a] = r + gamma * V[s_next] * (not done)""",
        killed_by=(
            "test_bellman_backup_small_mdp",
            "test_bellman_backup_frozen_lake",
            "test_policy_evaluation_frozen_lake",
            "test_value_iteration_frozen_lake",
            "test_value_iteration_8x8_and_custom_map",
            "test_policy_iteration_matches_value_iteration",
            "test_value_iteration_policy_succeeds",
            "test_hidden_bellman_backup_other_values",
            "test_hidden_policy_evaluation_8x8_random_policy",
            "test_hidden_value_iteration_other_maps",
            "test_hidden_policy_iteration_other_map",
            "test_policy_evaluation_synchronous_sweeps",
            "test_hidden_policy_evaluation_sweeps_other_mdp",
            "test_hidden_value_iteration_small_mdp_tie",
        ),
    ),
    Mutant(
        id="DP4-max-inside-expectation",
        assignment=_A,
        description="value iteration takes the max over actions per outcome (E max) instead of the max of expectations",
        file=_F,
        old=_VI,
        new="""        V_new = np.array(
            [
                sum(
                    max(p * (r + gamma * V[s_next] * (not done)) for p, s_next, r, done in outcomes)
                    for outcomes in zip(*(P[s][a] for a in range(len(P[0]))), strict=False)
                )
                for s in range(len(P))
            ]
        )
""",
        killed_by=(
            "test_value_iteration_frozen_lake",
            "test_value_iteration_8x8_and_custom_map",
            "test_value_iteration_policy_succeeds",
            "test_hidden_value_iteration_other_maps",
        ),
    ),
    Mutant(
        id="DP5-stop-on-first-sweep",
        assignment=_A,
        description="value iteration returns after one sweep (the stopping test is inverted: delta > theta)",
        file=_F,
        old=_VI
        + """        delta = np.max(np.abs(V_new - V))
        V = V_new
        if delta < theta:
""",
        new=_VI
        + """        delta = np.max(np.abs(V_new - V))
        V = V_new
        if delta > theta:
""",
        killed_by=(
            "test_value_iteration_frozen_lake",
            "test_value_iteration_8x8_and_custom_map",
            "test_value_iteration_policy_succeeds",
            "test_hidden_value_iteration_other_maps",
            "test_hidden_value_iteration_small_mdp_tie",
        ),
    ),
    Mutant(
        id="DP6-random-tie-break",
        assignment=_A,
        description="greedy_policy breaks ties at random, so policy iteration keeps switching between tied policies",
        file=_F,
        old="    return np.argmax(Q - best >= -TIE_TOLERANCE, axis=1)\n",
        new="    return np.argmax((Q - best >= -TIE_TOLERANCE) * np.random.random(Q.shape), axis=1)\n",
        killed_by=(
            "test_greedy_policy_tie_break",
            "test_policy_iteration_matches_value_iteration",
            "test_hidden_policy_iteration_other_map",
            "test_hidden_value_iteration_small_mdp_tie",
        ),
    ),
    Mutant(
        id="DP-vi-stops-when-values-stop-rising",
        assignment=_A,
        description="value iteration stops on max(V_new − V) < θ (signed): it stops as soon as no value rises",
        file=_F,
        old=_VI
        + """        delta = np.max(np.abs(V_new - V))
""",
        new=_VI
        + """        delta = np.max(V_new - V)
""",
        killed_by=("test_hidden_dp_negative_and_mixed_rewards",),
    ),
    Mutant(
        id="DP-pe-stops-when-values-stop-rising",
        assignment=_A,
        description="policy evaluation's stopping test is max(V_new − V) < θ (signed): it stops once no value rises",
        file=_F,
        old=_EVALUATION,
        new=_EVALUATION.replace("np.max(np.abs(V_new - V))", "np.max(V_new - V)"),
        killed_by=("test_hidden_dp_negative_and_mixed_rewards",),
    ),
]
