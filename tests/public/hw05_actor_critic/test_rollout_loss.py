"""Public checks of hw05's rollout buffer and A2C loss (``a2c.py``): reset steps, targets, the loss and its gradients.

The rollout checks feed your ``RolloutBuffer`` what a vector env returns, including the reset step that follows
an episode end (README, "The autoreset trap"), and compare with hand-worked numbers. The loss check gives
``a2c_loss`` tensors whose gradients are worked out by hand. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.validate import as_float_array, as_int, as_tensor_array, mismatch

# Three envs, rollouts of 3 steps, 2-d observations obs = [10·rollout + step, env] (so every row is recognisable).
# Env 0 terminates at step 0 (its step 1 is a reset step); env 1 is truncated at step 2, the LAST step of the
# first rollout (so the first step of the second rollout is its reset step); env 2 terminates at step 1 of the
# second rollout (its step 2 there is a reset step).
FIRST_ROLLOUT = [  # (terminated, truncated) per step
    ([True, False, False], [False, False, False]),
    ([False, False, False], [False, False, False]),
    ([False, False, False], [False, True, False]),
]
SECOND_ROLLOUT = [
    ([False, False, False], [False, False, False]),
    ([False, False, True], [False, False, False]),
    ([False, False, False], [False, False, False]),
]
VALID_FIRST = [[True, True, True], [False, True, True], [True, True, True]]
VALID_SECOND = [[True, False, True], [True, True, True], [True, True, False]]


def observation(rollout: int, step: int) -> np.ndarray:
    return np.array([[10.0 * rollout + step, i] for i in range(3)], dtype=np.float32)


def fill(buffer, rollout: int, flags) -> None:
    for step, (terminated, truncated) in enumerate(flags):
        buffer.add(
            observation(rollout, step),
            np.array([step, 1, 0], dtype=np.int64),
            np.array([1.0, 2.0, 3.0]) * (step + 1),
            np.array(terminated),
            np.array(truncated),
        )


def read_valid(buffer, what: str) -> np.ndarray:
    valid = buffer.valid
    if type(valid) is not np.ndarray or valid.dtype != np.bool_ or valid.shape != (3, 3):
        raise AssertionError(f"{what} must be a bool numpy array of shape (3, 3), got {valid!r:.80}")
    return valid.copy()


@pytest.mark.points(5)
@pytest.mark.timeout(10)
def test_rollout_buffer_marks_reset_steps(impl):
    """RolloutBuffer: rows in time order, full after T steps; a step after an episode end is invalid, across rollouts"""
    buffer = impl.attr("a2c", "RolloutBuffer")(3, 3, (2,))
    fill(buffer, 0, FIRST_ROLLOUT)
    assert buffer.full() is True, "RolloutBuffer(n_steps=3, ...).full() must be True after 3 add() calls"
    obs = as_float_array(buffer.obs, "buffer.obs", (3, 3, 2))
    for step in range(3):
        assert np.array_equal(obs[step], observation(0, step)), (
            f"buffer.obs[{step}] = {obs[step].tolist()}; expected the observations of add() call {step + 1}, "
            f"{observation(0, step).tolist()} (row t holds step t of every env)"
        )
    rewards = as_float_array(buffer.rewards, "buffer.rewards", (3, 3))
    assert np.allclose(rewards[2], [3.0, 6.0, 9.0]), f"buffer.rewards[2] = {rewards[2].tolist()}; expected [3, 6, 9]"
    actions = buffer.actions
    assert type(actions) is np.ndarray and actions.dtype == np.int64 and actions.shape == (3, 3), (
        "buffer.actions of a discrete rollout must be an int64 array of shape (n_steps, n_envs)"
    )
    valid = read_valid(buffer, "buffer.valid")
    assert np.array_equal(valid, VALID_FIRST), (
        f"after a rollout in which env 0 terminated at step 0, buffer.valid = {valid.tolist()}; expected "
        f"{VALID_FIRST}: env 0's step 1 is the vector env's reset step (its action was ignored, its obs is the "
        "final observation of the last episode), so it is not a transition to learn from"
    )
    buffer.clear()
    assert as_int(buffer.step, "buffer.step after clear()", 0, 4) == 0, "clear() must set step = 0"
    assert buffer.full() is False, "full() must be False right after clear()"
    fill(buffer, 1, SECOND_ROLLOUT)
    valid = read_valid(buffer, "buffer.valid of the second rollout")
    assert np.array_equal(valid, VALID_SECOND), (
        f"second rollout: buffer.valid = {valid.tolist()}; expected {VALID_SECOND}. Env 1 was truncated at the "
        "LAST step of the first rollout, so its first step here is a reset step (clear() must keep which envs "
        "just ended); env 2 terminated at step 1, so its step 2 is one"
    )


# The hand-worked rollout of test_advantages.py (4 steps × 3 envs, γ = λ = 0.5): env 0 terminates and env 1 is
# truncated at step 1; step 2 is their reset step, so obs[2] is the final observation and values[2] = 6 is its V.
REWARDS = [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
VALUES = [[2.0, 2.0, 2.0], [4.0, 4.0, 4.0], [6.0, 6.0, 6.0], [2.0, 2.0, 2.0]]
LAST_VALUES = [4.0, 4.0, 4.0]
ADVANTAGES = [[0.5, 1.25, 0.953125], [-2.0, 1.0, -0.1875], [-4.75, -4.75, -4.75], [1.0, 1.0, 1.0]]
RETURNS = [[2.5, 3.25, 2.953125], [2.0, 5.0, 3.8125], [1.25, 1.25, 1.25], [3.0, 3.0, 3.0]]  # A + V


@pytest.mark.points(3)
@pytest.mark.timeout(10)
def test_buffer_advantages_and_returns(impl):
    """RolloutBuffer.advantages_and_returns: GAE of the stored rollout with given values, and R = A + V"""
    buffer = impl.attr("a2c", "RolloutBuffer")(4, 3, (2,))
    for step, rewards in enumerate(REWARDS):
        buffer.add(
            np.zeros((3, 2), np.float32),
            np.zeros(3, np.int64),
            np.array(rewards),
            np.array([step == 1, False, False]),
            np.array([False, step == 1, False]),
        )
    out = buffer.advantages_and_returns(np.array(VALUES), np.array(LAST_VALUES), 0.5, 0.5)
    if type(out) is not tuple or len(out) != 2:
        raise AssertionError(f"advantages_and_returns must return a pair (advantages, returns), got {out!r:.80}")
    advantages = as_float_array(out[0], "the advantages returned by advantages_and_returns", (4, 3))
    returns = as_float_array(out[1], "the returns returned by advantages_and_returns", (4, 3))
    setting = (
        f"a rollout with rewards {REWARDS} (env 0 terminated and env 1 truncated at step 1), values {VALUES}, "
        f"last_values {LAST_VALUES}, γ = λ = 0.5"
    )
    assert np.allclose(advantages, ADVANTAGES, rtol=0, atol=1e-5), (
        f"advantages_and_returns on {setting}: advantages {np.round(advantages, 6).tolist()}; expected {ADVANTAGES} "
        f"({mismatch(advantages, np.asarray(ADVANTAGES), advantages, 'entry ')}); see test_advantages.py for the "
        "hand-worked numbers"
    )
    assert np.allclose(returns, RETURNS, rtol=0, atol=1e-5), (
        f"advantages_and_returns on {setting}: returns {np.round(returns, 6).tolist()}; expected A + values = "
        f"{RETURNS} "
        f"({mismatch(returns, np.asarray(RETURNS), returns, 'entry ')})"
    )


# a2c_loss on B = 4 steps: log π(a|s) = [−0.5, −1, −2, −0.25], entropies [0.6, 0.5, 0.7, 0.2], V = [1, 2, 0, −1],
# R = [2, 1, 1, −1], A = R − V = [1, −1, 1, 0] (passed WITH its graph to V and R), vf_coef = 0.5, ent_coef = 0.1.
# policy = −(−0.5·1 − 1·(−1) − 2·1 − 0.25·0)/4 = 0.375; value = (1 + 1 + 1 + 0)/4 = 0.75; entropy = 2/4 = 0.5;
# total = 0.375 + 0.5·0.75 − 0.1·0.5 = 0.7.
# Gradients: d/d log π = −A/4 = [−0.25, 0.25, −0.25, 0]; d/d H = −0.1/4 = −0.025 each; d/d V = 0.5·2(V − R)/4 =
# [−0.25, 0.25, −0.25, 0] (with A not detached, the policy term adds +log π/4); d/d R = 0 (R and A are constants).
LOSS_PARTS = {"total": 0.7, "policy_loss": 0.375, "value_loss": 0.75, "entropy_mean": 0.5}
# Totals of common bugs (same inputs): the entropy bonus added, 0.375 + 0.375 + 0.05; vf_coef left out,
# 0.375 + 0.75 − 0.05; the parts summed over the batch instead of averaged, 4 · 0.7.
WRONG_TOTALS = {0.8: "the entropy bonus has the wrong sign", 1.075: "vf_coef is missing", 2.8: "sums instead of means"}
GRADS = {
    "log_probs": [-0.25, 0.25, -0.25, 0.0],
    "entropy": [-0.025, -0.025, -0.025, -0.025],
    "values": [-0.25, 0.25, -0.25, 0.0],
    "returns": [0.0, 0.0, 0.0, 0.0],
}
# Gradients of common bugs (same inputs), each singled out by its numbers: (input, gradient, cause).
CAUSES = [
    ("values", [-0.375, 0.0, -0.75, -0.0625], "the policy term sends gradient into the critic: detach the advantages"),
    ("returns", [0.125, 0.25, 0.5, 0.0625], "the policy term sends gradient into R through A: detach the advantages"),
    ("returns", [0.25, -0.25, 0.25, 0.0], "the value loss sends gradient into R: detach the returns (fixed targets)"),
    ("returns", [0.375, 0.0, 0.75, 0.0625], "gradient flows into R through both terms: detach A and R"),
    ("entropy", [0.025] * 4, "the entropy bonus has the wrong sign: total = … − ent_coef · entropy_mean"),
]


@pytest.mark.points(5)
@pytest.mark.timeout(10)
def test_a2c_loss_value_and_gradients(impl):
    """a2c_loss: the four parts on given tensors, and gradients: no policy gradient into V, none into R, entropy sign"""
    leaves = {
        "log_probs": torch.tensor([-0.5, -1.0, -2.0, -0.25], requires_grad=True),
        "entropy": torch.tensor([0.6, 0.5, 0.7, 0.2], requires_grad=True),
        "values": torch.tensor([1.0, 2.0, 0.0, -1.0], requires_grad=True),
        "returns": torch.tensor([2.0, 1.0, 1.0, -1.0], requires_grad=True),
    }
    advantages = leaves["returns"] - leaves["values"]
    out = impl.attr("a2c", "a2c_loss")(
        leaves["log_probs"], leaves["entropy"], leaves["values"], advantages, leaves["returns"], 0.5, 0.1
    )
    if type(out) is not tuple or len(out) != 4:
        raise AssertionError(f"a2c_loss must return 4 scalar tensors (total, policy, value, entropy), got {out!r:.80}")
    setting = (
        "a2c_loss(log_probs = [−0.5, −1, −2, −0.25], entropy = [0.6, 0.5, 0.7, 0.2], values = [1, 2, 0, −1], "
        "advantages = returns − values = [1, −1, 1, 0], returns = [2, 1, 1, −1], vf_coef = 0.5, ent_coef = 0.1)"
    )
    for (name, want), tensor in zip(LOSS_PARTS.items(), out, strict=True):
        got = float(as_tensor_array(tensor, f"the {name} returned by a2c_loss", ()))
        named = [cause for total, cause in WRONG_TOTALS.items() if name == "total" and abs(got - total) <= 1e-6]
        assert abs(got - want) <= 1e-6, (
            f"{setting}: {name} = {got:.7g}; expected {want} (see this check's comments)"
            + (f" — the total of this bug: {named[0]}" if named else "")
        )
    out[0].backward()
    for name, want in GRADS.items():
        tensor = leaves[name]
        got = np.zeros(4) if tensor.grad is None else as_tensor_array(tensor.grad, f"d total / d {name}", (4,))
        causes = [cause for of, grad, cause in CAUSES if of == name and np.allclose(got, grad, atol=1e-6)]
        hint = f"; {causes[0]}" if causes else ""
        assert np.allclose(got, want, rtol=0, atol=1e-6), (
            f"{setting}: the gradient of total w.r.t. {name} is {np.round(got, 6).tolist()}; expected {want} "
            f"({mismatch(got, np.asarray(want), got, 'entry ')}){hint}"
        )
