"""Start the pytest processes of grading runs from a process that has already imported what they all import.

A grading run (:func:`grader.runner.run_checks`) is a fresh pytest process. Its first 1–3 s go to imports
(pytest, numpy, Gymnasium and, for the deep assignments, torch), paid again by every run: mutation testing,
``grade-batch`` and the course's own test suite start hundreds. So each grader process starts one launcher
(``python -m grader.launcher FD``), which imports them once and then forks one process per run. The forked
process becomes what ``python -m pytest ARGS`` in the run's folder, with the run's environment and output file,
would be: a session of its own, ``sys.path[0]`` the folder, stdin ``/dev/null``; it runs ``pytest.main`` and
exits with its code. The launcher itself never runs a check and never imports student code; it only forks, reaps
and reports each run's exit status.

Requests come over a ``SOCK_SEQPACKET`` socket: a JSON ``{"args", "cwd", "env", "preload"}`` with two
descriptors, the run's output file and the run's own status socket. The launcher answers ``{"pid": N}`` on the
request socket once the run has its session, and writes the exit status (``Popen.returncode``'s convention:
negative for a signal) on the status socket when it has reaped the process.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

#: What every run imports before its first check. A run whose check files import torch or PettingZoo names them
#: in its request (:func:`grader.sandbox.zygote.preloads`): the launcher imports them before it forks that run.
PRELOADED = ("numpy", "gymnasium", "pytest", "grader.plugin")


class Run:
    """One run's process, as far as the grader needs ``subprocess.Popen``: its pid (a session of its own), and its
    exit status once the launcher has reaped it."""

    def __init__(self, pid: int, status: socket.socket) -> None:
        self.pid, self.status, self.returncode = pid, status, None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.status.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                self._read()
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            self.status.setblocking(True)
            self._read()
        return self.returncode

    def _read(self) -> None:
        reply = self.status.recv(64)
        # no status: the launcher died (killed with its runs, as their process groups are not its own)
        self.returncode = int(reply) if reply else -signal.SIGKILL
        self.status.close()


class Launcher:
    """The grader process's launcher: started on first use, restarted if it died; one per process (threads of
    ``rlgrade mutants --workers N`` share it)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.lock = threading.Lock()

    def start(self, cwd: Path) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.launcher", str(theirs.fileno())],
            cwd=cwd, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), start_new_session=True,
        )  # fmt: skip
        theirs.close()
        self.control = ours

    def launch(self, args: list[str], cwd: Path, env: dict[str, str], output: int, preload: list[str]) -> Run:
        """Start ``python -m pytest *args`` in ``cwd`` with ``env``, its output into the descriptor ``output``,
        once the launcher has imported the packages ``preload`` (a launcher that died is started again, once)."""
        request = json.dumps({"args": args, "cwd": str(cwd), "env": env, "preload": preload}).encode()
        with self.lock:
            for attempt in (1, 2):
                if self.process is None or self.process.poll() is not None:
                    self.start(cwd)
                ours, theirs = socket.socketpair()
                try:
                    socket.send_fds(self.control, [request], [output, theirs.fileno()])
                    return Run(int(json.loads(self.control.recv(4096))["pid"]), ours)
                except (OSError, ValueError, KeyError, TypeError):
                    ours.close()
                    self.process.kill()
                    self.process.wait()
                    if attempt == 2:
                        raise
                finally:
                    theirs.close()
        raise AssertionError("unreachable")


LAUNCHER = Launcher()


def run_pytest(request: dict, out_fd: int) -> None:
    """In the forked process: become the run's ``python -m pytest`` and exit with its code (never returns)."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
        sys.path[0] = request["cwd"]
        sys.argv = ["pytest", *request["args"]]
        import pytest

        code = int(pytest.main(request["args"]))
    except BaseException:  # noqa: BLE001 - the run's process ends here whatever happened
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(control: socket.socket) -> None:
    """Fork a run per request; report each run's exit status once reaped. Ends when the grader closes ``control``."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    status_of: dict[int, socket.socket] = {}
    while True:
        ready, _, _ = select.select([control, wake_read], [], [])
        if wake_read in ready:
            os.read(wake_read, 512)
            while status_of:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                with contextlib.suppress(OSError), status_of.pop(pid) as report:
                    report.send(str(os.waitstatus_to_exitcode(status)).encode())
        if control in ready:
            message, fds, _, _ = socket.recv_fds(control, 1 << 20, 2)
            if not message:
                return
            out_fd, status_fd = fds
            request = json.loads(message)
            preload(request["preload"])
            started_read, started_write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.setsid()  # before the grader hears of it: its process group is the run's from the start
                os.close(started_write)
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for fd in (started_read, wake_read, wake_write, status_fd):
                    os.close(fd)
                for sock in (control, *status_of.values()):
                    sock.close()
                run_pytest(request, out_fd)
            os.close(started_write)
            os.read(started_read, 1)  # end of file: the run has its session
            os.close(started_read)
            os.close(out_fd)
            status_of[pid] = socket.socket(fileno=status_fd)
            control.send(json.dumps({"pid": pid}).encode())


def preload(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(ImportError):  # the run will say so itself
            __import__(name)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    # torch reads these when it is imported: as the plugin sets them before a run's checks import it (design P4)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    preload(list(PRELOADED))
    serve(control)


if __name__ == "__main__":
    main()
