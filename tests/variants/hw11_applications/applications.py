"""Correct hw11 implementations in other styles than the reference (``solutions/hw11_applications/``).

The docstrings fix the formulas, the tie-breaks and the random draws, not how they are computed: a loop with
``np.linalg.solve`` per arm instead of batched inverses, a weighted least-squares fit by row scaling, a softmax
without the max shift, float32 tables. Each variant must get every point, exact checks included (their tolerances
scale with the dtype), and pass the learning checks it names on (nearly) every calibration seed.
"""

from grader.mutants import Edit, Variant

_A = "hw11_applications"

VARIANTS = [
    Variant(
        id="linucb-solve-per-arm",
        assignment=_A,
        description="LinUCB computes θ_a and the width arm by arm with np.linalg.solve, no inverse",
        edits=(
            Edit(
                "recommender.py",
                """        A_inv = np.linalg.inv(self.A)
        theta = np.einsum("aij,aj->ai", A_inv, self.b)
        width = np.sqrt(np.einsum("i,aij,j->a", x, A_inv, x))
        return theta @ x + self.alpha * width""",
                """        scores = []
        for A, b in zip(self.A, self.b, strict=True):
            theta, z = np.linalg.solve(A, b), np.linalg.solve(A, x)
            scores.append(theta @ x + self.alpha * np.sqrt(x @ z))
        return np.array(scores)""",
            ),
        ),
        calibrated_on=("test_linucb_regret_below_epsilon_greedy", "test_linucb_regret_hidden"),
    ),
    Variant(
        id="lending-lstsq-row-scaling",
        assignment=_A,
        description="the weighted ridge is a least-squares fit of rows scaled by sqrt(1/μ), λ as extra rows",
        edits=(
            Edit(
                "credit.py",
                "        self.w = np.linalg.solve(Xa.T @ (d[:, None] * Xa) + self.lam * np.eye(X.shape[1]),"
                " Xa.T @ (d * ra))",
                """        k = X.shape[1]
        rows = np.vstack([np.sqrt(d)[:, None] * Xa, np.sqrt(self.lam) * np.eye(k)])
        self.w = np.linalg.lstsq(rows, np.concatenate([np.sqrt(d) * ra, np.zeros(k)]), rcond=None)[0]""",
            ),
        ),
        calibrated_on=("test_lending_policy_beats_logging_policy", "test_lending_policy_hidden"),
    ),
    Variant(
        id="portfolio-plain-softmax-float32-nim",
        assignment=_A,
        description="the portfolio softmax without the max shift; the Nim table V in float32",
        edits=(
            Edit(
                "portfolio.py",
                "        e = np.exp(z - z.max())",
                "        e = np.exp(z)",
            ),
            Edit(
                "games.py",
                "        self.V = np.zeros([h + 1 for h in self.heaps])",
                "        self.V = np.zeros([h + 1 for h in self.heaps], dtype=np.float32)",
            ),
        ),
        calibrated_on=(
            "test_softmax_portfolio_beats_buy_and_hold",
            "test_softmax_portfolio_hidden",
            "test_self_play_learns_perfect_play",
            "test_self_play_never_loses_to_random",
        ),
    ),
    Variant(
        id="robotics-geometric-jacobian-lerp",
        assignment=_A,
        description="forward kinematics by a loop over the links; the Jacobian as the geometric one, column j = "
        "ẑ × (p − joint j) from the joint positions; the soft update with torch's lerp_",
        edits=(
            Edit(
                "robotics.py",
                """    phi = np.cumsum(np.asarray(angles, dtype=np.float64))
    links = np.asarray(links, dtype=np.float64)
    return np.array([links @ np.cos(phi), links @ np.sin(phi)])""",
                """    x = y = phi = 0.0
    for q, length in zip(angles, links, strict=True):
        phi += float(q)
        x, y = x + float(length) * np.cos(phi), y + float(length) * np.sin(phi)
    return np.array([x, y])""",
            ),
            Edit(
                "robotics.py",
                """    phi = np.cumsum(np.asarray(angles, dtype=np.float64))
    links = np.asarray(links, dtype=np.float64)
    columns = np.stack([-links * np.sin(phi), links * np.cos(phi)])
    return np.cumsum(columns[:, ::-1], axis=1)[:, ::-1]""",
                """    n = len(angles)
    joints = [np.zeros(2)] + [forward_kinematics(angles[:i], links[:i]) for i in range(1, n)]
    tip = forward_kinematics(angles, links)
    return np.stack([[-(tip - joint)[1], (tip - joint)[0]] for joint in joints], axis=1)""",
            ),
            Edit(
                "robotics.py",
                "                        target_param.mul_(1.0 - self.tau).add_(param, alpha=self.tau)",
                "                        target_param.lerp_(param, self.tau)",
            ),
        ),
        calibrated_on=("test_td3_reaches_targets", "test_td3_reaches_targets_hidden"),
    ),
]
