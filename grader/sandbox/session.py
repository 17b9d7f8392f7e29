"""The trusted side of one sandboxed check: start a limited child, talk to it, and kill it afterwards.

Each check gets a fresh child process, forked by the grading run's :class:`grader.sandbox.zygote.Zygote`,
that imports the implementation under test.
The check itself runs here, in the grader; ``SandboxedImplementation.attr`` hands it proxies
(:class:`grader.sandbox.rpc.Remote`) instead of the student's objects, so check code stays the same in
sandboxed and in-process mode. What the child gets and cannot do is decided in :mod:`grader.sandbox.limits`.
"""

from __future__ import annotations

import builtins
import signal
import time
from typing import Any

from grader.budget import CHILD_START_SECONDS, cpu_limit_message
from grader.impl import ImplementationError
from grader.sandbox.limits import Limits
from grader.sandbox.remote_env import adapt
from grader.sandbox.rpc import Endpoint, RemoteError
from grader.sandbox.wire import WATCH_SECONDS, Deadline, PeerGone, TooLarge, WireError
from grader.sandbox.zygote import Zygote, ZygoteGone

# What the student's code may do with the grader's objects it is given (an env, a policy function): call
# them, and read these attributes. Nothing else (no private attributes, no writes).
PARENT_ATTRIBUTES = frozenset(
    {"reset", "step", "close", "action_space", "observation_space", "metadata", "render_mode", "n", "start"}
    | {"shape", "dtype", "low", "high", "sample", "contains", "seed"}
)
# Exceptions of the student's code that are raised again here as themselves, so checks can expect them.
BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception) and not issubclass(value, (OSError, Warning))
)

# The harness's own kinds of failed assertion (subclasses of AssertionError), which loops running beside the
# code under test (grader.harness.loops) raise in the child: the check fails with their message, as in-process.
HARNESS_FAILURES = frozenset({"InvalidOutput", "EnvProtocolError"})

# Exceptions that mean the child hit one of its limits, and the words that name it.
LIMIT_HINTS = {
    "MemoryError": f"the sandbox's memory limit: {Limits.memory_bytes >> 30} GiB of address space",
    "BlockingIOError": "the sandbox's limit on processes or open files",
}
#: The CPU time of a check's processes together (cgroup) may exceed the child's own limit by this much before
#: the grader stops them: a single process always meets its own ``RLIMIT_CPU`` first, with the same message.
SHARED_CPU_GRACE = 1.0


class SandboxFailure(AssertionError):
    """The child process died, hit a limit or broke the protocol; the check fails with this message."""


class OverBudget(WireError):
    """The check's processes together used more CPU time than its limit (raised while waiting for a reply)."""


def parent_allows(op: str, obj: Any, name: str) -> bool:
    if op == "call":
        return callable(obj)
    return op == "getattr" and name in PARENT_ATTRIBUTES


class _ParentEndpoint(Endpoint):
    """The grader's endpoint: turns the child's failures into the exceptions the plugin describes."""

    session: SandboxSession

    def request(self, op: str, **fields: Any) -> Any:
        try:
            value = super().request(op, **fields)
            self.session.check_cpu(every=WATCH_SECONDS)
            return value
        except RemoteError as exc:
            raise translate(exc, op) from None
        except Deadline:
            self.session.kill()
            raise SandboxFailure(
                f"Your code did not answer within {self.reply_timeout:g} s (an endless loop, or far slower "
                "than the reference); its process was stopped."
            ) from None
        except OverBudget as exc:
            self.session.kill()
            raise SandboxFailure(str(exc)) from None
        except PeerGone as exc:
            raise SandboxFailure(self.session.death_notice(str(exc))) from None
        except TooLarge as exc:
            self.session.kill()
            raise SandboxFailure(f"Your code's reply to the grader was too large: {exc}.") from None
        except WireError as exc:
            self.session.kill()
            raise SandboxFailure(f"The grader could not use what your code sent back: {exc}.") from None


def translate(exc: RemoteError, op: str) -> Exception:
    """The exception a check sees for an exception the child reported in reply to request ``op``. Only the
    child's loading of the submission (``attr``) reports the grader's own :class:`ImplementationError`; one
    raised by the student's code during a call is the student's, whatever its name."""
    if exc.type_name == "ImplementationError" and op == "attr":
        return ImplementationError(str(exc))
    if exc.type_name == "WireError":  # what the student's code returned cannot be sent as data
        return SandboxFailure(f"What your code returned cannot cross the sandbox: {exc}.")
    if exc.type_name in BUILTIN_ERRORS:
        error = getattr(builtins, exc.type_name)(str(exc))
    elif exc.type_name in HARNESS_FAILURES:  # a check's own assertion, raised by a loop running beside the code
        error = AssertionError(str(exc))
    else:
        error = RemoteError(exc.type_name, str(exc), exc.where)
    limit = LIMIT_HINTS.get(exc.type_name)
    if limit:
        error.args = (f"{error} ({limit})",)
    error._rlgrade_where = exc.where  # for the plugin's "Your code raised X at file, line N"
    error._rlgrade_type = exc.type_name
    return error


class SandboxSession:
    """One child for one check, forked by ``zygote`` on first use; ``close`` ends it and cleans up after it."""

    def __init__(self, zygote: Zygote, seed: int, limits: Limits) -> None:
        self.zygote, self.seed, self.limits = zygote, seed, limits
        self.endpoint: _ParentEndpoint | None = None
        self.status: int | None = None  # the child's exit status once it ended (negative: killed by a signal)
        self.stopped = False  # it did not exit on its own when the grader ended it (killed then)
        self.zygote_gone = False  # the zygote died with it: its exit status is unknown
        self.output = zygote.workdir / f"output-{seed}.txt"
        self.cpu_start = self.oom_start = 0.0  # the zygote's cgroup when the child was forked
        self.cpu_read_at = 0.0  # time.monotonic() of the last reading of the cgroup's CPU time

    def start(self) -> _ParentEndpoint:
        try:
            sock = self.zygote.spawn(self.seed, self.limits, self.output)
        except ZygoteGone as exc:
            raise SandboxFailure(f"The sandbox could not start a process for your code: {exc}.") from None
        group = self.zygote.cgroup
        if group is not None:
            self.cpu_start, self.oom_start = group.cpu_seconds(), group.oom_kills()
        endpoint = _ParentEndpoint(sock, reply_timeout=self.limits.call_seconds, allow=parent_allows, adapt=adapt)
        endpoint.session = self
        if group is not None:
            endpoint.channel.watch = self.check_cpu
        self.endpoint = endpoint
        return endpoint

    def check_cpu(self, every: float = 0.0) -> None:
        """Raise :class:`OverBudget` once the check's processes together (its cgroup) used more CPU time than the
        child's limit (plus :data:`SHARED_CPU_GRACE`); a process alone meets its ``RLIMIT_CPU`` first. ``every``:
        read the cgroup only if its last reading is that many seconds old (a reading costs ≈ 60 µs, as much as a
        call; a check makes thousands of calls). The wall clock only decides when to look: the verdict is the CPU
        time read, and ``every`` = 0.25 s lets 2 cores add at most 0.5 s beyond the limit before it is seen."""
        group = self.zygote.cgroup
        if group is None or self.status is not None:
            return
        now = time.monotonic()
        if now - self.cpu_read_at < every:
            return
        self.cpu_read_at = now
        used = group.cpu_seconds() - self.cpu_start
        if used > self.limits.cpu_seconds + SHARED_CPU_GRACE:
            raise OverBudget(
                f"{cpu_limit_message(self.limits.cpu_seconds - CHILD_START_SECONDS)} The processes running your "
                f"code used {used:.1f} s of CPU time together (every process it starts counts); they were stopped."
            )

    def attr(self, module: str, name: str) -> Any:
        endpoint = self.endpoint or self.start()
        return endpoint.request("attr", module=module, name=name)

    def end(self, grace: float) -> int | None:
        """Stop the child (after ``grace`` s to exit on its own), once; its exit status if known."""
        if self.endpoint is not None and self.status is None:
            self.endpoint.sock.close()
            self.status, self.stopped = self.zygote.end(grace)
            if self.status is None:
                self.status, self.zygote_gone = -signal.SIGKILL, True  # everything was killed
        return self.status

    def death_notice(self, detail: str) -> str:
        """Why the child stopped answering, in a student's words (its exit code or signal, and output);
        ``detail``: what the connection said (kept when the exit status says nothing)."""
        code = self.end(grace=5.0)
        group = self.zygote.cgroup
        if group is not None and group.oom_kills() > self.oom_start:
            what = (
                f"was killed for using more than the memory limit of {self.limits.memory_bytes >> 30} GiB (all the "
                "processes it started together)"
            )
        elif self.stopped:  # its exit status says nothing about why: what the connection said does
            what = f"stopped answering ({detail}) but did not exit, so the grader stopped it"
        elif self.zygote_gone:
            what = f"stopped answering ({detail}) when the sandbox's zygote died (killed by your code?)"
        elif code is not None and code < 0:
            what = {
                signal.SIGKILL: f"was killed (SIGKILL: it ignored its CPU-time limit of {self.limits.cpu_seconds} s, "
                "or ran the machine out of memory)",
                signal.SIGXCPU: f"used up its CPU-time limit of {self.limits.cpu_seconds} s",
                signal.SIGXFSZ: "wrote more than the file-size limit",
                signal.SIGSEGV: "crashed (segmentation fault)",
            }.get(-code, f"was killed by signal {-code}")
        else:
            what = f"exited with code {code} (sys.exit / os._exit in your code?)"
        tail = self.output_tail()
        return f"The process running your code {what} in the middle of the check.{tail}"

    def output_tail(self, limit: int = 600) -> str:
        try:
            text = self.output.read_bytes()[-limit:].decode(errors="replace").strip()
        except OSError:
            return ""
        return f" Its last output: ...{text}" if text else ""

    def kill(self) -> None:
        self.end(grace=0.0)

    def close(self) -> None:
        self.end(grace=1.0)
        self.output.unlink(missing_ok=True)


class SandboxedImplementation:
    """What the ``impl`` fixture gives a check in sandboxed mode: the same ``attr`` API, backed by a child."""

    def __init__(self, session: SandboxSession) -> None:
        self.session = session
        self.assignment = session.zygote.assignment
        self.root = session.zygote.impl_root

    def attr(self, module: str, name: str) -> Any:
        return self.session.attr(module, name)

    def registered_env(self, env_id: str) -> dict | None:
        return (self.session.endpoint or self.session.start()).request("registered_env", env_id=env_id)
