"""What the sandboxed child gets: a clean environment, resource limits, and (as root) no network and no root.

Always: a new session (the grader kills the whole process group), an environment rebuilt from an allow-list
(no CI secrets, no tokens), a private working directory, and rlimits on address space, CPU time, file size,
open files and processes. When the grader runs as root: a new, empty network namespace (no network at all)
and an unprivileged uid/gid (``nobody``), so ``RLIMIT_NPROC`` applies and the grader's ``/proc/<pid>``
entries are out of reach; the interpreter and packages must be readable by that uid, otherwise the child
keeps root and :func:`confine` says so in ``Confinement.notes``.
"""

from __future__ import annotations

import ctypes
import os
import resource
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

NOBODY = 65534
CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Limits:
    """Limits of one child; ``call_seconds`` bounds every wait for an answer (the check's timeout)."""

    call_seconds: float = 60.0
    cpu_seconds: int = 120
    memory_bytes: int = 8 << 30  # address space: torch alone maps ~2 GiB
    file_bytes: int = 64 << 20
    open_files: int = 256
    processes: int = 256


@dataclass
class Confinement:
    """How to start the child: a command wrapper and the function run in the child before ``exec``."""

    preexec: Callable[[], None]
    wrap: Callable[[list[str]], list[str]] = lambda command: command
    notes: list[str] = field(default_factory=list)


def child_environment(home: Path) -> dict[str, str]:
    """The child's whole environment (nothing inherited: no tokens, no secrets)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
    }


def readable_by_others(path: Path) -> bool:
    """Whether a uid other than the owner can reach and read ``path`` (every parent directory searchable)."""
    path = path.resolve()
    for part in [*reversed(path.parents), path]:
        mode = part.stat().st_mode
        if not mode & stat.S_IXOTH and part.is_dir():
            return False
    return bool(path.stat().st_mode & stat.S_IROTH)


def confine(limits: Limits, home: Path, readable: list[Path] | None = None) -> Confinement:
    """The confinement available here. ``readable``: paths the child must read (its code, the submission)."""
    notes: list[str] = []
    as_root = os.geteuid() == 0
    needed = [Path(sys.executable), Path(sys.base_prefix), *(readable or [])]
    drop = as_root and all(readable_by_others(p) for p in needed)
    if as_root and not drop:
        notes.append(
            "the child keeps root: the interpreter, its packages or the submission are not readable by other "
            "users (install Python and the venv in a world-readable prefix to run student code as nobody)"
        )
    if not as_root:
        notes.append("not root: the child keeps the network and the grader's uid (use bubblewrap or run as root)")
    if drop:
        os.chown(home, NOBODY, NOBODY)

    def preexec() -> None:
        if as_root:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWNET) != 0:
                os._exit(70)
        for limit, value in (
            (resource.RLIMIT_AS, limits.memory_bytes),
            (resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_FSIZE, limits.file_bytes),
            (resource.RLIMIT_NOFILE, limits.open_files),
            (resource.RLIMIT_NPROC, limits.processes),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(limit, (value, value))
        if drop:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

    return Confinement(preexec=preexec, notes=notes)
