"""Known bugs of hw07's DDPG/TD3 pieces and agent (bug catalog "DDPG / TD3 / LSTM-TD3": TD3-1 … TD3-9, TD3-12)
and bugs of the kinds issue 19 lists (a learned component that never learns, state carried from one update into
the next, an update judged by its loss only, exploration in deterministic actions).

Each mutant patches ``solutions/hw07_continuous/td3.py`` in one place; ``killed_by`` lists the checks (public or
hidden) that must fail for it. A learning check is listed only where the mutant fails it on every calibration seed
(``rlgrade calibrate hw07``).
"""

from grader.mutants import Mutant

_A = "hw07_continuous"
_F = "td3.py"
_SMOOTH = "    return torch.clamp(target_actions + noise.clamp(-noise_clip, noise_clip), low, high)\n"
_TD3_TARGET = "    return (rewards + gamma * (1.0 - terminated) * torch.minimum(next_q1, next_q2)).detach()\n"
_ACTOR_LOSS = "            actor_loss = -self.critic1(*inputs, self.actor(*inputs)).mean()\n"
_DELAY = "        if self.updates % self.policy_delay == 0:\n"
_SOFT = """            soft_update(self.actor_target, self.actor, self.tau)
            soft_update(self.critic1_target, self.critic1, self.tau)
            if self.twin:
                soft_update(self.critic2_target, self.critic2, self.tau)
"""
_RETURN = "        return float(critic_loss.item())\n"
_EXPLORE = "        return np.clip(action + noise, self.low.numpy(), self.high.numpy()).astype(np.float32)\n"
_BUFFER_ACTIONS = (  # ReplayBuffer.__init__ (HistoryReplayBuffer allocates its histories before pos)
    "        self.actions = np.zeros((capacity, act_dim), dtype=np.float32)\n"
    "        self.rewards = np.zeros(capacity, dtype=np.float32)\n"
    "        self.terminated = np.zeros(capacity, dtype=np.float32)\n"
    "        self.pos = 0\n"
)
_UPDATES = (
    "test_hidden_td3_updates_match_the_grader",
    "test_hidden_ddpg_updates_match_the_grader",
)

MUTANTS = [
    Mutant(
        id="BUFFER-integer-actions",
        assignment=_A,
        description="the replay buffer is hw04's, actions stored as int64: Pendulum's torques are truncated",
        file="replay.py",
        old=_BUFFER_ACTIONS,
        new=_BUFFER_ACTIONS.replace("act_dim), dtype=np.float32)", "act_dim), dtype=np.int64)"),
        killed_by=("test_replay_buffer_keeps_float_actions",),
    ),
    Mutant(
        id="TD3-1-critic-B-by-1",
        assignment=_A,
        description="TD3-1: the critic returns (B, 1), so (Q − y)² with y of shape (B,) broadcasts to (B, B)",
        file=_F,
        old="        return self.net(torch.cat([obs, action], dim=-1)).squeeze(-1)\n",
        new="        return self.net(torch.cat([obs, action], dim=-1))\n",
        killed_by=(
            "test_critic_outputs_one_value_per_row",
            "test_critic_update_moves_only_the_critics",
            *_UPDATES,
        ),
    ),
    Mutant(
        id="TD3-2-noise-not-clipped",
        assignment=_A,
        description="TD3-2: target-policy smoothing adds the noise without clipping it to ±c",
        file=_F,
        old=_SMOOTH,
        new="    return torch.clamp(target_actions + noise, low, high)\n",
        killed_by=(
            "test_smooth_target_actions",
            "test_agent_targets_with_fixture_networks",
            "test_hidden_smoothing_and_targets_other_numbers",
            "test_hidden_agent_targets_skewed_box",
        ),
    ),
    Mutant(
        id="TD3-2-bounds-before-noise",
        assignment=_A,
        description="TD3-2: the target action is clipped to the bounds before the (clipped) noise is added",
        file=_F,
        old=_SMOOTH,
        new="    return torch.clamp(target_actions, low, high) + noise.clamp(-noise_clip, noise_clip)\n",
        killed_by=(
            "test_smooth_target_actions",
            "test_agent_targets_with_fixture_networks",
            "test_hidden_smoothing_and_targets_other_numbers",
        ),
    ),
    Mutant(
        id="TD3-3-mean-of-critics",
        assignment=_A,
        description="TD3-3: the target takes the mean of the two target critics instead of their minimum",
        file=_F,
        old=_TD3_TARGET,
        new="    return (rewards + gamma * (1.0 - terminated) * (next_q1 + next_q2) / 2).detach()\n",
        killed_by=(
            "test_td3_and_ddpg_targets",
            "test_agent_targets_with_fixture_networks",
            "test_hidden_smoothing_and_targets_other_numbers",
            "test_hidden_td3_updates_match_the_grader",
        ),
    ),
    Mutant(
        id="TD3-3-first-critic-only",
        assignment=_A,
        description="TD3-3: the TD3 target uses the first target critic only (DDPG's target)",
        file=_F,
        old=_TD3_TARGET,
        new="    return (rewards + gamma * (1.0 - terminated) * next_q1).detach()\n",
        killed_by=(
            "test_td3_and_ddpg_targets",
            "test_agent_targets_with_fixture_networks",
            "test_hidden_smoothing_and_targets_other_numbers",
            "test_hidden_td3_updates_match_the_grader",
        ),
    ),
    Mutant(
        id="TD3-terminal-not-masked",
        assignment=_A,
        description="the TD3 target bootstraps through terminal steps (no (1 − terminated) factor)",
        file=_F,
        old=_TD3_TARGET,
        new="    return (rewards + gamma * torch.minimum(next_q1, next_q2)).detach()\n",
        killed_by=("test_td3_and_ddpg_targets", "test_agent_targets_with_fixture_networks"),
    ),
    Mutant(
        id="TD3-target-not-detached",
        assignment=_A,
        description="td3_target returns a label that still carries the gradient of the networks behind next_q",
        file=_F,
        old=_TD3_TARGET,
        new="    return rewards + gamma * (1.0 - terminated) * torch.minimum(next_q1, next_q2)\n",
        killed_by=("test_td3_and_ddpg_targets",),
    ),
    Mutant(
        id="TD3-4-no-policy-delay",
        assignment=_A,
        description="TD3-4: the actor and the target networks are updated on every critic update",
        file=_F,
        old=_DELAY,
        new="        if True:\n",
        killed_by=(
            "test_critic_update_moves_only_the_critics",
            "test_policy_delay_schedule",
            "test_hidden_td3_updates_match_the_grader",
        ),
    ),
    Mutant(
        id="TD3-4-targets-every-update",
        assignment=_A,
        description="TD3-4: the soft target updates run after every critic update, not with the delayed actor",
        file=_F,
        old=_SOFT + _RETURN,
        new=_SOFT.replace("            ", "        ", 1).replace("\n            ", "\n        ") + _RETURN,
        killed_by=(
            "test_critic_update_moves_only_the_critics",
            "test_policy_delay_schedule",
            "test_hidden_td3_updates_match_the_grader",
        ),
    ),
    Mutant(
        id="TD3-targets-never-updated",
        assignment=_A,
        description="the target networks are never updated (they stay at their initial copies)",
        file=_F,
        old=_SOFT,
        new="",
        killed_by=("test_actor_update_moves_only_the_actor", "test_policy_delay_schedule", *_UPDATES),
    ),
    Mutant(
        id="TD3-5-actor-on-q2",
        assignment=_A,
        description="TD3-5: the actor maximises the second critic instead of the first",
        file=_F,
        old=_ACTOR_LOSS,
        new="            actor_loss = -self.critic2(*inputs, self.actor(*inputs)).mean()\n",
        killed_by=("test_actor_update_moves_only_the_actor", "test_hidden_td3_updates_match_the_grader"),
    ),
    Mutant(
        id="TD3-5-actor-on-min",
        assignment=_A,
        description="TD3-5: the actor maximises min(Q1, Q2) instead of Q1",
        file=_F,
        old=_ACTOR_LOSS,
        new="            actor_loss = -torch.minimum(self.critic1(*inputs, self.actor(*inputs)), "
        "self.critic2(*inputs, self.actor(*inputs))).mean()\n",
        killed_by=("test_actor_update_moves_only_the_actor", "test_hidden_td3_updates_match_the_grader"),
    ),
    Mutant(
        id="TD3-5-actor-loss-sign",
        assignment=_A,
        description="TD3-5: the actor loss is +Q1(s, μ(s)).mean(): the actor minimises the value",
        file=_F,
        old=_ACTOR_LOSS,
        new="            actor_loss = self.critic1(*inputs, self.actor(*inputs)).mean()\n",
        killed_by=(
            "test_actor_update_moves_only_the_actor",
            *_UPDATES,
            "test_td3_pendulum",
            "test_ddpg_pendulum",
        ),
    ),
    Mutant(
        id="TD3-7-tau-swapped",
        assignment=_A,
        description="TD3-7: the soft update keeps τ of the target and takes 1 − τ of the online network",
        file=_F,
        old="            target_param.mul_(1.0 - tau).add_(param, alpha=tau)\n",
        new="            target_param.mul_(tau).add_(param, alpha=1.0 - tau)\n",
        killed_by=("test_soft_update", "test_hidden_soft_update_twice", *_UPDATES),
    ),
    Mutant(
        id="TD3-8-noise-when-deterministic",
        assignment=_A,
        description="TD3-8: act(obs, deterministic=True) still adds the exploration noise",
        file=_F,
        old="        return action.astype(np.float32) if deterministic else self.explore(action)\n",
        new="        return self.explore(action)\n",
        killed_by=("test_act_explores_only_when_asked", "test_hidden_act_on_a_skewed_box"),
    ),
    Mutant(
        id="TD3-8-not-clipped-to-bounds",
        assignment=_A,
        description="TD3-8: the exploring action is not clipped to the env's bounds",
        file=_F,
        old=_EXPLORE,
        new="        return (action + noise).astype(np.float32)\n",
        killed_by=("test_act_explores_only_when_asked",),
    ),
    Mutant(
        id="TD3-9-truncated-as-terminal",
        assignment=_A,
        description="TD3-9: observe stores terminated or truncated, so Pendulum's time limit stops bootstrapping",
        file=_F,
        old="        self.buffer.add(obs, action, reward, next_obs, terminated)\n",
        new="        self.buffer.add(obs, action, reward, next_obs, terminated or truncated)\n",
        killed_by=("test_observe_warms_up_then_trains",),
    ),
    Mutant(
        id="TD3-12-actor-not-scaled",
        assignment=_A,
        description="TD3-12: the actor outputs tanh in [−1, 1] without the scale and bias of the env's bounds",
        file=_F,
        old="        return self.action_bias + self.action_scale * torch.tanh(self.net(obs))\n",
        new="        return torch.tanh(self.net(obs))\n",
        killed_by=("test_actor_squashes_into_the_bounds",),
    ),
    Mutant(
        id="TD3-online-nets-in-target",
        assignment=_A,
        description="the targets use the online actor and critics instead of the target networks",
        file=_F,
        old="            next_q1 = self.critic1_target(*next_inputs, next_actions)\n",
        new="            next_q1 = self.critic1(*next_inputs, next_actions)\n",
        killed_by=("test_agent_targets_with_fixture_networks", "test_hidden_agent_targets_skewed_box", *_UPDATES),
    ),
    Mutant(
        id="TD3-noise-not-scaled",
        assignment=_A,
        description="the smoothing noise has sd target_noise instead of target_noise · (high − low) / 2",
        file=_F,
        old="                noise = torch.as_tensor(draw, dtype=torch.float32) * (self.target_noise * self.scale)\n",
        new="                noise = torch.as_tensor(draw, dtype=torch.float32) * self.target_noise\n",
        killed_by=(
            "test_agent_targets_with_fixture_networks",
            "test_hidden_agent_targets_skewed_box",
            "test_hidden_td3_updates_match_the_grader",
        ),
    ),
    Mutant(
        id="TD3-smoothing-from-torch",
        assignment=_A,
        description="the smoothing noise is drawn from torch's global generator instead of the agent's rng",
        file=_F,
        old="                draw = self.rng.standard_normal(tuple(next_actions.shape))\n",
        new="                draw = torch.randn(tuple(next_actions.shape)).numpy()\n",
        killed_by=("test_agent_targets_with_fixture_networks", "test_hidden_td3_updates_match_the_grader"),
    ),
    Mutant(
        id="TD3-second-critic-never-learns",
        assignment=_A,
        description="issue 19 (1): the critic optimizer holds critic 1 only, so critic 2 stays at its initialisation",
        file=_F,
        old="        critics = [self.critic1, self.critic2] if self.twin else [self.critic1]\n",
        new="        critics = [self.critic1]\n",
        killed_by=("test_critic_update_moves_only_the_critics", "test_hidden_td3_updates_match_the_grader"),
    ),
    Mutant(
        id="TD3-actor-optimizer-moves-critic",
        assignment=_A,
        description="issue 19 (1): the actor optimizer also holds critic 1's parameters, so the actor step moves it",
        file=_F,
        old="        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=actor_lr, fused=True)\n",
        new="        self.actor_optimizer = torch.optim.Adam(\n"
        "            [*self.actor.parameters(), *self.critic1.parameters()], lr=actor_lr, fused=True\n"
        "        )\n",
        killed_by=("test_actor_update_moves_only_the_actor", *_UPDATES),
    ),
    Mutant(
        id="TD3-critic-grad-not-zeroed",
        assignment=_A,
        description="issue 19 (2): the critic gradients are never zeroed, so each update adds the previous ones",
        file=_F,
        old="        self.critic_optimizer.zero_grad()\n",
        new="",
        killed_by=_UPDATES,
    ),
    Mutant(
        id="TD3-fresh-optimizer-each-update",
        assignment=_A,
        description="issue 19 (2): a new Adam optimizer for the critics at every update (its moments never persist)",
        file=_F,
        old="        self.critic_optimizer.zero_grad()\n",
        new="        self.critic_optimizer = torch.optim.Adam(self.critic_parameters(), "
        "lr=self.critic_optimizer.defaults['lr'])\n        self.critic_optimizer.zero_grad()\n",
        killed_by=_UPDATES,
    ),
    Mutant(
        id="TD3-deterministic-draws-noise",
        assignment=_A,
        description="issue 19 (4): the deterministic action draws (and discards) exploration noise from the rng",
        file=_F,
        old="        return action.astype(np.float32) if deterministic else self.explore(action)\n",
        new="        explored = self.explore(action)\n"
        "        return action.astype(np.float32) if deterministic else explored\n",
        killed_by=("test_act_explores_only_when_asked", "test_hidden_act_on_a_skewed_box"),
    ),
    Mutant(
        id="TD3-warmup-deterministic-random",
        assignment=_A,
        description="during warm-up even act(obs, deterministic=True) returns a uniform random action",
        file=_F,
        old="        if not deterministic and self.step < self.learning_starts:\n",
        new="        if self.step < self.learning_starts:\n",
        killed_by=("test_act_explores_only_when_asked",),
    ),
    Mutant(
        id="TD3-exploration-noise-not-scaled",
        assignment=_A,
        description="the exploration noise has sd expl_noise instead of expl_noise · (high − low) / 2",
        file=_F,
        old="        noise = self.expl_noise * self.scale.numpy() * self.rng.standard_normal(self.act_dim)\n",
        new="        noise = self.expl_noise * self.rng.standard_normal(self.act_dim)\n",
        killed_by=("test_act_explores_only_when_asked", "test_hidden_act_on_a_skewed_box"),
    ),
    Mutant(
        id="TD3-exploration-from-np-random",
        assignment=_A,
        description="the exploration noise comes from np.random instead of the agent's rng",
        file=_F,
        old="        noise = self.expl_noise * self.scale.numpy() * self.rng.standard_normal(self.act_dim)\n",
        new="        noise = self.expl_noise * self.scale.numpy() * np.random.standard_normal(self.act_dim)\n",
        killed_by=("test_act_explores_only_when_asked",),
    ),
]
