"""Public checks of hw04's DQN pieces (``dqn.py``) and of the agent that puts them together.

Exact checks give your functions fixture networks with known weights, linear Q(s) = W s + b with 2-d states
and 3 actions (below), so every expected number can be worked out by hand. The agent checks drive your
``DQNAgent`` the way the grader's loop does (``act`` then ``observe``) and recompute its loss with the grader's
own code. The learning check trains your agent on CartPole-v1 with the grader's loop
(``grader/harness/deep_control.py``). Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import seed_global_rngs_of
from grader.harness.deep_control import DeepSpec
from grader.harness.dqn_fixtures import (
    DQN_HPARAMS,
    check_train_step,
    linear_q,
    loss_from_your_functions,
    make_agent,
    net_q_values,
    parameters,
    same_parameters,
)
from grader.harness.initialisation import assert_default_linear_init
from grader.harness.validate import as_float, as_int, as_named_parameters, as_tensor_array, matching_cause

# Fixture networks: Q_online(s) = [s0, s1, s0 + s1 − 1] and Q_target(s) = [s0/2 + 1, 2 s1, s1 − s0].
ONLINE = ([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0, 0.0, -1.0])
TARGET = ([[0.5, 0.0], [0.0, 2.0], [-1.0, 1.0]], [1.0, 0.0, 0.0])
# The batch: an ordinary step, a terminated one, a truncated one (stored with terminated = 0: it still
# bootstraps) and another ordinary one; γ = 0.9.
REWARDS = [1.0, -1.0, 0.5, 0.0]
NEXT_OBS = [[2.0, 1.5], [-1.0, 2.0], [3.0, 0.0], [0.0, 1.0]]
TERMINATED = [0.0, 1.0, 0.0, 0.0]
GAMMA = 0.9
# s' = [2, 1.5]: Q_online = [2, 1.5, 2.5] (argmax 2), Q_target = [2, 3, −0.5] (max 3)
# s' = [−1, 2]: terminated, target = r = −1 (bootstrapping would give −1 + 0.9 · 4 = 2.6)
# s' = [3, 0]:  Q_online = [3, 0, 2] (argmax 0), Q_target = [2.5, 0, −3] (max 2.5)
# s' = [0, 1]:  Q_online = [0, 1, 0] (argmax 1), Q_target = [1, 2, 1] (max 2)
DQN_TARGETS = [3.7, -1.0, 2.75, 1.8]  # r + γ max_a Q_target(s', a)
DOUBLE_TARGETS = [0.55, -1.0, 2.75, 1.8]  # r + γ Q_target(s', argmax_a Q_online(s', a))
ONLINE_MAX_TARGETS = [3.25, -1.0, 3.2, 0.9]  # r + γ max_a Q_online(s', a): no target network
# What some mistakes give, named in a message only when the output equals one of them:
NO_MASK_TARGETS = [3.7, 2.6, 2.75, 1.8]  # the terminated step bootstraps: −1 + 0.9 · 4
SWAPPED_DOUBLE_TARGETS = [2.35, -1.0, 3.2, 0.9]  # the target net picks the action, the online net values it


def batch_tensors() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return torch.tensor(REWARDS), torch.tensor(NEXT_OBS), torch.tensor(TERMINATED)


# ---------------------------------------------------------------------------------------------------
# Pure functions on given tensors
# ---------------------------------------------------------------------------------------------------


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_linear_epsilon(impl):
    """linear_epsilon: start at step 0, linear in between, end from step = duration on"""
    linear_epsilon = impl.attr("dqn", "linear_epsilon")
    cases = (((0, 1.0, 0.05, 1000), 1.0), ((250, 1.0, 0.5, 500), 0.75), ((1000, 1.0, 0.05, 1000), 0.05))
    cases += (((5000, 1.0, 0.05, 1000), 0.05), ((3, 0.3, 0.1, 0), 0.1))
    for args, expected in cases:
        got = as_float(linear_epsilon(*args), f"linear_epsilon{args}")
        assert abs(got - expected) <= 1e-12, (
            f"linear_epsilon(step={args[0]}, start={args[1]}, end={args[2]}, duration={args[3]}) = {got}; expected "
            f"{expected} (start + (end − start)·min(step / duration, 1); duration ≤ 0 means end right away)"
        )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_q_of_actions(impl):
    """q_of_actions picks Q(s_i, a_i) from row i (gather along the action dimension) and keeps the gradient"""
    q_of_actions = impl.attr("dqn", "q_of_actions")
    q = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    actions = torch.tensor([2, 0, 1])
    out = q_of_actions(q, actions)
    got = as_tensor_array(out, "q_of_actions(q (3, 3), actions [2, 0, 1])", (3,))
    assert np.array_equal(got, [3.0, 4.0, 8.0]), (
        f"q_of_actions(q = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], actions = [2, 0, 1]) = {got.tolist()}; expected "
        "[3, 4, 8] = [q[0, 2], q[1, 0], q[2, 1]]: gather along dim 1 (the actions), not dim 0 (the batch) "
        "([7, 2, 6] would be gather along dim 0)"
    )
    assert out.requires_grad, "q_of_actions must keep the gradient of q_values (the loss trains the online net)"
    out.sum().backward()
    assert np.array_equal(q.grad.numpy(), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]), "the gradient must reach q[i, a_i]"
    wide = q_of_actions(torch.arange(10.0).reshape(2, 5), torch.tensor([4, 1]))
    got = as_tensor_array(wide, "q_of_actions(q (2, 5), actions [4, 1])", (2,))
    assert np.array_equal(got, [4.0, 6.0]), f"q_of_actions on a (2, 5) batch gave {got.tolist()}; expected [4, 6]"


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_dqn_targets(impl):
    """dqn_targets = r + γ (1 − terminated) max_a Q_target(s', a) on a batch with a terminal step"""
    dqn_targets = impl.attr("dqn", "dqn_targets")
    out = dqn_targets(*batch_tensors(), linear_q(*TARGET), GAMMA)
    got = as_tensor_array(out, "dqn_targets(...)", (4,))
    assert np.allclose(got, DQN_TARGETS, rtol=0, atol=1e-5), (
        f"dqn_targets with r = {REWARDS}, s' = {NEXT_OBS}, terminated = {TERMINATED}, γ = {GAMMA} and the target net "
        f"Q_target(s) = [s0/2 + 1, 2 s1, s1 − s0]: got {np.round(got, 5).tolist()}; expected {DQN_TARGETS} "
        "(y = r + γ (1 − terminated) max_a Q_target(s', a); the terminated step gives r = −1)"
        + matching_cause(got, {"bootstrapping the terminated step (no (1 − terminated) factor)": NO_MASK_TARGETS}, 1e-5)
    )


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_double_dqn_targets(impl):
    """double_dqn_targets: the online net picks argmax_a Q(s', a), the target net evaluates it"""
    double_dqn_targets = impl.attr("dqn", "double_dqn_targets")
    out = double_dqn_targets(*batch_tensors(), linear_q(*ONLINE), linear_q(*TARGET), GAMMA)
    got = as_tensor_array(out, "double_dqn_targets(...)", (4,))
    assert np.allclose(got, DOUBLE_TARGETS, rtol=0, atol=1e-5), (
        f"double_dqn_targets with r = {REWARDS}, s' = {NEXT_OBS}, terminated = {TERMINATED}, γ = {GAMMA}, "
        "Q_online(s) = [s0, s1, s0 + s1 − 1], Q_target(s) = [s0/2 + 1, 2 s1, s1 − s0]: got "
        f"{np.round(got, 5).tolist()}; expected {DOUBLE_TARGETS}. For s' = [2, 1.5] the online net picks action 2 "
        "and the target net values it −0.5 (target 0.55)"
        + matching_cause(
            got,
            {
                "the target net's own max (plain DQN)": DQN_TARGETS,
                "letting the target net pick the action and the online net value it": SWAPPED_DOUBLE_TARGETS,
                "the online net's own max (no target net)": ONLINE_MAX_TARGETS,
            },
            1e-5,
        )
    )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_targets_carry_no_gradient(impl):
    """dqn_targets and double_dqn_targets return labels without gradient; no gradient reaches the nets"""
    for name in ("dqn_targets", "double_dqn_targets"):
        online, target = linear_q(*ONLINE), linear_q(*TARGET)
        nets = (target,) if name == "dqn_targets" else (online, target)
        out = impl.attr("dqn", name)(*batch_tensors(), *nets, GAMMA)
        as_tensor_array(out, f"{name}(...)", (4,))
        assert not out.requires_grad, (
            f"{name}(...) returned a tensor that requires grad: compute the targets inside torch.no_grad() "
            "(or .detach() them); otherwise loss.backward() sends gradient into the target network"
        )
        assert all(p.grad is None for n in nets for p in n.parameters()), f"{name} must not call backward()"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_huber_loss(impl):
    """dqn_loss: mean Huber loss (quadratic for |error| ≤ 1, linear beyond) with its gradient"""
    dqn_loss = impl.attr("dqn", "dqn_loss")
    predicted = torch.tensor([0.0, 1.0, 3.0], requires_grad=True)
    targets = torch.tensor([0.5, -1.0, 3.0])
    out = dqn_loss(predicted, targets)
    got = float(as_tensor_array(out, "dqn_loss(predicted, targets)", ()))
    assert abs(got - 0.5416667) <= 1e-5, (
        f"dqn_loss(predicted = [0, 1, 3], targets = [0.5, −1, 3]) = {got:.6g}; expected (0.125 + 1.5 + 0) / 3 = "
        "0.541667 (Huber: x²/2 for |x| ≤ 1, |x| − 0.5 beyond, averaged over the batch)"
        + matching_cause(
            np.array([got]),
            {"the mean squared error": [(0.25 + 4.0) / 3], "the sum instead of the mean": [1.625]},
            1e-5,
        )
    )
    out.backward()
    grad = as_tensor_array(predicted.grad, "the gradient of dqn_loss", (3,))
    assert np.allclose(grad, [-1 / 6, 1 / 3, 0.0], atol=1e-6), f"d loss / d predicted = {grad}; expected [−1/6, 1/3, 0]"


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_dueling_aggregate(impl):
    """DuelingQNetwork: Q = V + A − mean_a A on given tensors, and forward = aggregate(*streams(obs))"""
    DuelingQNetwork = impl.attr("dqn", "DuelingQNetwork")
    value = torch.tensor([[1.0], [-2.0]])
    advantage = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 3.0]])
    got = as_tensor_array(DuelingQNetwork.aggregate(value, advantage), "DuelingQNetwork.aggregate(V, A)", (2, 3))
    expected = [[0.0, 1.0, 2.0], [-3.0, -3.0, 0.0]]
    assert np.allclose(got, expected, atol=1e-6), (
        f"aggregate(V = [[1], [−2]], A = [[1, 2, 3], [0, 0, 3]]) = {got.tolist()}; expected {expected} "
        "(V + A − mean over actions of A)"
        + matching_cause(got, {"V + A without subtracting the mean": [[2.0, 3.0, 4.0], [-2.0, -2.0, 1.0]]}, 1e-6)
    )
    seed_global_rngs_of(DuelingQNetwork, 0)
    net = DuelingQNetwork(4, 3, (16, 16))
    obs = torch.randn(5, 4)
    v, a = net.streams(obs)
    v = as_tensor_array(v, "DuelingQNetwork.streams(obs)[0] (value)", (5, 1))
    a = as_tensor_array(a, "DuelingQNetwork.streams(obs)[1] (advantage)", (5, 3))
    q = net_q_values(net, obs.numpy(), 3, "DuelingQNetwork(4, 3)(obs)")
    assert np.allclose(q, v + a - a.mean(axis=1, keepdims=True), atol=1e-5), (
        "DuelingQNetwork.forward(obs) differs from V + A − mean A of its own streams(obs)"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_q_networks_keep_default_init(impl):
    """QNetwork and DuelingQNetwork keep PyTorch's default nn.Linear initialisation (the learning budgets assume it)"""
    for name in ("QNetwork", "DuelingQNetwork"):
        network = impl.attr("dqn", name)
        seed_global_rngs_of(network, 0)
        params = as_named_parameters(network(4, 2, (64, 64)), f"{name}(4, 2, (64, 64))")
        assert_default_linear_init(
            params,
            f"{name}(4, 2, (64, 64))",
            "with He/Kaiming initialisation a correct agent missed the CartPole bar on 2 of 11 seeds",
        )


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_polyak_update(impl):
    """polyak_update: θ⁻ ← τ θ + (1 − τ) θ⁻ in place (τ = 0.1), τ = 1 is a hard copy, the online net is unchanged"""
    polyak_update = impl.attr("dqn", "polyak_update")
    online, target = linear_q(*ONLINE), linear_q(*TARGET)
    tensors = list(target.parameters())
    polyak_update(target, online, 0.1)
    w = as_tensor_array(target.weight, "target.weight after polyak_update", (3, 2))
    b = as_tensor_array(target.bias, "target.bias after polyak_update", (3,))
    want_w = 0.1 * np.array(ONLINE[0]) + 0.9 * np.array(TARGET[0])
    want_b = 0.1 * np.array(ONLINE[1]) + 0.9 * np.array(TARGET[1])
    assert np.allclose(w, want_w, atol=1e-6) and np.allclose(b, want_b, atol=1e-6), (
        f"polyak_update(target, online, tau=0.1) with target bias {TARGET[1]} and online bias {ONLINE[1]} gave "
        f"target bias {np.round(b, 6).tolist()}; expected {np.round(want_b, 6).tolist()} = 0.1 · online + 0.9 · target"
        + matching_cause(
            b,
            {
                "0.9 · online + 0.1 · target (τ and 1 − τ swapped)": 0.9 * np.array(ONLINE[1])
                + 0.1 * np.array(TARGET[1])
            },
            1e-6,
        )
    )
    assert all(p is q for p, q in zip(target.parameters(), tensors, strict=True)), (
        "polyak_update must change the target's parameters in place (param.data / copy_ / mul_ under no_grad), "
        "not replace them"
    )
    assert same_parameters(parameters(online, "online"), [np.array(ONLINE[0]), np.array(ONLINE[1])]), (
        "polyak_update changed the online net"
    )
    polyak_update(target, online, 1.0)
    assert same_parameters(parameters(target, "target"), parameters(online, "online"), atol=1e-7), (
        "polyak_update(target, online, tau=1) must copy the online parameters exactly"
    )
    assert all(p.grad is None for p in target.parameters()), "polyak_update must not create gradients"


# ---------------------------------------------------------------------------------------------------
# The agent, driven like the grader's loop drives it
# ---------------------------------------------------------------------------------------------------


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_epsilon_decays_while_acting(impl):
    """DQNAgent.epsilon decays with the env steps it observes; act() explores with it and is greedy at ε = 0"""
    agent = make_agent(impl, eps_start=1.0, eps_end=0.0, eps_duration=400, learning_starts=10**9)
    rng = np.random.default_rng(0)
    differ = 0
    for step in range(600):
        eps = as_float(agent.epsilon, f"agent.epsilon after {step} observe() calls")
        want = max(1.0 - step / 400, 0.0)
        assert abs(eps - want) <= 1e-9, (
            f"DQNAgent(eps_start=1, eps_end=0, eps_duration=400).epsilon after {step} observe() calls is {eps}; "
            f"expected {want:g} = linear_epsilon(step, 1, 0, 400): count env steps in observe()"
        )
        obs = rng.normal(size=4).astype(np.float32)
        action = as_int(agent.act(obs), "agent.act(obs)", 0, 2)
        greedy = as_int(agent.act(obs, deterministic=True), "agent.act(obs, deterministic=True)", 0, 2)
        if step < 100:
            differ += action != greedy
        else:
            assert step < 400 or action == greedy, f"with ε = 0 (step {step}) act(obs) must be the greedy action"
        agent.observe(obs, action, 1.0, rng.normal(size=4).astype(np.float32), False, False)
    # In the first 100 steps ε averages 0.876; a random action differs from the greedy one half of the time.
    tolerance = binomial_tolerance(0.438, 100)
    assert abs(differ / 100 - 0.438) <= tolerance, (
        f"in the first 100 steps (ε from 1 to 0.75) act(obs) differed from the greedy action {differ} times; "
        f"expected about 43.8 ± {100 * tolerance:.0f} (explore with probability ε, uniformly over both actions)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_truncated_step_is_stored_as_not_terminated(impl):
    """DQNAgent.observe stores a truncated step with terminated = 0 (a time limit is not a terminal state)"""
    agent = make_agent(impl, learning_starts=10**9)
    steps = ((1.0, False, False), (2.0, False, True), (3.0, True, False))  # reward marks the step
    for reward, terminated, truncated in steps:
        agent.observe(np.full(4, reward, np.float32), 1, reward, np.zeros(4, np.float32), terminated, truncated)
    size = as_int(len(agent.buffer), "len(agent.buffer) after 3 observe() calls", 0, 10**9)
    assert size == 3, f"after 3 observe() calls len(agent.buffer) = {size}; expected 3"
    batch = agent.buffer.sample(300)
    rewards = as_tensor_array(batch.rewards, "agent.buffer.sample(300).rewards", (300,))
    flags = as_tensor_array(batch.terminated, "agent.buffer.sample(300).terminated", (300,))
    for reward, terminated, truncated in steps:
        rows = flags[rewards == reward]
        kind = "terminated" if terminated else "truncated" if truncated else "ordinary"
        assert rows.size and np.all(rows == float(terminated)), (
            f"the {kind} step (terminated={terminated}, truncated={truncated}) is stored with terminated = "
            f"{sorted(set(rows.tolist()))}; expected {float(terminated)}: store `terminated` only, a truncated "
            "step still bootstraps from s'"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(20)
def test_train_step_dqn_and_double(impl):
    """DQNAgent.train_step: the Huber loss of your q_net against your targets (DQN and Double DQN); only q_net moves"""
    for double in (False, True):
        check_train_step(impl, double, loss_from_your_functions(impl))


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_target_update_schedule(impl):
    """DQNAgent.observe: the target net is frozen between updates, copied every C steps (τ = 1) or blended (τ < 1)"""
    for tau in (1.0, 0.3):
        agent = make_agent(impl, learning_starts=4, train_every=1, batch_size=4, target_update_every=10, tau=tau)
        rng = np.random.default_rng(2)
        initial = parameters(agent.target_net, "agent.target_net")
        for step in range(1, 21):
            before = parameters(agent.target_net, "agent.target_net")
            obs, next_obs = rng.normal(size=4).astype(np.float32), rng.normal(size=4).astype(np.float32)
            agent.observe(obs, int(rng.integers(2)), float(rng.normal()), next_obs, False, False)
            after = parameters(agent.target_net, "agent.target_net")
            online = parameters(agent.q_net, "agent.q_net")
            if step % 10:
                assert same_parameters(after, before), (
                    f"target_update_every=10: the target net changed at step {step}; update it only when "
                    "step % target_update_every == 0"
                )
                continue
            blended = [tau * o + (1 - tau) * t for o, t in zip(online, before, strict=True)]
            assert same_parameters(after, blended, atol=1e-6), (
                f"at step {step} (target_update_every=10, tau={tau}) the target net is not τ·θ + (1 − τ)·θ⁻ of the "
                "online net after this step's training and the target before it"
                + ("; it never changed: call polyak_update on schedule" if same_parameters(after, initial) else "")
            )
        assert not same_parameters(online, initial), "q_net did not train from step learning_starts=4 on"


# ---------------------------------------------------------------------------------------------------
# Learning check: the grader's loop and evaluation, fixed seed and budget, calibrated threshold
# ---------------------------------------------------------------------------------------------------

# Calibration (30 unseen seeds 1000-1029, rlgrade calibrate hw04 → calibration/hw04_dqn.md, one worker). With the
# threshold at 475 (the aim) the reference's best evaluation within 60k steps was 467.9 ± 94.2 (worst 152.9), 27/30
# pass: 3 seeds collapse to a greedy return ≈ 20 after ≈ 17k steps and never recover within 60k (seed 1008 peaks at
# 153, 1017 at 265; a 50k buffer or lr 5e-4 did not fix both), so ≥ 475 is not reliable within 60 s on one core.
# At the threshold 150:
# 30/30 pass after 3.7k ± 1.7k env steps (2.5k/5k/7.5k on 19/8/3 seeds): budget margin (60k − mean) / sd = +33 sd
# (false fail ≈ 0 by the normal estimate; exact 95 % bound 9.5 %). The value of a passing run (217.6 ± 83.6, worst
# 150.3) is cut at the threshold, so its +0.8 sd means little. 1.5 CPU s per run (max 3.4; a run that never passes
# costs ≈ 25 s). Random play ≈ 20.
# Mutants (10 seeds): DQN10-target-never-updated 22.2 ± 15.9 (best 61.8), 0/10 pass. DQN3-no-terminal-mask and
# DQN1 (the DQN branch; this check runs Double DQN) pass on 5/5 pilot seeds: the exact checks catch them.
DQN_CARTPOLE = DeepSpec(
    check="test_dqn_cartpole",
    module="dqn",
    agent="DQNAgent",
    env_id="CartPole-v1",
    steps=60_000,
    seed=1,
    low=150.0,
    semantics="best",
    eval_every=2500,
    eval_episodes=10,
    hparams=DQN_HPARAMS,
)


@pytest.mark.points(10)
@pytest.mark.timeout(120)
def test_dqn_cartpole(impl):
    """Double DQN learns CartPole-v1: best mean greedy return ≥ 150 over 10 episodes within 60k env steps"""
    DQN_CARTPOLE.assert_learns(
        impl.attr("dqn", "DQNAgent"),
        "the grader evaluates act(obs, deterministic=True) every 2500 steps and stops at the first evaluation "
        "≥ 150; a correct agent gets there within 2.5k-7.5k steps on most seeds (random play ≈ 20). A learning "
        "check cannot tell which part is wrong: the exact checks of each piece (targets, loss, gather, target "
        "update, train_step) can, and the hidden checks repeat them",
    )
