"""Hidden checks of hw04's replay buffer (``replay.py``), run only by the graders: other capacities, sampling
while the buffer is still filling, several wrap-arounds and a capacity of one."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.validate import as_int, as_tensor_array


def add(buffer, k: int) -> None:
    """Transition k carries k everywhere: obs = [k, 2k, 3k], action = k % 2, reward = 10 k − 5, terminated = k odd."""
    obs = np.array([k, 2 * k, 3 * k], dtype=np.float32)
    buffer.add(obs, k % 2, 10.0 * k - 5.0, obs - 1.0, k % 2 == 1)


def sampled(buffer, batch_size: int) -> set[int]:
    batch = buffer.sample(batch_size)
    rewards = as_tensor_array(batch.rewards, f"sample({batch_size}).rewards", (batch_size,))
    obs = as_tensor_array(batch.obs, f"sample({batch_size}).obs", (batch_size, 3))
    actions = as_tensor_array(batch.actions, f"sample({batch_size}).actions", (batch_size,), kind="int64")
    flags = as_tensor_array(batch.terminated, f"sample({batch_size}).terminated", (batch_size,))
    k = (rewards + 5.0) / 10.0
    assert np.allclose(obs[:, 0], k) and np.array_equal(actions, k % 2) and np.array_equal(flags, k % 2), (
        f"sample({batch_size}) returned rows whose fields come from different transitions (or empty slots)"
    )
    return set(np.round(k).astype(int).tolist())


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_buffer_fill_and_many_wraps(impl):
    """ReplayBuffer(capacity 3): samples only what is stored while filling, and the last 3 after 11 adds"""
    ReplayBuffer = impl.attr("replay", "ReplayBuffer")
    buffer = ReplayBuffer(3, 3, seed=9)
    add(buffer, 1)
    add(buffer, 2)
    got = sampled(buffer, 500)
    assert got == {1, 2}, (
        f"capacity 3 after adding transitions 1, 2: samples came from {sorted(got)}; expected {{1, 2}}"
    )
    for k in range(3, 12):
        add(buffer, k)
    size = as_int(len(buffer), "len(buffer)", 0, 10**9)
    got = sampled(buffer, 2000)
    assert size == 3 and got == {9, 10, 11}, (
        f"capacity 3 after adding transitions 1..11: len = {size}, samples from {sorted(got)}; expected len 3 and "
        "{9, 10, 11} (each add overwrites the oldest slot, the write position wraps around modulo capacity)"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_hidden_buffer_capacity_one(impl):
    """ReplayBuffer(capacity 1) always holds the latest transition"""
    buffer = impl.attr("replay", "ReplayBuffer")(1, 3, seed=2)
    for k in range(1, 5):
        add(buffer, k)
        size = as_int(len(buffer), "len(buffer)", 0, 10**9)
        got = sampled(buffer, 7)
        assert size == 1 and got == {k}, (
            f"capacity 1 after adding transitions 1..{k}: len = {size}, samples from {sorted(got)}; "
            f"expected 1 and {{{k}}}"
        )
