"""What the sandboxed zygote and its children get: a clean environment, limits, and as little as possible else.

Always: a new session, an environment rebuilt from an allow-list (no CI secrets, no tokens), a private working
directory, and rlimits on address space, CPU time, file size, open files and processes. With bubblewrap: own
network, PID, IPC and UTS namespaces and a minimal read-only file system; as root the zygote becomes
``nobody``, so ``RLIMIT_NPROC`` applies. Without bubblewrap, as root: an empty network namespace where the
kernel allows one (not in most containers) and ``nobody`` when the interpreter is readable by that uid;
:func:`describe_isolation` says which of these hold, and the grader prints it with every sandboxed grading.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
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
    drop_in_child: bool = False  # the child calls drop_privileges() before it imports student code
    own_pids: bool = False  # the child has its own PID namespace (and a private /tmp)


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


@functools.cache
def bubblewrap() -> str | None:
    """The ``bwrap`` executable if it can create the namespaces here (Ubuntu 24.04 needs root or a sysctl)."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = [path, "--unshare-all", *([] if os.geteuid() == 0 else ["--unshare-user"])]
    probe += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"]
    ok = subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    return path if ok else None


@functools.cache
def network_namespace() -> bool:
    """Whether this process may give a child its own empty network namespace (root, outside most containers)."""
    if os.geteuid() != 0:
        return False
    probe = f"import ctypes, sys; sys.exit(ctypes.CDLL(None).unshare({CLONE_NEWNET}) != 0)"
    return subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, timeout=30).returncode == 0


def runs_as_nobody(code: list[Path]) -> bool:
    """Without bubblewrap, as root: the child can drop to ``nobody`` only if it can still read Python and ``code``."""
    return all(readable_by_others(p) for p in [Path(sys.executable), Path(sys.base_prefix), *code])


def describe_isolation() -> str:
    """One line for reports: how student code is confined on this machine."""
    as_root = os.geteuid() == 0
    if bubblewrap() is not None:
        user = "runs as nobody" if as_root else "runs in a user namespace"
        return f"sandbox: bubblewrap (no network, own PID namespace, read-only minimal file system; {user})"
    if not as_root:
        return "sandbox WITHOUT bubblewrap and not root: separate process and rlimits only; install bubblewrap"
    network = "no network" if network_namespace() else "WITH network (no network namespace here)"
    user = "runs as nobody" if runs_as_nobody([]) else "keeps root (Python is not readable by others)"
    return f"sandbox WITHOUT bubblewrap: {network}, rlimits, {user}; install bubblewrap to hide the file system"


def bwrap_command(bwrap: str, home: Path, code: list[Path]) -> list[str]:
    """A bubblewrap prefix: no network, own PIDs, and a file system of only the system, Python, ``code``
    (read-only) and ``home`` (the one writable place); the course's tests and the grader's reports are absent."""
    command = [bwrap, "--die-with-parent", "--new-session"]
    if os.geteuid() == 0:  # no user namespace: the child drops to nobody itself, so RLIMIT_NPROC applies
        command += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        command += ["--unshare-all", "--unshare-user"]
    command += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            command += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            command += ["--ro-bind", top, top]
    command += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    binds = list(dict.fromkeys(p.resolve() for p in [Path(sys.base_prefix), Path(sys.prefix), *code]))
    # bwrap would create the missing parents of these mount points with mode 0700, unreadable for nobody
    parents = sorted({a for p in [*binds, home] for a in p.parents if a != Path("/")}, key=lambda a: len(a.parts))
    command += ["--tmpfs", "/tmp"]
    for parent in parents:
        command += ["--perms", "0755", "--dir", str(parent)]
    for path in binds:
        command += ["--ro-bind", str(path), str(path)]
    command += ["--bind", str(home), str(home), "--proc", "/proc", "--dev", "/dev"]
    return command + ["--chdir", str(home)]


def confine(limits: Limits, home: Path, code: list[Path]) -> Confinement:
    """The strongest confinement available here; ``code``: folders the child must read (grader, submission).

    With bubblewrap: namespaces and a minimal read-only file system; as root, the child drops to ``nobody``
    right after start, before it imports any student code (``drop_privileges`` in the child). Without it, as
    root: a network namespace where the kernel allows one, and ``nobody`` when Python and ``code`` are readable
    by others.
    """
    as_root = os.geteuid() == 0
    bwrap = bubblewrap()
    if bwrap is not None:
        if as_root:
            os.chown(home, NOBODY, NOBODY)
        return Confinement(
            preexec=lambda: set_limits(limits),
            wrap=lambda command: bwrap_command(bwrap, home, code) + command,
            drop_in_child=as_root,
            own_pids=True,
        )
    drop = as_root and runs_as_nobody(code)
    isolate_network = network_namespace()
    if drop:
        os.chown(home, NOBODY, NOBODY)

    def preexec() -> None:
        if isolate_network and ctypes.CDLL(None).unshare(CLONE_NEWNET) != 0:
            os._exit(70)
        set_limits(limits)
        if drop:
            drop_privileges()

    return Confinement(preexec=preexec)


def set_limits(limits: Limits) -> None:
    for limit, value in (
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))


def drop_privileges() -> None:
    """Become ``nobody`` for good (root only): no supplementary groups, then gid, then uid."""
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
