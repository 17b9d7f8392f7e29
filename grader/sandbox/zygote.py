"""The grader's handle on one confined zygote: a pre-imported process that forks a fresh child per check.

Starting a confined Python that imports numpy, Gymnasium and torch takes 0.3–1.5 s; forking one that already
did takes milliseconds. So each grading run starts one zygote per implementation under test (inside
bubblewrap, as ``nobody``, with the rlimits of :mod:`grader.sandbox.limits`) and asks it for one child per
check (:mod:`grader.sandbox.child`). The zygote never imports student code, kills everything a check left
behind and empties the writable directories before the next check. A check's code runs as the same uid
as the zygote and could kill or stop it: then the zygote stops answering, the grader kills its whole
process group and starts a new one for the next check.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import grader
from grader.sandbox.limits import Limits, child_environment, confine

#: Limits of the zygote itself; each check's child lowers its CPU limit to the check's own.
ZYGOTE_LIMITS = Limits(cpu_seconds=24 * 3600)
#: Seconds the grader waits for the zygote to start (imports), and then to answer a fork or clean-up request.
START_SECONDS = 120.0
CONTROL_SECONDS = 10.0
USES_TORCH = re.compile(r"^\s*(import|from)\s+torch\b", re.MULTILINE)


class ZygoteGone(Exception):
    """The zygote did not answer (the check's code killed or stopped it); it has been killed."""


def uses_torch(package: Path) -> bool:
    """Whether any module of the package imports torch (then the zygote imports it once for every check)."""
    return any(USES_TORCH.search(p.read_text(errors="replace")) for p in package.rglob("*.py"))


class Zygote:
    """One zygote for the implementation at ``impl_root / assignment``; started on first use."""

    def __init__(self, impl_root: Path, assignment: str) -> None:
        self.impl_root, self.assignment = impl_root, assignment
        self.workdir = Path(tempfile.mkdtemp(prefix="rlgrade-sandbox-"))
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.child_pid: int | None = None  # the current check's child (a PID inside the namespace if own_pids)
        self.own_pids = False

    def start(self) -> None:
        """Start the zygote (once; it imports in the background until the first request)."""
        if self.control is not None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        home = self.workdir / "home"
        home.mkdir()
        package = self.impl_root / self.assignment
        confinement = confine(ZYGOTE_LIMITS, home, [Path(grader.__file__).parent, package])
        self.own_pids = confinement.own_pids
        options = ["--drop-privileges"] if confinement.drop_in_child else []
        options += ["--own-pids"] if confinement.own_pids else []
        options += ["torch"] if package.is_dir() and uses_torch(package) else []
        command = [sys.executable, "-I", "-B", "-m", "grader.sandbox.child", str(self.impl_root), self.assignment]
        with open(self.workdir / "zygote-output.txt", "wb") as out:
            self.process = subprocess.Popen(
                confinement.wrap([*command, str(theirs.fileno()), *options]),
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

    def spawn(self, seed: int, cpu_seconds: int, output: Path) -> socket.socket:
        """A connection to a new child for one check, its output going to ``output``."""
        ours, theirs = socket.socketpair()
        with open(output, "wb") as out:
            try:
                reply = self._ask({"op": "fork", "seed": seed, "cpu": cpu_seconds}, [theirs.fileno(), out.fileno()])
            finally:
                theirs.close()
        self.child_pid = reply["pid"] if type(reply.get("pid")) is int else None
        return ours

    def end(self, grace: float) -> int | None:
        """Stop the current check's child (after up to ``grace`` s), clean up; its exit status if known."""
        try:
            status = self._ask({"op": "end", "grace": grace}).get("status")
        except ZygoteGone:
            return None
        self.child_pid = None
        return status if type(status) is int else None

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
        self.process = self.child_pid = None
        shutil.rmtree(self.workdir / "home", ignore_errors=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
