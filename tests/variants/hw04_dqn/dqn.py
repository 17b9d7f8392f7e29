"""Correct DQN agents in other styles than the reference (``solutions/hw04_dqn/dqn.py``).

The docstrings fix the architecture, PyTorch's default initialisation (the learning budgets were calibrated for
it, and ``test_q_networks_keep_default_init`` checks it: with He/Kaiming initialisation a correct agent missed
the CartPole bar on 2 of 11 seeds, see the README), the loss, the optimiser and what an update does, not every
call: this variant uses Adam's default (foreach) implementation instead of ``fused=True``, ``F.huber_loss``
instead of ``F.smooth_l1_loss``, and zeroes the gradients after the step (``set_to_none``) instead of before the
backward pass. It must get every point and pass the learning checks on (nearly) every calibration seed
(``rlgrade calibrate hw04``).
"""

from grader.mutants import Edit, Variant

_F = "dqn.py"

VARIANTS = [
    Variant(
        id="update-style",
        assignment="hw04_dqn",
        description="foreach Adam, F.huber_loss, gradients zeroed after the step",
        edits=(
            Edit(_F, "lr=lr, fused=True)", "lr=lr)"),
            Edit(
                _F, "    return F.smooth_l1_loss(predicted, targets)\n", "    return F.huber_loss(predicted, targets)\n"
            ),
            Edit(_F, "        self.optimizer.zero_grad()\n        loss.backward()\n", "        loss.backward()\n"),
            Edit(
                _F,
                "        self.optimizer.step()\n        return float(loss.item())\n",
                "        self.optimizer.step()\n        self.optimizer.zero_grad(set_to_none=True)\n"
                "        return float(loss.item())\n",
            ),
        ),
        calibrated_on=("test_dqn_cartpole", "test_hidden_dqn_cartpole_other_seed", "test_hidden_dqn_acrobot"),
    ),
]
