"""Correct hw09 implementations in other styles than the reference (``solutions/hw09_options/``).

The docstrings ask for float tables without fixing their precision, and allow any way of writing the option loop,
the ties and the updates. Each variant must get every point, exact checks included (their tolerances scale with the
dtype), and pass the learning checks it names on (nearly) every calibration seed (``rlgrade calibrate hw09``).
"""

from grader.mutants import Edit, Variant

_A = "hw09_options"
_OPT = "options.py"
_OC = "option_critic.py"
_OPTIONS_LEARNING = (
    "test_smdp_options_beat_primitives",
    "test_intra_options_beat_primitives",
    "test_hidden_smdp_options_beat_primitives_deterministic",
    "test_hidden_intra_options_beat_primitives_other_seed",
)
_OC_LEARNING = ("test_option_critic_improves", "test_hidden_option_critic_improves_deterministic")

VARIANTS = [
    Variant(
        id="float32-tables",
        assignment=_A,
        description="every table (Q; θ, ϑ, Q_Ω, Q_U) is float32",
        edits=(
            Edit(
                _OPT,
                "        self.Q = np.zeros((self.initiation.shape[1], self.initiation.shape[0]))",
                "        self.Q = np.zeros((self.initiation.shape[1], self.initiation.shape[0]), dtype=np.float32)",
            ),
            Edit(
                _OC,
                "        self.theta = np.zeros((n_options, n_states, n_actions))\n"
                "        self.vartheta = np.zeros((n_options, n_states))\n"
                "        self.Q_omega = np.zeros((n_states, n_options))\n"
                "        self.Q_u = np.zeros((n_states, n_options, n_actions))",
                "        self.theta = np.zeros((n_options, n_states, n_actions), dtype=np.float32)\n"
                "        self.vartheta = np.zeros((n_options, n_states), dtype=np.float32)\n"
                "        self.Q_omega = np.zeros((n_states, n_options), dtype=np.float32)\n"
                "        self.Q_u = np.zeros((n_states, n_options, n_actions), dtype=np.float32)",
            ),
        ),
        calibrated_on=_OPTIONS_LEARNING + _OC_LEARNING,
    ),
    Variant(
        id="loops-running-discount-choice",
        assignment=_A,
        description="run_option keeps a running discount; ties and exploration drawn with rng.choice; the "
        "intra-option update as a loop over the options from a snapshot of Q[s']; option-critic ties with rng.choice",
        edits=(
            Edit(
                _OPT,
                "    s, ret, k = int(state), 0.0, 0\n"
                "    while True:\n"
                "        s, r, terminated, truncated, _ = env.step(int(policy[s]))\n"
                "        s = int(s)\n"
                "        ret += gamma**k * float(r)\n"
                "        k += 1\n",
                "    s, ret, k, discount = int(state), 0.0, 0, 1.0\n"
                "    while True:\n"
                "        s, r, terminated, truncated, _ = env.step(int(policy[s]))\n"
                "        s = int(s)\n"
                "        ret += discount * float(r)\n"
                "        discount *= gamma\n"
                "        k += 1\n",
            ),
            Edit(
                _OPT,
                "    if rng.random() < epsilon:\n"
                "        return int(candidates[rng.integers(len(candidates))])\n"
                "    values = q_row[candidates]\n"
                "    best = candidates[values == values.max()]\n"
                "    return int(best[rng.integers(len(best))])",
                "    if rng.random() < epsilon:\n"
                "        return int(rng.choice(candidates))\n"
                "    top = max(q_row[c] for c in candidates)\n"
                "    return int(rng.choice([c for c in candidates if q_row[c] == top]))",
            ),
            Edit(
                _OPT,
                "        consistent = np.flatnonzero(self.initiation[:, state] & (self.policy[:, state] == action))\n"
                "        if terminated:\n"
                "            targets = np.full(len(consistent), float(reward))\n"
                "        else:\n"
                "            best = max_available(self.Q[next_state], self.initiation[:, next_state])\n"
                "            stop = self.beta[consistent, next_state]\n"
                "            u = (1.0 - stop) * self.Q[next_state, consistent] + stop * best\n"
                "            targets = reward + self.gamma * u\n"
                "        self.Q[state, consistent] += self.alpha * (targets - self.Q[state, consistent])",
                "        after = self.Q[next_state].copy()\n"
                "        best = max_available(after, self.initiation[:, next_state])\n"
                "        for o in range(self.Q.shape[1]):\n"
                "            if not self.initiation[o, state] or self.policy[o, state] != action:\n"
                "                continue\n"
                "            b = self.beta[o, next_state]\n"
                "            target = reward if terminated else reward + self.gamma * ((1 - b) * after[o] + b * best)\n"
                "            self.Q[state, o] = self.Q[state, o] + self.alpha * (target - self.Q[state, o])",
            ),
            Edit(
                _OC,
                "        q = self.Q_omega[state]\n"
                "        best = np.flatnonzero(q == q.max())\n"
                "        return int(best[self.rng.integers(len(best))])",
                "        q = self.Q_omega[state]\n        return int(self.rng.choice(np.flatnonzero(q == q.max())))",
            ),
        ),
        calibrated_on=_OPTIONS_LEARNING + _OC_LEARNING,
    ),
]
