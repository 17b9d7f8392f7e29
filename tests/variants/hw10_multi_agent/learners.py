"""Correct hw10 learners in other styles than the reference (``solutions/hw10_multi_agent/learners.py``).

The docstrings ask for float tables without fixing their precision, and allow any way of finding the tied maxima
and of writing the update. Each variant must get every point, exact checks included (their tolerances scale with
the dtype), and pass the learning checks it names on (nearly) every calibration seed (``rlgrade calibrate hw10``).
"""

from grader.mutants import Edit, Variant

_A = "hw10_multi_agent"
_F = "learners.py"
_LEARNING = (
    "test_iql_penalty_game",
    "test_hysteretic_beats_iql_climbing",
    "test_jal_climbing",
    "test_hidden_iql_penalty_other_seed_swapped_agents",
    "test_hidden_hysteretic_climbing_other_seed_swapped_agents",
    "test_hidden_jal_penalty_swapped_agents",
)

VARIANTS = [
    Variant(
        id="float32-tables",
        assignment=_A,
        description="every table is float32",
        edits=(
            Edit(
                _F,
                "        self.Q = {name: np.zeros((n_states, n_actions)) for name in self.agents}",
                "        self.Q = {name: np.zeros((n_states, n_actions), dtype=np.float32) for name in self.agents}",
            ),
            Edit(
                _F,
                "        self.Q = np.zeros((n_states, n_actions, n_actions))",
                "        self.Q = np.zeros((n_states, n_actions, n_actions), dtype=np.float32)",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="tie-by-isclose-and-choice",
        assignment=_A,
        description="ties found with np.isclose and drawn with rng.choice; the hysteretic rate picked inline",
        edits=(
            Edit(
                _F,
                "    best = np.flatnonzero(flat == flat.max())\n    return int(best[rng.integers(len(best))])",
                "    return int(rng.choice(np.flatnonzero(np.isclose(flat, flat.max(), rtol=0.0, atol=1e-12))))",
            ),
            Edit(
                _F,
                "            td_error = target - q[s, action]\n"
                "            q[s, action] += self.step_size(td_error) * td_error",
                "            new = q[s, action] + self.step_size(target - q[s, action]) * (target - q[s, action])\n"
                "            q[s, action] = new",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
]
