"""Known bugs of hw05's network and agent (``networks.py``, ``a2c.py``; bug catalog "A2C / GAE" AC5, AC6, AC9,
"REINFORCE" PG1, PG4, PG7, "PPO" PPO8, the autoreset trap, and the kinds of issue 19: a component that never
learns, state between updates, the order of the optimiser step, deterministic actions that sample).

Each mutant patches one place of ``solutions/hw05_actor_critic/``; ``killed_by`` lists the checks (public or
hidden) that must fail for it. A learning check is listed only where the mutant fails it on every calibration seed.

The catalog's AC7 (returns A + V with V of the network *after* an update, a stale/fresh mix) has no place in A2C
as specified: one gradient step per rollout, the values computed before it, so there is no "after" within an
update. It is a bug of several epochs per rollout, and belongs to hw06 (PPO).
"""

from grader.mutants import Mutant

_A = "hw05_actor_critic"
_N = "networks.py"
_F = "a2c.py"
_DETACH = "    advantages, returns = advantages.detach(), returns.detach()\n"
_STEP = """        self.optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.net.parameters(), self.max_grad_norm)
        self.optimizer.step()
"""
_REPLAYS = ("test_hidden_update_replay_cartpole", "test_hidden_update_replay_gaussian_shared")

MUTANTS = [
    Mutant(
        id="PG4-gaussian-log-prob-averaged",
        assignment=_A,
        description="PG4: the Gaussian log-density is averaged over the action dimensions instead of summed",
        file=_N,
        old="            return dist.log_prob(actions).sum(-1), dist.entropy().sum(-1), values\n",
        new="            return dist.log_prob(actions).mean(-1), dist.entropy().sum(-1), values\n",
        killed_by=("test_gaussian_actor_critic", "test_hidden_network_outputs"),
    ),
    Mutant(
        id="PG7-log-std-not-learned",
        assignment=_A,
        description="PG7: log σ is a buffer, not a parameter: σ never learns",
        file=_N,
        old="            self.log_std = nn.Parameter(torch.full((n_out,), float(log_std_init)))\n",
        new='            self.register_buffer("log_std", torch.full((n_out,), float(log_std_init)))\n',
        killed_by=("test_gaussian_actor_critic",),
    ),
    Mutant(
        id="NET-shared-flag-ignored",
        assignment=_A,
        description="ActorCritic builds separate networks even when shared=True",
        file=_N,
        old="""        self.shared = shared
        if shared:
""",
        new="""        self.shared = False
        if False:
""",
        killed_by=("test_shared_and_separate_layouts",),
    ),
    Mutant(
        id="AC5-advantages-not-detached",
        assignment=_A,
        description="AC5: a2c_loss does not detach the advantages, so the policy term trains the critic",
        file=_F,
        old=_DETACH,
        new="    returns = returns.detach()\n",
        killed_by=("test_a2c_loss_value_and_gradients", "test_hidden_a2c_loss_other_numbers"),
    ),
    Mutant(
        id="AC9-returns-not-detached",
        assignment=_A,
        description="AC9: a2c_loss does not detach the returns (value-loss gradient flows into the targets)",
        file=_F,
        old=_DETACH,
        new="    advantages = advantages.detach()\n",
        killed_by=("test_a2c_loss_value_and_gradients", "test_hidden_a2c_loss_other_numbers"),
    ),
    Mutant(
        id="AC6-entropy-sign",
        assignment=_A,
        description="AC6: the entropy bonus is added with the wrong sign (the loss minimises the entropy)",
        file=_F,
        old="    total = policy_loss + vf_coef * value_loss - ent_coef * entropy_mean\n",
        new="    total = policy_loss + vf_coef * value_loss + ent_coef * entropy_mean\n",
        killed_by=("test_a2c_loss_value_and_gradients", "test_hidden_a2c_loss_other_numbers", *_REPLAYS),
    ),
    Mutant(
        id="VF-coef-ignored",
        assignment=_A,
        description="the value loss enters the total without vf_coef",
        file=_F,
        old="    total = policy_loss + vf_coef * value_loss - ent_coef * entropy_mean\n",
        new="    total = policy_loss + value_loss - ent_coef * entropy_mean\n",
        killed_by=("test_a2c_loss_value_and_gradients", "test_hidden_a2c_loss_other_numbers", *_REPLAYS),
    ),
    Mutant(
        id="PG1-policy-loss-sign",
        assignment=_A,
        description="PG1: the policy loss has the wrong sign (gradient descent on +log π · A)",
        file=_F,
        old="    policy_loss = -(log_probs * advantages).mean()\n",
        new="    policy_loss = (log_probs * advantages).mean()\n",
        killed_by=("test_a2c_loss_value_and_gradients", "test_update_trains_actor_and_critic", "test_a2c_cartpole"),
    ),
    Mutant(
        id="CRITIC-never-trained",
        assignment=_A,
        description="the critic never learns: update feeds a2c_loss the values detached from the graph",
        file=_F,
        old="            new_values,\n",
        new="            new_values.detach(),\n",
        killed_by=("test_update_trains_actor_and_critic", *_REPLAYS),
    ),
    Mutant(
        id="RESET-steps-used-as-transitions",
        assignment=_A,
        description="the autoreset trap: update trains on every step, including the vector env's reset steps",
        file=_F,
        old="        valid = torch.as_tensor(buffer.valid)\n",
        new="        valid = torch.ones(buffer.valid.shape, dtype=torch.bool)\n",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="BUF-clear-forgets-episode-ends",
        assignment=_A,
        description="clear() forgets which envs just ended, so a reset step that opens a rollout counts as valid",
        file=_F,
        old="""        # BEGIN SOLUTION
        self.step = 0
        # END SOLUTION
""",
        new="""        # BEGIN SOLUTION
        self.step = 0
        self.ended[:] = False
        # END SOLUTION
""",
        killed_by=("test_rollout_buffer_marks_reset_steps", "test_hidden_rollout_buffer_box_actions", _REPLAYS[0]),
    ),
    Mutant(
        id="BUF-end-step-marked-invalid",
        assignment=_A,
        description="the step that ends an episode is marked invalid instead of the reset step after it",
        file=_F,
        old="""        self.valid[t] = ~self.ended
        self.ended = np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
""",
        new="""        self.ended = np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
        self.valid[t] = ~self.ended
""",
        killed_by=("test_rollout_buffer_marks_reset_steps", "test_hidden_rollout_buffer_box_actions", *_REPLAYS),
    ),
    Mutant(
        id="UPD-no-gradient-clipping",
        assignment=_A,
        description="update never clips the gradient norm",
        file=_F,
        old=_STEP,
        new=_STEP.replace("        nn.utils.clip_grad_norm_(self.net.parameters(), self.max_grad_norm)\n", ""),
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="UPD-clip-after-step",
        assignment=_A,
        description="update clips the gradient after optimizer.step() (the step used the unclipped gradient)",
        file=_F,
        old=_STEP,
        new="""        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        nn.utils.clip_grad_norm_(self.net.parameters(), self.max_grad_norm)
""",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="UPD-gradients-never-zeroed",
        assignment=_A,
        description="update never calls zero_grad: each step uses the sum of all gradients so far",
        file=_F,
        old=_STEP,
        new=_STEP.replace("        self.optimizer.zero_grad()\n", ""),
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="UPD-fresh-optimizer-each-update",
        assignment=_A,
        description="update builds a new Adam every time, so its moment estimates never carry over",
        file=_F,
        old=_STEP,
        new="""        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=self.optimizer.param_groups[0]["lr"])
"""
        + _STEP,
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="ACT-deterministic-samples",
        assignment=_A,
        description="act(obs, deterministic=True) samples a categorical action instead of the argmax",
        file=_F,
        old="""                if deterministic:
                    return dist.logits.argmax(dim=-1).numpy()
""",
        new="",
        killed_by=("test_act_samples_from_own_generator_deterministic_draws_nothing",),
    ),
    Mutant(
        id="ACT-gaussian-deterministic-samples",
        assignment=_A,
        description="a Gaussian act(obs, deterministic=True) returns a clipped sample instead of clip(μ)",
        file=_F,
        old="""            if deterministic:
                return np.clip(dist.mean.numpy(), self.action_space.low, self.action_space.high)
""",
        new="",
        killed_by=("test_act_samples_from_own_generator_deterministic_draws_nothing",),
    ),
    Mutant(
        id="ACT-global-rng",
        assignment=_A,
        description="act samples from torch's global RNG instead of agent.generator (not reproducible per agent)",
        file=_F,
        old="torch.multinomial(dist.probs, 1, generator=self.generator)",
        new="torch.multinomial(dist.probs, 1)",
        killed_by=("test_act_samples_from_own_generator_deterministic_draws_nothing",),
    ),
    Mutant(
        id="PPO8-stores-clipped-actions",
        assignment=_A,
        description="PPO8: observe stores the clipped actions, so log π is that of the wrong (clipped) action",
        file=_F,
        old="        stored = self.raw_actions if self.continuous else actions\n",
        new="        stored = actions\n",
        killed_by=("test_observe_stores_raw_samples_and_updates_every_n_steps",),
    ),
    Mutant(
        id="OBS-bootstraps-from-obs",
        assignment=_A,
        description="observe passes the rollout's last obs to update instead of next_obs (V(s_T) of the wrong state)",
        file=_F,
        old="            self.update(next_obs)\n",
        new="            self.update(obs)\n",
        killed_by=("test_observe_stores_raw_samples_and_updates_every_n_steps",),
    ),
]
