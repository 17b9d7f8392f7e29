"""Known bugs of hw06's PPO (``ppo.py``; bug catalog "PPO" PPO1–PPO6, PPO8, PPO10 = "A2C / GAE" AC1–AC2 inherited,
and the kinds of issue 19: state between updates, the order of the optimiser step, the generator).

Each mutant patches one place of ``solutions/hw06_ppo/``; ``killed_by`` lists the checks (public or hidden) that
must fail for it. The catalog's PPO2 has two forms: old log-probabilities that carry a gradient (the surrogate's
gradient check) and old log-probabilities recomputed in every minibatch, so ρ = 1 throughout (the replays).
"""

from grader.mutants import Mutant

_A = "hw06_ppo"
_F = "ppo.py"
_REPLAYS = ("test_hidden_ppo_update_replay_cartpole", "test_hidden_ppo_update_replay_gaussian_value_clipping")
_SURROGATE = ("test_clipped_surrogate_value_and_gradients", "test_hidden_surrogate_random_ratios_other_clip")

MUTANTS = [
    Mutant(
        id="PPO1-max-instead-of-min",
        assignment=_A,
        description="PPO1: max of the two surrogates instead of min (the pessimistic bound lost)",
        file=_F,
        old="    return -torch.min(unclipped, clipped).mean()\n",
        new="    return -torch.max(unclipped, clipped).mean()\n",
        killed_by=(*_SURROGATE, *_REPLAYS),
    ),
    Mutant(
        id="PPO2-old-log-probs-not-detached",
        assignment=_A,
        description="PPO2: the ratio's old log-probabilities keep their graph (a gradient reaches π_old)",
        file=_F,
        old="    ratio = torch.exp(log_probs - old_log_probs.detach())\n",
        new="    ratio = torch.exp(log_probs - old_log_probs)\n",
        killed_by=("test_clipped_surrogate_value_and_gradients",),
    ),
    Mutant(
        id="PPO2-old-log-probs-recomputed",
        assignment=_A,
        description="PPO2: π_old recomputed in every minibatch from the current network: ρ = 1, nothing is clipped",
        file=_F,
        old="                policy_loss = clipped_surrogate_loss(log_probs, old_log_probs[idx], adv, self.clip)\n",
        new="                policy_loss = clipped_surrogate_loss(log_probs, log_probs.detach(), adv, self.clip)\n",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="PPO3-ratio-inverted",
        assignment=_A,
        description="PPO3: ρ = exp(log π_old − log π)",
        file=_F,
        old="    ratio = torch.exp(log_probs - old_log_probs.detach())\n",
        new="    ratio = torch.exp(old_log_probs.detach() - log_probs)\n",
        killed_by=(*_SURROGATE, *_REPLAYS),
    ),
    Mutant(
        id="PPO4-clip-of-ratio-times-advantage",
        assignment=_A,
        description="PPO4: clip(ρ·A, 1 − ε, 1 + ε) instead of clip(ρ, 1 − ε, 1 + ε)·A",
        file=_F,
        old="    clipped = torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * advantages\n",
        new="    clipped = torch.clamp(ratio * advantages, 1.0 - clip, 1.0 + clip)\n",
        killed_by=(*_SURROGATE, *_REPLAYS),
    ),
    Mutant(
        id="PPO5-advantages-not-normalised",
        assignment=_A,
        description="PPO5: norm_adv ignored: the raw advantages in every minibatch",
        file=_F,
        old="                adv = normalize_advantages(advantages[idx]) if self.norm_adv else advantages[idx]\n",
        new="                adv = advantages[idx]\n",
        killed_by=("test_hidden_ppo_update_replay_cartpole",),
    ),
    Mutant(
        id="PPO5-normalised-over-the-whole-batch",
        assignment=_A,
        description="PPO5: advantages normalised once over the whole batch instead of per minibatch",
        file=_F,
        old="        for _ in range(self.n_epochs):\n"
        "            for idx in minibatch_indices(len(obs), self.minibatch_size, self.generator):\n"
        "                log_probs, entropy = self.net.log_prob_entropy(obs[idx], actions[idx])\n"
        "                adv = normalize_advantages(advantages[idx]) if self.norm_adv else advantages[idx]\n",
        new="        advantages = normalize_advantages(advantages) if self.norm_adv else advantages\n"
        "        for _ in range(self.n_epochs):\n"
        "            for idx in minibatch_indices(len(obs), self.minibatch_size, self.generator):\n"
        "                log_probs, entropy = self.net.log_prob_entropy(obs[idx], actions[idx])\n"
        "                adv = advantages[idx]\n",
        killed_by=("test_hidden_ppo_update_replay_cartpole",),
    ),
    Mutant(
        id="PPO5-population-std",
        assignment=_A,
        description="PPO5: normalised with the population std (divisor B) where the README asks for torch.std's",
        file=_F,
        old="    return (advantages - advantages.mean()) / (advantages.std() + eps)\n",
        new="    return (advantages - advantages.mean()) / (advantages.std(unbiased=False) + eps)\n",
        killed_by=("test_normalize_advantages", "test_hidden_ppo_update_replay_cartpole"),
    ),
    Mutant(
        id="PPO6-value-clip-centred-on-returns",
        assignment=_A,
        description="PPO6: the clipped value moves at most ε from the return instead of the old value",
        file=_F,
        old="    moved = old_values + torch.clamp(values - old_values, -clip, clip)\n",
        new="    moved = returns + torch.clamp(values - returns, -clip, clip)\n",
        killed_by=("test_clipped_value_loss", "test_hidden_ppo_update_replay_gaussian_value_clipping"),
    ),
    Mutant(
        id="PPO8-log-prob-of-clipped-action",
        assignment=_A,
        description="PPO8: the clipped action the env received is stored, so log π is that of the clipped action",
        file=_F,
        old="        self.actions[t] = self.last_raw if self.continuous else actions\n",
        new="        self.actions[t] = actions\n",
        killed_by=("test_observe_stores_raw_samples_and_valid_steps",),
    ),
    Mutant(
        id="MB-minibatches-with-replacement",
        assignment=_A,
        description="minibatches drawn with replacement: some samples twice, others never in an epoch",
        file=_F,
        old="    perm = torch.randperm(batch_size, generator=generator)\n",
        new="    perm = torch.randint(batch_size, (batch_size,), generator=generator)\n",
        killed_by=("test_minibatches_cover_every_sample_once", "test_hidden_minibatch_shapes", *_REPLAYS),
    ),
    Mutant(
        id="MB-same-order-every-epoch",
        assignment=_A,
        description="the samples in their stored order every epoch (no shuffling)",
        file=_F,
        old="    perm = torch.randperm(batch_size, generator=generator)\n",
        new="    perm = torch.arange(batch_size)\n",
        killed_by=("test_minibatches_cover_every_sample_once", "test_hidden_minibatch_shapes", *_REPLAYS),
    ),
    Mutant(
        id="AC1-gae-crosses-episode-ends",
        assignment=_A,
        description="AC1 (PPO10): the GAE recursion runs on across episode ends",
        file=_F,
        old="        carry = deltas[t] + gamma * lam * cont[t] * carry\n",
        new="        carry = deltas[t] + gamma * lam * carry\n",
        killed_by=("test_gae_cuts_at_episode_ends", "test_hidden_gae_on_real_rollouts", *_REPLAYS),
    ),
    Mutant(
        id="AC2-truncation-as-termination",
        assignment=_A,
        description="AC2 (PPO10): a truncated step does not bootstrap",
        file=_F,
        old="    keep = 1.0 - np.asarray(terminated, dtype=np.float64)\n",
        new="    keep = 1.0 - (np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool))\n",
        killed_by=("test_gae_cuts_at_episode_ends", "test_hidden_gae_on_real_rollouts", *_REPLAYS),
    ),
    Mutant(
        id="RESET-steps-used-as-transitions",
        assignment=_A,
        description="every step of the grid is valid: the vector env's reset steps enter the losses",
        file=_F,
        old="        self.valid[t] = ~self.just_ended\n",
        new="        self.valid[t] = True\n",
        killed_by=("test_observe_stores_raw_samples_and_valid_steps", *_REPLAYS),
    ),
    Mutant(
        id="AC7-returns-with-values-after-each-epoch",
        assignment=_A,
        description="AC7: the critic's targets recomputed each epoch as A + V with V of the network being updated",
        file=_F,
        old="        for _ in range(self.n_epochs):\n",
        new="        for _ in range(self.n_epochs):\n"
        "            with torch.no_grad():\n"
        "                returns = advantages + self.net.value(obs)\n",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="OPT-optimizer-recreated-each-update",
        assignment=_A,
        description="a new Adam every update: the moments do not carry over",
        file=_F,
        old="        self.updates += 1\n        # END SOLUTION\n",
        new="        self.updates += 1\n"
        "        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=self.optimizer.param_groups[0]['lr'])\n"
        "        # END SOLUTION\n",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="OPT-no-zero-grad",
        assignment=_A,
        description="gradients never zeroed: each minibatch step adds the previous ones' gradients",
        file=_F,
        old="                self.optimizer.zero_grad()\n                loss.backward()\n",
        new="                loss.backward()\n",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="OPT-no-gradient-clipping",
        assignment=_A,
        description="the gradient norm is not clipped to max_grad_norm",
        file=_F,
        old="                nn.utils.clip_grad_norm_(self.net.parameters(), self.max_grad_norm)\n",
        new="",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="AC6-entropy-bonus-sign",
        assignment=_A,
        description="AC6: the entropy bonus added with the wrong sign (entropy minimised)",
        file=_F,
        old="                loss = policy_loss + self.vf_coef * value_loss - self.ent_coef * entropy.mean()\n",
        new="                loss = policy_loss + self.vf_coef * value_loss + self.ent_coef * entropy.mean()\n",
        killed_by=_REPLAYS,
    ),
    Mutant(
        id="ACT-global-rng",
        assignment=_A,
        description="act samples from torch's global RNG instead of agent.generator",
        file=_F,
        old="                return torch.multinomial(dist.probs, 1, generator=self.generator)[:, 0].numpy()\n",
        new="                return torch.multinomial(dist.probs, 1)[:, 0].numpy()\n",
        killed_by=("test_act_samples_from_own_generator",),
    ),
    Mutant(
        id="ACT-deterministic-samples",
        assignment=_A,
        description="act(deterministic=True) samples a Gaussian action instead of returning clip(μ)",
        file=_F,
        old="            if deterministic:\n                return np.clip(dist.mean.numpy(), low, high)\n",
        new="",
        killed_by=("test_act_samples_from_own_generator",),
    ),
]
