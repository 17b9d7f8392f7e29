"""Limits on a check as a whole: one cgroup (v2) per zygote, so all processes a check starts count together.

Rlimits are per process: a check that forks can use its CPU-time and memory limits once per process, and
``RLIMIT_NPROC`` counts every process of ``nobody`` on the machine, other sandboxes' too. Where the grader may
create cgroups (root, a writable cgroup v2 hierarchy), each zygote and everything below it runs in a cgroup of
its own, made under the hierarchy's root, and one check runs in it at a time:

* CPU: ``cpu.stat``'s ``usage_usec`` (always there in cgroup v2) is read when a check's child is forked and
  while the grader waits for it, so the check's processes together are held to its CPU-time limit;
* memory: ``memory.max`` = the zygote's own usage + the check's memory limit, no swap (``memory`` controller);
* processes: ``pids.max`` = the zygote's own + the check's process limit (``pids`` controller).

Controllers are used only where the root's ``cgroup.subtree_control`` already enables them (systemd does on
most Linux hosts); the grader never changes the machine's cgroup configuration. At the end of the run the
cgroup's processes are killed (``cgroup.kill``) and it is removed.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import signal
import time
from pathlib import Path

from grader.sandbox.scratch import stale_entries

PREFIX = "rlgrade-"
_names = itertools.count()


@functools.cache
def hierarchy() -> Path | None:
    """The root of the cgroup v2 hierarchy if this process may create cgroups in it (root, mounted writable)."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 3 and fields[2] == "cgroup2" and "rw" in fields[3].split(","):
                root = Path(fields[1])
                probe = root / f"{PREFIX}probe-{os.getpid()}"
                try:
                    probe.mkdir()
                    probe.rmdir()
                except OSError:
                    return None
                return root
    return None


@functools.cache
def controllers() -> frozenset[str]:
    """The controllers a new cgroup under the hierarchy's root gets (``cpu.stat`` needs none)."""
    root = hierarchy()
    if root is None:
        return frozenset()
    with contextlib.suppress(OSError):
        return frozenset((root / "cgroup.subtree_control").read_text().split())
    return frozenset()


class Cgroup:
    """The cgroup of one zygote and whatever it forks."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls) -> Cgroup | None:
        """A new, empty cgroup, or ``None`` where the machine gives none."""
        root = hierarchy()
        if root is None:
            return None
        for stale in stale_entries(root, PREFIX):  # an empty cgroup of a grader that was killed
            with contextlib.suppress(OSError):
                stale.rmdir()
        path = root / f"{PREFIX}{os.getpid()}-{next(_names)}"
        try:
            path.mkdir()
        except OSError:
            return None
        return cls(path)

    def enter(self) -> None:
        """Move the calling process into this cgroup (its children follow); run in ``preexec_fn``."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def _read(self, name: str) -> dict[str, int]:
        with contextlib.suppress(OSError, ValueError):
            lines = (self.path / name).read_text().splitlines()
            return {key: int(value) for key, value in (line.split() for line in lines)}
        return {}

    def _write(self, name: str, value: int | str) -> None:
        with contextlib.suppress(OSError):
            (self.path / name).write_text(str(value))

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used by every process that ever ran in this cgroup."""
        return self._read("cpu.stat").get("usage_usec", 0) / 1e6

    def oom_kills(self) -> int:
        """How many processes the kernel killed for going over ``memory.max``."""
        return self._read("memory.events").get("oom_kill", 0)

    def limit(self, memory_bytes: int, processes: int) -> None:
        """Allow one check ``memory_bytes`` and ``processes`` beyond what the zygote uses now (where the
        controllers exist)."""
        have = controllers()
        if "memory" in have:
            current = int((self.path / "memory.current").read_text())
            self._write("memory.max", current + memory_bytes)
            self._write("memory.swap.max", 0)
        if "pids" in have:
            current = int((self.path / "pids.current").read_text())
            self._write("pids.max", current + processes)

    def remove(self) -> None:
        """Kill every process left in the cgroup and remove it."""
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                return  # already gone
            if not pids:
                break
            if (self.path / "cgroup.kill").exists():
                self._write("cgroup.kill", 1)
            else:
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            self.path.rmdir()
