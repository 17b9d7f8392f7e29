"""Correct variants of hw06's PPO (``solutions/hw06_ppo/ppo.py``) in other styles, which must get every point:
GAE as the definition's explicit sums, the clipped losses written with maxima of negated terms, and the old
log-probabilities stored at ``act`` time (CleanRL's way) instead of recomputed at the start of ``update``.
"""

from grader.mutants import Edit, Variant

_A = "hw06_ppo"
_F = "ppo.py"

_GAE_BODY = """    adv = np.zeros_like(v)
    carry = np.zeros(v.shape[1])
    for t in reversed(range(v.shape[0])):
        carry = deltas[t] + gamma * lam * cont[t] * carry
        adv[t] = carry
    return adv
"""
_GAE_SUMS = """    adv = np.zeros_like(v)
    steps, envs = v.shape
    for i in range(envs):
        for t in range(steps):
            total, weight, k = 0.0, 1.0, t
            while True:
                total += weight * deltas[k, i]
                if cont[k, i] == 0 or k == steps - 1:
                    break
                weight *= gamma * lam
                k += 1
            adv[t, i] = total
    return adv
"""

_SURROGATE = """    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * advantages
    return -torch.min(unclipped, clipped).mean()
"""
_SURROGATE_NEGATED = """    bounded = ratio.clamp(1.0 - clip, 1.0 + clip)
    losses = torch.stack([-ratio * advantages, -bounded * advantages])
    return losses.max(dim=0).values.mean()
"""
_VALUE = """    moved = old_values + torch.clamp(values - old_values, -clip, clip)
    return torch.max(squared, (moved - returns) ** 2).mean()
"""
_VALUE_MAXIMUM = """    delta = (values - old_values).clamp(min=-clip, max=clip)
    return torch.maximum(squared, (old_values + delta - returns).pow(2)).mean()
"""

VARIANTS = [
    Variant(
        id="gae-explicit-sums",
        assignment=_A,
        description="GAE as Σ_j (γλ)^j δ_t+j up to the episode's end, per env and step (no recursion)",
        edits=(Edit(_F, _GAE_BODY, _GAE_SUMS),),
        calibrated_on=(),
    ),
    Variant(
        id="losses-as-maxima-of-negated-terms",
        assignment=_A,
        description="L_clip = mean max(−ρA, −clip(ρ)A) and the value clip with Tensor.clamp / torch.maximum",
        edits=(Edit(_F, _SURROGATE, _SURROGATE_NEGATED), Edit(_F, _VALUE, _VALUE_MAXIMUM)),
        calibrated_on=(),
    ),
    Variant(
        id="old-log-probs-stored-at-act",
        assignment=_A,
        description="log π_old(a|s) of each sampled action stored at act time (CleanRL) and used by update",
        edits=(
            Edit(
                _F,
                "        self.last_raw: np.ndarray | None = None\n",
                "        self.last_raw: np.ndarray | None = None\n"
                "        self.log_probs = np.zeros(grid, dtype=np.float32)\n"
                "        self.last_log_probs: np.ndarray | None = None\n",
            ),
            Edit(
                _F,
                "                return torch.multinomial(dist.probs, 1, generator=self.generator)[:, 0].numpy()\n",
                "                sample = torch.multinomial(dist.probs, 1, generator=self.generator)[:, 0]\n"
                "                self.last_log_probs = dist.log_prob(sample).numpy()\n"
                "                return sample.numpy()\n",
            ),
            Edit(
                _F,
                "        self.last_raw = raw.numpy()\n",
                "            self.last_log_probs = dist.log_prob(raw).sum(dim=1).numpy()\n"
                "        self.last_raw = raw.numpy()\n",
            ),
            Edit(
                _F,
                "        self.valid[t] = ~self.just_ended\n",
                "        self.valid[t] = ~self.just_ended\n        self.log_probs[t] = self.last_log_probs\n",
            ),
            Edit(
                _F,
                "            old_log_probs = self.net.log_prob_entropy(obs, actions)[0]\n",
                "            old_log_probs = torch.as_tensor(self.log_probs).reshape(-1)\n",
            ),
        ),
        calibrated_on=("test_ppo_cartpole",),
    ),
]
