"""Which confinement this machine gives student code, what each layer holds, and when that is too weak to grade.

Two modes (:mod:`grader.sandbox.confine` starts them):

* **bubblewrap** wherever ``bwrap`` can create its namespaces (as root, or unprivileged where user namespaces
  are allowed);
* the **fallback** otherwise (containers such as Gradescope's refuse the namespaces bubblewrap needs). As
  root it uses what the kernel still allows, each probed here: a uid of its own for every zygote's checks
  (:mod:`grader.sandbox.uids`; ``nobody`` where none can be had), util-linux's
  ``unshare`` for own mount, PID, IPC, network and UTS namespaces (root with ``CAP_SYS_ADMIN`` only), and
  Landlock (an unprivileged kernel facility, through the ``landlockpy`` binding) for the file system, TCP and
  signals. Where neither Landlock nor namespaces exist, only file permissions keep the course from that user.

In both modes, a cgroup per zygote (:mod:`grader.sandbox.cgroup`) holds a check's processes to its limits as a
whole where the machine allows it. :func:`isolation` describes what holds in one line (every sandboxed grading
prints it) and :meth:`Isolation.refusals` says why summative grading would not be safe (``rlgrade grade``
refuses then, unless ``--allow-weak-sandbox``).
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.cgroup import controllers, hierarchy
from grader.sandbox.limits import Limits
from grader.sandbox.uids import SANDBOX_UIDS, mapped

#: util-linux ``unshare`` options of the fallback: the zygote is PID 1 of its own namespaces, /proc its own.
UNSHARE_OPTIONS = ("--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--net", "--uts")
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def reachable_by_others(path: Path) -> bool:
    """Whether a uid other than the owner may look inside ``path``: every directory down to it searchable."""
    path = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in [*reversed(path.parents), path] if p.is_dir())


def readable_by_others(path: Path) -> bool:
    """Whether another uid can reach and read ``path`` (a file or a directory)."""
    path = path.resolve()
    reachable = all(p.stat().st_mode & stat.S_IXOTH for p in reversed(path.parents))
    return reachable and bool(path.stat().st_mode & stat.S_IROTH)


def python_paths() -> list[Path]:
    """What the child must read to run at all: the interpreter and its prefixes (a venv and its base)."""
    return [Path(sys.executable), Path(sys.base_prefix), Path(sys.prefix)]


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
def unshare() -> str | None:
    """util-linux's ``unshare`` if, as root, it may give the fallback's zygote its own namespaces (containers
    without ``CAP_SYS_ADMIN`` refuse)."""
    path, true = shutil.which("unshare", path=SYSTEM_PATH), shutil.which("true", path=SYSTEM_PATH)
    if path is None or true is None or os.geteuid() != 0:
        return None
    ok = subprocess.run([path, *UNSHARE_OPTIONS, true], capture_output=True, timeout=30).returncode == 0
    return path if ok else None


@functools.cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none: kernel before 5.13, Landlock off, or no ``landlockpy``)."""
    try:
        import landlockpy
    except ImportError:
        return 0
    try:
        return landlockpy.abi_version()
    except OSError:
        return 0


@dataclass(frozen=True)
class Isolation:
    """What confines student code here (see the module docstring)."""

    bubblewrap: str | None
    as_root: bool
    others_run_python: bool  # Python is readable by other users, so the checks' code can run as one
    own_uids: bool  # as root, each zygote's checks get a uid of their own (else they share nobody)
    unshare: str | None  # the fallback's namespaces
    landlock: int  # the fallback's Landlock ABI
    cgroup_controllers: frozenset[str] | None  # None: no cgroup per zygote

    @property
    def fallback(self) -> bool:
        return self.bubblewrap is None

    @property
    def as_other_user(self) -> bool:
        """Whether the checks' code runs as another user than the grader's (root drops to the checks' uid;
        bubblewrap as a user maps a user namespace)."""
        return self.as_root and (self.bubblewrap is not None or self.others_run_python)

    def unreadable(self, paths: list[Path]) -> Path | None:
        """The first of ``paths`` (existing folders) the checks' code could not read here: bubblewrap and the
        fallback's mount namespace rebuild the way down to each, so only its own mode counts; otherwise every
        folder on the way must let others in too."""
        if not self.as_other_user:
            return None
        rebuilt = not self.fallback or self.unshare is not None
        wanted = stat.S_IROTH | stat.S_IXOTH
        for path in paths:
            if path.is_dir() and not (path.stat().st_mode & wanted == wanted if rebuilt else readable_by_others(path)):
                return path
        return None

    def refusals(self, course: Path) -> list[str]:
        """Why summative grading is unsafe here ([] when the line holds): the code would run as the grader's
        own user, or could read the course's hidden checks and solutions."""
        if not self.fallback:
            return []
        if not self.as_root:
            return ["student code would run as your own user, with your files and secrets (not root, no bubblewrap)"]
        if not self.others_run_python:
            return [
                f"student code would run as root: Python ({sys.prefix}) is not readable by others; use a Python "
                "installed in a world-readable place (not under /root), or install bubblewrap"
            ]
        if self.landlock == 0 and reachable_by_others(course):
            return [
                f"the course's hidden checks and solutions in {course} are readable by others (no bubblewrap, no "
                f"Landlock): make the course folder unreadable to others (chmod o= {course}), or install bubblewrap"
            ]
        return []

    def describe(self, course: Path | None = None) -> str:
        """One line for reports: how student code is confined on this machine, layer by layer."""
        limits = Limits()
        home = f"home a {limits.home_bytes >> 20} MiB tmpfs"
        if not self.fallback:
            user = f"the checks run as {self._checks_user}" if self.as_root else "runs in a user namespace"
            parts = [
                f"sandbox: bubblewrap ({user}",
                "no network, own PID and IPC namespaces",
                f"file system: /usr, Python, the grader and the submission read-only, {home}",
            ]
        elif not self.as_other_user:
            who = "YOUR OWN USER (not root)" if not self.as_root else "ROOT (Python is not readable by others)"
            parts = [f"sandbox WITHOUT bubblewrap (fallback): student code runs as {who}", "separate process"]
        else:
            parts = [
                f"sandbox WITHOUT bubblewrap (fallback as root: the checks run as {self._checks_user}",
                *self._fallback_words(course),
            ]
        parts.append(self._cgroup_words())
        return "; ".join(parts) + ")"

    @property
    def _checks_user(self) -> str:
        return "a uid of their own" if self.own_uids else "nobody"

    def _fallback_words(self, course: Path | None) -> list[str]:
        home = f"home a {Limits().home_bytes >> 20} MiB tmpfs"
        if self.unshare:
            words = [f"no network, own PID, IPC and mount namespaces, private /tmp and /dev/shm, {home}"]
        else:
            words = ["NO namespaces (the kernel refuses them here): home on disk (not size-capped)"]
        if self.landlock:
            words.append(
                f"Landlock ABI {self.landlock}: reads only /usr, Python, the grader and the submission, writes only "
                "its home" + (", /tmp and /dev/shm" if self.unshare else "")
            )
        else:
            hidden = course is not None and not reachable_by_others(course)
            where = "not readable by others" if hidden else "READABLE by the checks unless you chmod o= the course"
            words.append(
                f"no Landlock: the course's files are {where}; writes wherever others may (the checks' entries in "
                "/tmp, /var/tmp and /dev/shm are removed after each check)"
            )
        if not self.unshare:
            words.append("no TCP (Landlock), UDP open" if self.landlock >= 4 else "NETWORK reachable")
            words.append(
                "no signals or abstract sockets outside its sandbox (Landlock)"
                if self.landlock >= 6
                else ("no signals to other sandboxes (a uid each)" if self.own_uids else "signals to nobody possible")
            )
            words.append("SysV IPC objects and processes it leaves removed after each check")
        return words

    def _cgroup_words(self) -> str:
        limits = Limits()
        if self.cgroup_controllers is None:
            return (
                "limits per process only (no cgroup): CPU time and memory count each process apart, "
                + self._process_limit_words()
            )
        words = "per check for all its processes together (cgroup v2): CPU time"
        if "memory" in self.cgroup_controllers:
            words += f", memory {limits.memory_bytes >> 30} GiB"
        if "pids" in self.cgroup_controllers:
            words += f", {limits.processes} processes"
        missing = [name for name in ("memory", "pids") if name not in self.cgroup_controllers]
        if missing:
            words += f" (no {' or '.join(missing)} controller here: those limits are per process)"
        return words + ("" if "pids" in self.cgroup_controllers else "; " + self._process_limit_words())

    def _process_limit_words(self) -> str:
        """What ``RLIMIT_NPROC`` counts: every process of the checks' uid on the machine."""
        limit = Limits().processes
        if self.as_root and self.own_uids:
            return f"the {limit}-process limit counts the processes of the zygote's own uid only"
        return f"the {limit}-process limit is shared by every sandbox running as the same user"


@functools.cache
def isolation() -> Isolation:
    """What confines student code on this machine (probed once per process)."""
    as_root = os.geteuid() == 0
    bwrap = bubblewrap()
    fallback_probes = bwrap is None and as_root
    namespaces = unshare() if fallback_probes else None
    return Isolation(
        bubblewrap=bwrap,
        as_root=as_root,
        # with its own mount namespace the fallback binds Python where nobody reaches it, as bubblewrap does
        others_run_python=as_root and (all(readable_by_others(p) for p in python_paths()) or bool(namespaces)),
        own_uids=as_root and mapped(SANDBOX_UIDS),
        unshare=namespaces,
        landlock=landlock_abi() if fallback_probes else 0,
        cgroup_controllers=controllers() if hierarchy() is not None else None,
    )


def describe_isolation(course: Path | None = None) -> str:
    """One line for reports: how student code is confined on this machine."""
    return isolation().describe(course)
