"""Trusted loops of hw09 (options) that run beside the code under test (design P3, P9; see
:mod:`grader.harness.loops` for when a loop may run there).

The env is the kit's Four Rooms (public) and the loops get training seeds only. The loops execute the options
themselves (the agent only chooses them and learns), count every env step themselves and return the length of
every episode; the grader validates what comes back.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from grader.harness.calls import runs_beside
from grader.harness.envs import make_env
from grader.harness.four_rooms import FOUR_ROOMS_ID
from grader.harness.loops import harness_epsilon
from grader.harness.validate import InvalidOutput, as_bool, as_int


class StepRecorder(gym.Wrapper):
    """Counts the steps taken and the steps taken after the episode had ended (which must never happen); the
    ``patience``-th such step raises :class:`InvalidOutput` (code that never stops would hang the check)."""

    patience = 50

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.taken, self.after_end, self.ended = 0, 0, False

    def reset(self, **kwargs: Any) -> Any:
        self.ended = False
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> Any:
        if self.ended:
            self.after_end += 1
            if self.after_end >= self.patience:
                raise InvalidOutput(
                    f"env.step was called {self.after_end} times after the episode had ended (terminated or "
                    "truncated): stop executing the option as soon as the episode ends"
                )
            return self.last  # what the env said last: stepping on would fail inside Gymnasium's wrappers
        self.taken += 1
        self.last = self.env.step(action)
        self.ended = bool(self.last[2] or self.last[3])
        return self.last


@runs_beside
def option_trial(
    run_option: Any,
    env_kwargs: dict[str, Any],
    max_episode_steps: int,
    seed: int,
    policy: np.ndarray,
    beta: np.ndarray,
    gamma: float,
    rng_seed: int,
) -> tuple[Any, int, int]:
    """``run_option(env, s0, policy, beta, gamma, rng)`` once on a fresh Four Rooms (``reset(seed=seed)``), with
    ``rng = default_rng(rng_seed)``. Returns (what it returned, env steps taken, steps taken after the episode
    ended)."""
    env = StepRecorder(make_env(FOUR_ROOMS_ID, max_episode_steps=max_episode_steps, **env_kwargs))
    state, _ = env.reset(seed=seed)
    result = run_option(env, int(state), policy, beta, gamma, np.random.default_rng(rng_seed))
    return result, env.taken, env.after_end


def _chosen(value: object, what: str, initiation: np.ndarray, state: int) -> int:
    option = as_int(value, what, 0, initiation.shape[0])
    if not initiation[option, state]:
        raise InvalidOutput(
            f"{what} chose option {option} in state {state}, outside its initiation set (initiation[{option}, "
            f"{state}] is False): choose only among the options available in the state"
        )
    return option


@runs_beside
def train_options(
    agent: Any,
    intra: bool,
    env_kwargs: dict[str, Any],
    options: tuple[np.ndarray, np.ndarray, np.ndarray],
    episodes: int,
    epsilon: tuple[float, float, int],
    env_seed: int,
    gamma: float,
) -> np.ndarray:
    """Train an SMDP (``intra`` False) or intra-option Q-learning ``agent`` on Four Rooms for ``episodes``
    episodes; return every episode's length in env steps (int64).

    Per decision: ``o = agent.act(s)`` (must be available in s); the loop executes o: ``a = policy[o, s]``,
    ``env.step(a)``, ``agent.update(s, a, r, s', terminated)`` after every step when ``intra``; o stops when the
    episode ends or with probability ``beta[o, s']`` (the loop's own generator, seeded from ``env_seed``); then,
    when not ``intra``, ``agent.update(s0, o, R, k, s', terminated)`` with R = Σ γ^t r_(t+1) (the ``gamma`` the
    grader gave the agent), k the steps o took.
    """
    initiation, policy, beta = (np.asarray(part) for part in options)
    env = make_env(FOUR_ROOMS_ID, **env_kwargs)
    stops = np.random.default_rng([env_seed, 1])
    what = f"{type(agent).__name__}.act(state)"
    eps_start, eps_end, eps_duration = epsilon
    lengths = np.zeros(episodes, dtype=np.int64)
    for episode in range(episodes):
        agent.epsilon = harness_epsilon(episode, eps_start, eps_end, eps_duration)
        s, _ = env.reset(seed=env_seed if episode == 0 else None)
        s, done = int(s), False
        while not done:
            o = _chosen(agent.act(s), what, initiation, s)
            start, ret, k = s, 0.0, 0
            while True:
                s2, r, terminated, truncated, _ = env.step(int(policy[o, s]))
                s2, r, done = int(s2), float(r), bool(terminated or truncated)
                if intra:
                    agent.update(s, int(policy[o, s]), r, s2, bool(terminated))
                ret += gamma**k * r
                k += 1
                lengths[episode] += 1
                s = s2
                if done or stops.random() < beta[o, s]:
                    break
            if not intra:
                agent.update(start, o, ret, k, s, bool(terminated))
    env.close()
    return lengths


@runs_beside
def train_option_critic(
    agent: Any,
    env_kwargs: dict[str, Any],
    n_options: int,
    episodes: int,
    epsilon: tuple[float, float, int],
    env_seed: int,
) -> np.ndarray:
    """Train an option-critic ``agent`` on Four Rooms (the loop of ``OptionCritic``'s docstring); return every
    episode's length in env steps (int64)."""
    env = make_env(FOUR_ROOMS_ID, **env_kwargs)
    n_actions = int(env.action_space.n)
    eps_start, eps_end, eps_duration = epsilon
    lengths = np.zeros(episodes, dtype=np.int64)
    for episode in range(episodes):
        agent.epsilon = harness_epsilon(episode, eps_start, eps_end, eps_duration)
        s, _ = env.reset(seed=env_seed if episode == 0 else None)
        s = int(s)
        o = as_int(agent.choose_option(s), "OptionCritic.choose_option(state)", 0, n_options)
        while True:
            a = as_int(agent.act(s, o), "OptionCritic.act(state, option)", 0, n_actions)
            s2, r, terminated, truncated, _ = env.step(a)
            s2 = int(s2)
            agent.update(s, o, a, float(r), s2, bool(terminated))
            lengths[episode] += 1
            if terminated or truncated:
                break
            if as_bool(agent.terminates(s2, o), "OptionCritic.terminates(state, option)"):
                o = as_int(agent.choose_option(s2), "OptionCritic.choose_option(state)", 0, n_options)
            s = s2
    env.close()
    return lengths
