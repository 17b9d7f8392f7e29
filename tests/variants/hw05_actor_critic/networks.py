"""Correct variants of hw05's network (``solutions/hw05_actor_critic/networks.py``) for the calibration of its
learning checks (issue 19: a check must pass every correct implementation the docs allow). The docstring of
``networks.py`` lets a student initialise the layers as they like; the reference keeps PyTorch's default
(uniform ±1/√fan_in). Each variant re-initialises every ``Linear`` layer of ``ActorCritic`` (weights as named,
biases 0) at the end of ``__init__``. They are calibrated on the public CartPole check (separate actor and
critic) and the hidden PointMass check (Gaussian head). The shared trunk is calibrated by the hidden CartPole
check, which trains with ``shared=True``, with PyTorch's default initialisation (the reference); the four
initialisations × the shared trunk were not run (CPU time on the shared machine, see the README).
"""

from grader.mutants import Edit, Variant

_A = "hw05_actor_critic"
_F = "networks.py"
_END_OF_INIT = """        if self.continuous:
            self.log_std = nn.Parameter(torch.full((n_out,), float(log_std_init)))
        # END SOLUTION
"""
LEARNING_CHECKS = ("test_a2c_cartpole", "test_hidden_a2c_cartpole_shared_trunk", "test_hidden_a2c_point_mass")


def reinitialised(init: str) -> Edit:
    """The end of ``ActorCritic.__init__`` with every Linear layer's weight re-initialised by ``init(weight)``."""
    new = _END_OF_INIT.replace(
        "        # END SOLUTION\n",
        f"""        for module in self.modules():
            if isinstance(module, nn.Linear):
                {init}(module.weight)
                nn.init.zeros_(module.bias)
        # END SOLUTION
""",
    )
    return Edit(_F, _END_OF_INIT, new)


VARIANTS = [
    Variant(
        id="init-orthogonal",
        assignment=_A,
        description="orthogonal weights (gain 1), zero biases",
        edits=(reinitialised("nn.init.orthogonal_"),),
        calibrated_on=LEARNING_CHECKS,
    ),
    Variant(
        id="init-glorot",
        assignment=_A,
        description="Glorot (Xavier) uniform weights, zero biases",
        edits=(reinitialised("nn.init.xavier_uniform_"),),
        calibrated_on=LEARNING_CHECKS,
    ),
    Variant(
        id="init-kaiming",
        assignment=_A,
        description="Kaiming (He) normal weights (fan_in, gain √2), zero biases",
        edits=(reinitialised("nn.init.kaiming_normal_"),),
        calibrated_on=LEARNING_CHECKS,
    ),
]
