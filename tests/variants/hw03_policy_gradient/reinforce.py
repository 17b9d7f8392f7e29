"""Correct REINFORCE agents in other styles than the reference (``solutions/hw03_policy_gradient/reinforce.py``).

The docstrings fix the networks (``mlp`` with tanh, PyTorch's default initialisation, checked), the loss, the
optimiser and that actions are sampled with torch's global generator, not which torch calls do it: one variant
samples by hand (``torch.multinomial`` on the probabilities, μ + σ·ε with ``torch.randn_like``), which draws other
random numbers than ``Distribution.sample`` and so trains along other paths; the other writes the losses and the
normalisation out in torch (a sum over the batch divided by B, ``F.mse_loss``, the population standard deviation
of a tensor), which round differently. Both must get every point (``rlgrade calibrate hw03`` runs them on the
REINFORCE learning checks).
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
        id="sampling-by-hand",
        assignment=_A,
        description="act samples with torch.multinomial(probs) and mean + std * torch.randn_like(mean)",
        edits=(
            Edit(
                _F,
                "                return int(dist.logits.argmax()) if deterministic else int(dist.sample()[0])\n"
                "            raw = (dist.mean if deterministic else dist.sample())[0].numpy()\n",
                "                if deterministic:\n"
                "                    return int(dist.logits.argmax())\n"
                "                return int(torch.multinomial(dist.probs, 1)[0, 0])\n"
                "            noise = torch.zeros_like(dist.mean) if deterministic else torch.randn_like(dist.mean)\n"
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
