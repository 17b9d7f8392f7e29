"""Variants of hw04's reference that the sandbox once graded differently from in-process, for
``scripts/compare_modes.py``: right or wrong, each must get the same verdict and message in both modes.

They are not known bugs for the mutant bank (some are correct alternatives); ``killed_by`` names the checks to
compare, whatever their verdict.
"""

from grader.mutants import Mutant

_A = "hw04_dqn"
_F = "dqn.py"
_POLYAK = """    with torch.no_grad():
        for target_param, param in zip(target_net.parameters(), online_net.parameters(), strict=True):
            target_param.mul_(1.0 - tau).add_(param, alpha=tau)
"""

VARIANTS = [
    Mutant(
        id="polyak-replaces-parameters",
        assignment=_A,
        description="new Parameter objects instead of an in-place update: fails (the docstring asks for in place)",
        file=_F,
        old=_POLYAK,
        new="""    for (name, target_param), param in zip(
        list(target_net.named_parameters()), online_net.parameters(), strict=True
    ):
        owner, _, attr = name.rpartition(".")
        mixed = (tau * param + (1.0 - tau) * target_param).detach()
        setattr(target_net.get_submodule(owner), attr, nn.Parameter(mixed))
""",
        killed_by=("test_polyak_update",),
    ),
    Mutant(
        id="polyak-load-state-dict",
        assignment=_A,
        description="load_state_dict of the mixed state: copies into the same tensors, passes",
        file=_F,
        old=_POLYAK,
        new="""    with torch.no_grad():
        online = online_net.state_dict()
        target_net.load_state_dict({k: tau * online[k] + (1.0 - tau) * v for k, v in target_net.state_dict().items()})
""",
        killed_by=("test_polyak_update",),
    ),
    Mutant(
        id="polyak-assigns-data",
        assignment=_A,
        description="param.data = ...: the same Parameter objects with new data, passes",
        file=_F,
        old="            target_param.mul_(1.0 - tau).add_(param, alpha=tau)\n",
        new="            target_param.data = tau * param.data + (1.0 - tau) * target_param.data\n",
        killed_by=("test_polyak_update",),
    ),
    Mutant(
        id="bfloat16-results",
        assignment=_A,
        description="q_of_actions and dqn_loss in bfloat16 (a dtype the wire did not carry): the checks see it",
        file=_F,
        old="    return q_values.gather(1, actions.unsqueeze(1)).squeeze(1)\n",
        new="    return q_values.gather(1, actions.unsqueeze(1)).squeeze(1).to(torch.bfloat16)\n",
        killed_by=("test_q_of_actions", "test_huber_loss"),
    ),
]
