"""Trusted training loops that run beside the code under test (design P3, P9).

A learning check calls the student's agent once or twice per env step. Sandboxed, each call would be a round
trip to the child process: tens of µs on an idle machine, milliseconds when both processes wait for a core.
So a check starts the loops of this module with :func:`grader.harness.calls.beside`: they run where the agent
is (in the grader's process in-process, in the sandbox's child when sandboxed) at in-process speed, and the
same code runs in both modes, so both give the same numbers.

A loop may run beside the agent only when that leaks nothing the student could use and is no easier to
exploit than a loop in the grader:

* its environment is a public Gymnasium env (or one the kit ships to students), whose dynamics a student can
  build alone, or the student's own env; it is given training seeds only, never a hidden parameter or the seeds
  of the evaluation episodes (:class:`LockstepBandits` gets no testbed at all: the grader keeps the arms' means
  and passes each agent the reward of the arm it pulled);
* what it returns (env steps used, episode returns) is validated by the grader and only shown (curves, the
  message); the verdict comes from the grader's own evaluation, on its own env and seeds, in its own process:
  a greedy policy read from the agent's table, or ``act(obs, deterministic=True)`` on lockstep episodes.

Student code can patch these loops in its own process: that changes only how its agent is trained, which a
submission could always do with its CPU budget. The budget is the child's CPU-time limit.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from grader.harness.calls import runs_beside
from grader.harness.envs import blackjack_index, checked_reset, checked_step, make_env, make_parallel_env
from grader.harness.validate import InvalidOutput, as_float_array, as_int

# Actions a little outside a box (float32 rounding of a clipped value) are accepted and clipped.
BOX_TOLERANCE = 1e-5


def checked_action(value: object, space: gym.Space, what: str) -> int | np.ndarray:
    """``value`` as a valid action of ``space``: a plain ``int`` for ``Discrete``, a float array for ``Box``."""
    if isinstance(space, gym.spaces.Discrete):
        return as_int(value, what, 0, int(space.n))
    if isinstance(space, gym.spaces.Box):
        action = as_float_array(value, what, space.shape)
        low, high = space.low.astype(np.float64), space.high.astype(np.float64)
        if np.any(action < low - BOX_TOLERANCE) or np.any(action > high + BOX_TOLERANCE):
            raise InvalidOutput(
                f"{what} must lie inside the action space [{low.tolist()}, {high.tolist()}], got {action.tolist()}; "
                "clip (or squash) the sampled action before returning it"
            )
        return np.clip(action, low, high).astype(space.dtype)
    raise TypeError(f"unsupported action space {space}")


def checked_action_batch(value: object, space: gym.Space, n: int, what: str) -> np.ndarray:
    """``value`` as ``n`` valid actions of ``space``, one per row (an agent acting on N environments at once):
    an int64 array ``(n,)`` for ``Discrete`` (an integer array, or a list of ints), a float array
    ``(n, *shape)`` of the space's dtype for ``Box``, each row inside ``[low, high]`` (as :func:`checked_action`)."""
    if isinstance(space, gym.spaces.Discrete):
        if type(value) is np.ndarray and value.dtype.kind in "iu" and value.shape == (n,):
            actions = value.astype(np.int64)
        elif type(value) in (list, tuple) and len(value) == n:
            actions = np.array([as_int(v, f"each entry of {what}", 0, int(space.n)) for v in value], dtype=np.int64)
        else:
            shape = getattr(value, "shape", None)
            kind = f"a {type(value).__name__}" + (f" of shape {tuple(shape)}" if shape is not None else "")
            raise InvalidOutput(f"{what} must be an integer array of shape ({n},), one action per row, got {kind}")
        if np.any(actions < 0) or np.any(actions >= int(space.n)):
            raise InvalidOutput(f"{what} must hold actions in [0, {int(space.n) - 1}], got {actions.tolist()}")
        return actions
    if isinstance(space, gym.spaces.Box):
        rows = as_float_array(value, what, (n, *space.shape))
        return np.stack([checked_action(row, space, what) for row in rows])
    raise TypeError(f"unsupported action space {space}")


def harness_epsilon(episode: int, start: float, end: float, duration: int) -> float:
    """The harness's own linear ε schedule (the same formula students implement as ``linear_epsilon``)."""
    if duration <= 0:
        return end
    return start + (end - start) * min(episode / duration, 1.0)


@runs_beside
def train_td(
    agent: Any,
    env_id: str,
    env_kwargs: dict[str, Any],
    episodes: int,
    epsilon: tuple[float, float, int],
    env_seed: int,
    train_step_cap: int | None,
    max_train_steps: int | None = None,
) -> tuple[int, np.ndarray]:
    """Run ``episodes`` training episodes of a tabular TD-control ``agent`` (hw02; the loop of
    :mod:`grader.harness.tabular_control`; hw08's Dyna-Q runs the same loop in lockstep,
    :func:`grader.harness.model_based.train_dyna_lockstep`). Returns (total env steps, undiscounted return of every
    episode).

    Fails (``AssertionError``) once the episodes use more than ``max_train_steps`` env steps in total: on
    CliffWalking-v1 (no time limit) an agent that learns to walk in circles never finishes.
    """
    env = make_env(env_id, **env_kwargs)
    n_actions = int(env.action_space.n)
    env.action_space.seed(env_seed)
    cap = train_step_cap or 1 << 62
    budget = max_train_steps or 1 << 62
    what = f"{type(agent).__name__}.act() return value"
    act, update = agent.act, agent.update
    eps_start, eps_end, eps_duration = epsilon
    returns = np.empty(episodes)
    total_steps = 0
    for episode in range(episodes):
        agent.epsilon = harness_epsilon(episode, eps_start, eps_end, eps_duration)
        s, _ = env.reset(seed=env_seed if episode == 0 else None)
        s = int(s)
        a = as_int(act(s), what, 0, n_actions)
        ret, steps, done = 0.0, 0, False
        while not done:
            s2, r, terminated, truncated, _ = env.step(a)
            s2, r, steps = int(s2), float(r), steps + 1
            truncated = bool(truncated) or steps >= cap
            a2 = None if terminated else as_int(act(s2), what, 0, n_actions)
            update(s, a, r, s2, bool(terminated), truncated, next_action=a2)
            ret += r
            s, a, done = s2, a2, terminated or truncated
        returns[episode] = ret
        total_steps += steps
        if total_steps > budget:
            raise AssertionError(
                f"{type(agent).__name__} on {env_id}: training used more than {budget} env steps in its first "
                f"{episode + 1} of {episodes} episodes (mean return {np.mean(returns[: episode + 1]):.1f}); a correct "
                "agent needs far fewer: its episodes got longer instead of shorter. The exact checks of the agent's "
                "update and act() say which part differs"
            )
    env.close()
    return total_steps, returns


def checked_joint_action(value: object, agents: list[str], space_of: Any, what: str) -> dict[str, int]:
    """``value`` as ``{name: int action}`` with exactly the names ``agents``, each action inside its ``Discrete``
    space ``space_of(name)``."""
    if not isinstance(value, dict) or set(value) != set(agents):
        keys = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise InvalidOutput(f"{what} must be a dict with one action per live agent {sorted(agents)}, got {keys}")
    return {name: as_int(value[name], f"{what}[{name!r}]", 0, int(space_of(name).n)) for name in agents}


@runs_beside
def train_parallel(
    team: Any,
    env_id: str,
    env_kwargs: dict[str, Any],
    episodes: int,
    epsilon: tuple[float, float, int],
    env_seed: int,
    max_train_steps: int | None = None,
) -> tuple[int, np.ndarray]:
    """Run ``episodes`` training episodes of a multi-agent ``team`` (hw10) on a PettingZoo parallel env of the kit
    (:func:`grader.harness.envs.make_parallel_env`) with integer observations and ``Discrete`` actions.

    Per episode: ``team.epsilon = ε(episode)`` (:func:`harness_epsilon`); ``obs, _ = env.reset(seed=...)`` (the
    seed on the first episode only); while ``env.agents``: ``actions = team.act(obs of the live agents)`` (a dict,
    validated by name), ``env.step(actions)``, then ``team.update(obs, actions, rewards, next_obs, terminations,
    truncations)`` with dicts of the live agents in the env's order. Returns (env steps, the team return of every
    episode: the sum over its steps of the live agents' mean reward). Fails beyond ``max_train_steps`` env steps.
    """
    env = make_parallel_env(env_id, **env_kwargs)
    budget = max_train_steps or 1 << 62
    what = f"{type(team).__name__}.act() return value"
    act, update = team.act, team.update
    eps_start, eps_end, eps_duration = epsilon
    returns = np.empty(episodes)
    total_steps = 0
    for episode in range(episodes):
        team.epsilon = harness_epsilon(episode, eps_start, eps_end, eps_duration)
        obs, _ = env.reset(seed=env_seed if episode == 0 else None)
        ret = 0.0
        while env.agents:
            live = list(env.agents)
            states = {name: int(obs[name]) for name in live}
            actions = checked_joint_action(act(dict(states)), live, env.action_space, what)
            next_obs, rewards, terminations, truncations, _ = env.step(dict(actions))
            step_rewards = {name: float(rewards[name]) for name in live}
            update(
                states,
                dict(actions),
                step_rewards,
                {name: int(next_obs[name]) for name in live},
                {name: bool(terminations[name]) for name in live},
                {name: bool(truncations[name]) for name in live},
            )
            ret += sum(step_rewards.values()) / len(live)
            obs = next_obs
            total_steps += 1
            if total_steps > budget:
                raise AssertionError(
                    f"{type(team).__name__} on {env_id}: training used more than {budget} env steps in its first "
                    f"{episode + 1} of {episodes} episodes"
                )
        returns[episode] = ret
    env.close()
    return total_steps, returns


@runs_beside
def train_mc_episodes(agent: Any, env_id: str, episodes: int, seed: int) -> int:
    """Run ``episodes`` episodes of a Monte Carlo control ``agent`` (hw02) on ``env_id`` (reset with ``seed``
    once): ``act(state)`` per step, ``update_episode(states, actions, rewards)`` after each episode. States are
    :func:`grader.harness.envs.blackjack_index` for Blackjack-v1. Returns the env steps used."""
    env = make_env(env_id)
    what = f"{type(agent).__name__}.act() return value"
    act, update_episode = agent.act, agent.update_episode
    total_steps = 0
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed if episode == 0 else None)
        states, actions, rewards = [], [], []
        while True:
            state = blackjack_index(obs)
            action = as_int(act(state), what, 0, 2)
            obs, reward, terminated, truncated, _ = env.step(action)
            states.append(state)
            actions.append(action)
            rewards.append(float(reward))
            if terminated or truncated:
                break
        update_episode(states, actions, rewards)
        total_steps += len(actions)
    env.close()
    return total_steps


@runs_beside
class OnlineTrainer:
    """Trains an online agent (hw03, hw04, hw07; the protocol of :mod:`grader.harness.deep_control`) on its own env,
    a chunk of env steps at a time, so the grader can evaluate between chunks.

    Per step: ``a = act(obs)`` (validated), ``env.step(a)``, ``observe(obs, a, r, next_obs, terminated,
    truncated)``; after ``terminated or truncated`` the env is reset. The first reset uses ``env_seed``, and so
    does ``action_space.seed``. With ``history`` = L > 0 (a memory-based agent, hw07) the call is
    ``act(obs, hist_obs, hist_actions)`` with the episode's last ``min(t, L)`` observations and actions before
    step t (:class:`EpisodeHistory`).
    """

    def __init__(self, agent: Any, env_id: str, env_kwargs: dict[str, Any], env_seed: int, history: int = 0) -> None:
        self.env = make_env(env_id, **env_kwargs)
        self.env.action_space.seed(env_seed)
        self.act, self.observe = agent.act, agent.observe
        self.what = f"{type(agent).__name__}.act(obs) return value"
        self.obs, _ = self.env.reset(seed=env_seed)
        self.history = EpisodeHistory(history, self.env.observation_space, self.env.action_space) if history else None
        self.episode_return = 0.0
        self.step = 0

    def advance(self, steps: int) -> dict[str, Any]:
        """Train for ``steps`` more env steps. Returns the env steps so far (``step``), and the return
        (``returns``) and the step count at the end (``ends``) of every episode that finished meanwhile."""
        returns: list[float] = []
        ends: list[int] = []
        space, history = self.env.action_space, self.history
        for _ in range(int(steps)):
            obs = self.obs
            chosen = self.act(np.array(obs), *history.arrays()) if history else self.act(np.array(obs))
            action = checked_action(chosen, space, self.what)
            next_obs, reward, terminated, truncated, _ = self.env.step(action)
            reward, terminated, truncated = float(reward), bool(terminated), bool(truncated)
            copy = action.copy() if isinstance(action, np.ndarray) else action
            self.observe(np.array(obs), copy, reward, np.array(next_obs), terminated, truncated)
            self.step += 1
            self.episode_return += reward
            self.obs = next_obs
            if history:
                history.append(obs, action)
            if terminated or truncated:
                returns.append(self.episode_return)
                ends.append(self.step)
                self.episode_return = 0.0
                self.obs, _ = self.env.reset()
                if history:
                    history.clear()
        return {"step": self.step, "returns": returns, "ends": ends}

    def close(self) -> None:
        self.env.close()


class EpisodeHistory:
    """The last ``length`` observations and actions of the running episode, oldest first (memory-based agents)."""

    def __init__(self, length: int, observation_space: gym.Space, action_space: gym.Space) -> None:
        self.length = length
        self.obs_shape, self.act_shape = observation_space.shape, action_space.shape
        self.obs: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []

    def append(self, obs: np.ndarray, action: np.ndarray) -> None:
        self.obs = [*self.obs, np.asarray(obs, dtype=np.float32)][-self.length :]
        self.actions = [*self.actions, np.asarray(action, dtype=np.float32)][-self.length :]

    def clear(self) -> None:
        self.obs, self.actions = [], []

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(hist_obs (h, *obs_shape), hist_actions (h, *act_shape))`` float32, h = the rows kept so far."""
        return (
            np.array(self.obs, dtype=np.float32).reshape(len(self.obs), *self.obs_shape),
            np.array(self.actions, dtype=np.float32).reshape(len(self.actions), *self.act_shape),
        )


@runs_beside
class VectorTrainer:
    """Trains an agent that acts on N copies of an env at once (hw05 on: A2C, PPO) a chunk of env steps at a time.

    The envs are a ``gymnasium.vector.SyncVectorEnv`` in Gymnasium's default autoreset mode (``NEXT_STEP``): the
    step after env i's episode ended resets env i (its action is ignored; reward 0, both flags False). Per vector
    step: ``actions = act(obs)`` with ``obs`` ``(N, obs_dim)`` (validated: one action per row), ``envs.step``,
    then ``observe(obs, actions, rewards, next_obs, terminated, truncated)`` with exactly what the vector env
    returned. The first reset uses ``env_seed`` (env i gets ``env_seed + i``). A vector step counts N env steps.
    """

    def __init__(self, agent: Any, env_id: str, env_kwargs: dict[str, Any], n_envs: int, env_seed: int) -> None:
        self.n_envs = int(n_envs)
        self.envs = gym.vector.SyncVectorEnv([lambda: make_env(env_id, **env_kwargs) for _ in range(self.n_envs)])
        self.space = self.envs.single_action_space
        self.act, self.observe = agent.act, agent.observe
        self.what = f"{type(agent).__name__}.act(obs) return value (obs of {self.n_envs} envs)"
        self.obs, _ = self.envs.reset(seed=env_seed)
        self.episode_returns = np.zeros(self.n_envs)
        self.step = 0

    def advance(self, steps: int) -> dict[str, Any]:
        """Train for ``steps`` more env steps (a multiple of N). Returns the env steps so far (``step``), and the
        return (``returns``) and the step count at the end (``ends``) of every episode that finished meanwhile."""
        if int(steps) % self.n_envs:
            raise ValueError(f"{steps} env steps is not a whole number of steps of {self.n_envs} envs")
        returns: list[float] = []
        ends: list[int] = []
        for _ in range(int(steps) // self.n_envs):
            obs = self.obs
            actions = checked_action_batch(self.act(obs.copy()), self.space, self.n_envs, self.what)
            next_obs, rewards, terminated, truncated, _ = self.envs.step(actions)
            copies = (obs, actions, rewards, next_obs, terminated, truncated)
            self.observe(*(array.copy() for array in copies))
            self.step += self.n_envs
            self.episode_returns += rewards  # 0 on a reset step
            for i in np.flatnonzero(terminated | truncated):
                returns.append(float(self.episode_returns[i]))
                ends.append(self.step)
                self.episode_returns[i] = 0.0
            self.obs = next_obs
        return {"step": self.step, "returns": returns, "ends": ends}

    def close(self) -> None:
        self.envs.close()


@runs_beside
class LockstepBandits:
    """The agents of independent bandit runs (hw01), played together: one call per step for all runs. The
    testbeds and their rewards stay in the grader; each agent gets only the reward of the arm it chose."""

    def __init__(self, agents: list[Any], n_arms: list[int]) -> None:
        self.acts = [agent.act for agent in agents]
        self.updates = [agent.update for agent in agents]
        self.n_arms = n_arms
        self.what = f"{type(agents[0]).__name__}.act() return value"
        self.actions: list[int] = []

    def step(self, rewards: np.ndarray | None) -> np.ndarray:
        """``update(a_i, r_i)`` of every run with its last action (unless ``rewards`` is None: the first step),
        then ``a_i = act()`` of every run; the new actions (int64, one per run)."""
        self.finish(rewards)
        self.actions = [as_int(act(), self.what, 0, n) for act, n in zip(self.acts, self.n_arms, strict=True)]
        return np.array(self.actions, dtype=np.int64)

    def finish(self, rewards: np.ndarray | None) -> None:
        """The last step's updates (``update(a_i, r_i)`` of every run), with no new action."""
        if rewards is not None:
            for update, action, reward in zip(self.updates, self.actions, rewards.tolist(), strict=True):
                update(action, reward)


@runs_beside
class LockstepContextual:
    """The agents of independent contextual-bandit runs (hw11), played together: one call per step for all runs.
    Per step, run i's agent gets its context, answers ``act(x_i)`` and, one step later, ``update(x_i, a_i, r_i)``
    with the reward of the arm it chose; the simulators and their rewards stay in the grader."""

    def __init__(self, agents: list[Any], n_arms: int) -> None:
        self.acts = [agent.act for agent in agents]
        self.updates = [agent.update for agent in agents]
        self.n_arms = n_arms
        self.what = f"{type(agents[0]).__name__}.act(x) return value"
        self.last: list[tuple[np.ndarray, int]] = []

    def step(self, contexts: np.ndarray, rewards: np.ndarray | None) -> np.ndarray:
        """The last step's updates (unless ``rewards`` is None: the first step), then ``a_i = act(contexts[i])``
        of every run; the new actions (int64, one per run)."""
        self.finish(rewards)
        actions = [as_int(act(x.copy()), self.what, 0, self.n_arms) for act, x in zip(self.acts, contexts, strict=True)]
        self.last = list(zip(list(contexts), actions, strict=True))
        return np.array(actions, dtype=np.int64)

    def finish(self, rewards: np.ndarray | None) -> None:
        """``update(x_i, a_i, r_i)`` of every run for its last action, with no new action."""
        if rewards is not None:
            for update, (x, action), reward in zip(self.updates, self.last, rewards.tolist(), strict=True):
                update(x.copy(), action, reward)


@runs_beside
def train_nim_selfplay(agent: Any, heaps: list[int], games: int, epsilon: float, seed: int) -> int:
    """Self-play training of a Nim afterstate learner (hw11): ``games`` games, each from a start position drawn
    uniformly (heap i in ``[0, heaps[i]]``, the full heaps if all are 0) with this loop's ``rng(seed)`` (exploring
    starts). Before each game ``agent.epsilon = epsilon``; per move ``move = agent.act(position)`` (validated:
    ``(heap, count)`` with ``1 ≤ count ≤ position[heap]``), then ``agent.update(afterstate)``. Returns the moves."""
    rng = np.random.default_rng(seed)
    act, update = agent.act, agent.update
    what = f"{type(agent).__name__}.act(position) return value"
    moves = 0
    for _ in range(games):
        agent.epsilon = epsilon
        position = [int(rng.integers(h + 1)) for h in heaps]
        position = position if sum(position) else list(heaps)
        while sum(position):
            move = act(tuple(position))
            if not isinstance(move, tuple | list) or len(move) != 2:
                raise InvalidOutput(f"{what} must be a (heap, count) pair, got {type(move).__name__}")
            heap = as_int(move[0], f"{what}: the heap", 0, len(heaps))
            position[heap] -= as_int(move[1], f"{what}: the count at position {tuple(position)}", 1, position[heap] + 1)
            update(tuple(position))
            moves += 1
    return moves


@runs_beside
def scripted_steps(
    env: Any, n_obs: int, seed: int, actions: list[int], reset_states: list[int], reset_on_terminated: bool
) -> list[tuple[int, float | None, bool]]:
    """Drive an env under test (hw01's grid world) with given actions: ``reset(seed=seed)``, then one ``step``
    per action; after a step that ended in one of ``reset_states``, or that terminated when
    ``reset_on_terminated``, ``reset()`` without a seed. Returns ``(obs, reward, terminated)`` after every reset
    (reward ``None``) and step, each validated as the Gymnasium API requires."""
    obs, _ = checked_reset(env, n_obs, seed=seed)
    entries: list[tuple[int, float | None, bool]] = [(obs, None, False)]
    resets = set(reset_states)
    for action in actions:
        step = checked_step(env, action, n_obs)
        entries.append((step.obs, step.reward, step.terminated))
        if step.obs in resets or (reset_on_terminated and step.terminated):
            obs, _ = checked_reset(env, n_obs)
            entries.append((obs, None, False))
    return entries


@runs_beside
def parallel_api_check(env: Any, num_cycles: int) -> str:
    """PettingZoo's own ``parallel_api_test(env, num_cycles)`` on an env under test (hw10), run beside it. Returns
    ``""`` when it passes, else what it found (the ``AssertionError``'s text, or the exception's type and text)."""
    from pettingzoo.test import parallel_api_test

    try:
        parallel_api_test(env, num_cycles=num_cycles)
    except NotImplementedError:
        raise
    except Exception as exc:  # the test's own assertions, and whatever the env raised under it
        text = str(exc) or "(no message)"
        return text if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {text}"
    return ""


@runs_beside
def output_gradients(net: Any, inputs: np.ndarray, weights: np.ndarray) -> list[tuple[str, Any]]:
    """∂/∂θ Σ_ij weights[i, j] · net(inputs)[i, j] for every named parameter θ of ``net`` (a torch module of the
    code under test), computed on a deep copy: the network itself, its ``.grad`` and every RNG stay untouched.

    The grader computes ``weights`` (the derivative of the documented loss with respect to the network's
    outputs) itself; only the backward pass through the student's architecture runs here. Returns
    ``[(name, gradient)]`` in ``named_parameters()`` order, a zero tensor where no gradient reaches a parameter."""
    import copy

    import torch

    twin = copy.deepcopy(net)
    twin.zero_grad(set_to_none=True)
    outputs = twin(torch.as_tensor(inputs))
    (outputs * torch.as_tensor(weights, dtype=outputs.dtype).reshape(outputs.shape)).sum().backward()
    return [(name, p.grad if p.grad is not None else torch.zeros_like(p)) for name, p in twin.named_parameters()]
