"""Correct project libraries in other styles than the reference (``solutions/hw13_project/``).

The README asks that a checkpoint hold what ``act`` uses (networks or tables, the generator, the counters) without
fixing the file format, and that a team's greedy action be the lowest-index argmax, drawing nothing. Each variant
must get every point.
"""

from grader.mutants import Edit, Variant

_A = "hw13_project"

VARIANTS = [
    Variant(
        id="pickle-checkpoint",
        assignment=_A,
        description="save/load write the state with pickle instead of torch.save/torch.load",
        edits=(
            Edit(
                "checkpoint.py",
                "        torch.save(self.state(), path)",
                "        Path(path).write_bytes(pickle.dumps(self.state()))",
            ),
            Edit(
                "checkpoint.py",
                "        self.restore(torch.load(path, weights_only=False))",
                "        self.restore(pickle.loads(Path(path).read_bytes()))",
            ),
            Edit("checkpoint.py", "from pathlib import Path\n", "import pickle\nfrom pathlib import Path\n"),
        ),
        calibrated_on=(),
    ),
    Variant(
        id="team-greedy-by-max-and-interp-epsilon",
        assignment=_A,
        description="the team's greedy action by max over action indices (lowest wins ties), ε by np.interp",
        edits=(
            Edit(
                "multi_agent.py",
                "            return {name: int(np.argmax(self.Q[name][int(s)])) for name, s in observations.items()}",
                "            rows = {name: self.Q[name][int(s)].tolist() for name, s in observations.items()}\n"
                "            return {\n"
                "                name: max(range(len(row)), key=lambda a, r=row: (r[a], -a))\n"
                "                for name, row in rows.items()\n"
                "            }",
            ),
            Edit(
                "multi_agent.py",
                "        fraction = min(self.step / self.eps_decay_steps, 1.0) if self.eps_decay_steps > 0 else 1.0\n"
                "        self.epsilon = self.eps_start + (self.eps_end - self.eps_start) * fraction",
                "        ends = (0, max(self.eps_decay_steps, 1e-12))\n"
                "        self.epsilon = float(np.interp(self.step, ends, (self.eps_start, self.eps_end)))",
            ),
        ),
        calibrated_on=(),
    ),
]
