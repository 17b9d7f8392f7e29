"""Public checks of hw10 part 4: value decomposition networks (``vdn.py``).

Exact checks compare ``vdn_targets`` and ``team_q_values`` with numbers worked out in this file, read back what
``update`` stores (by name, the team reward once) and when it syncs the target networks, and check ``train_step``
on given batches: the loss it returns, every agent's network trained, the target networks untouched. The learning
check trains teams with the grader's own PettingZoo loop on the kit's Two-switches task
(``grader/harness/switches.py``) and plays them greedily on the grader's evaluation episodes.
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import call_all
from grader.harness.validate import InvalidOutput, as_int, as_tensor_array
from grader.harness.vdn_fixtures import (
    N_ACTIONS,
    as_batch,
    changed,
    checked_loss,
    loss_from_your_functions,
    make_team,
    network,
    random_batch,
    shift_targets,
    switches_spec,
    team_parameters,
    team_values,
)

NAMES = ["agent_0", "agent_1"]
# Next target values of 2 agents × 3 actions: maxima [3, 4] (row 0), [3, 4] terminated (row 1), [−1, −2] (row 2).
NEXT_Q = [
    [[3.0, 1.0, -2.0], [0.0, 4.0, 2.0]],
    [[3.0, 1.0, -2.0], [0.0, 4.0, 2.0]],
    [[-1.0, -3.0, -1.5], [-2.0, -5.0, -4.0]],
]
REWARDS, TERMINATED, GAMMA = [1.0, 1.0, 0.5], [0.0, 1.0, 0.0], 0.9
# y = 1 + 0.9·(3 + 4) = 7.3; terminated: 1; 0.5 + 0.9·(−1 − 2) = −2.2
WANT_TARGETS = [7.3, 1.0, -2.2]
MISTAKES = {
    (8.3, 1.0, -1.7): "the reward counted once per agent (Σ_i r instead of the team's r)",
    (5.5, 1.0, -2.65): "the max of the summed rows max_a Σ_i Q_i(s'_i, a): each agent maximises over its own actions",
    (7.3, 7.3, -2.2): "the terminated row bootstraps",
}

SWITCHES = switches_spec("test_vdn_switches", seed=20)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_vdn_targets(impl):
    """vdn_targets = r + γ(1 − terminated)·Σ_i max_a Q_i⁻(s'_i, a): maxima [3, 4], r = 1, γ = 0.9 → 7.3; ended → r"""
    vdn_targets = impl.attr("vdn", "vdn_targets")
    next_q = torch.tensor(NEXT_Q, requires_grad=True)
    y = vdn_targets(torch.tensor(REWARDS), next_q, torch.tensor(TERMINATED), GAMMA)
    got = as_tensor_array(y, "vdn_targets(...)", (3,))
    if not np.allclose(got, WANT_TARGETS, atol=1e-5):
        cause = next((why for want, why in MISTAKES.items() if np.allclose(got, want, atol=1e-5)), None)
        raise AssertionError(
            f"vdn_targets(rewards={REWARDS}, next_q_values={NEXT_Q}, terminated={TERMINATED}, gamma={GAMMA}) = "
            f"{np.round(got, 5).tolist()}; expected {WANT_TARGETS} (row 0: 1 + 0.9·(3 + 4) = 7.3; row 1 terminated: "
            "1; row 2: 0.5 + 0.9·(−1 − 2) = −2.2)" + (f" — you computed {cause}" if cause else "")
        )
    assert not y.requires_grad, (
        "vdn_targets(...) requires grad although next_q_values did: compute the target without gradient "
        "(torch.no_grad() or .detach()); it is a fixed regression label"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_team_q_values(impl):
    """team_q_values: Σ_i Q_i(s_i, a_i) per row, with gradient"""
    q = torch.tensor([[[1.0, 5.0, 0.0], [2.0, 0.0, 4.0]], [[-1.0, 0.5, 3.0], [0.0, -2.0, 1.0]]], requires_grad=True)
    actions = torch.tensor([[1, 2], [0, 1]])
    out = impl.attr("vdn", "team_q_values")(q, actions)
    got = as_tensor_array(out, "team_q_values(...)", (2,))
    assert np.allclose(got, [9.0, -3.0], atol=1e-6), (
        f"team_q_values(q_values={q.tolist()}, actions={actions.tolist()}) = {got.tolist()}; expected [9, −3] "
        "(row 0: Q_0[a=1] + Q_1[a=2] = 5 + 4; row 1: −1 + −2)"
    )
    assert out.requires_grad, "team_q_values(...) lost the gradient: the TD loss trains the networks through it"


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_vdn_update_stores_by_name_and_syncs(impl):
    """update stores the joint transition by name (team reward once, truncation not terminal); targets synced on time"""
    agents = ["agent_1", "agent_0"]  # column 0 of every batch is agent_1
    obs, next_obs = {"agent_0": 1, "agent_1": 4}, {"agent_0": 2, "agent_1": 5}
    for terminated, truncated in ((True, False), (False, True)):
        team = make_team(impl, agents, learning_starts=10**9, target_update_every=10**9)
        team.update(dict(obs), {"agent_0": 2, "agent_1": 0}, {"agent_0": -0.5, "agent_1": -0.5}, dict(next_obs),
                    dict.fromkeys(NAMES, terminated), dict.fromkeys(NAMES, truncated))  # fmt: skip
        batch = team.sample(4)
        fields = ("obs", "actions", "rewards", "next_obs", "terminated")
        shapes = {"obs": (4, 2), "actions": (4, 2), "rewards": (4,), "next_obs": (4, 2), "terminated": (4,)}
        kinds = {"obs": "int64", "actions": "int64", "next_obs": "int64"}
        got = {
            k: as_tensor_array(getattr(batch, k), f"sample(4).{k}", shapes[k], kinds.get(k, "float")) for k in fields
        }
        want = {"obs": [4, 1], "actions": [0, 2], "rewards": -0.5, "next_obs": [5, 2], "terminated": float(terminated)}
        wrong = {k: got[k][0].tolist() for k in fields if not np.allclose(got[k], want[k])}
        assert not wrong, (
            f"VDNTeam(agents={agents}) after ONE update (observations {obs}, actions {{'agent_0': 2, 'agent_1': 0}}, "
            f"rewards −0.5 each, next observations {next_obs}, terminated={terminated}, truncated={truncated}): "
            f"sample(4) gave {wrong}; expected {want} in every row (column i is agents[i], matched by name; the team "
            "reward counts once; a truncation is not terminal)"
        )
    team = make_team(impl, agents, learning_starts=1, target_update_every=3, batch_size=4)
    target0 = team_parameters(team, "target_nets", agents)
    for step in range(1, 4):
        team.update(dict(obs), {"agent_0": 1, "agent_1": 1}, dict.fromkeys(NAMES, 1.0), dict(next_obs),
                    dict.fromkeys(NAMES, False), dict.fromkeys(NAMES, False))  # fmt: skip
        online, target = team_parameters(team, "q_nets", agents), team_parameters(team, "target_nets", agents)
        synced = all(np.array_equal(online[k], target[k]) for k in online)
        if step < 3:
            assert all(np.array_equal(target0[k], target[k]) for k in target0), (
                f"with learning_starts=1, target_update_every=3: after update {step} the target networks changed; "
                "only sync_targets (every target_update_every updates) may change them"
            )
            assert not synced, f"after update {step} (learning_starts=1, train_every=1) q_nets were not trained"
        else:
            assert synced, "after update 3 (target_update_every=3) the target networks are not copies of q_nets"


@pytest.mark.points(4)
@pytest.mark.timeout(30)
def test_vdn_train_step(impl):
    """train_step: returns the mean squared TD error of Σ_i Q_i, trains every agent's q_net, leaves the targets alone"""
    agents, gamma = ["agent_1", "agent_0"], 0.9
    team = make_team(impl, agents, gamma=gamma, lr=0.01, learning_starts=10**9)
    rng = np.random.default_rng(4)
    shift_targets(team, agents, rng)
    target_before = team_parameters(team, "target_nets", agents)
    setting = f"VDNTeam(agents={agents}, gamma={gamma}, lr=0.01) on a batch of 16 random transitions (30 % terminated)"
    for step in (1, 2):
        batch = random_batch(rng, 16, 2)
        expected = loss_from_your_functions(impl, team, agents, batch, gamma)
        before = team_parameters(team, "q_nets", agents)
        checked_loss(team.train_step(as_batch(impl, batch)), expected, f"update {step} of {setting}",
                     "(y from your vdn_targets on target_nets, Q_tot from your team_q_values on q_nets)")  # fmt: skip
        after = team_parameters(team, "q_nets", agents)
        still = [name for name in agents if not changed(before, after, name)]
        assert not still, (
            f"update {step} of {setting} did not change q_nets of {still}: one optimizer over EVERY agent's "
            "parameters, and the loss of the sum Q_tot reaches each of them"
        )
        target_now = team_parameters(team, "target_nets", agents)
        assert all(np.array_equal(v, target_now[k]) for k, v in target_before.items()), (
            f"update {step} of {setting} changed the target networks: train_step trains q_nets only"
        )
        grads = [p.grad for name in agents for p in network(team, "target_nets", name).parameters()]
        assert all(g is None for g in grads), (
            "after train_step a target network's parameter has a .grad: gradient flowed through the targets"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_vdn_act_by_name(impl):
    """act: each agent's greedy action from its own network and observation, matched by name; ε = 1 uniform"""
    agents = ["agent_1", "agent_0"]
    team = make_team(impl, agents, epsilon=0.0)
    obs = np.array([[s, (s + 2) % 6] for s in range(6)])  # column i is agents[i]
    greedy = team_values(team, "q_nets", agents, obs).argmax(axis=2)
    before = team_parameters(team, "q_nets", agents)
    for k, row in enumerate(obs):
        observations = {"agent_0": int(row[1]), "agent_1": int(row[0])}
        got = team.act(dict(observations))
        if not isinstance(got, dict) or set(got) != set(NAMES):
            raise InvalidOutput(
                f"VDNTeam.act(...) must return a dict with one action per agent {NAMES}, got {got!r:.80}"
            )
        got = {name: as_int(got[name], f"act(...)[{name!r}]", 0, N_ACTIONS) for name in NAMES}
        want = {"agent_1": int(greedy[k, 0]), "agent_0": int(greedy[k, 1])}
        assert got == want, (
            f"with ε = 0, VDNTeam(agents={agents}).act({observations}) = {got}; expected {want}, each agent's argmax_a "
            "Q_i(s_i, a) from ITS OWN network and observation (matched by name, whatever the dict order)"
        )
    after = team_parameters(team, "q_nets", agents)
    assert all(np.array_equal(before[k], after[k]) for k in before), "act() changed a network"
    team.epsilon = 1.0
    calls = 3000
    counts = {name: np.zeros(N_ACTIONS) for name in NAMES}
    for actions in call_all([(team.act, ({"agent_0": 0, "agent_1": 3},))] * calls):
        for name in NAMES:
            counts[name][as_int(actions[name], f"act(...)[{name!r}]", 0, N_ACTIONS)] += 1
    tolerance = binomial_tolerance(1 / N_ACTIONS, calls)
    for name in NAMES:
        freq = counts[name] / calls
        assert np.all(np.abs(freq - 1 / N_ACTIONS) <= tolerance), (
            f"with ε = 1, {calls} act() calls chose {name}'s actions with frequencies {np.round(freq, 4).tolist()}; "
            f"expected 1/{N_ACTIONS} each ± {tolerance:.4f} (ε = 1 explores uniformly, with the team's rng)"
        )


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_vdn_switches(impl):
    """At least 2 of 4 VDN teams open the Two-switches door (both press together) on ≥ 90 % of 20 greedy episodes"""
    torch.set_num_threads(1)
    SWITCHES.assert_learns(
        impl.attr("vdn", "VDNTeam"),
        "the exact checks of vdn_targets, team_q_values, update, train_step and act say which part differs",
    )
