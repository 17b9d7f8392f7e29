"""Known bugs of hw11's credit part: importance weights upside down, SNIPS normalised by n, DR without its
weights, and a lending policy fitted without propensities, on every row, or approving the wrong side.

Each mutant patches ``solutions/hw11_applications/credit.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw11_applications"
_F = "credit.py"
_FIT = ("test_lending_policy_fit_hand_worked", "test_lending_policy_fit_random_log")

MUTANTS = [
    Mutant(
        id="ips-weights-inverted",
        assignment=_A,
        description="IPS weights are μ/π instead of π/μ",
        file=_F,
        old="""    weights = np.asarray(target_probs, dtype=np.float64) / np.asarray(logging_probs, dtype=np.float64)
    return float(np.mean(weights * np.asarray(rewards, dtype=np.float64)))""",
        new="""    weights = np.asarray(logging_probs, dtype=np.float64) / np.asarray(target_probs, dtype=np.float64)
    return float(np.mean(weights * np.asarray(rewards, dtype=np.float64)))""",
        killed_by=("test_ips_and_snips", "test_estimators_random_log"),
    ),
    Mutant(
        id="snips-divides-by-n",
        assignment=_A,
        description="SNIPS divides by the number of events instead of the sum of the weights (it is IPS)",
        file=_F,
        old="    return float(weights @ np.asarray(rewards, dtype=np.float64) / total) if total > 0 else 0.0",
        new="    return float(weights @ np.asarray(rewards, dtype=np.float64) / len(weights)) if total > 0 else 0.0",
        killed_by=("test_ips_and_snips", "test_estimators_random_log"),
    ),
    Mutant(
        id="dr-correction-unweighted",
        assignment=_A,
        description="the doubly robust correction r − q̂ is not multiplied by the importance weight",
        file=_F,
        old="    correction = weights * (np.asarray(rewards, dtype=np.float64)"
        " - np.asarray(q_logged, dtype=np.float64))",
        new="    correction = np.asarray(rewards, dtype=np.float64) - np.asarray(q_logged, dtype=np.float64)",
        killed_by=("test_doubly_robust", "test_estimators_random_log"),
    ),
    Mutant(
        id="lending-fit-ignores-propensities",
        assignment=_A,
        description="the reward model is a plain ridge regression (no 1/μ weights)",
        file=_F,
        old="        d = 1.0 / np.asarray(propensities, dtype=np.float64)[approved]",
        new="        d = np.ones(int(approved.sum()))",
        killed_by=_FIT,
    ),
    Mutant(
        id="lending-fit-on-every-row",
        assignment=_A,
        description="the approve model is fitted on every logged row, rejections (reward 0) included",
        file=_F,
        old="        approved = np.asarray(actions) == 1",
        new="        approved = np.ones(len(X), dtype=bool)",
        killed_by=_FIT,
    ),
    Mutant(
        id="lending-approves-negative",
        assignment=_A,
        description="probs() approves where the predicted reward is negative",
        file=_F,
        old="        approve = (np.asarray(X, dtype=np.float64) @ self.w > 0).astype(np.float64)",
        new="        approve = (np.asarray(X, dtype=np.float64) @ self.w < 0).astype(np.float64)",
        killed_by=(*_FIT, "test_lending_policy_beats_logging_policy", "test_lending_policy_hidden"),
    ),
]
