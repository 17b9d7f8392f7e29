"""The trusted loop for agents that act on N environments at once (``VectorTrainer``, ``DeepSpec(n_envs=N)``):
what the agent is given (reset steps included), the episode bookkeeping, and the validation of batched actions."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from grader.harness.deep_control import DeepSpec, evaluate
from grader.harness.loops import VectorTrainer, checked_action_batch
from grader.harness.validate import InvalidOutput


class PushLeft:
    """Always action 0 (CartPole's pole falls after ~9 steps); records every observe call."""

    def __init__(self, observation_space, action_space, *, seed: int, n_envs: int) -> None:
        self.n_envs = n_envs
        self.calls: list[tuple] = []

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        return np.zeros(len(obs), dtype=np.int64)

    def observe(self, obs, actions, rewards, next_obs, terminated, truncated) -> None:
        self.calls.append((obs, actions, rewards, next_obs, terminated, truncated))


def test_vector_trainer_passes_reset_steps_and_counts_episodes() -> None:
    agent = PushLeft(None, None, seed=0, n_envs=3)
    trainer = VectorTrainer(agent, "CartPole-v1", {"max_episode_steps": 4}, 3, env_seed=5)
    progress = trainer.advance(30)  # 10 vector steps of 3 envs
    trainer.close()
    assert progress["step"] == 30 and len(agent.calls) == 10
    # every env truncates after 4 steps (the pole falls later), then has a reset step: episodes of return 4 end at
    # vector steps 4 and 9, i.e. after 12 and 27 env steps
    assert progress["returns"] == [4.0] * 6 and progress["ends"] == [12] * 3 + [27] * 3
    obs, actions, rewards, next_obs, terminated, truncated = agent.calls[4]  # the reset step after the first end
    assert np.all(rewards == 0) and not terminated.any() and not truncated.any()
    assert np.array_equal(obs, agent.calls[3][3]), "a reset step's obs is the final observation of the ended episode"
    assert agent.calls[3][5].all(), "the 4th step is truncated in every env"
    with pytest.raises(ValueError):
        VectorTrainer(agent, "CartPole-v1", {}, 3, env_seed=5).advance(4)  # not a whole number of vector steps


def test_batched_actions_are_validated() -> None:
    discrete, box = gym.spaces.Discrete(3), gym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
    assert checked_action_batch(np.array([0, 2], dtype=np.int32), discrete, 2, "a").tolist() == [0, 2]
    assert checked_action_batch([1, 0], discrete, 2, "a").tolist() == [1, 0]
    for bad in (np.array([0.0, 1.0]), np.array([0, 3]), np.array([0, 1, 2]), [True, 0], "01"):
        with pytest.raises(InvalidOutput):
            checked_action_batch(bad, discrete, 2, "a")
    got = checked_action_batch([[0.5, -1.0], [1.0, 0.0]], box, 2, "a")
    assert got.dtype == np.float32 and got.shape == (2, 2)
    for bad in ([[0.5, -1.5], [0.0, 0.0]], [[np.nan, 0.0], [0.0, 0.0]], [0.5, 0.5]):
        with pytest.raises(InvalidOutput):
            checked_action_batch(bad, box, 2, "a")


def test_batched_evaluation_and_spec_multiples() -> None:
    agent = PushLeft(None, None, seed=0, n_envs=1)
    returns = evaluate(agent, "CartPole-v1", {}, [1, 2, 3], batched=True)
    assert returns.shape == (3,) and np.all((returns > 5) & (returns < 15))  # the pole falls within ~9 steps
    with pytest.raises(ValueError, match="multiples of n_envs"):
        DeepSpec("t", "m", "A", "CartPole-v1", steps=1000, seed=1, low=1.0, n_envs=3)
    spec = DeepSpec("t", "m", "A", "CartPole-v1", steps=60, seed=1, low=1e9, semantics="best", eval_every=30, n_envs=3)
    result = spec.run(PushLeft)
    assert result.train_steps == 60 and [s for s, _ in result.curve] == [30, 60] and result.value < 15
