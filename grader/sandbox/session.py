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
from typing import Any

from grader.impl import ImplementationError
from grader.sandbox.limits import Limits
from grader.sandbox.remote_env import adapt
from grader.sandbox.rpc import Endpoint, RemoteError
from grader.sandbox.wire import Deadline, WireError
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


class SandboxFailure(AssertionError):
    """The child process died, hit a limit or broke the protocol; the check fails with this message."""


def parent_allows(op: str, obj: Any, name: str) -> bool:
    if op == "call":
        return callable(obj)
    return op == "getattr" and name in PARENT_ATTRIBUTES


class _ParentEndpoint(Endpoint):
    """The grader's endpoint: turns the child's failures into the exceptions the plugin describes."""

    session: SandboxSession

    def request(self, op: str, **fields: Any) -> Any:
        try:
            return super().request(op, **fields)
        except RemoteError as exc:
            raise translate(exc) from None
        except Deadline:
            self.session.kill()
            raise SandboxFailure(
                f"Your code did not answer within {self.reply_timeout:g} s (an endless loop, or far slower "
                "than the reference); its process was stopped."
            ) from None
        except WireError as exc:
            raise SandboxFailure(self.session.death_notice(str(exc))) from None


def translate(exc: RemoteError) -> Exception:
    """The exception a check sees for an exception of the student's code in the child."""
    if exc.type_name == "ImplementationError":
        return ImplementationError(str(exc))
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
        self.output = zygote.workdir / f"output-{seed}.txt"

    def start(self) -> _ParentEndpoint:
        try:
            sock = self.zygote.spawn(self.seed, self.limits.cpu_seconds, self.output)
        except ZygoteGone as exc:
            raise SandboxFailure(f"The sandbox could not start a process for your code: {exc}.") from None
        endpoint = _ParentEndpoint(sock, reply_timeout=self.limits.call_seconds, allow=parent_allows, adapt=adapt)
        endpoint.session = self
        self.endpoint = endpoint
        return endpoint

    def attr(self, module: str, name: str) -> Any:
        endpoint = self.endpoint or self.start()
        return endpoint.request("attr", module=module, name=name)

    def end(self, grace: float) -> int | None:
        """Stop the child (after ``grace`` s to exit on its own), once; its exit status if known."""
        if self.endpoint is not None and self.status is None:
            self.endpoint.sock.close()
            self.status = self.zygote.end(grace)
            if self.status is None:
                self.status = -signal.SIGKILL  # the zygote was gone: everything was killed
        return self.status

    def death_notice(self, detail: str) -> str:
        """Why the child stopped answering, in a student's words (its exit code or signal, and output)."""
        code = self.end(grace=5.0)
        if code is not None and code < 0:
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
