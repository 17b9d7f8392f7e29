"""Public checks of hw05's targets (``advantages.py``): GAE(λ) and n-step returns on hand-worked rollouts.

Every expected number below is worked out by hand from the inputs written next to it (shapes (T, N): time
first, one column per environment). The rollouts put an episode end inside the rollout, followed by the
vector env's reset step, so the two rules of the README's "autoreset trap" show: never carry anything across
an episode end, and bootstrap a TRUNCATED step from the value of the final observation (``values[t + 1]``).
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.validate import as_float_array, mismatch

# The example, one env (shape (3, 1)): r = [1, 0, 2], V = [0.5, 1, 0], V(s_3) = 10, γ = 0.9, λ = 0.8.
# δ = r + γ V(next) − V = [1 + 0.9·1 − 0.5, 0 + 0.9·0 − 1, 2 + 0.9·10 − 0] = [1.4, −1, 11] (no episode end)
R3, V3, LAST3 = [[1.0], [0.0], [2.0]], [[0.5], [1.0], [0.0]], [10.0]
NOT_ENDED, ENDED_LAST = [[False], [False], [False]], [[False], [False], [True]]
# terminated at the last step: δ_2 = 2 (no bootstrap), A_1 = −1 + 0.72·2 = 0.44, A_0 = 1.4 + 0.72·0.44 = 1.7168
GAE_TERMINATED = [1.7168, 0.44, 2.0]
# truncated at the last step (or no end): δ_2 = 2 + 0.9·10 = 11 → A = [1.4 + 0.72·6.92, −1 + 0.72·11, 11]
GAE_TRUNCATED = [6.3824, 6.92, 11.0]
GAE_LAMBDA_1 = [9.41, 8.9, 11.0]  # λ = 1: the return within the rollout minus V, = n-step with n ≥ 3 minus V
GAE_LAMBDA_0 = [1.4, -1.0, 11.0]  # λ = 0: the TD errors δ

# A rollout of T = 4 steps × N = 3 envs, γ = λ = 0.5 (γλ = 0.25). Same rewards and values in every column:
# column 0 TERMINATES at step 1, column 1 is TRUNCATED at step 1, column 2 does not end. In columns 0 and 1,
# step 2 is the vector env's reset step: obs[2] is the final observation, so values[2] = 6 is V(final obs).
REWARDS = [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
VALUES = [[2.0, 2.0, 2.0], [4.0, 4.0, 4.0], [6.0, 6.0, 6.0], [2.0, 2.0, 2.0]]
LAST_VALUES = [4.0, 4.0, 4.0]
TERMINATED = [[False, False, False], [True, False, False], [False, False, False], [False, False, False]]
TRUNCATED = [[False, False, False], [False, True, False], [False, False, False], [False, False, False]]
# δ_3 = 1 + 0.5·4 − 2 = 1, δ_2 = 0 + 0.5·2 − 6 = −5, δ_1 = 2 + 0.5·6 − 4 = 1 (col 0: 2 − 4 = −2), δ_0 = 1 + 2 − 2 = 1
# column 2: A_3 = 1, A_2 = −5 + 0.25·1 = −4.75, A_1 = 1 + 0.25·(−4.75) = −0.1875, A_0 = 1 + 0.25·(−0.1875) = 0.953125
# column 0: A_1 = δ_1 = −2 (terminated: no bootstrap, nothing from step 2 on), A_0 = 1 + 0.25·(−2) = 0.5
# column 1: A_1 = δ_1 = 2 + 0.5·6 − 4 = 1 (bootstrap V(final obs) = 6, nothing from step 2 on), A_0 = 1.25
# (steps 2 and 3 are computed like any others; step 2 of columns 0 and 1 is a reset step the loss never uses)
GAE_BOUNDARY = [[0.5, 1.25, 0.953125], [-2.0, 1.0, -0.1875], [-4.75, -4.75, -4.75], [1.0, 1.0, 1.0]]
# Wrong answers a check can recognise (same inputs): A carried across the end (no reset at episode boundaries)
# gives column 0 A_1 = −2 + 0.25·(−4.75) = −3.1875; a truncation treated as a termination gives column 1 A_1 = −2.
GAE_NO_RESET_COL0 = [0.203125, -3.1875]
GAE_TRUNC_AS_TERM_COL1 = [0.5, -2.0]
# 2-step returns of the same rollout: column 2: G_0 = 1 + 0.5·2 + 0.25·6 = 3.5, G_1 = 2 + 0.5·0 + 0.25·2 = 2.5,
# G_2 = 0 + 0.5·1 + 0.25·4 = 1.5, G_3 = 1 + 0.5·4 = 3 (the rollout ends: one reward and V(s_4));
# column 0: G_0 = 1 + 0.5·2 = 2 and G_1 = 2 (terminated at step 1); column 1: G_0 = 1 + 0.5·2 + 0.25·6 = 3.5,
# G_1 = 2 + 0.5·6 = 5 (truncated: bootstrap V(final obs) after one reward).
TWO_STEP = [[2.0, 3.5, 3.5], [2.0, 5.0, 2.5], [1.5, 1.5, 1.5], [3.0, 3.0, 3.0]]


def arrays(*rows: list) -> list[np.ndarray]:
    """Fresh numpy copies of the inputs (float64 numbers, bool flags) for one call."""
    return [np.array(r, dtype=bool if isinstance(np.ravel(r)[0], bool | np.bool_) else np.float64) for r in rows]


def call_gae(impl, rewards, values, last, terminated, truncated, gamma, lam) -> np.ndarray:
    inputs = arrays(rewards, values, last, terminated, truncated)
    shape = inputs[0].shape
    out = impl.attr("advantages", "gae")(*inputs, gamma, lam)
    return as_float_array(out, f"gae(...) on a rollout of shape {shape}", shape)


def call_n_step(impl, rewards, values, last, terminated, truncated, gamma, n) -> np.ndarray:
    inputs = arrays(rewards, values, last, terminated, truncated)
    shape = inputs[0].shape
    out = impl.attr("advantages", "n_step_returns")(*inputs, gamma, n)
    return as_float_array(out, f"n_step_returns(..., n={n}) on a rollout of shape {shape}", shape)


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_gae_hand_worked(impl):
    """gae on r = [1, 0, 2], V = [0.5, 1, 0], V(s_3) = 10, γ = 0.9: terminated vs truncated at the end, λ = 0.8, 1, 0"""
    setting = "r = [1, 0, 2], V = [0.5, 1, 0], V(s_3) = 10, γ = 0.9 (one env, shape (3, 1))"
    cases = (
        ("terminated at the last step, λ = 0.8", ENDED_LAST, NOT_ENDED, 0.8, GAE_TERMINATED),
        ("truncated at the last step, λ = 0.8", NOT_ENDED, ENDED_LAST, 0.8, GAE_TRUNCATED),
        ("no episode end, λ = 0.8", NOT_ENDED, NOT_ENDED, 0.8, GAE_TRUNCATED),
        ("no episode end, λ = 1", NOT_ENDED, NOT_ENDED, 1.0, GAE_LAMBDA_1),
        ("no episode end, λ = 0", NOT_ENDED, NOT_ENDED, 0.0, GAE_LAMBDA_0),
    )
    for name, terminated, truncated, lam, want in cases:
        got = call_gae(impl, R3, V3, LAST3, terminated, truncated, 0.9, lam)[:, 0]
        hint = ""
        if name.startswith("truncated") and np.allclose(got, GAE_TERMINATED, atol=1e-5):
            hint = (
                " — the answer for a TERMINATED last step: a truncated step still bootstraps, δ = r + γ V(s_3) − V"
                " (only `terminated` zeroes the next value)"
            )
        elif name.startswith("terminated") and np.allclose(got, GAE_TRUNCATED, atol=1e-5):
            hint = " — the answer without the terminal mask: a terminated step has δ = r − V (V(terminal) = 0)"
        assert np.allclose(got, want, rtol=0, atol=1e-5), (
            f"gae with {setting}, {name}: got A = {np.round(got, 6).tolist()}; expected {want} "
            f"({mismatch(got, np.asarray(want), got, 'entry ')}){hint}. δ_t = r_t + γ (1 − terminated_t) V(s_t+1) − "
            "V(s_t), "
            "A_t = δ_t + γλ (1 − ended_t) A_t+1"
        )


@pytest.mark.points(5)
@pytest.mark.timeout(10)
def test_gae_episode_end_inside_rollout(impl):
    """gae on 4 steps × 3 envs: episodes terminated / truncated at step 1, then a reset step; nothing crosses an end"""
    got = call_gae(impl, REWARDS, VALUES, LAST_VALUES, TERMINATED, TRUNCATED, 0.5, 0.5)
    if np.allclose(got[:2, 0], GAE_NO_RESET_COL0, atol=1e-5):
        hint = (
            "Column 0 gets the advantage of the NEXT episode added to the terminated step: the recursion must stop "
            "at an episode end, A_t = δ_t + γλ (1 − ended_t) A_t+1 with ended = terminated or truncated"
        )
    elif np.allclose(got[:2, 1], GAE_TRUNC_AS_TERM_COL1, atol=1e-5):
        hint = (
            "Column 1 is treated as terminated: a truncated step bootstraps from V of the final observation, "
            "values[t + 1] = 6 here (δ_1 = 2 + 0.5·6 − 4 = 1), and only stops the recursion"
        )
    else:
        hint = "See the comments of this check for the hand-worked numbers"
    assert np.allclose(got, GAE_BOUNDARY, rtol=0, atol=1e-5), (
        f"gae(rewards = {REWARDS}, values = {VALUES}, last_values = {LAST_VALUES}, terminated at step 1 in env 0, "
        f"truncated at step 1 in env 1, γ = λ = 0.5) = {np.round(got, 6).tolist()}; expected {GAE_BOUNDARY} "
        f"({mismatch(got, np.asarray(GAE_BOUNDARY), got, 'entry ')}). {hint}"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_gae_columns_are_independent(impl):
    """gae on a (T, N) batch whose envs end at different steps equals gae of each column computed alone"""
    rng = np.random.default_rng(5)
    steps, envs = 7, 4
    rewards, values = rng.normal(size=(steps, envs)), rng.normal(size=(steps, envs))
    last = rng.normal(size=envs)
    terminated, truncated = rng.random((steps, envs)) < 0.2, rng.random((steps, envs)) < 0.15
    gae = impl.attr("advantages", "gae")
    batch = as_float_array(
        gae(rewards.copy(), values.copy(), last.copy(), terminated.copy(), truncated.copy(), 0.97, 0.9),
        f"gae(...) on a ({steps}, {envs}) batch",
        (steps, envs),
    )
    for i in range(envs):
        column = [a[:, i : i + 1].copy() for a in (rewards, values, terminated, truncated)]
        alone = gae(column[0], column[1], last[i : i + 1].copy(), column[2], column[3], 0.97, 0.9)
        alone = as_float_array(alone, f"gae(...) on column {i} alone, shape ({steps}, 1)", (steps, 1))[:, 0]
        assert np.allclose(batch[:, i], alone, rtol=0, atol=1e-6), (
            f"gae on a ({steps}, {envs}) batch (random rewards and values, γ = 0.97, λ = 0.9, terminated at steps "
            f"{np.flatnonzero(terminated[:, i]).tolist()} and truncated at {np.flatnonzero(truncated[:, i]).tolist()} "
            f"in env {i}) gives column {i} = {np.round(batch[:, i], 6).tolist()}, but the same column alone gives "
            f"{np.round(alone, 6).tolist()} "
            f"({mismatch(batch[:, i], np.asarray(alone), batch[:, i], 'entry ')}): each env's column must be "
            "computed on its own "
            "(loop over time, vectorised over envs; never mix rows and columns)"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(10)
def test_n_step_returns_hand_worked(impl):
    """n_step_returns with n = 1 (TD target), 2, 3 on r = [1, 0, 2], V = [0.5, 1, 0]; 2-step returns across an end"""
    setting = "r = [1, 0, 2], V = [0.5, 1, 0], V(s_3) = 10, γ = 0.9 (one env, shape (3, 1))"
    cases = (  # (n, terminated, expected): no end, then terminated at the last step
        (1, NOT_ENDED, [1.9, 0.0, 11.0]),
        (2, NOT_ENDED, [1.0, 9.9, 11.0]),
        (3, NOT_ENDED, [9.91, 9.9, 11.0]),
        (5, NOT_ENDED, [9.91, 9.9, 11.0]),
        (1, ENDED_LAST, [1.9, 0.0, 2.0]),
        (2, ENDED_LAST, [1.0, 1.8, 2.0]),
        (3, ENDED_LAST, [2.62, 1.8, 2.0]),
    )
    for n, terminated, want in cases:
        got = call_n_step(impl, R3, V3, LAST3, terminated, NOT_ENDED, 0.9, n)[:, 0]
        end = "terminated at the last step" if terminated is ENDED_LAST else "no episode end"
        assert np.allclose(got, want, rtol=0, atol=1e-5), (
            f"n_step_returns with {setting}, {end}, n = {n}: got {np.round(got, 6).tolist()}; expected {want} "
            f"({mismatch(got, np.asarray(want), got, 'entry ')}). G_t sums at most n rewards, stopping at an episode "
            "end or "
            "the rollout's end, then adds γ^k V of the next observation (0 after a terminated step)"
        )
    got = call_n_step(impl, REWARDS, VALUES, LAST_VALUES, TERMINATED, TRUNCATED, 0.5, 2)
    assert np.allclose(got, TWO_STEP, rtol=0, atol=1e-5), (
        f"n_step_returns(rewards = {REWARDS}, values = {VALUES}, last_values = {LAST_VALUES}, terminated at step 1 "
        f"in env 0, truncated at step 1 in env 1, γ = 0.5, n = 2) = {np.round(got, 6).tolist()}; expected {TWO_STEP} "
        f"({mismatch(got, np.asarray(TWO_STEP), got, 'entry ')}). Env 1's step 1 is truncated: G_1 = 2 + 0.5·V(final "
        "obs) = "
        "2 + 0.5·6 = 5; env 0's is terminated: G_1 = 2"
    )
