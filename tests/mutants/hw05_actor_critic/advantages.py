"""Known bugs of hw05's targets (``advantages.py``; bug catalog "A2C / GAE": AC1, AC2, AC4, plus n-step bugs).

Each mutant patches ``solutions/hw05_actor_critic/advantages.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw05_actor_critic"
_F = "advantages.py"

MUTANTS = [
    Mutant(
        id="AC1-gae-no-reset-at-episode-end",
        assignment=_A,
        description="AC1: the GAE recursion runs on across an episode end (only the terminal mask on δ)",
        file=_F,
        old="        running = delta + gamma * lam * cont[t] * running\n",
        new="        running = delta + gamma * lam * running\n",
        killed_by=(
            "test_gae_episode_end_inside_rollout",
            "test_buffer_advantages_and_returns",
            "test_hidden_gae_random_rollouts",
            "test_hidden_update_replay_cartpole",
            "test_hidden_update_replay_gaussian_shared",
        ),
    ),
    Mutant(
        id="AC2-truncation-as-termination",
        assignment=_A,
        description="AC2: a truncated step is treated as terminal (no bootstrap from V of the final observation)",
        file=_F,
        old="""    alive = 1.0 - np.asarray(terminated, dtype=np.float64)
    cont = 1.0 - (np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool))
""",
        new="""    cont = 1.0 - (np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool))
    alive = cont
""",
        killed_by=(
            "test_gae_hand_worked",
            "test_gae_episode_end_inside_rollout",
            "test_buffer_advantages_and_returns",
            "test_hidden_gae_random_rollouts",
            "test_hidden_update_replay_cartpole",
            "test_hidden_update_replay_gaussian_shared",
        ),
    ),
    Mutant(
        id="AC2-gae-ignores-truncation",
        assignment=_A,
        description="a truncated step does not stop the recursion (the next episode's advantages flow in)",
        file=_F,
        old="    cont = 1.0 - (np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool))\n",
        new="    cont = 1.0 - np.asarray(terminated, dtype=np.float64)\n",
        killed_by=(
            "test_gae_episode_end_inside_rollout",
            "test_hidden_gae_random_rollouts",
            "test_hidden_update_replay_gaussian_shared",
        ),
    ),
    Mutant(
        id="AC4-gamma-lambda-swapped",
        assignment=_A,
        description="AC4: γλ applied to δ and γ alone to A_{t+1} (λ and γ in the wrong places)",
        file=_F,
        old="""        delta = rewards[t] + gamma * alive[t] * next_values[t] - values[t]
        running = delta + gamma * lam * cont[t] * running
""",
        new="""        delta = rewards[t] + gamma * lam * alive[t] * next_values[t] - values[t]
        running = delta + gamma * cont[t] * running
""",
        killed_by=("test_gae_hand_worked", "test_hidden_gae_random_rollouts", "test_hidden_update_replay_cartpole"),
    ),
    Mutant(
        id="NSTEP-truncation-bootstraps-zero",
        assignment=_A,
        description="n-step returns stop at a truncated step without bootstrapping from V of the final observation",
        file=_F,
        old="            g += stop * discount * gamma * alive[step] * next_values[step]\n",
        new="            g += stop * discount * gamma * alive[step] * ~ended[step] * next_values[step]\n",
        killed_by=("test_n_step_returns_hand_worked", "test_hidden_n_step_random_rollouts"),
    ),
    Mutant(
        id="NSTEP-one-reward-too-many",
        assignment=_A,
        description="n-step returns sum n + 1 rewards (the horizon test is off by one)",
        file=_F,
        old="""        for k in range(min(n, steps - t)):
            step = t + k
            g += running * discount * rewards[step]
            stop = running & (ended[step] | (k == n - 1) | (step == steps - 1))
""",
        new="""        for k in range(min(n + 1, steps - t)):
            step = t + k
            g += running * discount * rewards[step]
            stop = running & (ended[step] | (k == n) | (step == steps - 1))
""",
        killed_by=("test_n_step_returns_hand_worked", "test_hidden_n_step_random_rollouts"),
    ),
]
