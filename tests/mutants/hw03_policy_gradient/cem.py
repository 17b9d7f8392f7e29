"""Known bugs of hw03's cross-entropy method (``cem.py``): wrong elites, no refit, no extra noise, a new θ per step.

Each mutant patches ``solutions/hw03_policy_gradient/cem.py`` in one place; ``killed_by`` lists the checks
that must fail for it. Learning checks are listed only where they fail on every calibration seed.
"""

from grader.mutants import Mutant

_A = "hw03_policy_gradient"
_F = "cem.py"

_ELITES = """    n_elite = max(1, math.ceil(elite_frac * len(returns)))
    elites = samples[np.argsort(returns)[-n_elite:]]
    return elites.mean(axis=0), elites.std(axis=0) + extra_std
"""

MUTANTS = [
    Mutant(
        id="CEM-worst-elites",
        assignment=_A,
        description="cem_update refits to the samples with the LOWEST returns (argsort taken from the wrong end)",
        file=_F,
        old=_ELITES,
        new=_ELITES.replace("np.argsort(returns)[-n_elite:]", "np.argsort(returns)[:n_elite]"),
        killed_by=(
            "test_cem_update",
            "test_cem_agent_protocol",
            "test_hidden_cem_update_cases",
            "test_cem_cartpole",
            "test_hidden_cem_point_mass",
        ),
    ),
    Mutant(
        id="CEM-floor-elite-count",
        assignment=_A,
        description="cem_update keeps int(elite_frac·N) elites instead of ⌈elite_frac·N⌉ (and 0 for a tiny fraction)",
        file=_F,
        old=_ELITES,
        new=_ELITES.replace("max(1, math.ceil(elite_frac * len(returns)))", "int(elite_frac * len(returns))"),
        killed_by=("test_cem_update", "test_hidden_cem_update_cases"),
    ),
    Mutant(
        id="CEM-no-extra-std",
        assignment=_A,
        description="cem_update forgets the extra standard deviation",
        file=_F,
        old=_ELITES,
        new=_ELITES.replace("elites.std(axis=0) + extra_std", "elites.std(axis=0)"),
        killed_by=("test_cem_update", "test_hidden_cem_update_cases"),
    ),
    Mutant(
        id="CEM-never-refits",
        assignment=_A,
        description="CEMAgent stores the population but never refits: the mean stays at zero",
        file=_F,
        old="""            self.mean, self.std = cem_update(
                np.array(self.samples), np.array(self.returns), self.elite_frac, self.extra_std
            )
""",
        new="",
        killed_by=("test_cem_agent_protocol", "test_cem_cartpole", "test_hidden_cem_point_mass"),
    ),
    Mutant(
        id="CEM-new-theta-every-step",
        assignment=_A,
        description="CEMAgent draws a new θ at every step instead of once per episode",
        file=_F,
        old="""        if self.theta is None:
            self.theta = self.mean""",
        new="""        if True:
            self.theta = self.mean""",
        killed_by=("test_cem_agent_protocol",),
    ),
    Mutant(
        id="CEM-deterministic-draws-theta",
        assignment=_A,
        description="act draws the episode's θ before looking at deterministic: an evaluation call starts an episode",
        file=_F,
        old="""        if deterministic:
            return linear_action(self.mean, obs, self.action_space)
        if self.theta is None:
            self.theta = self.mean + self.std * self.rng.standard_normal(len(self.mean))
""",
        new="""        if self.theta is None:
            self.theta = self.mean + self.std * self.rng.standard_normal(len(self.mean))
        if deterministic:
            return linear_action(self.mean, obs, self.action_space)
""",
        killed_by=("test_cem_agent_protocol", "test_hidden_cem_deterministic_draws_nothing"),
    ),
    Mutant(
        id="CEM-population-not-cleared",
        assignment=_A,
        description="the agent keeps the refitted population: no second refit ever happens (the count passes it)",
        file=_F,
        old="""            self.samples, self.returns = [], []
""",
        new="""            pass
""",
        killed_by=("test_hidden_cem_second_refit",),
    ),
]
