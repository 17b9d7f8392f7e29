"""Known bugs of hw10's VDN (bug catalog "Multi-agent": MA2 and the value-decomposition rows; DQN's target-network
and loss bugs carried over to a team; agents matched by dict position).

Each mutant patches ``solutions/hw10_multi_agent/vdn.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw10_multi_agent"
_F = "vdn.py"
_TRAIN = ("test_vdn_train_step", "test_hidden_vdn_train_steps_match_grader_update")
_TARGETS = ("test_vdn_targets", "test_hidden_vdn_targets_three_agents")
_TARGET_LINE = "    return rewards + gamma * (1.0 - terminated) * next_value"
_NEXT = "            batch.rewards, self.q_values(self.target_nets, batch.next_obs), batch.terminated, self.gamma"


def _m(id: str, description: str, old: str, new: str, killed_by: tuple[str, ...]) -> Mutant:
    return Mutant(id=id, assignment=_A, description=description, file=_F, old=old, new=new, killed_by=killed_by)


MUTANTS = [
    _m(
        "vdn-MA2-rewards-summed",
        "update stores the sum of the agents' rewards as the team reward (counted once per agent)",
        '        self.memory["rewards"][row] = float(np.mean([rewards[name] for name in self.agents]))',
        '        self.memory["rewards"][row] = float(np.sum([rewards[name] for name in self.agents]))',
        ("test_vdn_update_stores_by_name_and_syncs",),
    ),
    _m(
        "vdn-MA2-target-reward-per-agent",
        "vdn_targets adds the reward once per agent",
        _TARGET_LINE,
        "    return rewards * next_q_values.shape[1] + gamma * (1.0 - terminated) * next_value",
        _TARGETS,
    ),
    _m(
        "vdn-MA2-target-from-online-nets",
        "the targets come from the online q_nets (no target networks)",
        _NEXT,
        "            batch.rewards, self.q_values(self.q_nets, batch.next_obs), batch.terminated, self.gamma",
        _TRAIN,
    ),
    _m(
        "vdn-MA2-target-current-obs",
        "the targets' maxima are taken at the current observations s instead of the next ones s'",
        _NEXT,
        "            batch.rewards, self.q_values(self.target_nets, batch.obs), batch.terminated, self.gamma",
        _TRAIN,
    ),
    _m(
        "vdn-target-joint-max-shared-index",
        "vdn_targets maximises the summed rows over one shared action index, max_a Σ_i Q_i(s'_i, a)",
        "        next_value = next_q_values.max(dim=2).values.sum(dim=1)",
        "        next_value = next_q_values.sum(dim=1).max(dim=1).values",
        _TARGETS,
    ),
    _m(
        "vdn-target-bootstraps-terminal",
        "vdn_targets bootstraps after a terminal step (no 1 − terminated)",
        _TARGET_LINE,
        "    return rewards + gamma * next_value",
        _TARGETS,
    ),
    _m(
        "vdn-target-with-gradient",
        "vdn_targets is computed with gradient, which flows into the target networks",
        "    with torch.no_grad():\n        next_value = next_q_values.max(dim=2).values.sum(dim=1)",
        "    if True:\n        next_value = next_q_values.max(dim=2).values.sum(dim=1)",
        ("test_vdn_targets", "test_vdn_train_step"),
    ),
    _m(
        "vdn-team-q-mean",
        "team_q_values averages the agents' values instead of summing them",
        "    return q_values.gather(2, actions.unsqueeze(2)).squeeze(2).sum(dim=1)",
        "    return q_values.gather(2, actions.unsqueeze(2)).squeeze(2).mean(dim=1)",
        ("test_team_q_values",),
    ),
    _m(
        "vdn-team-q-first-agents-action",
        "team_q_values reads every agent's value at the first agent's action",
        "    return q_values.gather(2, actions.unsqueeze(2)).squeeze(2).sum(dim=1)",
        "    return q_values.gather(2, actions[:, :1].expand_as(actions).unsqueeze(2)).squeeze(2).sum(dim=1)",
        ("test_team_q_values",),
    ),
    _m(
        "vdn-store-by-dict-position",
        "update stores the observations in the dict's order instead of matching them to agents by name",
        '        self.memory["obs"][row] = [int(observations[name]) for name in self.agents]',
        '        self.memory["obs"][row] = [int(value) for value in observations.values()]',
        ("test_vdn_update_stores_by_name_and_syncs",),
    ),
    _m(
        "vdn-truncation-is-terminal",
        "update stores a truncated step as terminal",
        '        self.memory["terminated"][row] = float(all(terminations[name] for name in self.agents))',
        '        self.memory["terminated"][row] = float(all(terminations[n] or truncations[n] for n in self.agents))',
        ("test_vdn_update_stores_by_name_and_syncs",),
    ),
    _m(
        "vdn-act-by-dict-position",
        "act pairs the observations with self.agents by position (dict order), not by name",
        "        for name, state in observations.items():",
        "        for name, state in zip(self.agents, observations.values(), strict=True):",
        ("test_vdn_act_by_name",),
    ),
    _m(
        "vdn-act-first-agents-network",
        "every agent acts with the first agent's network",
        "                q = self.q_nets[name](one_hot(torch.tensor([int(state)]), self.n_obs))",
        "                q = self.q_nets[self.agents[0]](one_hot(torch.tensor([int(state)]), self.n_obs))",
        ("test_vdn_act_by_name",),
    ),
    _m(
        "vdn-act-explores-when-greedy",
        "the ε test is reversed: the agent explores with probability 1 − ε",
        "            if self.rng.random() < self.epsilon:",
        "            if self.rng.random() > self.epsilon:",
        ("test_vdn_act_by_name",),
    ),
    _m(
        "vdn-q-values-first-agents-obs",
        "every agent's network is fed the first agent's observation",
        "nets[name](one_hot(obs[:, i], self.n_obs))",
        "nets[name](one_hot(obs[:, 0], self.n_obs))",
        _TRAIN,
    ),
    _m(
        "vdn-optimizer-first-agent-only",
        "the optimizer holds only the first agent's parameters: the other agents never learn",
        "        params = [p for name in self.agents for p in self.q_nets[name].parameters()]",
        "        params = list(self.q_nets[self.agents[0]].parameters())",
        _TRAIN,
    ),
    _m(
        "vdn-huber-loss",
        "train_step minimises the Huber loss instead of the squared TD error",
        "        loss = F.mse_loss(predicted, targets)",
        "        loss = F.smooth_l1_loss(predicted, targets)",
        _TRAIN,
    ),
    _m(
        "vdn-no-zero-grad",
        "train_step never zeroes the gradients: each step applies the sum of all gradients so far",
        "        self.optimizer.zero_grad()\n        loss.backward()",
        "        loss.backward()",
        ("test_hidden_vdn_train_steps_match_grader_update",),
    ),
    _m(
        "vdn-gradient-ascent",
        "train_step climbs the loss (backward of −L)",
        "        loss.backward()",
        "        (-loss).backward()",
        ("test_hidden_vdn_train_steps_match_grader_update", "test_vdn_switches"),
    ),
    _m(
        "vdn-sync-wrong-direction",
        "sync_targets copies the target networks into q_nets: every sync erases what was learnt",
        "            self.target_nets[name].load_state_dict(self.q_nets[name].state_dict())",
        "            self.q_nets[name].load_state_dict(self.target_nets[name].state_dict())",
        ("test_vdn_switches",),
    ),
    _m(
        "vdn-sync-every-train-step",
        "the target networks are synced on the training schedule (every train_every steps)",
        "        if self.step % self.target_update_every == 0:",
        "        if self.step % self.train_every == 0:",
        ("test_vdn_update_stores_by_name_and_syncs",),
    ),
    _m(
        "vdn-never-trains",
        "the learning-starts test is reversed: the team trains only before learning_starts",
        "        if self.step >= self.learning_starts and self.step % self.train_every == 0:",
        "        if self.step < self.learning_starts and self.step % self.train_every == 0:",
        ("test_vdn_update_stores_by_name_and_syncs", "test_vdn_switches"),
    ),
]
