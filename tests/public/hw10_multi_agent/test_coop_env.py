"""Public checks of hw10 part 3: your cooperative environment in the PettingZoo parallel API (``coop_env.py``).

PettingZoo's own ``parallel_api_test`` runs on your env (beside it, in the process that runs your code), then the
grader drives it with scripted actions and compares every observation, reward, termination and truncation with the
rules of the module docstring (the numbers are worked out in this file), and checks that a seed fixes the episode.
Run one check with ``pytest <this file> -k <name>``.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.calls import beside
from grader.harness.loops import parallel_api_check
from grader.harness.multi_agent import checked_parallel_reset, checked_parallel_step

A0, A1 = "agent_0", "agent_1"
LEFT, STAY, RIGHT = 0, 1, 2
# size 5, goal 2; start {agent_0: 0, agent_1: 4}; (actions, observations after the step, reward, terminated)
SCRIPT = [
    ({A1: LEFT, A0: RIGHT}, {A0: 1, A1: 3}, -0.1, False),
    ({A0: LEFT, A1: RIGHT}, {A0: 0, A1: 4}, -0.1, False),
    ({A0: LEFT, A1: RIGHT}, {A0: 0, A1: 4}, -0.1, False),  # both against a wall: they stay
    ({A1: LEFT, A0: RIGHT}, {A0: 1, A1: 3}, -0.1, False),
    ({A0: RIGHT, A1: STAY}, {A0: 2, A1: 3}, -0.1, False),  # one agent on the goal is not enough
    ({A1: LEFT, A0: STAY}, {A0: 2, A1: 2}, 1.0, True),
]


def live_agents(env) -> list[str]:
    agents = env.agents
    if not isinstance(agents, (list, tuple)):
        raise AssertionError(f"env.agents must be a list of agent names, got a {type(agents).__name__}")
    return [str(name) for name in agents]


def run_script(env, start: dict[str, int], script, n_obs: int) -> None:
    """Reset at ``start`` and play ``script``; compare every step with it."""
    obs = checked_parallel_reset(env, n_obs, seed=0, options={"positions": dict(start)})
    assert obs == start, f"reset(options={{'positions': {start}}}) gave the observations {obs}; expected {start}"
    history = [f"reset at {start}"]
    for k, (actions, want_obs, want_reward, want_terminated) in enumerate(script, 1):
        obs, rewards, terminations, truncations = checked_parallel_step(env, actions, n_obs)
        history.append(f"step({actions}) → {obs}")
        names = list(actions)
        want = (want_obs, dict.fromkeys(names, want_reward), dict.fromkeys(names, want_terminated))
        got = (obs, {n: round(r, 6) for n, r in rewards.items()}, terminations)
        assert got == want, (
            f"RendezvousEnv(size=5, goal=2): after {'; '.join(history)} the step returned observations {obs}, rewards "
            f"{rewards}, terminations {terminations}; expected {want_obs}, {want[1]}, {want[2]} (every agent moves by "
            "ITS OWN action, matched by name; off the line it stays; +1 each and terminated when all are on the goal, "
            "else −0.1)"
        )
        assert not any(truncations.values()), f"step {k} truncated {truncations}, before max_steps = 20"
        alive = live_agents(env)
        assert alive == ([] if want_terminated else [A0, A1]), (
            f"after step {k} ({'terminated' if want_terminated else 'not done'}) env.agents = {alive}; expected "
            f"{[] if want_terminated else [A0, A1]} (an agent leaves env.agents once it is terminated or truncated)"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_parallel_api_test(impl):
    """PettingZoo's parallel_api_test passes on RendezvousEnv() and on RendezvousEnv(size=7, goal=6, n_agents=3)"""
    cls = impl.attr("coop_env", "RendezvousEnv")
    for kwargs in ({}, {"size": 7, "goal": 6, "n_agents": 3}):
        env = cls(**kwargs)
        problem = beside(env, parallel_api_check, env, 200)
        assert problem == "", (
            f"pettingzoo.test.parallel_api_test(RendezvousEnv({kwargs}), num_cycles=200) failed: {str(problem)[:600]}"
        )


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_rendezvous_dynamics(impl):
    """Scripted moves: walls, simultaneous moves matched by name, −0.1 per step, +1 and termination together"""
    env = impl.attr("coop_env", "RendezvousEnv")(size=5, goal=2, n_agents=2, max_steps=20)
    assert live_agents(env) == [], f"before the first reset env.agents = {live_agents(env)}; expected []"
    run_script(env, {A0: 0, A1: 4}, SCRIPT, 5)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_rendezvous_truncation(impl):
    """After max_steps steps every agent is truncated (not terminated) and removed; reaching the goal then wins"""
    cls = impl.attr("coop_env", "RendezvousEnv")
    names = ["agent_0", "agent_1", "agent_2"]
    env = cls(size=4, goal=0, n_agents=3, max_steps=3)
    checked_parallel_reset(env, 4, options={"positions": dict.fromkeys(names, 3)})
    for k in range(1, 4):
        obs, rewards, terminations, truncations = checked_parallel_step(env, dict.fromkeys(names, STAY), 4)
        want = k == 3
        assert truncations == dict.fromkeys(names, want) and terminations == dict.fromkeys(names, False), (
            f"RendezvousEnv(size=4, goal=0, n_agents=3, max_steps=3), all agents staying on cell 3: step {k} returned "
            f"terminations {terminations}, truncations {truncations}; expected no termination and truncated = {want} "
            "(truncated after max_steps steps)"
        )
    assert live_agents(env) == [], f"after the truncated step env.agents = {live_agents(env)}; expected []"
    checked_parallel_reset(env, 4, options={"positions": {"agent_0": 0, "agent_1": 0, "agent_2": 2}})
    assert live_agents(env) == names, f"after reset env.agents = {live_agents(env)}; expected {names}"
    for actions in (dict.fromkeys(names, STAY), dict.fromkeys(names, LEFT)):
        checked_parallel_step(env, actions, 4)
    obs, rewards, terminations, truncations = checked_parallel_step(env, dict.fromkeys(names, LEFT), 4)
    assert terminations == dict.fromkeys(names, True) and truncations == dict.fromkeys(names, False), (
        f"all three agents reach the goal 0 on step 3 = max_steps: terminations {terminations}, truncations "
        f"{truncations}; expected terminated and NOT truncated (the goal counts first)"
    )
    assert rewards == dict.fromkeys(names, 1.0), f"rewards on reaching the goal {rewards}; expected +1 each"


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_rendezvous_deterministic_under_seed(impl):
    """Two envs reset with the same seed give the same episodes; different seeds give different starts"""
    cls = impl.attr("coop_env", "RendezvousEnv")
    first, second = cls(size=9, goal=4, n_agents=2, max_steps=30), cls(size=9, goal=4, n_agents=2, max_steps=30)
    actions = np.random.default_rng(3).integers(3, size=(60, 2)).tolist()
    for seed in (5, 6):
        logs = []
        for env in (first, second):
            log = [checked_parallel_reset(env, 9, seed=seed)]
            for _ in range(2):  # the episode of the seed, then the next one (reset without a seed)
                for a0, a1 in actions:
                    if not live_agents(env):
                        break
                    log.append(checked_parallel_step(env, {A0: a0, A1: a1}, 9))
                log.append(checked_parallel_reset(env, 9))
            logs.append(log)
        differ = next((k for k, (x, y) in enumerate(zip(*logs, strict=False)) if x != y), None)
        assert differ is None and len(logs[0]) == len(logs[1]), (
            f"two RendezvousEnv(size=9, goal=4) reset with seed={seed} and given the same actions differ at entry "
            f"{differ} of their log: {logs[0][differ or 0]} vs {logs[1][differ or 0]} (draw every random number from "
            "self.np_random, re-created from the seed in reset)"
        )
    starts = {tuple(checked_parallel_reset(first, 9, seed=seed).values()) for seed in range(20)}
    assert len(starts) > 1, f"20 seeds (0..19) all gave the start cells {starts}: the start must be drawn at random"
