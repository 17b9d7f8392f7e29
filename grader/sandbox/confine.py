"""How the zygote is started in each mode of :mod:`grader.sandbox.isolation`, and what it sets up before any
student code exists.

**bubblewrap**: a minimal read-only file system (``/usr``, Python, the grader, the submission) with a
size-capped tmpfs home, no network, own PID, IPC and UTS namespaces. As root the zygote becomes the checks' uid
(one of its own, :mod:`grader.sandbox.uids`) right after start (``--drop-privileges``), so its checks' children
run as that uid too.

**fallback** (root, no bubblewrap): where root may create namespaces, util-linux ``unshare`` gives the zygote
its own mount, PID, IPC, network and UTS namespaces, and the zygote builds its file system much as bubblewrap
would (``--mount-scratch``: size-capped tmpfs home, ``/tmp`` and ``/dev/shm``; Python and the code bound back
where a folder on their way is closed to others). With Landlock, the zygote then confines itself and all it
will fork to reading the same paths bubblewrap shows and writing only its scratch folders, without TCP, and
without signalling or reaching abstract sockets outside (``--landlock``). The zygote stays root (it never runs
student code) and each check's child becomes the checks' uid right after the fork (``--drop-in-child``): without
a PID namespace, a check's code can then neither kill its zygote nor escape its clean-up. ``--uid=N`` names that
uid.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grader
from grader.sandbox.cgroup import Cgroup
from grader.sandbox.isolation import UNSHARE_OPTIONS, isolation
from grader.sandbox.limits import Limits, set_limits

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


@dataclass
class Confinement:
    """How to start the zygote: a command prefix, the function run before ``exec``, and the zygote's options."""

    preexec: Callable[[], None]
    prefix: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    own_pids: bool = False  # the zygote has its own PID namespace (its children's PIDs are not ours)


def system_paths() -> list[Path]:
    """The system folders a Python process needs (merged-/usr symlinks included)."""
    tops = [Path(p) for p in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")]
    return [Path("/usr"), *(p for p in tops if p.exists())]


def code_paths(code: list[Path]) -> list[Path]:
    """What the child reads besides the system: Python's prefixes and ``code`` (the grader, the submission), and
    the folders that folder links to directly: the course's reference project library (``solutions/hw13_project``)
    links the homework packages it packages. A graded submission holds no links (:mod:`grader.locate` drops them)."""
    folders = [c for c in code if c.is_dir() and not c.is_symlink()]
    linked = [p for c in folders for p in c.iterdir() if p.is_symlink() and p.is_dir()]
    paths = [Path(sys.base_prefix), Path(sys.prefix), *code, *linked]
    return list(dict.fromkeys(p.resolve() for p in paths if p.exists()))


def course_only() -> list[Path]:
    """The folders a check's child must not read although they lie in the grader it reads: the grader's oracles
    (:mod:`grader.oracles`, absent from a released grader), which compute the exact checks' answers. The import
    guard refuses ``import grader…``; this hides their source from ``open``."""
    folder = Path(grader.__file__).resolve().parent / "oracles"
    return [folder] if folder.is_dir() else []


def bwrap_command(bwrap: str, home: Path, code: list[Path], limits: Limits) -> list[str]:
    """A bubblewrap prefix: no network, own PIDs, and a file system of only the system, Python, ``code``
    (read-only) and ``home`` (the one writable place, a tmpfs of ``limits.home_bytes``)."""
    command = [bwrap, "--die-with-parent", "--new-session"]
    if os.geteuid() == 0:  # no user namespace: the zygote drops to the checks' uid itself, so RLIMIT_NPROC applies
        command += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        command += ["--unshare-all", "--unshare-user"]
    for top in system_paths():
        command += ["--symlink", os.readlink(top), str(top)] if top.is_symlink() else ["--ro-bind", str(top), str(top)]
    command += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    binds = code_paths(code)
    # bwrap would create the missing parents of these mount points with mode 0700, unreadable for the checks' uid
    parents = sorted({a for p in [*binds, home] for a in p.parents if a != Path("/")}, key=lambda a: len(a.parts))
    command += ["--perms", "01777", "--size", str(limits.home_bytes), "--tmpfs", "/tmp"]
    for parent in parents:
        command += ["--perms", "0755", "--dir", str(parent)]
    for path in binds:
        command += ["--ro-bind", str(path), str(path)]
    for folder in course_only():  # an empty, read-only folder in its place
        command += ["--tmpfs", str(folder), "--remount-ro", str(folder)]
    # as root the tmpfs belongs to root and the zygote drops to the checks' uid: world-writable (nothing else there)
    command += ["--perms", "01777", "--size", str(limits.home_bytes), "--tmpfs", str(home)]
    return command + ["--proc", "/proc", "--dev", "/dev", "--chdir", str(home)]


def confine(limits: Limits, home: Path, code: list[Path], group: Cgroup | None, uid: int) -> Confinement:
    """The strongest confinement this machine allows for a zygote whose checks read ``code`` and write ``home``;
    ``group``: the zygote's cgroup (entered before ``exec``, so everything the zygote starts is in it); ``uid``:
    the checks' uid when the grader is root."""
    how = isolation()
    pids_limited = group is not None and "pids" in (how.cgroup_controllers or ())

    def preexec() -> None:
        if group is not None:
            group.enter()
        set_limits(limits, processes=not pids_limited)

    if not how.fallback:
        return Confinement(
            preexec=preexec,
            prefix=bwrap_command(how.bubblewrap, home, code, limits),
            options=["--private-tmp", *(["--drop-privileges", f"--uid={uid}"] if how.as_root else [])],
            own_pids=True,
        )
    if not how.as_other_user:  # refused for summative grading (isolation().refusals); a separate process only
        return Confinement(preexec=preexec)
    os.chown(home, uid, uid)
    # without Landlock, the checks may write to the machine's shared scratch folders (/var/tmp even in a mount ns)
    options = ["--drop-in-child", f"--uid={uid}", "--landlock" if how.landlock else "--shared-scratch"]
    if how.unshare:
        prefix = [how.unshare, *UNSHARE_OPTIONS, "--"]
        return Confinement(preexec, prefix, ["--mount-scratch", "--private-tmp", *options], own_pids=True)
    return Confinement(preexec, options=options)


# -- run inside the zygote, as root, before it imports anything else ---------------------------------------------
def build_file_system(home: Path, limits: Limits, code: list[Path], uid: int) -> None:
    """In the zygote's own mount namespace, as bubblewrap would: size-capped tmpfs on ``/tmp``, ``/dev/shm`` and
    ``home`` (``uid``'s), and Python and ``code`` reachable by other users, read-only. A folder on their way that others
    may not enter (``/root`` for a Python of pyenv) or that a tmpfs now covers is replaced by a tmpfs holding
    only the way down to them, and each is bound there again."""
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source: str, target: Path, kind: str | None, flags: int, options: str = "") -> None:
        kind_arg = kind.encode() if kind else None
        if libc.mount(source.encode(), str(target).encode(), kind_arg, flags, options.encode() or None) != 0:
            raise OSError(ctypes.get_errno(), f"cannot mount {source} on {target}")

    needed = code_paths(code)
    handles = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in needed}  # before anything is covered
    covered = [Path("/tmp"), Path("/dev/shm")]
    for folder in covered:
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits.home_bytes},mode=1777")
    os.umask(0o022)
    for path, handle in handles.items():
        way = [*reversed(path.parents)][1:]  # from the top folder down to the parent
        blocked = next((a for a in way if a in covered or not a.stat().st_mode & stat.S_IXOTH), None)
        if blocked is None:
            continue
        if blocked not in covered:
            mount("tmpfs", blocked, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
            covered.append(blocked)
        path.mkdir(parents=True, exist_ok=True)
        mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
        mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for handle in handles.values():
        os.close(handle)
    for folder in course_only():  # an empty, read-only folder in its place
        mount("tmpfs", folder, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    home.mkdir(parents=True, exist_ok=True)
    mount("tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits.home_bytes},mode=0700,uid={uid},gid={uid}")
    os.chdir(home)


def restrict_with_landlock(code: list[Path], writable: list[Path]) -> None:
    """Confine this process and everything it forks (Landlock): read and run only the system, Python and
    ``code``; read ``/proc`` (the zygote's clean-up lists processes); write only ``writable`` and the harmless
    devices; no TCP; no signals or abstract unix sockets outside the sandbox (each where the kernel's ABI has it)."""
    from landlockpy import AccessFS, Ruleset, Scope

    read = AccessFS.EXECUTE | AccessFS.READ_FILE | AccessFS.READ_DIR
    write = read | AccessFS.WRITE_FILE | AccessFS.TRUNCATE | AccessFS.REMOVE_DIR | AccessFS.REMOVE_FILE
    write |= AccessFS.MAKE_DIR | AccessFS.MAKE_REG | AccessFS.MAKE_SYM | AccessFS.MAKE_FIFO | AccessFS.MAKE_SOCK
    write |= AccessFS.REFER  # rename and link within the writable folders
    with Ruleset(scoped=Scope.SIGNAL | Scope.ABSTRACT_UNIX_SOCKET) as rules:
        hidden = course_only()
        for path in [*system_paths(), *code_paths(code)]:
            if any(folder.parent == path for folder in hidden):  # all of it but its course-only folders
                rules.allow_path(path, AccessFS.READ_DIR)
                for entry in path.iterdir():
                    if entry not in hidden:
                        rules.allow_path(entry, read if entry.is_dir() else AccessFS.READ_FILE | AccessFS.EXECUTE)
            else:
                rules.allow_path(path, read)
        rules.allow_path("/proc", AccessFS.READ_FILE | AccessFS.READ_DIR)
        if Path("/etc/ld.so.cache").exists():
            rules.allow_path("/etc/ld.so.cache", AccessFS.READ_FILE)
        for device in DEVICES:
            if Path(device).exists():
                rules.allow_path(device, AccessFS.READ_FILE | AccessFS.WRITE_FILE)
        for path in writable:
            rules.allow_path(path, write)
        rules.restrict()
