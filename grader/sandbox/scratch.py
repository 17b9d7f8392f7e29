"""Removing what a check left behind, in ways its code cannot break: files however deep, and System V IPC.

Folders are removed with one open directory at a time and no recursion: neither 1,500 nested folders
(Python's recursion limit) nor paths longer than ``PATH_MAX`` stop it, symlinks are never followed, and folders
the check locked (``chmod 0``) are opened again by their owner. The zygote runs these after killing every
process of the check, so nothing changes under them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from pathlib import Path

IPC_RMID = 0
SYSV_IDS = {"shm": "shmid", "sem": "semid", "msg": "msqid"}  # /proc/sysvipc/<kind>: the column of the id


def _open_dir(name: str | Path, dir_fd: int | None = None) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def _clear(top: int) -> None:
    """Remove everything below the directory open as ``top`` (left open), depth first, iteratively."""
    names: list[str] = []  # the folders from ``top`` down to the current one
    fd = os.dup(top)
    try:
        while True:
            below = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        below = entry.name
                        break
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.name, dir_fd=fd)
            if below is not None:
                with contextlib.suppress(OSError):
                    os.chmod(below, 0o700, dir_fd=fd)  # a folder the check locked
                inner = _open_dir(below, fd)
                os.close(fd)
                fd = inner
                names.append(below)
            elif names:  # this folder is empty now: back up one level and remove it
                outer = os.open("..", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=fd)
                os.close(fd)
                fd = outer
                os.rmdir(names.pop(), dir_fd=fd)
            else:
                return
    finally:
        os.close(fd)


def remove_tree(path: Path) -> None:
    """Remove ``path`` and everything below it (nothing if it does not exist)."""
    try:
        fd = _open_dir(path)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        path.unlink()
        return
    try:
        _clear(fd)
    finally:
        os.close(fd)
    path.rmdir()


def empty(folder: Path, owner: int | None = None, keep: tuple[Path, ...] = ()) -> None:
    """Remove everything inside ``folder`` (only the entries of uid ``owner`` when given) but the paths in
    ``keep`` and the folders on the way down to them, which are emptied the same way (in a private ``/tmp``: the
    home and the read-only code the sandbox placed there); keep ``folder`` itself."""
    try:
        fd = _open_dir(folder)
    except OSError:
        return
    try:
        with os.scandir(fd) as entries:
            names = [(e.name, e.is_dir(follow_symlinks=False), e.stat(follow_symlinks=False).st_uid) for e in entries]
        for name, is_dir, uid in names:
            path = folder / name
            if path in keep:
                continue
            if is_dir and any(k.is_relative_to(path) for k in keep):
                empty(path, owner, keep)
                continue
            if owner is not None and uid != owner:
                continue
            if not is_dir:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=fd)
                continue
            with contextlib.suppress(OSError):
                os.chmod(name, 0o700, dir_fd=fd)
            inner = _open_dir(name, fd)
            try:
                _clear(inner)
            finally:
                os.close(inner)
            os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)


def stale_entries(folder: Path, prefix: str) -> list[Path]:
    """Entries of ``folder`` named ``<prefix><pid>-…`` whose process is gone: left by a grader that was killed
    (SIGKILL leaves no time to clean up). An entry whose pid runs again (reused) is kept."""
    stale = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            pid = entry.name.removeprefix(prefix).partition("-")[0]
            if entry.name.startswith(prefix) and pid.isdigit() and not Path(f"/proc/{pid}").exists():
                stale.append(entry)
    return stale


def remove_sysv_ipc(creator: int) -> int:
    """Remove every System V shared-memory segment, semaphore set and message queue that uid ``creator`` made
    (in this process's IPC namespace); how many were removed."""
    libc = ctypes.CDLL(None, use_errno=True)
    removers = {
        "shm": lambda i: libc.shmctl(i, IPC_RMID, None),
        "sem": lambda i: libc.semctl(i, 0, IPC_RMID),
        "msg": lambda i: libc.msgctl(i, IPC_RMID, None),
    }
    removed = 0
    for kind, column in SYSV_IDS.items():
        try:
            header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except (OSError, ValueError):
            continue
        names = header.split()
        for row in rows:
            fields = dict(zip(names, row.split(), strict=False))
            if int(fields["cuid"]) == creator and removers[kind](int(fields[column])) == 0:
                removed += 1
    return removed
