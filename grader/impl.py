"""Loading the implementation under test (reference, stubs or a student submission).

A check never imports student code itself (design P2): it asks the ``impl`` fixture for a module or an
attribute, and this module imports the assignment package from whichever tree ``--impl`` selected.
Each tree is imported under its own unique package name, so two trees never shadow each other, and
import failures become one clear message per module instead of a crash of the run.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType


class ImplementationError(Exception):
    """The submission cannot provide what a check asked for (import failure, missing name)."""


def resolve_impl_root(choice: str, course_root: Path) -> Path:
    """Map ``--impl`` to the folder that holds ``hwNN_slug/`` packages.

    ``solutions`` and ``assignments`` name the trees of the course repo; anything else is a path to a
    submission: either that folder itself, or a student repo whose ``assignments/`` holds the packages.
    """
    if choice in ("solutions", "assignments"):
        root = course_root / choice
    else:
        root = Path(choice).expanduser().resolve()
        if (root / "assignments").is_dir() and not any(root.glob("hw*/__init__.py")):
            root = root / "assignments"
    if not root.is_dir():
        raise ImplementationError(f"--impl {choice!r}: folder {root} does not exist")
    return root


def _short_traceback(exc: BaseException, root: Path) -> str:
    """Describe an exception raised while importing student code, pointing at the student's own lines."""
    if isinstance(exc, SyntaxError):
        where = Path(exc.filename or "?").name
        return f"{where}, line {exc.lineno}: SyntaxError: {exc.msg}\n    {(exc.text or '').rstrip()}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if str(root) in (f.filename or "")]
    where = f"{Path(frames[-1].filename).name}, line {frames[-1].lineno}: " if frames else ""
    return f"{where}{type(exc).__name__}: {exc}"


def registered_env(env_id: str) -> dict | None:
    """What is registered with Gymnasium under ``env_id`` (by the code under test): its entry point (the
    callable itself, or its ``module:name`` string), ``max_episode_steps`` and ``kwargs``; ``None`` if nothing."""
    import gymnasium as gym

    spec = gym.registry.get(env_id)
    if spec is None:
        return None
    return {"entry_point": spec.entry_point, "max_episode_steps": spec.max_episode_steps, "kwargs": dict(spec.kwargs)}


@dataclass
class Implementation:
    """The assignment package ``<root>/<assignment>/`` as seen by the checks of one assignment."""

    root: Path
    assignment: str
    _modules: dict[str, ModuleType | ImplementationError] = field(default_factory=dict)

    @property
    def package_name(self) -> str:
        tag = hashlib.sha1(str(self.root).encode()).hexdigest()[:10]
        return f"rlimpl_{tag}_{self.assignment}"

    def _import_package(self) -> ModuleType:
        name = self.package_name
        if name in sys.modules:
            return sys.modules[name]
        pkg_dir = self.root / self.assignment
        init = pkg_dir / "__init__.py"
        if not init.is_file():
            raise ImplementationError(
                f"no package {self.assignment}/ in {self.root} (expected {init}); submit the whole assignment folder"
            )
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(pkg_dir)])
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        try:
            spec.loader.exec_module(package)
        except Exception as exc:
            del sys.modules[name]
            raise ImplementationError(
                f"cannot import {self.assignment}/__init__.py: {_short_traceback(exc, self.root)}"
            ) from None
        return package

    def module(self, module: str) -> ModuleType:
        """Import ``<assignment>/<module>.py``; every failure is remembered and re-reported as is."""
        cached = self._modules.get(module)
        if isinstance(cached, ImplementationError):
            raise cached
        if cached is not None:
            return cached
        try:
            self._import_package()
            if not (self.root / self.assignment / f"{module}.py").is_file():
                raise ImplementationError(f"file {self.assignment}/{module}.py is missing from the submission")
            try:
                loaded = importlib.import_module(f"{self.package_name}.{module}")
            except Exception as exc:
                raise ImplementationError(f"cannot import {module}.py: {_short_traceback(exc, self.root)}") from None
        except ImplementationError as err:
            self._modules[module] = err
            raise
        self._modules[module] = loaded
        return loaded

    @staticmethod
    def registered_env(env_id: str) -> dict | None:
        """See :func:`registered_env` (the same call is answered by the child when sandboxed)."""
        return registered_env(env_id)

    def attr(self, module: str, name: str):
        """Return ``<module>.<name>`` (a class or a function) from the implementation under test."""
        mod = self.module(module)
        try:
            return getattr(mod, name)
        except AttributeError:
            raise ImplementationError(
                f"{self.assignment}/{module}.py has no `{name}`; keep the names of the stub"
            ) from None
