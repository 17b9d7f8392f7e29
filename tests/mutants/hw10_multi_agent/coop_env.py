"""Known bugs of a student's PettingZoo environment (hw10 part 3): agents not removed when done (bug catalog MA4's
env side), space copies, actions matched by position, walls, the team reward, truncation, seeding.

Each mutant patches ``solutions/hw10_multi_agent/coop_env.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw10_multi_agent"
_F = "coop_env.py"
_SCRIPTS = ("test_rendezvous_dynamics", "test_hidden_rendezvous_random_scripts")

MUTANTS = [
    Mutant(
        id="MA4-env-keeps-done-agents",
        assignment=_A,
        description="the env never removes terminated or truncated agents from env.agents",
        file=_F,
        old="        if together or truncated:\n            self.agents = []\n",
        new="",
        killed_by=("test_parallel_api_test", "test_rendezvous_dynamics", "test_rendezvous_truncation"),
    ),
    Mutant(
        id="env-space-copies",
        assignment=_A,
        description="observation_space() builds a new space object at every call",
        file=_F,
        old="        return self.observation_spaces[agent]",
        new="        return spaces.Discrete(self.size)",
        killed_by=("test_parallel_api_test", "test_hidden_parallel_api_test_other_sizes"),
    ),
    Mutant(
        id="env-actions-by-position",
        assignment=_A,
        description="step() pairs the actions with the agents by dict position, not by name",
        file=_F,
        old="        for name in alive:\n            move = int(actions[name]) - 1  # −1, 0, +1",
        new="        for name, action in zip(alive, actions.values(), strict=True):\n"
        "            move = int(action) - 1",
        killed_by=_SCRIPTS,
    ),
    Mutant(
        id="env-no-walls",
        assignment=_A,
        description="moves are not clipped to the line (an agent walks off it)",
        file=_F,
        old="            self.positions[name] = int(np.clip(self.positions[name] + move, 0, self.size - 1))",
        new="            self.positions[name] = int(self.positions[name] + move)",
        killed_by=_SCRIPTS,
    ),
    Mutant(
        id="env-any-agent-on-goal",
        assignment=_A,
        description="the team is rewarded and terminated when ANY agent is on the goal",
        file=_F,
        old="        together = all(self.positions[name] == self.goal for name in alive)",
        new="        together = any(self.positions[name] == self.goal for name in alive)",
        killed_by=_SCRIPTS,
    ),
    Mutant(
        id="env-truncation-off-by-one",
        assignment=_A,
        description="the episode is truncated one step after max_steps",
        file=_F,
        old="        truncated = not together and self.steps >= self.max_steps",
        new="        truncated = not together and self.steps > self.max_steps",
        killed_by=("test_rendezvous_truncation", "test_hidden_rendezvous_random_scripts"),
    ),
    Mutant(
        id="env-truncated-on-winning-last-step",
        assignment=_A,
        description="reaching the goal on the last allowed step is also reported as truncated",
        file=_F,
        old="        truncated = not together and self.steps >= self.max_steps",
        new="        truncated = self.steps >= self.max_steps",
        killed_by=("test_rendezvous_truncation",),
    ),
    Mutant(
        id="env-seed-ignored",
        assignment=_A,
        description="reset() ignores its seed (np_random is never re-created from it)",
        file=_F,
        old="        if seed is not None:\n            self.np_random, _ = seeding.np_random(seed)\n",
        new="",
        killed_by=("test_rendezvous_deterministic_under_seed",),
    ),
    Mutant(
        id="env-fixed-start",
        assignment=_A,
        description="without options every agent starts on cell 0 (the start is not drawn)",
        file=_F,
        old="            self.positions = {name: int(self.np_random.integers(self.size)) for name in self.agents}",
        new="            self.positions = dict.fromkeys(self.agents, 0)",
        killed_by=("test_rendezvous_deterministic_under_seed",),
    ),
]
