"""Known bugs of a project library (hw13): checkpoints that miss part of the state, seeds not used or not
reproducible, a team wrapper that draws random numbers when greedy, a broken command line, and homework code
broken while packaging it (gate 4).

Each mutant patches one file of ``solutions/hw13_project/`` (its homework folders are copied, links followed, so
``hw04_dqn/dqn.py`` patches the library's copy only); ``killed_by`` lists the checks that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw13_project"
_SAVE_LOAD = ("test_save_load", "test_hidden_save_load_longer_training")
_REPRO = ("test_reproducible", "test_hidden_reproducible_other_seed")

MUTANTS = [
    Mutant(
        id="ckpt-no-generator",
        assignment=_A,
        description="the checkpoint leaves out the random generator: exploring actions differ after load",
        file="checkpoint.py",
        old="            elif isinstance(value, np.random.Generator):\n"
        "                saved[name] = value.bit_generator.state\n",
        new="",
        killed_by=_SAVE_LOAD,
    ),
    Mutant(
        id="ckpt-no-counters",
        assignment=_A,
        description="the checkpoint leaves out numbers (step, epsilon): a loaded DQN explores as at step 0",
        file="checkpoint.py",
        old="            elif isinstance(value, bool | int | float):\n                saved[name] = value\n",
        new="",
        killed_by=_SAVE_LOAD,
    ),
    Mutant(
        id="ckpt-no-tables",
        assignment=_A,
        description="the checkpoint keeps torch modules only: IQL's Q tables are not saved",
        file="checkpoint.py",
        old="            elif isinstance(value, dict) and value and "
        "all(isinstance(v, np.ndarray) for v in value.values()):\n"
        "                saved[name] = {key: array.copy() for key, array in value.items()}\n",
        new="",
        killed_by=_SAVE_LOAD,
    ),
    Mutant(
        id="ckpt-load-does-nothing",
        assignment=_A,
        description="load reads the file but never restores it",
        file="checkpoint.py",
        old="        self.restore(torch.load(path, weights_only=False))",
        new="        torch.load(path, weights_only=False)",
        killed_by=_SAVE_LOAD,
    ),
    Mutant(
        id="iql-seed-ignored",
        assignment=_A,
        description="the team's generator is made from a constant, not from its seed",
        file="multi_agent.py",
        old="rng=np.random.default_rng(seed))",
        new="rng=np.random.default_rng(0))",
        killed_by=("test_hidden_seed_matters",),
    ),
    Mutant(
        id="iql-greedy-draws-ties",
        assignment=_A,
        description="deterministic act breaks ties at random (ε set to 0 and hw10's act called)",
        file="multi_agent.py",
        old="            return {name: int(np.argmax(self.Q[name][int(s)])) for name, s in observations.items()}",
        new="            self.epsilon, saved = 0.0, self.epsilon\n"
        "            joint = super().act({name: int(s) for name, s in observations.items()})\n"
        "            self.epsilon = saved\n            return joint",
        killed_by=("test_agent_api",),
    ),
    Mutant(
        id="td3-generator-from-entropy",
        assignment=_A,
        description="TD3's generator is seeded from the OS (np.random.default_rng()): runs are not reproducible",
        file="hw07_continuous/td3.py",
        old="        self.rng = np.random.default_rng(seed)\n",
        new="        self.rng = np.random.default_rng()\n",
        killed_by=_REPRO,
    ),
    Mutant(
        id="dqn-greedy-explores",
        assignment=_A,
        description="DQN's act explores even when deterministic=True (hw04's bug, broken while packaging)",
        file="hw04_dqn/dqn.py",
        old="        if not deterministic and self.rng.random() < self.epsilon:",
        new="        if self.rng.random() < self.epsilon:",
        killed_by=("test_agent_api", "test_hidden_deterministic_act_at_full_exploration"),
    ),
    Mutant(
        id="dqn-truncated-as-terminal",
        assignment=_A,
        description="DQN stores truncated steps as terminal (gate 4: hw04's own check)",
        file="hw04_dqn/dqn.py",
        old="        self.buffer.add(obs, action, reward, next_obs, terminated)",
        new="        self.buffer.add(obs, action, reward, next_obs, terminated or truncated)",
        killed_by=("test_truncated_step_is_stored_as_not_terminated",),
    ),
    Mutant(
        id="registry-absolute-import",
        assignment=_A,
        description="the registry imports 'value_based' as a top-level module instead of inside the package",
        file="registry.py",
        old='    return getattr(importlib.import_module(f"{__package__}.{module}"), name)',
        new="    return getattr(importlib.import_module(module), name)",
        killed_by=("test_command_line",),
    ),
    Mutant(
        id="cli-team-never-resets",
        assignment=_A,
        description="the command line's team loop never resets the env when an episode ends",
        file="train.py",
        old="            returns.append(total)\n            total = 0.0\n            obs, _ = env.reset()\n"
        "    return returns\n\n\ndef train(",
        new="            returns.append(total)\n            total = 0.0\n    return returns\n\n\ndef train(",
        killed_by=("test_command_line",),
    ),
    Mutant(
        id="cli-single-returns-nothing",
        assignment=_A,
        description="the command line's single-agent loop never records a finished episode",
        file="train.py",
        old="        if terminated or truncated:\n            returns.append(total)\n",
        new="        if terminated or truncated:\n",
        killed_by=("test_command_line",),
    ),
]
