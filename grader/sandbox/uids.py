"""The uid the checks' code runs as when the grader is root: one of its own per zygote.

``RLIMIT_NPROC`` counts every process of a uid on the whole machine. Were every sandbox to run as ``nobody``, the
checks of all the graders on a machine without a cgroup ``pids`` controller (cgroup v1, or a v2 without it) would
share one limit of :attr:`Limits.processes <grader.sandbox.limits.Limits>` processes: one submission's fork bomb,
or just several graders at once (``grade-batch --workers N``, parallel test runs), would make another's checks
fail at ``fork``. Signals between processes of the same uid would cross sandboxes too.

So each zygote claims a uid of its own from :data:`SANDBOX_UIDS` (a block far above every ordinary user), by an
exclusive ``flock`` on a file named after it in :func:`lock_folder`, held by the grader's process as long as the
zygote lives: the kernel drops the lock when that process exits, however it exits. A uid is only taken when this
process's user namespace maps it, no account has it, and no process runs as it. Where the block is not mapped
(a container with a small uid map) the checks run as ``nobody``, and the isolation line says the limit is shared.
The gid is the same number: a group nobody else is in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.limits import NOBODY

#: 4096 uids from 0x70000000: above the ranges of system and ordinary users and of subordinate-uid allocations.
SANDBOX_UIDS = range(0x7000_0000, 0x7000_1000)
LOCK_PREFIX = "rlgrade-sandbox-uid-"


@dataclass
class UidClaim:
    """A uid for one zygote's checks; ``release`` gives it back (the grader's exit does too)."""

    uid: int
    lock_fd: int | None = None

    @property
    def own(self) -> bool:
        """Whether the uid is this zygote's alone (not the shared ``nobody``)."""
        return self.lock_fd is not None

    def release(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


def lock_folder() -> Path:
    """Where the claims' lock files live: the machine's lock folder, else the temporary folder."""
    run_lock = Path("/run/lock")
    return run_lock if run_lock.is_dir() and os.access(run_lock, os.W_OK) else Path(tempfile.gettempdir())


def mapped(uids: range) -> bool:
    """Whether this process's user namespace maps every uid of ``uids``."""
    try:
        lines = Path("/proc/self/uid_map").read_text().split("\n")
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        if len(fields) == 3:
            inside, _, count = (int(f) for f in fields)
            if inside <= uids.start and uids.stop <= inside + count:
                return True
    return False


def running_uids() -> set[int]:
    """The real uids of the processes this process can see."""
    uids = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                status = Path(f"/proc/{name}/status").read_text()
                uids.add(int(status.split("\nUid:", 1)[1].split()[0]))
    return uids


def has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def claim_uid(uids: range = SANDBOX_UIDS, folder: Path | None = None) -> UidClaim:
    """Claim a free uid of ``uids`` for one zygote (root only), or ``nobody`` where none can be had."""
    if os.geteuid() != 0 or not mapped(uids):
        return UidClaim(NOBODY)
    folder = folder or lock_folder()
    busy = running_uids()
    for uid in uids:
        if uid in busy or has_account(uid):
            continue
        try:  # a link planted in a shared lock folder is refused, a file someone else holds is skipped
            fd = os.open(folder / f"{LOCK_PREFIX}{uid}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return UidClaim(uid, fd)
    return UidClaim(NOBODY)
