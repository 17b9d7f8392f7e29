"""Known bugs of hw03's REINFORCE (bug catalog "REINFORCE / policy gradient" PG1, "PPO" PPO8, "A2C" AC5).

Each mutant patches ``solutions/hw03_policy_gradient/reinforce.py`` in one place; ``killed_by`` lists the
checks that must fail for it. Learning checks are listed only where they fail on every calibration seed.
"""

from grader.mutants import Mutant

_A = "hw03_policy_gradient"
_F = "reinforce.py"

MUTANTS = [
    Mutant(
        id="PG1-loss-sign-flipped",
        assignment=_A,
        description="PG1: reinforce_loss is +mean(log π · Ψ): gradient descent lowers the return",
        file=_F,
        old="""    return -(log_probs * weights).mean()
""",
        new="""    return (log_probs * weights).mean()
""",
        killed_by=(
            "test_reinforce_loss_bandit_gradient",
            "test_agent_update_raises_rewarded_action",
            "test_hidden_loss_three_arms",
            "test_reinforce_cartpole",
            "test_reinforce_point_mass",
            "test_hidden_reinforce_point_mass_3d",
            "test_hidden_reinforce_cartpole_no_baseline",
        ),
    ),
    Mutant(
        id="PPO8-log-prob-of-clipped-action",
        assignment=_A,
        description="PPO8: the continuous agent records the clipped action for the log-prob, not the raw sample",
        file=_F,
        old="""        self.episode.append((obs, self.raw_action if self.continuous else action, reward))
""",
        new="""        self.episode.append((obs, action, reward))
""",
        killed_by=("test_continuous_actions_clipped_raw_log_prob",),
    ),
    Mutant(
        id="AC5-baseline-not-detached",
        assignment=_A,
        description="AC5: the advantage G − V(s) is not detached, so the policy loss also trains V",
        file=_F,
        old="""            weights = returns - self.value_net(obs).squeeze(-1).detach()
""",
        new="""            weights = returns - self.value_net(obs).squeeze(-1)
""",
        killed_by=("test_baseline_advantages_detached",),
    ),
    Mutant(
        id="PG-update-every-episode",
        assignment=_A,
        description="the agent updates after every episode (ignores episodes_per_update)",
        file=_F,
        old="""        if self.episodes_in_batch == self.episodes_per_update:
""",
        new="""        if self.episodes_in_batch >= 1:
""",
        killed_by=("test_agent_update_raises_rewarded_action", "test_continuous_actions_clipped_raw_log_prob"),
    ),
    Mutant(
        id="PG-deterministic-samples",
        assignment=_A,
        description="act(obs, deterministic=True) samples from π instead of returning the most likely action",
        file=_F,
        old="""                return int(dist.logits.argmax()) if deterministic else int(dist.sample()[0])
""",
        new="""                return int(dist.sample()[0])
""",
        killed_by=("test_hidden_deterministic_action",),
    ),
    Mutant(
        id="PG-value-net-not-in-optimizer",
        assignment=_A,
        description="the optimizer holds only the policy's parameters: the learned baseline never learns",
        file=_F,
        old="""            params += list(self.value_net.parameters())
""",
        new="""            pass
""",
        killed_by=("test_hidden_updates_match_grader_adam", "test_hidden_each_network_learns_its_loss"),
    ),
    Mutant(
        id="PG-optimizer-recreated-each-update",
        assignment=_A,
        description="update builds a new Adam every time: its moments and step count start over at each update",
        file=_F,
        old="""        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
""",
        new="""        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        self.optimizer = torch.optim.Adam(params, lr=self.optimizer.param_groups[0]["lr"])
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
""",
        killed_by=("test_hidden_updates_match_grader_adam",),
    ),
    Mutant(
        id="PG-no-zero-grad",
        assignment=_A,
        description="update never zeroes the gradients: each update adds its gradient to all the previous ones",
        file=_F,
        old="""        self.optimizer.zero_grad()
        loss.backward()
""",
        new="""        loss.backward()
""",
        killed_by=("test_hidden_updates_match_grader_adam",),
    ),
    Mutant(
        id="PG-deterministic-draws-a-sample",
        assignment=_A,
        description="act(obs, deterministic=True) samples too (and discards the sample): torch's stream shifts",
        file=_F,
        old="""                return int(dist.logits.argmax()) if deterministic else int(dist.sample()[0])
""",
        new="""                sample = int(dist.sample()[0])
                return int(dist.logits.argmax()) if deterministic else sample
""",
        killed_by=("test_hidden_deterministic_action",),
    ),
    Mutant(
        id="PG-batch-not-cleared",
        assignment=_A,
        description="observe never empties its batch after an update: every later update also gets the old episodes",
        file=_F,
        old="""            self.batch_obs, self.batch_actions, self.batch_returns = [], [], []
""",
        new="""            pass
""",
        killed_by=("test_hidden_second_update_gets_only_its_episodes",),
    ),
    Mutant(
        id="INIT-kaiming-normal",
        assignment=_A,
        description="the policy and the value net re-initialise their layers with He (Kaiming) normal weights and "
        "zero biases, against the docstring (the learning budgets are calibrated for PyTorch's default)",
        file=_F,
        old="""        self.value_net = mlp([obs_dim, *hidden, 1]) if baseline else None
""",
        new="""        self.value_net = mlp([obs_dim, *hidden, 1]) if baseline else None
        for net in (self.policy, self.value_net):
            for layer in net.modules() if net is not None else ():
                if isinstance(layer, torch.nn.Linear):
                    torch.nn.init.kaiming_normal_(layer.weight)
                    torch.nn.init.zeros_(layer.bias)
""",
        killed_by=("test_networks_keep_default_init",),
    ),
]
