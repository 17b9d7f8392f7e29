"""Saving and loading an agent: the one piece of code every algorithm of the library shares.

A checkpoint holds what the agent needs to act, and to go on learning, exactly as before: the ``state_dict`` of
every torch module and optimizer attribute, the state of every numpy ``Generator`` attribute, every numpy array
(and dict of arrays: IQL's Q tables) and every plain number attribute (``step``, ``epsilon``, …). The replay
buffer is not saved: a reloaded agent acts identically, and refills its buffer when it trains again.

Gate 1 checks ``load(save(agent))``: an agent built with another seed, then loaded from the file another agent
saved, gives the same greedy actions *and* the same exploring actions (its generator continues where the
saved one stopped) on the grader's observations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn


class Checkpoint:
    """Mix-in adding ``save(path)`` and ``load(path)`` to an agent class (``class DQN(Checkpoint, DQNAgent)``)."""

    def state(self) -> dict[str, Any]:
        """The agent's state as a dict ``{attribute name: saved value}`` (see the module docstring):
        ``module.state_dict()`` / ``optimizer.state_dict()``, ``generator.bit_generator.state``, a copy of each
        numpy array (or dict of arrays), and each ``int``/``float``/``bool`` attribute as is."""
        # BEGIN SOLUTION
        saved: dict[str, Any] = {}
        for name, value in vars(self).items():
            if isinstance(value, nn.Module | torch.optim.Optimizer):
                saved[name] = value.state_dict()
            elif isinstance(value, np.random.Generator):
                saved[name] = value.bit_generator.state
            elif isinstance(value, np.ndarray):
                saved[name] = value.copy()
            elif isinstance(value, dict) and value and all(isinstance(v, np.ndarray) for v in value.values()):
                saved[name] = {key: array.copy() for key, array in value.items()}
            elif isinstance(value, bool | int | float):
                saved[name] = value
        return saved
        # END SOLUTION

    def restore(self, saved: dict[str, Any]) -> None:
        """Put a :meth:`state` back: ``load_state_dict`` for modules and optimizers, ``bit_generator.state = …``
        for generators, copies of the arrays, the numbers as they were."""
        # BEGIN SOLUTION
        for name, value in saved.items():
            current = getattr(self, name, None)
            if isinstance(current, nn.Module | torch.optim.Optimizer):
                current.load_state_dict(value)
            elif isinstance(current, np.random.Generator):
                current.bit_generator.state = value
            elif isinstance(value, dict):
                setattr(self, name, {key: np.array(array) for key, array in value.items()})
            else:
                setattr(self, name, np.array(value) if isinstance(value, np.ndarray) else value)
        # END SOLUTION

    def save(self, path: str | Path) -> None:
        """Write :meth:`state` to ``path`` with ``torch.save``."""
        # BEGIN SOLUTION
        torch.save(self.state(), path)
        # END SOLUTION

    def load(self, path: str | Path) -> None:
        """Read a file written by :meth:`save` (``torch.load(path, weights_only=False)``) and :meth:`restore` it."""
        # BEGIN SOLUTION
        self.restore(torch.load(path, weights_only=False))
        # END SOLUTION
