"""Known bugs of hw03's returns (bug catalog "REINFORCE / policy gradient": PG2, PG6, PG8).

Each mutant patches ``solutions/hw03_policy_gradient/returns.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw03_policy_gradient"
_F = "returns.py"

MUTANTS = [
    Mutant(
        id="PG2-total-return-every-step",
        assignment=_A,
        description="PG2: reward_to_go gives every step the total return G_0 instead of its reward-to-go",
        file=_F,
        old="""        out[t] = g
    return out
""",
        new="""        out[t] = g
    return np.full(len(rewards), g)
""",
        killed_by=("test_reward_to_go", "test_continuous_actions_clipped_raw_log_prob", "test_hidden_returns_cases"),
    ),
    Mutant(
        id="PG8-gamma-t-twice",
        assignment=_A,
        description="PG8: reward_to_go discounts G_t once more by γ^t (Σ_k γ^k r_k instead of Σ_k γ^(k−t) r_k)",
        file=_F,
        old="""        out[t] = g
""",
        new="""        out[t] = gamma**t * g
""",
        killed_by=("test_reward_to_go", "test_continuous_actions_clipped_raw_log_prob", "test_hidden_returns_cases"),
    ),
    Mutant(
        id="PG6-normalize-without-eps",
        assignment=_A,
        description="PG6: normalize divides by the std without eps, so a constant batch gives NaN",
        file=_F,
        old="""    return (x - x.mean()) / (x.std() + eps)
""",
        new="""    return (x - x.mean()) / x.std()
""",
        killed_by=("test_normalize", "test_hidden_normalize_cases"),
    ),
    Mutant(
        id="RET-first-reward-discounted",
        assignment=_A,
        description="discounted_return discounts the first reward too (γ^(k+1) instead of γ^k)",
        file=_F,
        old="""    return float(sum(gamma**k * r for k, r in enumerate(rewards)))
""",
        new="""    return float(sum(gamma ** (k + 1) * r for k, r in enumerate(rewards)))
""",
        killed_by=("test_discounted_return", "test_hidden_returns_cases"),
    ),
]
