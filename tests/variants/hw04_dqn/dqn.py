"""Correct DQN agents in other styles than the reference (``solutions/hw04_dqn/dqn.py``).

The docstrings fix the architecture (an MLP with ReLU, the dueling heads), the loss, the optimiser and the
order of the update, but not how the layers are initialised: a student may keep PyTorch's default or use a
textbook initialisation. Each variant below initialises every ``nn.Linear`` of ``QNetwork`` and
``DuelingQNetwork`` its own way, at the end of ``__init__``; the others change a detail of the update that the
text leaves open. All must get every point (``rlgrade calibrate hw04`` runs them on the learning checks).
"""

from grader.mutants import Edit, Variant

_A = "hw04_dqn"
_F = "dqn.py"
_LEARNING = ("test_dqn_cartpole", "test_hidden_dqn_cartpole_other_seed", "test_hidden_dqn_acrobot")
_QNET = "        self.net = mlp([obs_dim, *hidden, n_actions])\n"
_DUELING = "        self.advantage_head = nn.Linear(hidden[-1], n_actions)\n"


def _init(statements: str) -> tuple[Edit, Edit]:
    """Edits that run ``statements`` (on ``layer``) for every ``nn.Linear`` of both networks after they are built."""
    loop = "        for layer in self.modules():\n            if isinstance(layer, nn.Linear):\n"
    body = "".join(f"                {line}\n" for line in statements.strip().splitlines())
    return Edit(_F, _QNET, _QNET + loop + body), Edit(_F, _DUELING, _DUELING + loop + body)


VARIANTS = [
    Variant(
        id="init-kaiming-normal",
        assignment=_A,
        description="He (Kaiming) normal initialisation for ReLU, zero biases",
        edits=_init('nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")\nnn.init.zeros_(layer.bias)'),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="init-glorot-uniform",
        assignment=_A,
        description="Glorot (Xavier) uniform initialisation, zero biases",
        edits=_init("nn.init.xavier_uniform_(layer.weight)\nnn.init.zeros_(layer.bias)"),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="init-orthogonal",
        assignment=_A,
        description="orthogonal initialisation with gain √2 (ReLU), zero biases",
        edits=_init("nn.init.orthogonal_(layer.weight, gain=2**0.5)\nnn.init.zeros_(layer.bias)"),
        calibrated_on=_LEARNING,
    ),
]
