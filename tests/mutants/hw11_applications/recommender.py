"""Known bugs of hw11's recommender part: LinUCB's confidence width, its per-arm statistics, the choice of arm,
and replay evaluation that learns from or counts unmatched events.

Each mutant patches ``solutions/hw11_applications/recommender.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw11_applications"
_F = "recommender.py"
_UCB = ("test_linucb_update_and_ucb", "test_linucb_three_arms_three_features")

MUTANTS = [
    Mutant(
        id="linucb-width-without-sqrt",
        assignment=_A,
        description="the confidence width is α·xᵀA⁻¹x, without the square root",
        file=_F,
        old='        width = np.sqrt(np.einsum("i,aij,j->a", x, A_inv, x))',
        new='        width = np.einsum("i,aij,j->a", x, A_inv, x)',
        killed_by=_UCB,
    ),
    Mutant(
        id="linucb-b-never-updated",
        assignment=_A,
        description="update() adds x xᵀ to A but never adds r·x to b: θ stays 0",
        file=_F,
        old="        self.b[arm] += reward * x\n",
        new="",
        killed_by=(*_UCB, "test_linucb_regret_below_epsilon_greedy", "test_linucb_regret_hidden"),
    ),
    Mutant(
        id="linucb-updates-every-arm",
        assignment=_A,
        description="update() adds x xᵀ to the A of every arm, not only the chosen one",
        file=_F,
        old="        self.A[arm] += np.outer(x, x)",
        new="        self.A += np.outer(x, x)",
        killed_by=(*_UCB, "test_replay_evaluate_hand_worked_log"),
    ),
    Mutant(
        id="linucb-argmin",
        assignment=_A,
        description="act() picks the arm with the smallest UCB",
        file=_F,
        old="        return int(np.argmax(self.ucb(x)))",
        new="        return int(np.argmin(self.ucb(x)))",
        killed_by=("test_linucb_update_and_ucb", "test_linucb_regret_below_epsilon_greedy"),
    ),
    Mutant(
        id="linucb-no-exploration-bonus",
        assignment=_A,
        description="UCB is θᵀx alone (α ignored): greedy ridge regression",
        file=_F,
        old="        return theta @ x + self.alpha * width",
        new="        return theta @ x + 0.0 * width",
        killed_by=("test_linucb_initial_state_and_ties", *_UCB),
    ),
    Mutant(
        id="linucb-lambda-ignored",
        assignment=_A,
        description="A starts at the identity whatever λ",
        file=_F,
        old="        self.A = np.stack([lam * np.eye(dim) for _ in range(n_arms)])",
        new="        self.A = np.stack([np.eye(dim) for _ in range(n_arms)])",
        killed_by=("test_linucb_initial_state_and_ties", "test_linucb_three_arms_three_features"),
    ),
    Mutant(
        id="replay-updates-on-every-event",
        assignment=_A,
        description="replay updates the agent on every logged event with the logged arm, matched or not",
        file=_F,
        old="""        if arm == int(logged):
            matched.append(float(reward))
            agent.update(x, arm, float(reward))""",
        new="""        agent.update(x, int(logged), float(reward))
        if arm == int(logged):
            matched.append(float(reward))""",
        killed_by=("test_replay_evaluate_hand_worked_log", "test_replay_evaluate_random_log"),
    ),
    Mutant(
        id="replay-mean-over-all-events",
        assignment=_A,
        description="replay divides the kept rewards by the number of all events, not of the matched ones",
        file=_F,
        old="    return (float(np.mean(matched)), len(matched)) if matched else (0.0, 0)",
        new="    return (float(np.sum(matched) / len(rewards)), len(matched)) if matched else (0.0, 0)",
        killed_by=("test_replay_evaluate_hand_worked_log", "test_replay_evaluate_random_log"),
    ),
]
