"""Known bugs of hw03's policies (bug catalog "REINFORCE / policy gradient": PG4, PG5, PG7).

Each mutant patches ``solutions/hw03_policy_gradient/policies.py`` in one place; ``killed_by`` lists the checks
that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw03_policy_gradient"
_F = "policies.py"

_GAUSS = """        return self.distribution(obs).log_prob(actions).sum(dim=-1)
"""

MUTANTS = [
    Mutant(
        id="PG4-mean-over-action-dims",
        assignment=_A,
        description="PG4: the Gaussian log-prob is AVERAGED over the action dimensions instead of summed",
        file=_F,
        old=_GAUSS,
        new=_GAUSS.replace(".sum(dim=-1)", ".mean(dim=-1)"),
        killed_by=("test_gaussian_log_prob", "test_hidden_policy_log_probs"),
    ),
    Mutant(
        id="PG4-missing-log-sigma",
        assignment=_A,
        description="PG4: the Gaussian log-density is written by hand without its −log σ term",
        file=_F,
        old=_GAUSS,
        new="""        mean, std = self.mean_net(obs), self.log_std.exp()
        return (-0.5 * ((actions - mean) / std) ** 2 - 0.5 * torch.log(2 * torch.pi * torch.ones_like(mean))).sum(-1)
""",
        killed_by=("test_gaussian_log_prob", "test_hidden_policy_log_probs"),
    ),
    Mutant(
        id="PG5-categorical-broadcast",
        assignment=_A,
        description="PG5: Categorical.log_prob of actions shaped (B, 1) broadcasts to a (B, B) matrix",
        file=_F,
        old="""        return self.distribution(obs).log_prob(actions)
""",
        new="""        return self.distribution(obs).log_prob(actions.reshape(-1, 1))
""",
        killed_by=(
            "test_categorical_log_prob",
            "test_hidden_policy_log_probs",
        ),
    ),
    Mutant(
        id="PG7-log-std-not-learned",
        assignment=_A,
        description="PG7: log_std is a buffer (a constant), not an nn.Parameter: σ is never learned",
        file=_F,
        old="""        self.log_std = nn.Parameter(torch.full((act_dim,), float(log_std_init)))
""",
        new="""        self.register_buffer("log_std", torch.full((act_dim,), float(log_std_init)))
""",
        killed_by=("test_gaussian_log_prob", "test_hidden_policy_log_probs"),
    ),
]
