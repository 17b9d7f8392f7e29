"""The kit's Four Rooms env and hw09's option loops (grader/harness/four_rooms.py, option_loops.py): Gymnasium's
check_env, seeding, the paper's move noise, the hallway options, and the loops' own step counts."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

from grader.harness import four_rooms as fr
from grader.harness.envs import make_env
from grader.harness.option_loops import StepRecorder, train_options


def test_four_rooms_passes_check_env_and_is_registered() -> None:
    env = make_env(fr.FOUR_ROOMS_ID)
    assert env.spec is not None and env.spec.max_episode_steps == 1000
    check_env(env.unwrapped, skip_render_check=False)
    assert len(fr.FREE) == 104 and all(fr.LAYOUT[r][c] == " " for r, c in fr.HALLWAYS)


def test_same_seed_same_episode_and_random_starts_differ() -> None:
    def episode(seed: int) -> list[int]:
        env = make_env(fr.FOUR_ROOMS_ID)
        obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        return [obs] + [env.step(env.action_space.sample())[0] for _ in range(50)]

    assert episode(3) == episode(3)
    starts = {make_env(fr.FOUR_ROOMS_ID).reset(seed=s)[0] for s in range(20)}
    assert len(starts) > 10


def test_moves_follow_the_action_two_thirds_of_the_time() -> None:
    env = fr.FourRoomsEnv(start=(3, 3))
    env.reset(seed=0)
    n, intended = 3000, 0
    for _ in range(n):
        env.reset()
        obs, *_ = env.step(fr.OFFSETS.index((0, 1)))  # right, from an open cell
        intended += obs == fr.index((3, 4))
    assert abs(intended / n - 2 / 3) < 4.5 * np.sqrt(2 / 9 / n)


def test_goal_terminates_with_reward_one() -> None:
    env = fr.FourRoomsEnv(success_prob=1.0, start=(6, 9))
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(2)
    assert (obs, reward, terminated, truncated, info["position"]) == (fr.index((7, 9)), 1.0, True, False, (7, 9))


def test_every_hallway_option_reaches_its_target_from_its_whole_initiation_set() -> None:
    initiation, policy, beta = fr.hallway_options()
    targets = [h for _, hallways in fr.ROOMS for h in hallways]
    for o, target in enumerate(targets):
        assert beta[o, fr.index(target)] == 1.0 and not initiation[o, fr.index(target)]
        for s in np.flatnonzero(initiation[o]):
            cell, steps = divmod(int(s), fr.SIZE), 0
            while beta[o, fr.index(cell)] == 0.0:
                cell, steps = fr.move(cell, int(policy[o, fr.index(cell)])), steps + 1
                assert steps < 20
            assert cell == target


def test_the_option_loop_counts_its_own_steps() -> None:
    class RandomPrimitive:
        def __init__(self) -> None:
            self.rng, self.epsilon, self.calls = np.random.default_rng(0), 0.0, 0

        def act(self, state: int) -> int:
            return int(self.rng.integers(4))

        def update(self, *args: object) -> None:
            self.calls += 1

    agent = RandomPrimitive()
    kwargs = {"success_prob": 1.0, "start": (6, 9)}
    lengths = train_options(agent, False, kwargs, fr.primitive_options(), 5, (0.0, 0.0, 1), 0, 0.9)
    assert lengths.dtype == np.int64 and agent.calls == lengths.sum() and np.all(lengths >= 1)


def test_step_recorder_counts_steps_after_the_end() -> None:
    env = StepRecorder(gym.make(fr.FOUR_ROOMS_ID, success_prob=1.0, start=(6, 9)))
    env.reset(seed=0)
    env.step(2)
    env.step(2)
    assert (env.taken, env.after_end) == (1, 1)
