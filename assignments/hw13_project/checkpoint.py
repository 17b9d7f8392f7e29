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
        raise NotImplementedError("Checkpoint.state — fill this in (see its docstring in checkpoint.py)")

    def restore(self, saved: dict[str, Any]) -> None:
        """Put a :meth:`state` back: ``load_state_dict`` for modules and optimizers, ``bit_generator.state = …``
        for generators, copies of the arrays, the numbers as they were."""
        raise NotImplementedError("Checkpoint.restore — fill this in (see its docstring in checkpoint.py)")

    def save(self, path: str | Path) -> None:
        """Write :meth:`state` to ``path`` with ``torch.save``."""
        raise NotImplementedError("Checkpoint.save — fill this in (see its docstring in checkpoint.py)")

    def load(self, path: str | Path) -> None:
        """Read a file written by :meth:`save` (``torch.load(path, weights_only=False)``) and :meth:`restore` it."""
        raise NotImplementedError("Checkpoint.load — fill this in (see its docstring in checkpoint.py)")
