"""The harness for memory-based agents (hw07): the kit's CueRecall task, its memoryless bound, and the histories the
training loop and the evaluation pass to ``act(obs, hist_obs, hist_actions)``."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.cue_recall import CueRecallEnv, memoryless_bound
from grader.harness.deep_control import evaluate
from grader.harness.envs import make_env
from grader.harness.loops import OnlineTrainer

CUE_RECALL = "grader.harness.cue_recall:CueRecall-v0"


class Recorder:
    """An agent that answers with a known action and records every history it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def act(self, obs: np.ndarray, hist_obs: np.ndarray, hist_actions: np.ndarray, deterministic: bool = False):
        self.calls.append((obs.copy(), hist_obs.copy(), hist_actions.copy()))
        return np.array([0.1 * len(self.calls)], dtype=np.float32)  # each action names its call

    def observe(self, *args: object) -> None:
        pass


def test_cue_recall_shows_the_cue_once_and_pays_for_recalling_it() -> None:
    env = CueRecallEnv(length=3)
    obs, info = env.reset(seed=4)
    cue = info["cue"]
    assert obs.tolist() == [cue, 0.0]
    obs, reward, terminated, _, _ = env.step(np.array([cue]))
    assert obs.tolist() == [0.0, pytest.approx(1 / 3)] and reward == 0.0 and not terminated
    _, reward, terminated, _, _ = env.step(np.array([-cue]))
    assert reward == -4.0 and not terminated
    _, reward, terminated, _, _ = env.step(np.array([0.0]))
    assert reward == -1.0 and terminated


def test_memoryless_bound_is_the_mean_cue_policy() -> None:
    assert memoryless_bound([1.0, -1.0, 1.0, -1.0], 5) == -4.0
    assert memoryless_bound([1.0, 1.0, 1.0, -1.0], 5) == pytest.approx(-4 * 0.75)
    assert memoryless_bound([1.0, 1.0], 8) == 0.0  # one cue only: a constant action recalls it


def test_training_loop_passes_the_last_steps_of_the_episode_only() -> None:
    agent = Recorder()
    trainer = OnlineTrainer(agent, CUE_RECALL, {"length": 4}, 0, history=2)
    trainer.advance(9)  # two episodes of 4 steps, then the first step of a third
    lengths = [len(h) for _, h, _ in agent.calls]
    assert lengths == [0, 1, 2, 2, 0, 1, 2, 2, 0]
    for t in (1, 2, 3, 5, 6, 7):  # inside an episode: the previous observations and actions, oldest first
        _, hist_obs, hist_actions = agent.calls[t]
        previous = agent.calls[max(t - 2, 4 * (t // 4)) : t]
        assert np.array_equal(hist_obs, np.array([obs for obs, _, _ in previous]))
        first = max(t - 2, 4 * (t // 4))
        assert np.allclose(hist_actions.ravel(), [0.1 * (i + 1) for i in range(first, t)])
    assert agent.calls[0][1].shape == (0, 2) and agent.calls[0][2].shape == (0, 1)


def test_evaluation_keeps_one_history_per_episode() -> None:
    agent = Recorder()
    returns = evaluate(agent, CUE_RECALL, {"length": 3}, [1, 2], history=3)
    assert returns.shape == (2,) and len(agent.calls) == 6
    # lockstep: calls alternate between the two episodes; each history holds its own episode's steps
    for step in range(3):
        for episode in range(2):
            obs, hist_obs, hist_actions = agent.calls[2 * step + episode]
            own = [agent.calls[2 * s + episode] for s in range(step)]
            assert np.array_equal(hist_obs.reshape(-1, 2), np.array([o for o, _, _ in own]).reshape(-1, 2))
            assert np.allclose(hist_actions.ravel(), [0.1 * (2 * s + episode + 1) for s in range(step)])
    env = make_env(CUE_RECALL, length=3)
    cues = [env.reset(seed=seed)[1]["cue"] for seed in (1, 2)]
    assert np.allclose(returns, [sum(-((0.1 * (2 * s + e + 1) - cues[e]) ** 2) for s in range(3)) for e in (0, 1)])
