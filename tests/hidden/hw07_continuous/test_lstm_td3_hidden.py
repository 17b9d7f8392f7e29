"""Hidden checks of hw07's memory-based TD3 (``HistoryReplayBuffer``, ``lstm_td3.py``), run only by the graders.

Other numbers than the public checks: a buffer that wraps around (capacity 5, L = 2) over four episodes, one of
them a single step, so the histories of the oldest stored transitions reach steps whose slots were already
overwritten; an encoder with other sizes; learning a longer CueRecall on another seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.calls import seed_global_rngs_of
from grader.harness.continuous_fixtures import LSTM_HPARAMS, call_net
from grader.harness.cue_recall import memoryless_bound
from grader.harness.deep_control import DeepSpec
from grader.harness.envs import make_env
from grader.harness.validate import as_int, as_tensor_array
from grader.oracles.continuous_control import expected_histories

CODES = [10, 11, 12, 20, 30, 31, 32, 33, 40, 41]
ENDS = {12: "terminated", 20: "truncated", 33: "truncated"}


def add(buffer, code: int) -> None:
    obs = np.array([code, -code, 0.5 * code], np.float32)
    action = np.array([code / 100, -code / 100], np.float32)
    buffer.add(obs, action, float(code), obs + 1, ENDS.get(code) == "terminated", ENDS.get(code) == "truncated")


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_hidden_history_buffer_wraps_around(impl):
    """HistoryReplayBuffer (capacity 5, L = 2) over 4 episodes: histories stay whole after their slots are reused"""
    buffer = impl.attr("replay", "HistoryReplayBuffer")(5, 3, 2, 2, seed=0)
    for added, code in enumerate(CODES, start=1):
        add(buffer, code)
        if added not in (4, 10):
            continue
        n = min(added, 5)
        assert as_int(len(buffer), f"len(buffer) after {added} adds", 0, 10**9) == n, f"len after {added} adds"
        batch = buffer.batch(np.arange(n))
        want = expected_histories(CODES[:added], ENDS, 2, 5)
        rewards = as_tensor_array(batch.rewards, "batch.rewards", (n,))
        for prefix in ("", "next_"):
            obs = as_tensor_array(getattr(batch, f"{prefix}hist_obs"), f"batch.{prefix}hist_obs", (n, 2, 3))
            actions = as_tensor_array(getattr(batch, f"{prefix}hist_actions"), f"batch.{prefix}hist_actions", (n, 2, 2))
            lengths = as_tensor_array(getattr(batch, f"{prefix}hist_len"), f"batch.{prefix}hist_len", (n,), "int64")
            for slot in range(n):
                expected = want[slot][f"{prefix}history"]
                h = int(lengths[slot])
                codes = [round(float(v)) for v in obs[slot, : max(h, 0), 0]]
                ok = h == len(expected) and codes == expected and np.all(obs[slot, h:] == 0)
                ok = ok and np.allclose(actions[slot, :h, 0], np.array(expected) / 100)
                assert ok and rewards[slot] == want[slot]["code"][0], (
                    f"after {added} adds (episodes {CODES[:added]}; ends at {ENDS}), slot {slot} holds transition "
                    f"{round(float(rewards[slot]))} with {prefix}history {codes} (hist_len {h}); expected transition "
                    f"{want[slot]['code'][0]} with {prefix}history {expected} — store each transition's history "
                    "when it is added, so it stays whole when older slots are overwritten, and start an empty one "
                    "after a terminated or truncated step"
                )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_hidden_history_encoder_other_sizes(impl):
    """HistoryEncoder(3, 2, memory 4) with L = 6: zeros for h = 0, blind to the padding, reads row 0 first"""
    Encoder = impl.attr("lstm_td3", "HistoryEncoder")
    seed_global_rngs_of(Encoder, 3)
    encoder = Encoder(3, 2, 4)
    rng = np.random.default_rng(51)
    obs, actions = rng.normal(size=(5, 6, 3)).astype(np.float32), rng.normal(size=(5, 6, 2)).astype(np.float32)
    lengths = np.array([0, 2, 4, 6, 1])
    clean_obs, clean_actions = obs.copy(), actions.copy()
    for i, h in enumerate(lengths):
        clean_obs[i, h:], clean_actions[i, h:] = 0, 0
    base = call_net(encoder, (clean_obs, clean_actions, lengths), (5, 4), "HistoryEncoder(3, 2, 4)(...)")
    noisy = call_net(encoder, (obs, actions, lengths), (5, 4), "HistoryEncoder(3, 2, 4)(...) with padding")
    assert np.allclose(base[0], 0) and np.allclose(noisy, base, atol=1e-5), (
        f"HistoryEncoder with hist_len = {lengths.tolist()}: empty history → {np.round(base[0], 4).tolist()} (expected "
        f"zeros); largest change when only the padding changed: {np.abs(noisy - base).max():.3g} (expected 0)"
    )
    alone = call_net(encoder, (clean_obs[1:2, :2], clean_actions[1:2, :2], np.array([2])), (1, 4), "HistoryEncoder")
    assert np.allclose(alone, base[1], atol=1e-5), "a history of 2 rows gave another output once padded to L = 6"


# CueRecall with 8 steps and histories of 7 (the cue stays in view to the last step), another seed.
HIDDEN_LONG_CUE = DeepSpec(
    check="test_hidden_lstm_td3_long_cue",
    module="lstm_td3",
    agent="LSTMTD3Agent",
    env_id="grader.harness.cue_recall:CueRecall-v0",
    steps=4000,
    seed=9,
    low=-1.5,
    semantics="best",
    eval_every=400,
    eval_episodes=20,
    hparams=LSTM_HPARAMS | {"history_length": 7, "learning_starts": 400},
    env_kwargs={"length": 8},
    history=7,
)


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_hidden_lstm_td3_long_cue(impl):
    """LSTM-TD3 recalls the cue over 8 steps (histories of 7): best mean return ≥ −1.5 in 4000 steps"""
    env = make_env(HIDDEN_LONG_CUE.env_id, **HIDDEN_LONG_CUE.env_kwargs)
    bound = memoryless_bound([env.reset(seed=s)[1]["cue"] for s in HIDDEN_LONG_CUE.seeds()[2]], 8)
    HIDDEN_LONG_CUE.assert_learns(
        impl.attr("lstm_td3", "LSTMTD3Agent"),
        f"the best policy of the current observation alone gets {bound:.2f} on these episodes",
    )
