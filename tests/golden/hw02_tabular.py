"""The expected values of hw02's public checks (``tests/public/hw02_tabular/expected.json``), computed by the
course-only oracles from the inputs the checks define. Course repo only: `rlgrade stubs` runs this."""

from __future__ import annotations

import numpy as np

from grader.golden import public_module
from grader.harness.tabular_models import blackjack_episodes, frozen_lake, small_mdp, table_of
from grader.oracles.tabular import backup, first_visit_values, optimal_values, policy_value

DP = public_module(__file__, "test_dp")
MC = public_module(__file__, "test_mc")


def optimum(P: object, gamma: float) -> dict:
    V, Q = optimal_values(P, gamma)
    return {"V": V, "Q": Q}


def expected_backup_small_mdp() -> np.ndarray:
    return backup(small_mdp(), DP.SMALL_V, 0.9)


def expected_backup_frozen_lake() -> np.ndarray:
    return backup(table_of(frozen_lake()), DP.lake_values(), 0.95)


def expected_synchronous_sweeps() -> list:
    """V after 1 and 2 synchronous sweeps of the uniform policy on the small MDP from v0 = SMALL_V."""
    P, pi, V, sweeps = small_mdp(), np.full((3, 2), 0.5), DP.SMALL_V, []
    for _ in range(2):
        V = np.sum(pi * backup(P, V, 0.9), axis=1)
        sweeps.append(V)
    return sweeps


def expected_policy_values_frozen_lake() -> list:
    return [policy_value(table_of(frozen_lake()), pi, gamma) for _, pi, gamma in DP.evaluated_policies()]


def expected_optimum_frozen_lake() -> dict:
    return optimum(table_of(frozen_lake()), 0.99)


def expected_optimum_frozen_lake_8x8() -> dict:
    return optimum(table_of(frozen_lake(map_name="8x8")), 0.99)


def expected_optimum_custom_map() -> dict:
    return optimum(table_of(frozen_lake(desc=DP.CUSTOM_MAP)), 0.95)


def expected_mc_loop_episodes() -> dict:
    """First- and every-visit values of LOOP_EPISODES for γ = 1 and 0.9, keyed "gamma/first_visit"."""
    return {
        f"{gamma}/{first_visit}": first_visit_values(MC.LOOP_EPISODES, gamma, first_visit)
        for gamma in (1.0, 0.9)
        for first_visit in (True, False)
    }


def expected_mc_blackjack() -> dict:
    """First-visit values (γ = 1) of the Blackjack episodes of the public check, keyed by str(state), and the
    digest of those episodes (the values hold for exactly these episodes)."""
    episodes = blackjack_episodes(**MC.BLACKJACK_EPISODES)
    values = first_visit_values(episodes, 1.0)
    return {"digest": MC.episodes_digest(episodes), "values": {str(s): v for s, v in values.items()}}


def expected_mc_control_update() -> dict:
    """q and n after update_episode on each of MC.UPDATE_EPISODES in turn (first-visit sample averages)."""
    q, n = np.zeros((3, 2)), np.zeros((3, 2))
    for states, actions, rewards in MC.UPDATE_EPISODES:
        returns = first_visit_values([(list(zip(states, actions, strict=True)), rewards)], 0.9)
        for (s, a), g in returns.items():
            n[s, a] += 1
            q[s, a] += (g - q[s, a]) / n[s, a]
    return {"q": q, "n": n}
