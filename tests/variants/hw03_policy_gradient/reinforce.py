"""Correct REINFORCE agents in other styles than the reference (``solutions/hw03_policy_gradient/reinforce.py``).

The docstrings fix the networks (``mlp`` with tanh, PyTorch's default initialisation, checked), the loss, the
optimiser and that actions are sampled with torch's global generator, not how. One variant samples by inversion
and Box–Muller from ``torch.rand`` (``Distribution.sample`` draws with ``torch.multinomial`` / ``torch.normal``),
so it trains along other random paths; the other writes the losses and the normalisation out in torch (a sum over
the batch divided by B, ``F.mse_loss``, the population standard deviation of a tensor), which round differently.
Both must get every point (``rlgrade calibrate hw03`` runs them on the REINFORCE learning checks).
"""

from grader.mutants import Edit, Variant

_A = "hw03_policy_gradient"
_F = "reinforce.py"
_LEARNING = (
    "test_reinforce_cartpole",
    "test_reinforce_point_mass",
    "test_hidden_reinforce_point_mass_3d",
    "test_hidden_reinforce_cartpole_no_baseline",
)

VARIANTS = [
    Variant(
        id="sampling-by-inversion",
        assignment=_A,
        description="act samples from torch.rand: the inverse CDF of the categorical, Box–Muller for the Gaussian",
        edits=(
            Edit(
                _F,
                "                return int(dist.logits.argmax()) if deterministic else int(dist.sample()[0])\n"
                "            raw = (dist.mean if deterministic else dist.sample())[0].numpy()\n",
                "                if deterministic:\n"
                "                    return int(dist.logits.argmax())\n"
                "                below = torch.cumsum(dist.probs[0], 0)[:-1] < torch.rand(())\n"
                "                return int(below.sum())\n"
                "            noise = torch.zeros_like(dist.mean)\n"
                "            if not deterministic:\n"
                "                u1, u2 = 1.0 - torch.rand_like(dist.mean), torch.rand_like(dist.mean)\n"
                "                noise = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * torch.pi * u2)\n"
                "            raw = (dist.mean + dist.stddev * noise)[0].numpy()\n",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="losses-written-out",
        assignment=_A,
        description="the policy loss as a sum / B, the value loss with F.mse_loss, Ψ normalised as a torch tensor",
        edits=(
            Edit(
                _F,
                "    return -(log_probs * weights).mean()\n",
                "    return -(log_probs * weights).sum() / log_probs.shape[0]\n",
            ),
            Edit(
                _F,
                "            weights = torch.as_tensor(normalize(weights.numpy()), dtype=torch.float32)\n",
                "            weights = (weights - weights.mean()) / (weights.std(correction=0) + 1e-8)\n",
            ),
            Edit(
                _F,
                "            loss = loss + ((self.value_net(obs).squeeze(-1) - returns) ** 2).mean()\n",
                "            loss = loss + torch.nn.functional.mse_loss(self.value_net(obs).squeeze(-1), returns)\n",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
]
