"""Correct DDPG/TD3/LSTM-TD3 agents in other styles than the reference (``solutions/hw07_continuous``).

The docstrings fix the architectures (the MLPs, the squashing, the history encoder), the losses, the optimizer
and the order of the update and of the random draws, but not how the layers are initialised nor whether Adam
runs fused: a student may keep PyTorch's defaults or use a textbook initialisation. Each init variant below
initialises every ``nn.Linear`` of the actor, the critic and the recurrent networks (their history encoders
included; the LSTM keeps PyTorch's initialisation) its own way, at the end of ``__init__``. All must get every
point (``rlgrade calibrate hw07`` runs the init variants on the public learning checks).
"""

from grader.mutants import Edit, Variant

_A = "hw07_continuous"
# The public learning checks (the hidden ones run the same agents with the same hyperparameters on other seeds or
# tasks; calibrating every variant on them too would double the cost of a calibration on a shared 2-core machine).
_LEARNING = ("test_td3_pendulum", "test_ddpg_pendulum", "test_lstm_td3_cue_recall")
_AFTER = {
    "td3.py": (
        "        self.net = mlp([obs_dim, *hidden, int(action_space.shape[0])])\n",
        "        self.net = mlp([obs_dim + act_dim, *hidden, 1])\n",
    ),
    "lstm_td3.py": (
        "        self.head = mlp([memory + obs_dim, *hidden, act_dim])\n",
        "        self.head = mlp([memory + obs_dim + act_dim, *hidden, 1])\n",
    ),
}


def _init(statements: str) -> tuple[Edit, ...]:
    """Edits that run ``statements`` (on ``layer``) for every ``nn.Linear`` of the four networks once built."""
    loop = "        for layer in self.modules():\n            if isinstance(layer, nn.Linear):\n"
    body = "".join(f"                {line}\n" for line in statements.strip().splitlines())
    return tuple(Edit(file, line, line + loop + body) for file, lines in _AFTER.items() for line in lines)


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
    Variant(
        id="adam-not-fused",
        assignment=_A,
        description="PyTorch's default Adam (not fused): the same update within 1e-7 (the replay check's measure)",
        edits=(
            Edit("td3.py", "lr=actor_lr, fused=True)", "lr=actor_lr)"),
            Edit("td3.py", "lr=critic_lr, fused=True)", "lr=critic_lr)"),
        ),
        calibrated_on=(),
    ),
]
