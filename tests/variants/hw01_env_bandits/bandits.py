"""Correct bandit agents in another style than the reference (``solutions/hw01_env_bandits/bandits.py``).

The docstrings ask for "float" arrays without fixing their precision: this variant keeps every estimate in
float32 (ε-greedy's and UCB1's ``q``, the gradient bandit's preferences ``h``). It must get every point, exact
checks included (their tolerances scale with the dtype), and pass the learning checks it names on (nearly)
every calibration seed (``rlgrade calibrate hw01``).
"""

from grader.mutants import Edit, Variant

_F = "bandits.py"

VARIANTS = [
    Variant(
        id="float32-estimates",
        assignment="hw01_env_bandits",
        description="q (ε-greedy, UCB1) and h (gradient bandit) are float32 arrays",
        edits=(
            Edit(
                _F,
                "        self.epsilon = epsilon\n        self.rng = rng\n        # BEGIN SOLUTION\n"
                "        self.q = np.zeros(n_arms)\n",
                "        self.epsilon = epsilon\n        self.rng = rng\n        # BEGIN SOLUTION\n"
                "        self.q = np.zeros(n_arms, dtype=np.float32)\n",
            ),
            Edit(
                _F,
                "        self.c = c\n        self.rng = rng\n        # BEGIN SOLUTION\n"
                "        self.q = np.zeros(n_arms)\n",
                "        self.c = c\n        self.rng = rng\n        # BEGIN SOLUTION\n"
                "        self.q = np.zeros(n_arms, dtype=np.float32)\n",
            ),
            Edit(_F, "        self.h = np.zeros(n_arms)\n", "        self.h = np.zeros(n_arms, dtype=np.float32)\n"),
        ),
        calibrated_on=(
            "test_eps_greedy_learns_gaussian",
            "test_ucb_learns_gaussian",
            "test_gradient_learns_with_baseline",
            "test_hidden_eps_greedy_learns_bernoulli",
            "test_hidden_ucb_learns_gaussian_20",
            "test_hidden_gradient_baseline_matters",
        ),
    ),
]
