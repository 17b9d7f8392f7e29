"""Public checks of hw08 part 2: a learned dynamics model and model-predictive control (``mpc.py``).

Exact checks use hand-made data and the oracle model s' = s + a, whose best actions are worked out in this file.
The learning checks collect random-torque Pendulum-v1 transitions in the grader, fit your model on them
(``MPCAgent.for_pendulum``), then measure its one-step error on held-out transitions and the return of CEM-MPC
with it on fixed-seed episodes run by the grader. Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.harness.continuous_fixtures import load_parameters
from grader.harness.model_based import MPCSpec
from grader.harness.validate import InvalidOutput, as_float_array, as_tensor_array

PLANNER = {"horizon": 15, "population": 100, "n_elites": 10, "iterations": 3}
ONE_STEP = MPCSpec(check="test_model_one_step_error", seed=21, metric="one_step_mse", high=1e-3)
MPC_RETURN = MPCSpec(check="test_mpc_learned_pendulum", seed=22, metric="mpc_return", low=-400.0, hparams=PLANNER)
BOX = (np.array([-1.0]), np.array([1.0]))


def oracle(states: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The oracle model s' = s + a (1-D state and action)."""
    return np.asarray(states) + np.asarray(actions)


def reward_next_state(states: np.ndarray, actions: np.ndarray, next_states: np.ndarray) -> np.ndarray:
    """−s'²: from s = 0.8 the best single action is a = −0.8."""
    return -(np.asarray(next_states)[:, 0] ** 2)


def reward_current_state(states: np.ndarray, actions: np.ndarray, next_states: np.ndarray) -> np.ndarray:
    """−(a − s)², a reward of the CURRENT state: from s = 0.8 the best first action is a = +0.8."""
    return -((np.asarray(actions)[:, 0] - np.asarray(states)[:, 0]) ** 2)


def tagged_reward(states: np.ndarray, actions: np.ndarray, next_states: np.ndarray) -> np.ndarray:
    """s + 10 a + 100 s': tells which argument is which."""
    return (np.asarray(states) + 10 * np.asarray(actions) + 100 * np.asarray(next_states))[:, 0]


def first_action(value: object, what: str) -> float:
    return float(as_float_array(value, f"{what} (the FIRST action only, shape (act_dim,) = (1,))", (1,))[0])


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_normalizer_round_trip(impl):
    """Normalizer: fitted stats give mean 0 / std 1; denormalize inverts normalize; a constant column gives no NaN"""
    norm = impl.attr("mpc", "Normalizer")(3)
    data = torch.tensor([[1.0, 5.0, -2.0], [3.0, 5.0, 0.0], [5.0, 5.0, 8.0], [7.0, 5.0, 2.0]])
    norm.fit(data)
    z = as_tensor_array(norm.normalize(data), "Normalizer.normalize(data)", (4, 3))
    assert np.all(np.isfinite(z)), f"normalize(data) = {z.tolist()} has NaN/inf: the constant column 5 needs std 1"
    # column 0: mean 4, population std √5; column 1 constant (std → 1, z = 0); column 2: mean 2, std √14
    want = np.array([[-3, 0, -4], [-1, 0, -2], [1, 0, 6], [3, 0, 0]]) / np.array([np.sqrt(5), 1.0, np.sqrt(14)])
    assert np.allclose(z, want, atol=1e-5), (
        f"normalize(data) of the data it was fitted on = {np.round(z, 4).tolist()}; expected "
        f"{np.round(want, 4).tolist()} (mean over rows, population std, std 1 for a constant column)"
    )
    back = as_tensor_array(norm.denormalize(torch.as_tensor(z, dtype=torch.float32)), "denormalize(z)", (4, 3))
    assert np.allclose(back, data.numpy(), atol=1e-5), (
        f"denormalize(normalize(data)) = {back.tolist()}; expected the data"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_normalizer_keeps_fitted_stats(impl):
    """Normalizer: normalize uses the statistics of fit, never those of the batch it is given"""
    norm = impl.attr("mpc", "Normalizer")(2)
    norm.fit(torch.tensor([[0.0, 10.0], [2.0, 10.0], [4.0, 16.0], [6.0, 16.0]]))  # mean [3, 13], std [√5, 3]
    z = as_tensor_array(norm.normalize(torch.tensor([[3.0, 19.0]])), "Normalizer.normalize", (1, 2))
    assert np.allclose(z, [[0.0, 2.0]], atol=1e-5), (
        f"after fit (mean [3, 13], std [√5, 3]), normalize([[3, 19]]) = {z.tolist()}; expected [[0, 2]] "
        "(one row: a batch's own statistics would give NaN or 0)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_dynamics_predicts_change(impl):
    """DynamicsModel.predict = s + denormalize(f(...)): the network's output is a change, added to s once"""
    model = impl.attr("mpc", "DynamicsModel")(2, 1, (4,))
    model.delta_norm.fit(torch.tensor([[-1.5, -4.0], [2.5, 2.0]]))  # mean [0.5, −1], std [2, 3]
    model.input_norm.fit(torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))
    zeros = {name: np.zeros(tuple(value.shape)) for name, value in model.state_dict().items()}
    if set(zeros) != {"net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"}:
        raise InvalidOutput(f"DynamicsModel(2, 1, (4,)) parameters {sorted(zeros)}; expected net = mlp([3, 4, 2])")
    load_parameters(model, zeros | {"net.2.bias": np.array([1.0, 0.0])})  # f ≡ [1, 0] → Δ = [1·2 + 0.5, 0·3 − 1]
    got = as_float_array(model.predict(np.array([[1.0, 2.0]]), np.array([[0.3]])), "DynamicsModel.predict", (1, 2))
    assert np.allclose(got, [[3.5, 1.0]], atol=1e-5), (
        f"with f ≡ [1, 0] (all weights 0, last bias [1, 0]) and Δ statistics mean [0.5, −1], std [2, 3], "
        f"predict(s=[1, 2], a=[0.3]) = {got.tolist()}; expected s + [2.5, −1] = [3.5, 1.0] (the network predicts "
        "the normalised change Δs; predict denormalises it and adds s exactly once)"
    )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_train_dynamics_linear_system(impl):
    """train_dynamics: fits the normalisers once on all data, then learns s' = s + 0.1·a to a small error"""
    rng = np.random.default_rng(3)
    obs, actions = rng.uniform(-1, 1, (512, 2)), rng.uniform(-1, 1, (512, 1))
    next_obs = obs + 0.1 * actions * np.array([1.0, -2.0]) + np.array([0.05, 0.0])
    torch.manual_seed(0)
    model = impl.attr("mpc", "DynamicsModel")(2, 1, (32,))
    losses = as_float_array(
        impl.attr("mpc", "train_dynamics")(model, obs, actions, next_obs, 40, 64, 3e-3, 0), "losses", (40,)
    )
    delta = next_obs - obs
    mean = as_tensor_array(model.delta_norm.mean, "model.delta_norm.mean", (2,))
    std = as_tensor_array(model.delta_norm.std, "model.delta_norm.std", (2,))
    assert np.allclose(mean, delta.mean(0), atol=1e-5) and np.allclose(std, delta.std(0), rtol=1e-4), (
        f"after train_dynamics, delta_norm has mean {mean.tolist()} and std {std.tolist()}; the Δs = s' − s of all "
        f"512 transitions have mean {delta.mean(0).tolist()} and std {delta.std(0).tolist()} (fit once on all data)"
    )
    test_obs, test_act = rng.uniform(-1, 1, (200, 2)), rng.uniform(-1, 1, (200, 1))
    want = test_obs + 0.1 * test_act * np.array([1.0, -2.0]) + np.array([0.05, 0.0])
    got = as_float_array(model.predict(test_obs, test_act), "DynamicsModel.predict", (200, 2))
    error = float(np.mean((got - want) ** 2))
    assert losses[-1] < 0.2 * losses[0] and error < 1e-4, (
        f"train_dynamics on 512 transitions of s' = s + 0.1·a·[1, −2] + [0.05, 0] (40 epochs, batch 64, lr 3e-3): "
        f"losses {losses[0]:.4f} → {losses[-1]:.4f}, held-out mean squared error of predict {error:.2e}; expected the "
        "last epoch's loss below 20 % of the first and an error below 1e-4 (MSE on the NORMALISED Δs)"
    )


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_sequence_returns(impl):
    """sequence_returns: Σ_t reward_fn(s_t, a_t, s_{t+1}) along the model's rollout, per sequence"""
    sequences = np.array([[[-0.3], [-0.5]], [[0.2], [0.0]]])
    got = as_float_array(
        impl.attr("mpc", "sequence_returns")(oracle, tagged_reward, np.array([0.8]), sequences),
        "sequence_returns",
        (2,),
    )
    # s' = s + a from 0.8; r = s + 10a + 100s': (0.8 − 3 + 50) + (0.5 − 5 + 0) = 43.3; (0.8 + 2 + 100) + (1 + 0 + 100)
    assert np.allclose(got, [43.3, 203.8], atol=1e-9), (
        f"sequence_returns(s' = s + a, reward s + 10a + 100s', obs [0.8], sequences {sequences[:, :, 0].tolist()}) = "
        f"{got.tolist()}; expected [43.3, 203.8] (reward_fn(s_t, a_t, s_{{t+1}}) in that order, summed over t)"
    )


@pytest.mark.points(4)
@pytest.mark.timeout(30)
def test_planners_oracle_first_action(impl):
    """Oracle s' = s + a from s = 0.8: reward −s'² → first action ≈ −0.8; reward −(a − s)² → ≈ +0.8"""
    shooting, cem = impl.attr("mpc", "random_shooting"), impl.attr("mpc", "cem_plan")
    obs = np.array([0.8])
    # Horizon 3 with −s'²: a_0 = −0.8 reaches 0, then a_1 = a_2 = 0 stay there. With −(a − s)² the horizon is 1.
    for reward_fn, want, horizon in ((reward_next_state, -0.8, 3), (reward_current_state, 0.8, 1)):
        shoot_horizon = min(horizon, 2)
        got = first_action(
            shooting(oracle, reward_fn, obs, shoot_horizon, 4000, *BOX, np.random.default_rng(1)), "random_shooting"
        )
        assert abs(got - want) < 0.05, (
            f"random_shooting(oracle s' = s + a, {reward_fn.__doc__}, horizon {shoot_horizon}, 4000 sequences in "
            f"[−1, 1]) from s = 0.8 returned {got:.4f}; expected the first action of the best sequence ≈ {want} ± 0.05"
        )
        got = first_action(cem(oracle, reward_fn, obs, horizon, 200, 20, 6, *BOX, np.random.default_rng(2)), "cem_plan")
        assert abs(got - want) < 0.05, (
            f"cem_plan(oracle s' = s + a, {reward_fn.__doc__}, horizon {horizon}, population 200, 20 elites, "
            f"6 iterations) from s = 0.8 returned {got:.4f}; expected the first action ≈ {want} ± 0.05 "
            "(refit to the HIGHEST returns; return the first step of the plan)"
        )


@pytest.mark.points(4)
@pytest.mark.timeout(60)
def test_model_one_step_error(impl):
    """A model fitted on 3000 random Pendulum transitions predicts held-out next states with MSE ≤ 1e-3"""
    ONE_STEP.assert_learns(
        impl.attr("mpc", "MPCAgent"),
        "predicting s' = s is far worse: check the normalisers and that predict adds the change once",
    )


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_mpc_learned_pendulum(impl):
    """CEM-MPC with the learned model keeps Pendulum-v1 up: mean return ≥ −400 over 3 episodes"""
    MPC_RETURN.assert_learns(
        impl.attr("mpc", "MPCAgent"),
        "a random policy gets ≈ −1200; the exact checks of the planners and of the model say which part differs",
    )
