"""Hidden checks of hw10 part 3 (``coop_env.py``): PettingZoo's ``parallel_api_test`` on other sizes and numbers
of agents, and long random scripts of three and four agents compared step by step with the grader's own rules."""

from __future__ import annotations

import numpy as np
import pytest

from grader.harness.calls import beside
from grader.harness.loops import parallel_api_check
from grader.harness.multi_agent import checked_parallel_reset, checked_parallel_step
from grader.oracles.multi_agent import rendezvous_step


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_hidden_parallel_api_test_other_sizes(impl):
    """parallel_api_test on a 2-cell line with 4 agents and max_steps = 1, and on a 12-cell line"""
    cls = impl.attr("coop_env", "RendezvousEnv")
    for kwargs in ({"size": 2, "goal": 0, "n_agents": 4, "max_steps": 1}, {"size": 12, "goal": 0, "max_steps": 50}):
        env = cls(**kwargs)
        problem = beside(env, parallel_api_check, env, 300)
        assert problem == "", f"parallel_api_test(RendezvousEnv({kwargs})) failed: {str(problem)[:600]}"


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_hidden_rendezvous_random_scripts(impl):
    """Random scripts of 3 and 4 agents (dicts in shuffled order) match the grader's rules step by step"""
    cls = impl.attr("coop_env", "RendezvousEnv")
    rng = np.random.default_rng(77)
    for size, goal, n_agents, max_steps in ((6, 5, 3, 8), (3, 1, 4, 5)):
        env = cls(size=size, goal=goal, n_agents=n_agents, max_steps=max_steps)
        names = [f"agent_{i}" for i in range(n_agents)]
        history: list[str] = []
        for _ in range(6):  # episodes
            positions = {name: int(rng.integers(size)) for name in names}
            checked_parallel_reset(env, size, options={"positions": dict(positions)})
            history = [f"reset at {positions}"]
            for step in range(1, max_steps + 1):
                order = rng.permutation(n_agents)
                actions = {names[i]: int(rng.integers(3)) for i in order}
                positions, reward, terminated, truncated = rendezvous_step(
                    positions, actions, size, goal, step, max_steps
                )
                got = checked_parallel_step(env, actions, size)
                want = (positions, dict.fromkeys(actions, reward), dict.fromkeys(actions, terminated))
                history.append(f"step({actions})")
                rounded = (got[0], {n: round(r, 6) for n, r in got[1].items()}, got[2])
                assert rounded == want and got[3] == dict.fromkeys(actions, truncated), (
                    f"RendezvousEnv(size={size}, goal={goal}, n_agents={n_agents}, max_steps={max_steps}) after "
                    f"{'; '.join(history)}: (observations, rewards, terminations, truncations) = {got}; expected "
                    f"{(*want, dict.fromkeys(actions, truncated))}"
                )
                if terminated or truncated:
                    break
