"""Hidden checks of hw10 part 4 (``vdn.py``): VDN targets of three agents against the grader's own, several
consecutive train steps against the grader's own gradient and Adam step (issue 19), and the learning check on
another seed with the env's agents in the other order than the team's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.validate import as_tensor_array
from grader.harness.vdn_fixtures import (
    as_batch,
    checked_loss,
    make_team,
    network,
    one_hot,
    random_batch,
    shift_targets,
    switches_spec,
    team_parameters,
    team_values,
)
from grader.oracles.multi_agent import vdn_loss, vdn_targets
from grader.oracles.updates import UpdateCheck, network_gradient

SWITCHES_SWAPPED = switches_spec("test_hidden_vdn_switches_swapped_agents", 21, ("agent_1", "agent_0"))


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_vdn_targets_three_agents(impl):
    """vdn_targets of 3 agents and 5 actions on random values match the grader's"""
    rng = np.random.default_rng(41)
    next_q = rng.normal(size=(12, 3, 5))
    rewards, terminated = rng.normal(size=12), (rng.random(12) < 0.4).astype(np.float64)
    got = as_tensor_array(
        impl.attr("vdn", "vdn_targets")(*(torch.from_numpy(x) for x in (rewards, next_q, terminated)), 0.8),
        "vdn_targets(...)",
        (12,),
    )
    want = vdn_targets(rewards, next_q, terminated, 0.8)
    assert np.allclose(got, want, atol=1e-6), (
        f"vdn_targets on 12 random rows of 3 agents × 5 actions (γ = 0.8, 40 % terminated): "
        f"{np.round(got, 4).tolist()}; "
        f"expected {np.round(want, 4).tolist()} (y = r + γ(1 − terminated) Σ_i max_a Q_i(s'_i, a))"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_hidden_vdn_train_steps_match_grader_update(impl):
    """3 train steps in a row of a 3-agent team: loss and every agent's parameters = the grader's Adam step"""
    agents, gamma, lr = ["b", "c", "a"], 0.9, 0.01
    team = make_team(impl, agents, gamma=gamma, lr=lr, learning_starts=10**9)
    rng = np.random.default_rng(43)
    shift_targets(team, agents, rng)
    target_before = team_parameters(team, "target_nets", agents)
    before = team_parameters(team, "q_nets", agents)
    setting = (
        f"VDNTeam(agents={agents}, gamma={gamma}, lr={lr}) on 3 given batches of 24 transitions (rewards × 10, "
        "× 0.1, × 10)"
    )
    check = UpdateCheck(setting, lr, None, lambda: team.optimizer, {k: v.shape for k, v in before.items()})
    for step, scale in enumerate((10.0, 0.1, 10.0), 1):
        obs, actions, rewards, next_obs, terminated = batch = random_batch(rng, 24, 3, scale)
        q = team_values(team, "q_nets", agents, obs)
        loss, weights = vdn_loss(q, team_values(team, "target_nets", agents, next_obs), actions, rewards,
                                 terminated, gamma)  # fmt: skip
        grads = {}
        for i, name in enumerate(agents):
            net = network(team, "q_nets", name)
            grads.update(network_gradient(net, one_hot(obs[:, i]), weights[:, i], "the TD loss", f"{name}."))
        check.expect(before, grads)
        checked_loss(team.train_step(as_batch(impl, batch)), loss, f"update {step} of {setting}", "")
        before = team_parameters(team, "q_nets", agents)
        problem = check.verify(step, before)
        assert problem is None, problem
        target_now = team_parameters(team, "target_nets", agents)
        assert all(np.array_equal(v, target_now[k]) for k, v in target_before.items()), (
            f"update {step} of {setting} changed the target networks: train_step trains q_nets only"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_hidden_vdn_switches_swapped_agents(impl):
    """VDN on Two-switches, another seed, the env listing agent_1 first (its switch on cell 0): ≥ 2 of 4 teams learn"""
    torch.set_num_threads(1)
    SWITCHES_SWAPPED.assert_learns(
        impl.attr("vdn", "VDNTeam"),
        "match observations, actions and rewards to agents by name: the env's dicts list agent_1 first here",
    )
