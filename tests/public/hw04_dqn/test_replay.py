"""Public checks of hw04's replay buffer (``replay.py``): length, circular overwrite, batch shapes and dtypes,
uniform sampling from the filled part only, and reproducibility from the buffer's own seed.

Every transition the checks add carries its number k in every field (obs = [k, −k, …], action = k % 3,
reward = k + 1, next_obs = obs + 0.5, terminated = k % 4 == 3), so a sampled row shows which transition it
came from and whether its fields belong together. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.bandits import binomial_tolerance
from grader.harness.calls import global_rng_digests_of, seed_global_rngs_of
from grader.harness.validate import as_int, as_tensor_array


def transition(k: int, obs_dim: int) -> tuple[np.ndarray, int, float, np.ndarray, bool]:
    obs = np.array([k * (-1.0) ** j for j in range(obs_dim)], dtype=np.float32)
    return obs, k % 3, float(k + 1), obs + 0.5, k % 4 == 3


def sampled_numbers(buffer, batch_size: int, obs_dim: int) -> np.ndarray:
    """Sample once, validate every field, check the rows are whole transitions; return their numbers k."""
    batch = buffer.sample(batch_size)
    what = f"ReplayBuffer.sample({batch_size})"
    obs = as_tensor_array(batch.obs, f"{what}.obs", (batch_size, obs_dim))
    actions = as_tensor_array(batch.actions, f"{what}.actions", (batch_size,), kind="int64")
    rewards = as_tensor_array(batch.rewards, f"{what}.rewards", (batch_size,))
    next_obs = as_tensor_array(batch.next_obs, f"{what}.next_obs", (batch_size, obs_dim))
    terminated = as_tensor_array(batch.terminated, f"{what}.terminated", (batch_size,))
    k = rewards - 1
    numbered = np.isclose(k, np.round(k)) & (k > -0.5)
    if not np.all(numbered):
        i = int(np.argmin(numbered))
        raise AssertionError(
            f"{what}: row {i} has reward {rewards[i]:g}, which no added transition has (transition k was added with "
            f"reward k + 1, k = 0, 1, …): the row is not a stored transition (obs {obs[i].tolist()}, action "
            f"{int(actions[i])}, next_obs {next_obs[i].tolist()}, terminated {terminated[i]:g})"
        )
    for i, number in enumerate(np.round(k).astype(int).tolist()):
        o, a, _, n, d = transition(number, obs_dim)
        fields = {"obs": (obs[i], o), "action": (actions[i], a), "next_obs": (next_obs[i], n)}
        fields["terminated"] = (terminated[i], float(d))
        wrong = [name for name, (got, want) in fields.items() if not np.allclose(got, want)]
        assert not wrong, (
            f"{what}: row {i} has reward {rewards[i]:g}, so it should be transition {number}, added as add(obs="
            f"{o.tolist()}, action={a}, reward={number + 1:g}, next_obs={n.tolist()}, terminated={d}); but its "
            + ", ".join(f"{name} is {np.asarray(fields[name][0]).tolist()}" for name in wrong)
            + " (each field of a sampled row must be what add() received for that transition)"
        )
    return np.round(k).astype(int)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_buffer_wraps_around(impl):
    """ReplayBuffer: len = min(added, capacity); when full, each add overwrites the oldest transition"""
    ReplayBuffer = impl.attr("replay", "ReplayBuffer")
    buffer = ReplayBuffer(5, 2, seed=0)
    for k in range(8):
        buffer.add(*transition(k, 2))
        size = as_int(len(buffer), f"len(buffer) after {k + 1} adds", 0, 10**9)
        assert size == min(k + 1, 5), f"capacity 5: len(buffer) after {k + 1} adds is {size}; expected {min(k + 1, 5)}"
    seen = set(sampled_numbers(buffer, 4000, 2).tolist())
    assert seen == {3, 4, 5, 6, 7}, (
        f"after adding transitions 0..7 to a buffer of capacity 5, 4000 samples came from transitions {sorted(seen)}; "
        "expected exactly {3, 4, 5, 6, 7} (the last 5 added: transitions 5, 6, 7 replace the oldest 0, 1, 2); "
        f"missing {sorted({3, 4, 5, 6, 7} - seen)}, not expected {sorted(seen - {3, 4, 5, 6, 7})}"
        + ("; the buffer kept transitions 0-4 and dropped the later ones" if seen == {0, 1, 2, 3, 4} else "")
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_buffer_sample_shapes_and_uniform(impl):
    """ReplayBuffer.sample: tensor shapes and dtypes, only filled slots, uniform over the stored transitions"""
    ReplayBuffer = impl.attr("replay", "ReplayBuffer")
    buffer = ReplayBuffer(10, 3, seed=1)
    for k in range(4):
        buffer.add(*transition(k, 3))
    batch_size = 8000
    numbers = sampled_numbers(buffer, batch_size, 3)
    assert set(numbers.tolist()) <= {0, 1, 2, 3}, (
        f"a buffer of capacity 10 holding transitions 0-3 sampled transitions {sorted(set(numbers.tolist()))}; "
        "expected only 0-3 (len(buffer) = 4 filled slots)"
    )
    freq = np.bincount(numbers, minlength=4) / batch_size
    tolerance = binomial_tolerance(0.25, batch_size)
    assert np.all(np.abs(freq - 0.25) <= tolerance), (
        f"{batch_size} samples from 4 stored transitions had frequencies {np.round(freq, 4).tolist()}; expected "
        f"0.25 ± {tolerance:.4f} each (uniform with replacement: rng.integers(len(self), size=batch_size))"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(20)
def test_buffer_seeded(impl):
    """ReplayBuffer: the same seed gives the same samples, another seed other ones; np.random is untouched"""
    ReplayBuffer = impl.attr("replay", "ReplayBuffer")
    runs = []
    for seed in (4, 4, 5):
        seed_global_rngs_of(ReplayBuffer, 0)
        before = global_rng_digests_of(ReplayBuffer)
        buffer = ReplayBuffer(50, 2, seed=seed)
        for k in range(30):
            buffer.add(*transition(k, 2))
        runs.append([sampled_numbers(buffer, 16, 2).tolist() for _ in range(3)])
        assert global_rng_digests_of(ReplayBuffer)["numpy"] == before["numpy"], (
            "ReplayBuffer used the global np.random generator; draw from self.rng = np.random.default_rng(seed)"
        )
    assert runs[0] == runs[1], f"two buffers with seed 4 and the same adds sampled {runs[0][0]} and {runs[1][0]}"
    assert runs[0] != runs[2], "buffers with seeds 4 and 5 sampled the same transitions: use the seed argument"
