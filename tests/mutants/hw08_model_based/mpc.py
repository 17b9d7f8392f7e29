"""Known bugs of hw08's learned dynamics and MPC (bug catalog "Model-based": MB5, MB6, MB8, MB9; and our own).

Each mutant patches ``solutions/hw08_model_based/mpc.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw08_model_based"
_F = "mpc.py"
_PLANNERS = ("test_planners_oracle_first_action", "test_hidden_planners_other_state")

MUTANTS = [
    Mutant(
        id="MB6-batch-statistics",
        assignment=_A,
        description="normalize uses the statistics of the batch it is given, not the fitted ones",
        file=_F,
        old="        return (x - self.mean) / self.std",
        new="        return (x - x.mean(dim=0)) / self.std",
        killed_by=("test_normalizer_keeps_fitted_stats",),
    ),
    Mutant(
        id="zero-variance-nan",
        assignment=_A,
        description="a constant dimension keeps std 0, so normalize divides by zero",
        file=_F,
        old="        self.std = torch.where(std < self.eps, torch.ones_like(std), std)",
        new="        self.std = std",
        killed_by=("test_normalizer_round_trip",),
    ),
    Mutant(
        id="sample-std",
        assignment=_A,
        description="the normaliser uses the sample standard deviation (N − 1) instead of the population one",
        file=_F,
        old="        std = data.std(dim=0, unbiased=False)",
        new="        std = data.std(dim=0)",
        killed_by=("test_normalizer_round_trip", "test_train_dynamics_linear_system"),
    ),
    Mutant(
        id="MB5-learns-next-state",
        assignment=_A,
        description="train_dynamics fits the next state itself while predict adds s (s counted twice)",
        file=_F,
        old="    delta = torch.as_tensor(next_obs, dtype=torch.float32) - obs_t",
        new="    delta = torch.as_tensor(next_obs, dtype=torch.float32)",
        killed_by=("test_train_dynamics_linear_system", "test_model_one_step_error"),
    ),
    Mutant(
        id="predict-forgets-state",
        assignment=_A,
        description="predict returns the predicted change instead of s + change",
        file=_F,
        old="        return np.asarray(obs, dtype=np.float64) + delta.numpy().astype(np.float64)",
        new="        return delta.numpy().astype(np.float64)",
        killed_by=("test_dynamics_predicts_change", "test_train_dynamics_linear_system", "test_model_one_step_error"),
    ),
    Mutant(
        id="predict-not-denormalized",
        assignment=_A,
        description="predict adds the NORMALISED change to s",
        file=_F,
        old="            delta = self.delta_norm.denormalize(self.forward(obs_t, act_t))",
        new="            delta = self.forward(obs_t, act_t)",
        killed_by=("test_dynamics_predicts_change", "test_train_dynamics_linear_system", "test_model_one_step_error"),
    ),
    Mutant(
        id="MB9-reward-on-current-state-twice",
        assignment=_A,
        description="sequence_returns passes s_t where reward_fn expects s_{t+1}",
        file=_F,
        old="        returns += np.asarray(reward_fn(states, sequences[:, t], next_states), dtype=np.float64)",
        new="        returns += np.asarray(reward_fn(states, sequences[:, t], states), dtype=np.float64)",
        killed_by=("test_sequence_returns",),
    ),
    Mutant(
        id="MB9-reward-on-next-state-twice",
        assignment=_A,
        description="sequence_returns passes s_{t+1} where reward_fn expects s_t (Pendulum's reward is on s_t)",
        file=_F,
        old="        returns += np.asarray(reward_fn(states, sequences[:, t], next_states), dtype=np.float64)",
        new="        returns += np.asarray(reward_fn(next_states, sequences[:, t], next_states), dtype=np.float64)",
        killed_by=("test_sequence_returns", "test_planners_oracle_first_action"),
    ),
    Mutant(
        id="rollout-from-start-state",
        assignment=_A,
        description="every step of the rollout starts again from the current observation (states never advance)",
        file=_F,
        old="""        states = next_states
    return returns""",
        new="""    return returns""",
        killed_by=("test_sequence_returns",),
    ),
    Mutant(
        id="MB8-worst-elites",
        assignment=_A,
        description="CEM refits to the sequences with the LOWEST returns (sort order)",
        file=_F,
        old="        elites = samples[np.argsort(returns)[-n_elites:]]",
        new="        elites = samples[np.argsort(returns)[:n_elites]]",
        killed_by=(*_PLANNERS, "test_mpc_learned_pendulum", "test_hidden_mpc_other_seed"),
    ),
    Mutant(
        id="cem-returns-last-step",
        assignment=_A,
        description="cem_plan returns the LAST action of the planned sequence instead of the first",
        file=_F,
        old="    return mean[0]",
        new="    return mean[-1]",
        killed_by=(*_PLANNERS,),
    ),
    Mutant(
        id="shooting-worst-sequence",
        assignment=_A,
        description="random_shooting returns the first action of the WORST sequence (argmin)",
        file=_F,
        old="    return sequences[int(np.argmax(returns)), 0]",
        new="    return sequences[int(np.argmin(returns)), 0]",
        killed_by=(*_PLANNERS,),
    ),
]
