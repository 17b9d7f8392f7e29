"""The global random number generators: Python's ``random``, numpy's legacy ``np.random`` and torch's default
generator.

Correct code never draws from them (it uses the generator or seed it is given), but the grader seeds them
before every check and every training run, so that even code that does grades the same every time (design
P4), and reproducibility checks compare their state before and after the code ran. These functions act on
the process they run in; :mod:`grader.harness.calls` applies them where the code under test runs (the
sandbox's child when it is sandboxed).
"""

from __future__ import annotations

import hashlib
import random
import sys

import numpy as np


def seed_global_rngs(seed: int) -> None:
    """Seed ``random``, ``np.random`` and (when loaded) torch with ``seed``."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    seed_torch(seed)


def seed_torch(seed: int) -> None:
    """Seed torch's default generator and keep it to one thread (design P4), when torch is loaded."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(1)


def global_rng_digests() -> dict[str, str]:
    """Digests of the states of ``np.random`` (key ``numpy``), ``random`` (key ``random``) and, when torch is
    loaded, torch's default generator (key ``torch``): a digest changes when anything draws from that generator."""
    _, key, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    numpy_state = key.tobytes() + repr((pos, has_gauss, gauss)).encode()
    digests = {
        "numpy": hashlib.sha256(numpy_state).hexdigest(),
        "random": hashlib.sha256(repr(random.getstate()).encode()).hexdigest(),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        digests["torch"] = hashlib.sha256(torch.get_rng_state().numpy().tobytes()).hexdigest()
    return digests
