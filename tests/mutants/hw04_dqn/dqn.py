"""Known bugs of hw04's DQN pieces and agent (bug catalog "DQN (and deep-RL basics)": DQN1, DQN2, DQN3, DQN4,
DQN6, DQN7, DQN10, plus a swapped Polyak average, a dueling head without the mean subtraction and an MSE loss).

Each mutant patches ``solutions/hw04_dqn/dqn.py`` in one place; ``killed_by`` lists the checks (public or hidden)
that must fail for it. A learning check is listed only where the mutant fails it on every calibration seed
(``rlgrade calibrate hw04``).
"""

from grader.mutants import Mutant

_A = "hw04_dqn"
_F = "dqn.py"

_DQN_TARGETS = """    with torch.no_grad():
        next_q = target_net(next_obs).max(dim=1).values
    return rewards + gamma * (1.0 - terminated) * next_q
"""
_DOUBLE_TARGETS = """        best = online_net(next_obs).argmax(dim=1)
        next_q = q_of_actions(target_net(next_obs), best)
"""
_OBSERVE = """        self.buffer.add(obs, action, reward, next_obs, terminated)
        self.step += 1
"""
_TARGET_UPDATE = """        if self.step % self.target_update_every == 0:
            polyak_update(self.target_net, self.q_net, self.tau)
"""

MUTANTS = [
    Mutant(
        id="DQN1-no-target-network",
        assignment=_A,
        description="DQN1: the DQN agent bootstraps from its online net instead of the target net",
        file=_F,
        old="batch.terminated, self.target_net, self.gamma)",
        new="batch.terminated, self.q_net, self.gamma)",
        killed_by=("test_train_step_dqn_and_double", "test_hidden_train_step_grader_loss"),
    ),
    Mutant(
        id="DQN2-target-not-detached",
        assignment=_A,
        description="DQN2: dqn_targets is computed with gradient, so the loss backpropagates into the target net",
        file=_F,
        old=_DQN_TARGETS,
        new="""    next_q = target_net(next_obs).max(dim=1).values
    return rewards + gamma * (1.0 - terminated) * next_q
""",
        killed_by=(
            "test_targets_carry_no_gradient",
            "test_train_step_dqn_and_double",
            "test_hidden_targets_other_batch",
        ),
    ),
    Mutant(
        id="DQN3-no-terminal-mask",
        assignment=_A,
        description="DQN3: dqn_targets bootstraps through terminal steps (no (1 − terminated) factor)",
        file=_F,
        old=_DQN_TARGETS,
        new=_DQN_TARGETS.replace("gamma * (1.0 - terminated) * next_q", "gamma * next_q"),
        killed_by=("test_dqn_targets", "test_hidden_targets_other_batch", "test_hidden_train_step_grader_loss"),
    ),
    Mutant(
        id="DQN3-truncated-as-terminated",
        assignment=_A,
        description="DQN3 / TD1: observe stores terminated or truncated, so time-limit steps stop bootstrapping",
        file=_F,
        old=_OBSERVE,
        new=_OBSERVE.replace("next_obs, terminated)", "next_obs, terminated or truncated)"),
        killed_by=("test_truncated_step_is_stored_as_not_terminated",),
    ),
    Mutant(
        id="DQN4-gather-wrong-dim",
        assignment=_A,
        description="DQN4: q_of_actions gathers along the batch dimension instead of the action dimension",
        file=_F,
        old="""    return q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
""",
        new="""    return q_values.gather(0, actions.unsqueeze(0)).squeeze(0)
""",
        killed_by=("test_q_of_actions", "test_train_step_dqn_and_double", "test_hidden_gather_aggregate_loss"),
    ),
    Mutant(
        id="DQN6-double-roles-swapped",
        assignment=_A,
        description="DQN6: Double DQN takes the argmax with the target net and evaluates it with the online net",
        file=_F,
        old=_DOUBLE_TARGETS,
        new="""        best = target_net(next_obs).argmax(dim=1)
        next_q = q_of_actions(online_net(next_obs), best)
""",
        killed_by=("test_double_dqn_targets", "test_hidden_targets_other_batch", "test_hidden_train_step_grader_loss"),
    ),
    Mutant(
        id="DQN7-epsilon-never-decays",
        assignment=_A,
        description="DQN7: the agent's ε stays at eps_start (the schedule is never advanced)",
        file=_F,
        old="""        return linear_epsilon(self.step, self.eps_start, self.eps_end, self.eps_duration)
""",
        new="""        return linear_epsilon(0, self.eps_start, self.eps_end, self.eps_duration)
""",
        killed_by=("test_epsilon_decays_while_acting", "test_hidden_epsilon_other_schedule"),
    ),
    Mutant(
        id="DQN10-target-never-updated",
        assignment=_A,
        description="DQN10: observe never updates the target net (it stays at its initial copy)",
        file=_F,
        old=_TARGET_UPDATE,
        new="",
        killed_by=("test_target_update_schedule", "test_dqn_cartpole"),
    ),
    Mutant(
        id="POLYAK-tau-swapped",
        assignment=_A,
        description="TD3-7: the soft update keeps τ of the target and takes 1 − τ of the online net",
        file=_F,
        old="""            target_param.mul_(1.0 - tau).add_(param, alpha=tau)
""",
        new="""            target_param.mul_(tau).add_(param, alpha=1.0 - tau)
""",
        killed_by=("test_polyak_update", "test_target_update_schedule", "test_hidden_polyak_quarter"),
    ),
    Mutant(
        id="DUEL-no-mean-subtraction",
        assignment=_A,
        description="the dueling head adds V and A without subtracting the mean advantage",
        file=_F,
        old="""        return value + advantage - advantage.mean(dim=1, keepdim=True)
""",
        new="""        return value + advantage
""",
        killed_by=("test_dueling_aggregate", "test_hidden_gather_aggregate_loss"),
    ),
    Mutant(
        id="LOSS-mse-instead-of-huber",
        assignment=_A,
        description="dqn_loss is the mean squared error instead of the Huber loss",
        file=_F,
        old="""    return F.smooth_l1_loss(predicted, targets)
""",
        new="""    return F.mse_loss(predicted, targets)
""",
        killed_by=("test_huber_loss", "test_hidden_gather_aggregate_loss"),
    ),
    Mutant(
        id="UPD-no-zero-grad",
        assignment=_A,
        description="train_step never zeroes the gradients: each update adds its gradient to the previous ones",
        file=_F,
        old="""        self.optimizer.zero_grad()
        loss.backward()
""",
        new="""        loss.backward()
""",
        killed_by=("test_hidden_train_steps_match_grader_update",),
    ),
    Mutant(
        id="UPD-clip-after-step",
        assignment=_A,
        description="train_step clips the gradient norm after optimizer.step(): the step uses the unclipped gradient",
        file=_F,
        old="""        nn.utils.clip_grad_norm_(self.q_net.parameters(), self.max_grad_norm)
        self.optimizer.step()
""",
        new="""        self.optimizer.step()
        nn.utils.clip_grad_norm_(self.q_net.parameters(), self.max_grad_norm)
""",
        killed_by=("test_hidden_train_steps_match_grader_update",),
    ),
    Mutant(
        id="UPD-optimizer-on-target-net",
        assignment=_A,
        description="the optimizer holds the target net's parameters: q_net never learns, the target net drifts",
        file=_F,
        old="self.optimizer = torch.optim.Adam(self.q_net.parameters(), lr=lr, fused=True)",
        new="self.optimizer = torch.optim.Adam(self.target_net.parameters(), lr=lr, fused=True)",
        killed_by=("test_train_step_dqn_and_double", "test_hidden_train_steps_match_grader_update"),
    ),
    Mutant(
        id="DET-draws-before-deterministic",
        assignment=_A,
        description="act draws rng.random() before looking at deterministic: greedy, but the exploration stream shifts",
        file=_F,
        old="""        if not deterministic and self.rng.random() < self.epsilon:
""",
        new="""        if self.rng.random() < self.epsilon and not deterministic:
""",
        killed_by=("test_hidden_deterministic_act_at_full_exploration",),
    ),
    Mutant(
        id="INIT-kaiming-normal",
        assignment=_A,
        description="QNetwork re-initialises its layers with He (Kaiming) normal weights and zero biases, against "
        "the docstring (the learning budgets are calibrated for PyTorch's default)",
        file=_F,
        old="""        self.net = mlp([obs_dim, *hidden, n_actions])
""",
        new="""        self.net = mlp([obs_dim, *hidden, n_actions])
        for layer in self.net:
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)
""",
        killed_by=("test_q_networks_keep_default_init",),
    ),
]
