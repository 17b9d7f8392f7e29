"""What every sandboxed child gets, in every mode: a clean environment, rlimits, and the uid it runs as.

How the child is confined beyond that (bubblewrap, or the fallback's namespaces and Landlock) is decided in
:mod:`grader.sandbox.confine`; what holds on this machine is described by :mod:`grader.sandbox.isolation`.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

#: The uid and gid student code runs as when the grader is root and no uid of its own can be claimed
#: (:mod:`grader.sandbox.uids`).
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Limits of one check's child; ``call_seconds`` bounds every wait for an answer (the check's timeout).

    ``memory_bytes`` and ``processes`` are per process (rlimits) and, where the machine has cgroup v2 with
    those controllers, also for all of the check's processes together (:mod:`grader.sandbox.cgroup`), as is
    ``cpu_seconds``. ``home_bytes`` caps the private home where it is a tmpfs."""

    call_seconds: float = 60.0
    cpu_seconds: int = 120
    memory_bytes: int = 8 << 30  # address space: torch alone maps ~2 GiB
    file_bytes: int = 64 << 20
    open_files: int = 256
    processes: int = 256
    home_bytes: int = 256 << 20


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


def set_limits(limits: Limits, processes: bool = True) -> None:
    """The rlimits of ``limits`` for this process and its children. ``processes=False`` leaves
    ``RLIMIT_NPROC`` alone: it counts every process of the uid on the machine, so where a cgroup limits the
    check's processes (``pids.max``), nothing else running as the checks' uid may use up this one's share."""
    for limit, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    if processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def drop_privileges(uid: int) -> None:
    """Become ``uid`` for good (root only): no supplementary groups, then gid (the same number), then uid."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
