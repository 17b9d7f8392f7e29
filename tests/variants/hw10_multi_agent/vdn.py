"""Correct hw10 VDN teams in other styles than the reference (``solutions/hw10_multi_agent/vdn.py``).

The docstrings fix the math, the call order and the use of ``rng``, not how each piece is written: the team value
as a one-hot product, the target detached rather than computed under ``no_grad``, the loss written out, the target
sync as a parameter copy, the replay memory as Python lists. Each variant must get every point, exact checks
included, and pass the learning checks it names on (nearly) every calibration seed (``rlgrade calibrate hw10``).
"""

from grader.mutants import Edit, Variant

_A = "hw10_multi_agent"
_F = "vdn.py"
_LEARNING = ("test_vdn_switches", "test_hidden_vdn_switches_swapped_agents")

VARIANTS = [
    Variant(
        id="one-hot-team-value-detached-target",
        assignment=_A,
        description="Q_tot = Σ q ⊙ one_hot(a); the target with torch.amax and .detach(); the loss written out",
        edits=(
            Edit(
                _F,
                "    return q_values.gather(2, actions.unsqueeze(2)).squeeze(2).sum(dim=1)",
                "    return (q_values * F.one_hot(actions, q_values.shape[2]).to(q_values.dtype)).sum(dim=(1, 2))",
            ),
            Edit(
                _F,
                "    with torch.no_grad():\n        next_value = next_q_values.max(dim=2).values.sum(dim=1)",
                "    next_value = torch.amax(next_q_values.detach(), dim=2).sum(dim=1)",
            ),
            Edit(
                _F,
                "        loss = F.mse_loss(predicted, targets)",
                "        loss = ((predicted - targets) ** 2).mean()",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="parameter-copy-list-memory",
        assignment=_A,
        description="targets synced by copying parameters under no_grad; the sampled batch built column by column",
        edits=(
            Edit(
                _F,
                "            self.target_nets[name].load_state_dict(self.q_nets[name].state_dict())",
                "            with torch.no_grad():\n"
                "                for target, source in zip(\n"
                "                    self.target_nets[name].parameters(), self.q_nets[name].parameters(), strict=True\n"
                "                ):\n"
                "                    target.copy_(source)",
            ),
            Edit(
                _F,
                "        idx = self.rng.integers(self.size, size=batch_size)\n"
                "        return JointBatch(*(torch.from_numpy(self.memory[key][idx]) for key in JointBatch._fields))",
                "        idx = self.rng.integers(self.size, size=batch_size)\n"
                "        rows = [self.memory[key] for key in JointBatch._fields]\n"
                "        return JointBatch(*(torch.from_numpy(np.asarray(column)[idx]) for column in rows))",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
]
