"""Correct tabular agents in another style than the reference (``solutions/hw02_tabular/``).

The docstrings ask for "float" tables without fixing their precision: this variant keeps them in float32 (MC
control's ``q``, the TD agents' ``Q``, ``Q1``, ``Q2``, the returns of ``discounted_returns``). (The
dynamic-programming functions are documented as float64: their checks compare to 1e-9.) It must get every point, exact
checks included (their tolerances scale with the dtype), and pass the learning checks it names on (nearly)
every calibration seed (``rlgrade calibrate hw02``).
"""

from grader.mutants import Edit, Variant

_F32 = "np.float32"

VARIANTS = [
    Variant(
        id="float32-tables",
        assignment="hw02_tabular",
        description="the MC and TD tables and the returns are float32",
        edits=(
            Edit("mc.py", "    G = np.zeros(len(rewards))\n", f"    G = np.zeros(len(rewards), dtype={_F32})\n"),
            Edit(
                "mc.py",
                "        self.q = np.zeros((n_states, n_actions))\n",
                f"        self.q = np.zeros((n_states, n_actions), dtype={_F32})\n",
            ),
            Edit(
                "td.py",
                "        self.Q = np.zeros((n_states, n_actions))\n",
                f"        self.Q = np.zeros((n_states, n_actions), dtype={_F32})\n",
            ),
            Edit(
                "td.py",
                "        self.Q1 = np.zeros((n_states, n_actions))\n"
                "        self.Q2 = np.zeros((n_states, n_actions))\n",
                f"        self.Q1 = np.zeros((n_states, n_actions), dtype={_F32})\n"
                f"        self.Q2 = np.zeros((n_states, n_actions), dtype={_F32})\n",
            ),
        ),
        calibrated_on=(
            "test_mc_control_learns_blackjack",
            "test_q_learning_taxi",
            "test_q_learning_cliff_optimal_path",
            "test_sarsa_cliff_safe_path",
            "test_hidden_mc_control_learns_blackjack_other_seed",
            "test_hidden_sarsa_taxi",
            "test_hidden_double_q_taxi",
            "test_hidden_expected_sarsa_frozenlake",
        ),
    ),
]
