"""What a submission cannot import while it is graded: the grader, the course's checks and the reference.

The grader's harness computes answers to the homework (design P3 keeps them in trusted code), so student code
must not call it. A check's child runs :func:`hide_course_packages` before it imports any student code: every
module of :data:`HIDDEN_PACKAGES` leaves ``sys.modules`` (the child's own code keeps its references) and a
finder first on ``sys.meta_path`` refuses them, so ``import grader.harness.tabular_models`` (or ``tests``,
``solutions``) fails with :data:`MESSAGE`. The child's own late imports of grader code (the classes of a
network the grader sends, unpickled) go through :func:`trusted_imports`.

The child loads no module that computes an answer (``grader.oracles`` never enters it); what it does load
(the protocol, validators, the loops of :mod:`grader.harness.loops`) restates no student function.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Iterator
from types import ModuleType

HIDDEN_PACKAGES = frozenset({"grader", "tests", "solutions"})
MESSAGE = (
    "`import {name}`: while it is graded, a submission cannot import the grader, the course's checks or the "
    "reference solution (they hold the answers). Write this part yourself; your code may import the standard "
    "library, numpy, gymnasium, torch and its own modules."
)


class HiddenPackageFinder(importlib.abc.MetaPathFinder):
    """Refuses the modules of :data:`HIDDEN_PACKAGES` unless the child itself is importing (``trusted``)."""

    def __init__(self) -> None:
        self.trusted = 0
        self.modules: dict[str, ModuleType] = {}  # the hidden modules already loaded, by name

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if not self.trusted and fullname.partition(".")[0] in HIDDEN_PACKAGES:
            raise ModuleNotFoundError(MESSAGE.format(name=fullname), name=fullname)
        return None  # not ours to refuse: the next finder decides

    def hide(self) -> None:
        """Move every loaded module of the hidden packages out of ``sys.modules`` into ``self.modules``."""
        for name in [name for name in sys.modules if name.partition(".")[0] in HIDDEN_PACKAGES]:
            self.modules[name] = sys.modules.pop(name)


GUARD = HiddenPackageFinder()


def hide_course_packages() -> None:
    """From now on this process's ``import`` refuses the grader, the checks and the reference."""
    GUARD.hide()
    if GUARD not in sys.meta_path:
        sys.meta_path.insert(0, GUARD)


@contextlib.contextmanager
def trusted_imports() -> Iterator[None]:
    """The child's own code imports here (e.g. unpickling a grader's network class); hidden again afterwards."""
    if GUARD not in sys.meta_path:  # the grader's own process: nothing is hidden
        yield
        return
    sys.modules.update(GUARD.modules)
    GUARD.trusted += 1
    try:
        yield
    finally:
        GUARD.trusted -= 1
        GUARD.hide()
