"""Public checks of hw01 part 2: returns and the agent-environment loop (rollout.py).

run_episode is run on Gymnasium's FrozenLake-v1 (4x4; actions 0-3 = left, down, right, up), wrapped by the
grader's RecordingEnv, which records every reset and step and refuses a step after the episode ended.
"""

from __future__ import annotations

import pytest

from grader.harness.episodes import (
    RecordingPolicy,
    assert_episode_matches,
    check_discounted_return,
    check_returns_to_go,
    recorded_frozen_lake,
)

LEFT, DOWN, RIGHT, UP = 0, 1, 2, 3
# FrozenLake 4x4 without slipping: 0 -> 4 -> 8 -> 9 -> 13 -> 14 -> 15 (goal, reward 1) in 6 steps.
TO_GOAL = {0: DOWN, 4: DOWN, 8: RIGHT, 9: DOWN, 13: RIGHT, 14: RIGHT}


def to_goal(obs: int) -> int:
    return TO_GOAL.get(obs, LEFT)


def stay(obs: int) -> int:
    """From the start state 0, LEFT bumps into the edge: the episode never ends by itself."""
    return LEFT


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_discounted_return(impl):
    """discounted_return: known answers, e.g. [1, 1, 1] with gamma=0.9 gives 2.71"""
    discounted_return = impl.attr("rollout", "discounted_return")
    for rewards, gamma, expected in (
        ([1.0, 1.0, 1.0], 0.9, 2.71),
        ([1.0, 0.0, 2.0], 0.5, 1.5),
        ([0.0, 0.0, 5.0], 0.9, 4.05),
        ([-1.0, -1.0, 10.0], 1.0, 8.0),
    ):
        check_discounted_return(discounted_return, rewards, gamma, expected)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_returns_to_go(impl):
    """returns_to_go: known answers, e.g. [1, 0, 2] with gamma=1 gives [3, 2, 2]"""
    returns_to_go = impl.attr("rollout", "returns_to_go")
    for rewards, gamma, expected in (
        ([1.0, 0.0, 2.0], 1.0, [3.0, 2.0, 2.0]),
        ([1.0, 0.0, 2.0], 0.0, [1.0, 0.0, 2.0]),
        ([1.0, 1.0, 1.0], 0.9, [2.71, 1.9, 1.0]),
        ([0.0, 0.0, 5.0, -1.0], 0.5, [1.125, 2.25, 4.5, -1.0]),
    ):
        check_returns_to_go(returns_to_go, rewards, gamma, expected)


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_run_episode_until_terminated(impl):
    """run_episode resets once with the seed, follows the policy and stops when terminated"""
    run_episode = impl.attr("rollout", "run_episode")
    env = recorded_frozen_lake(is_slippery=False, max_episode_steps=100)
    policy = RecordingPolicy(to_goal)
    episode = assert_episode_matches(run_episode(env, policy, seed=5), env, policy, seed=5)
    assert (len(episode.actions), episode.terminated) == (6, True), (
        f"the policy reaches the goal in 6 steps, where the env returns terminated=True; run_episode stopped "
        f"after {len(episode.actions)} steps with terminated={episode.terminated}"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_run_episode_until_truncated(impl):
    """run_episode stops when TimeLimit truncates the episode (and never steps after it)"""
    run_episode = impl.attr("rollout", "run_episode")
    env = recorded_frozen_lake(is_slippery=False, max_episode_steps=7)
    policy = RecordingPolicy(stay)
    episode = assert_episode_matches(run_episode(env, policy, seed=0), env, policy, seed=0)
    assert (len(episode.actions), episode.terminated, episode.truncated) == (7, False, True), (
        "with TimeLimit(max_episode_steps=7) and a policy that never ends the episode, run_episode must stop "
        f"after step 7 with terminated=False, truncated=True; got {len(episode.actions)} steps, "
        f"terminated={episode.terminated}, truncated={episode.truncated}"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_run_episode_max_steps(impl):
    """run_episode takes at most max_steps steps (and fewer if the episode ends first)"""
    run_episode = impl.attr("rollout", "run_episode")
    cases = (
        (stay, "never ends the episode", 4, 4, (False, False)),
        (to_goal, "reaches the goal in 6 steps", 10, 6, (True, False)),
    )
    for policy_fn, behaviour, max_steps, steps, flags in cases:
        env = recorded_frozen_lake(is_slippery=False, max_episode_steps=100)
        policy = RecordingPolicy(policy_fn)
        episode = assert_episode_matches(run_episode(env, policy, seed=1, max_steps=max_steps), env, policy, seed=1)
        assert (len(episode.actions), episode.terminated, episode.truncated) == (steps, *flags), (
            f"with max_steps={max_steps} and a policy that {behaviour}, run_episode must take {steps} steps and "
            f"return terminated={flags[0]}, truncated={flags[1]}; got {len(episode.actions)} steps, "
            f"terminated={episode.terminated}, truncated={episode.truncated}"
        )
