"""Correct REINFORCE agents in other styles than the reference (``solutions/hw03_policy_gradient/reinforce.py``).

The docstrings fix the networks' shapes (``mlp`` with tanh), the loss and the optimiser, not how the layers are
initialised: each variant re-initialises every ``nn.Linear`` of the policy and the value net right after they
are built, as a student may (PyTorch's default is the reference). ``log_std`` stays at ``log_std_init``. All
must get every point (``rlgrade calibrate hw03`` runs them on the REINFORCE learning checks).
"""

from grader.mutants import Edit, Variant

_A = "hw03_policy_gradient"
_LEARNING = (
    "test_reinforce_cartpole",
    "test_reinforce_point_mass",
    "test_hidden_reinforce_point_mass_3d",
    "test_hidden_reinforce_cartpole_no_baseline",
)
_NETS = "        self.value_net = mlp([obs_dim, *hidden, 1]) if baseline else None\n"


def _init(statements: str) -> tuple[Edit, ...]:
    """Run ``statements`` (on ``layer``) for every ``nn.Linear`` of the policy and the value net once built."""
    loop = (
        "        for net in (self.policy, self.value_net):\n"
        "            for layer in net.modules() if net is not None else ():\n"
        "                if isinstance(layer, torch.nn.Linear):\n"
    )
    body = "".join(f"                    {line}\n" for line in statements.strip().splitlines())
    return (Edit("reinforce.py", _NETS, _NETS + loop + body),)


_LAST_LAYERS = """        heads = [self.policy.mean_net if self.continuous else self.policy.logits_net]
        for net, gain in ((heads[0], 0.01), (self.value_net, 1.0)):
            if net is not None:
                torch.nn.init.orthogonal_(net[-1].weight, gain=gain)
"""

VARIANTS = [
    Variant(
        id="init-kaiming-normal",
        assignment=_A,
        description="He (Kaiming) normal initialisation (PyTorch's kaiming_normal_ defaults), zero biases",
        edits=_init("torch.nn.init.kaiming_normal_(layer.weight)\ntorch.nn.init.zeros_(layer.bias)"),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="init-glorot-uniform",
        assignment=_A,
        description="Glorot (Xavier) uniform initialisation, zero biases",
        edits=_init("torch.nn.init.xavier_uniform_(layer.weight)\ntorch.nn.init.zeros_(layer.bias)"),
        calibrated_on=_LEARNING,
    ),
    Variant(
        id="init-orthogonal",
        assignment=_A,
        description="orthogonal initialisation, gain √2, zero biases; policy head gain 0.01, value head 1 (CleanRL)",
        edits=(
            _init("torch.nn.init.orthogonal_(layer.weight, gain=2**0.5)\ntorch.nn.init.zeros_(layer.bias)")[0],
            Edit(
                "reinforce.py",
                "        params = list(self.policy.parameters())\n",
                _LAST_LAYERS + "        params = list(self.policy.parameters())\n",
            ),
        ),
        calibrated_on=_LEARNING,
    ),
]
