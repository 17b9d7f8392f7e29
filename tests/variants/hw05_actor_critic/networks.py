"""Correct variants of hw05's network for the calibration of its learning checks (issue 19: a check must pass
every correct implementation the docs allow). ``networks.py`` lets a student initialise the layers as they
like; the reference keeps PyTorch's default (uniform ±1/√fan_in). Each variant re-initialises every ``Linear``
layer of ``ActorCritic`` (weights; biases 0) at the end of ``__init__``; ``init-orthogonal-heads`` is the common
actor-critic recipe (Andrychowicz et al. 2021; CleanRL): orthogonal gain √2, the policy head 0.01, the value head 1.
"""

from grader.mutants import Mutant

_A = "hw05_actor_critic"
_F = "networks.py"
_END_OF_INIT = """        if self.continuous:
            self.log_std = nn.Parameter(torch.full((n_out,), float(log_std_init)))
        # END SOLUTION
"""


def reinitialised(init: str) -> str:
    """The end of ``ActorCritic.__init__`` with every Linear layer re-initialised by ``init(weight)``."""
    return _END_OF_INIT.replace(
        "        # END SOLUTION\n",
        f"""        for module in self.modules():
            if isinstance(module, nn.Linear):
                {init}(module.weight)
                nn.init.zeros_(module.bias)
        # END SOLUTION
""",
    )


HEADS = """        heads = (self.policy_head, self.value_head) if shared else (self.actor[-1], self.critic[-1])
        nn.init.orthogonal_(heads[0].weight, gain=0.01)
        nn.init.orthogonal_(heads[1].weight, gain=1.0)
        # END SOLUTION
"""

VARIANTS = [
    Mutant(
        id="init-orthogonal",
        assignment=_A,
        description="orthogonal weights (gain 1), zero biases",
        file=_F,
        old=_END_OF_INIT,
        new=reinitialised("nn.init.orthogonal_"),
        killed_by=(),
    ),
    Mutant(
        id="init-glorot",
        assignment=_A,
        description="Glorot (Xavier) uniform weights, zero biases",
        file=_F,
        old=_END_OF_INIT,
        new=reinitialised("nn.init.xavier_uniform_"),
        killed_by=(),
    ),
    Mutant(
        id="init-kaiming",
        assignment=_A,
        description="Kaiming (He) normal weights (fan_in, gain √2), zero biases",
        file=_F,
        old=_END_OF_INIT,
        new=reinitialised("nn.init.kaiming_normal_"),
        killed_by=(),
    ),
    Mutant(
        id="init-orthogonal-heads",
        assignment=_A,
        description="orthogonal weights with gain √2, policy head 0.01, value head 1, zero biases",
        file=_F,
        old=_END_OF_INIT,
        new=reinitialised("nn.init.orthogonal_")
        .replace("(module.weight)", "(module.weight, gain=2**0.5)")
        .replace("        # END SOLUTION\n", HEADS),
        killed_by=(),
    ),
]
