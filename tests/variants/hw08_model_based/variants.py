"""Correct hw08 implementations in other styles than the reference (``solutions/hw08_model_based/``).

The docstrings fix what is computed, not how: the model may keep its pairs in any structure, tables may be float32,
the elites may be found with any partial sort, backup may walk parent pointers. Each variant must get every point
and pass the learning checks it names on (nearly) every calibration seed (``rlgrade calibrate hw08``).
"""

from grader.mutants import Edit, Variant

_A = "hw08_model_based"

VARIANTS = [
    Variant(
        id="dict-model-float32-table",
        assignment=_A,
        description="TabularModel is one dict (pairs drawn from list(dict)), Q is float32, the update in two lines",
        edits=(
            Edit(
                "dyna.py",
                """        self.outcomes: dict[tuple[int, int], tuple[float, int, bool]] = {}
        self.pairs: list[tuple[int, int]] = []""",
                """        self.outcomes: dict[tuple[int, int], tuple[float, int, bool]] = {}""",
            ),
            Edit(
                "dyna.py",
                """        key = (int(state), int(action))
        if key not in self.outcomes:
            self.pairs.append(key)
        self.outcomes[key]""",
                """        key = (int(state), int(action))
        self.outcomes[key]""",
            ),
            Edit(
                "dyna.py",
                """        if not self.pairs:
            return None
        state, action = self.pairs[int(rng.integers(len(self.pairs)))]""",
                """        keys = list(self.outcomes)
        if len(keys) == 0:
            return None
        state, action = keys[rng.choice(len(keys))]""",
            ),
            Edit("dyna.py", "        return len(self.pairs)", "        return len(self.outcomes)"),
            Edit(
                "dyna.py",
                "        self.Q = np.zeros((n_states, n_actions))",
                "        self.Q = np.zeros((n_states, n_actions), dtype=np.float32)",
            ),
            Edit(
                "dyna.py",
                """        target = reward + (0.0 if terminated else self.gamma * self.Q[next_state].max())
        self.Q[state, action] += self.alpha * (target - self.Q[state, action])""",
                """        bootstrap = 0.0 if terminated else float(np.max(self.Q[next_state]))
        old = self.Q[state, action]
        self.Q[state, action] = old + self.alpha * (reward + self.gamma * bootstrap - old)""",
            ),
        ),
        calibrated_on=("test_dyna_planning_shortens_episodes", "test_hidden_dyna_other_seed"),
    ),
    Variant(
        id="numpy-stats-argpartition-elites",
        assignment=_A,
        description="normaliser statistics computed in numpy float64, CEM elites by argpartition, std with np.std",
        edits=(
            Edit(
                "mpc.py",
                """        data = torch.as_tensor(data, dtype=torch.float32)
        self.mean = data.mean(dim=0)
        std = data.std(dim=0, unbiased=False)
        self.std = torch.where(std < self.eps, torch.ones_like(std), std)""",
                """        array = np.asarray(data, dtype=np.float64)
        std = array.std(axis=0)
        std[std < self.eps] = 1.0
        self.mean = torch.tensor(array.mean(axis=0), dtype=torch.float32)
        self.std = torch.tensor(std, dtype=torch.float32)""",
            ),
            Edit(
                "mpc.py",
                """        elites = samples[np.argsort(returns)[-n_elites:]]
        mean, std = elites.mean(axis=0), elites.std(axis=0)""",
                """        elites = samples[np.argpartition(-returns, n_elites - 1)[:n_elites]]
        mean, std = np.mean(elites, axis=0), np.std(elites, axis=0)""",
            ),
        ),
        calibrated_on=("test_model_one_step_error", "test_mpc_learned_pendulum", "test_hidden_mpc_other_seed"),
    ),
    Variant(
        id="parent-pointer-backup",
        assignment=_A,
        description="backup walks the leaf's parent pointers with a sign variable; ties in select_child by rng.choice",
        edits=(
            Edit(
                "mcts.py",
                """    for node in reversed(path):
        node.visits += 1
        node.value_sum += value
        value = -value""",
                """    node, sign = path[-1], 1.0
    while node is not None:
        node.visits += 1
        node.value_sum += sign * value
        node, sign = node.parent, -sign""",
            ),
            Edit(
                "mcts.py",
                """    best = np.flatnonzero(scores == scores.max())
    return children[int(best[rng.integers(len(best))])]""",
                """    top = max(scores)
    return children[int(rng.choice([i for i, score in enumerate(scores) if score == top]))]""",
            ),
        ),
        calibrated_on=(
            "test_uct_never_loses_to_random",
            "test_hidden_uct_draws_perfect_play",
            "test_hidden_uct_random_other_seed",
        ),
    ),
]
