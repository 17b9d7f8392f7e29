"""Known bugs of the returns and the agent-environment loop (bug catalog MC1, PG2, X1-style loop errors).

Each mutant patches ``solutions/hw01_env_bandits/rollout.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw01_env_bandits"
_F = "rollout.py"

_LOOP = "    while not (terminated or truncated) and (max_steps is None or len(episode.actions) < max_steps):\n"

MUTANTS = [
    Mutant(
        id="RET-gamma-power-off-by-one",
        assignment=_A,
        description="the first reward is discounted too: gamma**(t + 1) instead of gamma**t",
        file=_F,
        old="sum(gamma**t * reward for",
        new="sum(gamma ** (t + 1) * reward for",
        killed_by=("test_discounted_return", "test_hidden_returns_edge_cases"),
    ),
    Mutant(
        id="RET-undiscounted",
        assignment=_A,
        description="gamma ignored: the plain sum of the rewards",
        file=_F,
        old="    return float(sum(gamma**t * reward for t, reward in enumerate(rewards)))\n",
        new="    return float(sum(rewards))\n",
        killed_by=("test_discounted_return", "test_hidden_returns_edge_cases"),
    ),
    Mutant(
        id="MC1-returns-accumulated-forward",
        assignment=_A,
        description="returns-to-go accumulated from the first step forwards instead of backwards (MC1)",
        file=_F,
        old="    for t in reversed(range(len(rewards))):\n",
        new="    for t in range(len(rewards)):\n",
        killed_by=("test_returns_to_go", "test_hidden_returns_edge_cases"),
    ),
    Mutant(
        id="PG2-total-return-everywhere",
        assignment=_A,
        description="every entry holds the return of the whole episode instead of the reward-to-go (PG2)",
        file=_F,
        old="    return returns\n",
        new="    return np.full(len(rewards), future)\n",
        killed_by=("test_returns_to_go", "test_hidden_returns_edge_cases"),
    ),
    Mutant(
        id="RTG-reward-discounted",
        assignment=_A,
        description="G_t = gamma * (r_t + G_{t+1}): the immediate reward is discounted too",
        file=_F,
        old="        future = rewards[t] + gamma * future\n",
        new="        future = gamma * (rewards[t] + future)\n",
        killed_by=("test_returns_to_go", "test_hidden_returns_edge_cases"),
    ),
    Mutant(
        id="RUN-ignores-truncated",
        assignment=_A,
        description="the loop stops only on terminated and keeps stepping after TimeLimit truncated the episode",
        file=_F,
        old=_LOOP,
        new="    while not terminated and (max_steps is None or len(episode.actions) < max_steps):\n",
        killed_by=("test_run_episode_until_truncated", "test_hidden_run_episode_slippery"),
    ),
    Mutant(
        id="RUN-seed-not-passed",
        assignment=_A,
        description="env.reset() called without the seed (X2)",
        file=_F,
        old="    obs, _ = env.reset(seed=seed)\n",
        new="    obs, _ = env.reset()\n",
        killed_by=(
            "test_run_episode_until_terminated",
            "test_run_episode_until_truncated",
            "test_run_episode_max_steps",
            "test_hidden_run_episode_slippery",
        ),
    ),
    Mutant(
        id="RUN-first-observation-missing",
        assignment=_A,
        description="the observation from reset is not stored: observations has as many entries as actions",
        file=_F,
        old="    episode = Episode(observations=[obs])\n",
        new="    episode = Episode()\n",
        killed_by=(
            "test_run_episode_until_terminated",
            "test_run_episode_until_truncated",
            "test_run_episode_max_steps",
            "test_hidden_run_episode_slippery",
        ),
    ),
    Mutant(
        id="RUN-max-steps-off-by-one",
        assignment=_A,
        description="max_steps + 1 steps are taken (<= instead of <)",
        file=_F,
        old="len(episode.actions) < max_steps):",
        new="len(episode.actions) <= max_steps):",
        killed_by=("test_run_episode_max_steps", "test_hidden_run_episode_slippery"),
    ),
    Mutant(
        id="RUN-policy-sees-first-observation",
        assignment=_A,
        description="the policy is always called with the first observation instead of the current one",
        file=_F,
        old="        action = policy(obs)\n",
        new="        action = policy(episode.observations[0])\n",
        killed_by=("test_run_episode_until_terminated", "test_hidden_run_episode_slippery"),
    ),
    Mutant(
        id="RUN-random-actions",
        assignment=_A,
        description="the env is stepped with a sampled action instead of the policy's",
        file=_F,
        old="        obs, reward, terminated, truncated, _ = env.step(action)\n",
        new="        obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())\n",
        killed_by=("test_run_episode_until_terminated", "test_hidden_run_episode_slippery"),
    ),
    Mutant(
        id="RUN-flags-not-recorded",
        assignment=_A,
        description="the Episode keeps terminated=False, truncated=False whatever the env returned",
        file=_F,
        old="    episode.terminated, episode.truncated = bool(terminated), bool(truncated)\n",
        new="",
        killed_by=(
            "test_run_episode_until_terminated",
            "test_run_episode_until_truncated",
            "test_run_episode_max_steps",
            "test_hidden_run_episode_slippery",
        ),
    ),
]
