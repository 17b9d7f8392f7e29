"""Hidden checks of hw01 part 2: returns edge cases and run_episode on a slippery FrozenLake."""

from __future__ import annotations

import pytest

from grader.harness.episodes import (
    RecordingPolicy,
    assert_episode_matches,
    check_discounted_return,
    check_returns_to_go,
    recorded_frozen_lake,
)


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_hidden_returns_edge_cases(impl):
    """Returns of an empty episode, of one reward, with gamma=1 and with negative rewards"""
    discounted_return = impl.attr("rollout", "discounted_return")
    returns_to_go = impl.attr("rollout", "returns_to_go")
    check_discounted_return(discounted_return, [], 0.9, 0.0)
    check_returns_to_go(returns_to_go, [], 0.9, [])
    for rewards, gamma, expected in (
        ([4.0], 0.3, [4.0]),
        ([2.0, -1.0, 0.5, 3.0], 1.0, [4.5, 2.5, 3.5, 3.0]),
        ([-1.0, -1.0, -1.0, 10.0], 0.8, [2.68, 4.6, 7.0, 10.0]),
        ([0.0, 2.0, 0.0, 0.0, 1.0], 0.5, [1.0625, 2.125, 0.25, 0.5, 1.0]),
    ):
        check_discounted_return(discounted_return, rewards, gamma, expected[0])
        check_returns_to_go(returns_to_go, rewards, gamma, expected)


def zigzag(obs: int) -> int:
    """A fixed policy for FrozenLake 8x8 that depends on the observation."""
    return (obs * 7 + 1) % 4


@pytest.mark.points(2)
@pytest.mark.timeout(15)
def test_hidden_run_episode_slippery(impl):
    """run_episode on a slippery FrozenLake 8x8 with other seeds, max_steps=0 and max_steps at the time limit"""
    run_episode = impl.attr("rollout", "run_episode")
    # With TimeLimit(16) these seeds end by a hole on step 15, by a hole on step 16 (terminated and truncated
    # both True) and by the time limit on step 16.
    for seed in (3, 11, 42):
        env = recorded_frozen_lake(is_slippery=True, max_episode_steps=16, map_name="8x8")
        policy = RecordingPolicy(zigzag)
        episode = assert_episode_matches(run_episode(env, policy, seed=seed), env, policy, seed=seed)
        assert episode.terminated or episode.truncated, (
            f"run_episode (seed={seed}, no max_steps) returned after {len(episode.actions)} steps although the "
            "episode had not ended; keep stepping until terminated or truncated"
        )

    env = recorded_frozen_lake(is_slippery=True, max_episode_steps=25, map_name="8x8")
    policy = RecordingPolicy(zigzag)
    episode = assert_episode_matches(run_episode(env, policy, seed=5, max_steps=0), env, policy, seed=5)
    assert len(episode.observations) == 1 and not policy.seen, (
        f"with max_steps=0 run_episode must reset and take no step (one observation), got "
        f"{len(episode.actions)} steps and {len(policy.seen)} policy calls"
    )

    env = recorded_frozen_lake(is_slippery=False, max_episode_steps=5)
    policy = RecordingPolicy(lambda obs: 0)
    episode = assert_episode_matches(run_episode(env, policy, seed=8, max_steps=5), env, policy, seed=8)
    assert (len(episode.actions), episode.terminated, episode.truncated) == (5, False, True), (
        "with TimeLimit(5) and max_steps=5 the last step is truncated by the env: run_episode must return "
        f"5 steps, terminated=False, truncated=True; got {len(episode.actions)} steps, "
        f"terminated={episode.terminated}, truncated={episode.truncated}"
    )
