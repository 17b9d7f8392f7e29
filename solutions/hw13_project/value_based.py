"""Value-based algorithms for discrete actions: DQN / Double DQN / dueling (your hw04), behind the library API.

The agent API of the library (every single-agent algorithm)::

    agent = DQN(observation_space, action_space, seed=seed, **hparams)
    action = agent.act(obs, deterministic=False)   # an int in [0, n) for a Discrete space
    agent.observe(obs, action, reward, next_obs, terminated, truncated)
    agent.save(path); agent.load(path)

``act``/``observe`` are your hw04 ``DQNAgent``'s; ``save``/``load`` come from :class:`~.checkpoint.Checkpoint`.
"""

from __future__ import annotations

from .checkpoint import Checkpoint
from .hw04_dqn.dqn import DQNAgent


class DQN(Checkpoint, DQNAgent):
    """Your hw04 ``DQNAgent`` (copied into ``hw04_dqn/``) with ``save`` and ``load``. Nothing else to write."""
