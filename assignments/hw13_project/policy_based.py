"""Policy-based algorithms for continuous (box) actions: TD3 and DDPG (your hw07), behind the library API.

Same API as :mod:`.value_based`: ``TD3(observation_space, action_space, seed=seed, **hparams)``, ``act(obs,
deterministic=False)`` returns a float32 array inside the action box, ``observe(...)``, ``save``, ``load``.
DDPG is ``TD3(..., twin=False, policy_delay=1, target_noise=0.0)``.
"""

from __future__ import annotations

from .checkpoint import Checkpoint
from .hw07_continuous.td3 import TD3Agent


class TD3(Checkpoint, TD3Agent):
    """Your hw07 ``TD3Agent`` (copied into ``hw07_continuous/``) with ``save`` and ``load``. Nothing else to write."""
