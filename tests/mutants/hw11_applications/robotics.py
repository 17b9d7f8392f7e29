"""Known bugs of hw11's robotics part: the joint angles not accumulated along the chain, the Jacobian's sign or
layout wrong or a joint moving only its own link, the actor's tanh not scaled to the action box, exploration noise
in the evaluated action, the TD3 target bootstrapping from terminal steps, using one critic or the online critics,
and the actor climbing down its critic.

Each mutant patches ``solutions/hw11_applications/robotics.py`` in one place; ``killed_by`` lists the checks
(public or hidden) that must fail for it.
"""

from grader.mutants import Mutant

_A = "hw11_applications"
_F = "robotics.py"
_LEARNING = ("test_td3_reaches_targets", "test_td3_reaches_targets_hidden")
_UPDATE = ("test_update_target", "test_update_target_random")

MUTANTS = [
    Mutant(
        id="robotics-fk-angles-not-cumulative",
        assignment=_A,
        description="forward kinematics uses each joint's own angle q_i as the direction of link i, not q_1 + … + q_i",
        file=_F,
        old="""    phi = np.cumsum(np.asarray(angles, dtype=np.float64))
    links = np.asarray(links, dtype=np.float64)
    return np.array([links @ np.cos(phi), links @ np.sin(phi)])""",
        new="""    phi = np.asarray(angles, dtype=np.float64)
    links = np.asarray(links, dtype=np.float64)
    return np.array([links @ np.cos(phi), links @ np.sin(phi)])""",
        killed_by=("test_forward_kinematics", "test_jacobian", "test_kinematics_random"),
    ),
    Mutant(
        id="robotics-jacobian-transposed",
        assignment=_A,
        description="the Jacobian is returned transposed (rows = joints)",
        file=_F,
        old="    return np.cumsum(columns[:, ::-1], axis=1)[:, ::-1]",
        new="    return np.cumsum(columns[:, ::-1], axis=1)[:, ::-1].T",
        killed_by=("test_jacobian", "test_kinematics_random"),
    ),
    Mutant(
        id="robotics-jacobian-sign",
        assignment=_A,
        description="∂x/∂q uses +sin φ instead of −sin φ",
        file=_F,
        old="    columns = np.stack([-links * np.sin(phi), links * np.cos(phi)])",
        new="    columns = np.stack([links * np.sin(phi), links * np.cos(phi)])",
        killed_by=("test_jacobian", "test_kinematics_random"),
    ),
    Mutant(
        id="robotics-jacobian-own-link-only",
        assignment=_A,
        description="joint j moves only link j (no sum over the links after it)",
        file=_F,
        old="    return np.cumsum(columns[:, ::-1], axis=1)[:, ::-1]",
        new="    return columns",
        killed_by=("test_jacobian", "test_kinematics_random"),
    ),
    Mutant(
        id="robotics-actor-not-scaled",
        assignment=_A,
        description="the actor returns tanh(f(s)) in [−1, 1], not scaled and shifted to the action box",
        file=_F,
        old="        return self.bias + self.scale * torch.tanh(net(obs))",
        new="        return torch.tanh(net(obs))",
        killed_by=("test_act_deterministic_and_bounds", *_UPDATE),
    ),
    Mutant(
        id="robotics-noise-when-deterministic",
        assignment=_A,
        description="act(obs, deterministic=True) also adds exploration noise",
        file=_F,
        old="""        if deterministic:
            return action.astype(np.float32)
        noise""",
        new="""        noise""",
        killed_by=("test_act_deterministic_and_bounds",),
    ),
    Mutant(
        id="robotics-target-no-terminal-mask",
        assignment=_A,
        description="the TD3 target bootstraps from terminal steps (no (1 − terminated))",
        file=_F,
        old="    return (rewards + gamma * (1.0 - terminated) * torch.minimum(next_q1, next_q2)).detach()",
        new="    return (rewards + gamma * torch.minimum(next_q1, next_q2)).detach()",
        killed_by=("test_td3_target", *_UPDATE),
    ),
    Mutant(
        id="robotics-target-q1-only",
        assignment=_A,
        description="the TD3 target uses Q'1 only instead of min(Q'1, Q'2)",
        file=_F,
        old="    return (rewards + gamma * (1.0 - terminated) * torch.minimum(next_q1, next_q2)).detach()",
        new="    return (rewards + gamma * (1.0 - terminated) * next_q1).detach()",
        killed_by=("test_td3_target", *_UPDATE),
    ),
    Mutant(
        id="robotics-target-online-critics",
        assignment=_A,
        description="the target is computed with the online critics instead of the target critics",
        file=_F,
        old="""            next_q1 = self.q(self.critic1_target, next_obs, next_actions)
            next_q2 = self.q(self.critic2_target, next_obs, next_actions)""",
        new="""            next_q1 = self.q(self.critic1, next_obs, next_actions)
            next_q2 = self.q(self.critic2, next_obs, next_actions)""",
        killed_by=_UPDATE,
    ),
    Mutant(
        id="robotics-actor-loss-sign",
        assignment=_A,
        description="the actor minimises Q1(s, μ(s)) (loss +Q instead of −Q)",
        file=_F,
        old="            actor_loss = -self.q(self.critic1, obs, self.policy(obs)).mean()",
        new="            actor_loss = self.q(self.critic1, obs, self.policy(obs)).mean()",
        killed_by=_LEARNING,
    ),
]
