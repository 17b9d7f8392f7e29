"""The grader's handle on one confined zygote: a pre-imported process that forks a fresh child per check.

Starting a confined Python that imports numpy, Gymnasium and torch takes 0.3–1.5 s; forking one that already
did takes milliseconds. So each grading run starts one zygote per implementation under test (confined as
:mod:`grader.sandbox.confine` decides, in a cgroup of its own where the machine has one, with the rlimits of
:mod:`grader.sandbox.limits`) and asks it for one child per check (:mod:`grader.sandbox.child`). The zygote
never imports student code, kills everything a check left behind and empties the writable directories before
the next check. Under bubblewrap a check's code runs as the same uid as the zygote and could kill or stop it:
then the zygote stops answering, the grader kills its whole process group (and cgroup) and starts a new one
for the next check.

When the grader is root, the checks run as a uid of the zygote's own (:mod:`grader.sandbox.uids`), claimed at the
first start and released at :meth:`Zygote.close`.

The zygote's folder (mode 0711, the grader's) holds the output files of the checks (0600, opened by the grader
and handed over as descriptors) and the home, the only folder the checks may write to.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import grader
from grader.sandbox.cgroup import Cgroup
from grader.sandbox.confine import confine
from grader.sandbox.isolation import isolation
from grader.sandbox.limits import Limits, child_environment
from grader.sandbox.scratch import remove_tree, stale_entries
from grader.sandbox.uids import UidClaim, claim_uid

#: Limits of the zygote itself; each check's child lowers its CPU limit to the check's own.
ZYGOTE_LIMITS = Limits(cpu_seconds=24 * 3600)
#: Seconds the grader waits for the zygote to start (imports), and then to answer a fork or clean-up request.
START_SECONDS = 120.0
CONTROL_SECONDS = 10.0
WORKDIR_PREFIX = "rlgrade-sandbox-"
#: Third-party packages the zygote loads before its first fork when the submission imports them, so that no check
#: pays the import again: torch (≈ 1 s with its first optimiser step), PettingZoo (≈ 0.1 s, and 0.4 s more for the
#: ``pettingzoo.test`` that hw10's API checks run beside the env).
PRELOADED = ("torch", "pettingzoo")


class ZygoteGone(Exception):
    """The zygote did not answer (the check's code killed or stopped it); it has been killed."""


def preloads(paths: list[Path]) -> list[str]:
    """The packages of :data:`PRELOADED` that some Python file among ``paths`` (files, or folders searched
    recursively) imports."""
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py") if p.is_dir() else [])]
    sources = [f.read_text(errors="replace") for f in files]
    used = [re.compile(rf"^\s*(import|from)\s+{name}\b", re.MULTILINE) for name in PRELOADED]
    return [name for name, pattern in zip(PRELOADED, used, strict=True) if any(pattern.search(s) for s in sources)]


class Zygote:
    """One zygote for the implementation at ``impl_root / assignment``; started on first use."""

    def __init__(self, impl_root: Path, assignment: str) -> None:
        self.impl_root, self.assignment = impl_root, assignment
        for stale in stale_entries(Path(tempfile.gettempdir()), WORKDIR_PREFIX):  # of a grader that was killed
            with contextlib.suppress(OSError):
                remove_tree(stale)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
        self.workdir.chmod(0o711)  # the checks reach their home by its name, and list nothing here
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.child_pid: int | None = None  # the current check's child (a PID inside the namespace if own_pids)
        self.own_pids = False
        self.cgroup: Cgroup | None = None
        self.uid: UidClaim | None = None

    def start(self) -> None:
        """Start the zygote (once; it imports in the background until the first request)."""
        if self.control is not None:
            return
        package = self.impl_root / self.assignment
        code = [Path(grader.__file__).parent, package]
        unreadable = isolation().unreadable(code)
        if unreadable is not None:
            raise ZygoteGone(
                f"{unreadable} is not readable by other users, and the sandbox runs the submission's code as "
                f"another user: make it readable (chmod -R a+rX {unreadable})"
            )
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        home = self.workdir / "home"
        home.mkdir(mode=0o700)
        self.cgroup = Cgroup.create()
        self.uid = self.uid or claim_uid()
        confinement = confine(ZYGOTE_LIMITS, home, code, self.cgroup, self.uid.uid)
        self.own_pids = confinement.own_pids
        options = [*confinement.options, *preloads([package])]
        command = [sys.executable, "-I", "-B", "-m", "grader.sandbox.child", str(self.impl_root), self.assignment]
        with open(self.workdir / "zygote-output.txt", "wb", opener=private_file) as out:
            self.process = subprocess.Popen(
                [*confinement.prefix, *command, str(theirs.fileno()), *options],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=child_environment(home),
                cwd=home,
                pass_fds=(theirs.fileno(),),
                preexec_fn=confinement.preexec,
                start_new_session=True,
            )
        theirs.close()
        ours.settimeout(START_SECONDS)
        self.control = ours

    def _ask(self, request: dict, fds: list[int] = ()) -> dict:
        self.start()
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            reply = json.loads(self.control.recv(4096) or b"null")
        except (OSError, ValueError):
            reply = None
        if type(reply) is not dict or "error" in reply:
            log = self.workdir / "zygote-output.txt"
            tail = log.read_bytes()[-800:].decode(errors="replace").strip() if log.is_file() else ""
            self.stop()
            raise ZygoteGone(f"the sandbox's zygote stopped answering ({reply}); its last output: {tail or '-'}")
        self.control.settimeout(CONTROL_SECONDS)
        return reply

    def spawn(self, seed: int, limits: Limits, output: Path) -> socket.socket:
        """A connection to a new child for one check under ``limits``, its output going to ``output``."""
        ours, theirs = socket.socketpair()
        self.start()
        if self.cgroup is not None:
            self.cgroup.limit(limits.memory_bytes, limits.processes)
        with open(output, "wb", opener=private_file) as out:
            try:
                reply = self._ask(
                    {"op": "fork", "seed": seed, "cpu": limits.cpu_seconds}, [theirs.fileno(), out.fileno()]
                )
            finally:
                theirs.close()
        self.child_pid = reply["pid"] if type(reply.get("pid")) is int else None
        return ours

    def end(self, grace: float) -> tuple[int | None, bool]:
        """Stop the current check's child (after up to ``grace`` s), clean up; its exit status if known, and
        whether the zygote had to kill it (it did not exit within ``grace``)."""
        try:
            reply = self._ask({"op": "end", "grace": grace})
        except ZygoteGone:
            return None, False
        self.child_pid = None
        status = reply.get("status")
        return (status if type(status) is int else None), reply.get("stopped") is True

    def stop(self) -> None:
        """Kill the zygote and every child it has (a new one starts on the next request)."""
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # with its own PID namespace: all of its processes
            self.process.wait()
        if self.child_pid is not None and not self.own_pids:  # a child outside a PID namespace has its own group
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.child_pid, signal.SIGKILL)
        if self.cgroup is not None:  # whatever is left, even what escaped the process groups
            self.cgroup.remove()
            self.cgroup = None
        self.process = self.child_pid = None
        remove_tree(self.workdir / "home")

    def close(self) -> None:
        self.stop()
        remove_tree(self.workdir)
        if self.uid is not None:
            self.uid.release()
            self.uid = None


def private_file(path: str, flags: int) -> int:
    """``open(..., opener=private_file)``: a file only the grader may read (mode 0600)."""
    return os.open(path, flags, 0o600)
