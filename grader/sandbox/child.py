"""The sandboxed side: a zygote that forks one fresh child per check, and the child's request loop.

Started by :class:`grader.sandbox.zygote.Zygote` inside the confinement of :mod:`grader.sandbox.confine` as ``python
-I -B -m grader.sandbox.child ROOT ASSIGNMENT FD [OPTIONS] [torch] [pettingzoo]`` with its control connection (a
``SOCK_SEQPACKET`` socket) on file descriptor FD. Before it imports anything else it sets up what the options say
(``--mount-scratch``: tmpfs scratch folders, ``--landlock``: confine itself, ``--drop-privileges``: become the
checks' uid, given by ``--uid=N``); then it imports numpy, Gymnasium (and torch or PettingZoo where the submission
imports them) once, but never the student's code. Per check, the grader sends ``fork`` with the check's seed and CPU
limit and two descriptors (the connection the check talks over and the file for its output); the forked child
becomes the checks' uid if the zygote stayed root (``--drop-in-child``), seeds the global RNGs, lowers its CPU limit
and serves requests until the grader closes the connection. ``end`` stops the check: the zygote waits ``grace``
seconds for the child to exit, kills every process below it (the zygote is a child subreaper, so whatever a check
starts stays below it, even in a new session), removes what the check left in its scratch folders
(``--private-tmp``: also ``/tmp`` and ``/dev/shm``; ``--shared-scratch``: the checks' uid's entries in the
machine's) and its System V IPC objects, and replies with the child's exit status (negative: the signal that killed
it). The same clean-up runs once before the first check, for whatever an earlier holder of the uid left in the
machine's scratch folders."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import grader
from grader.harness.calls import BESIDE
from grader.impl import Implementation, registered_env
from grader.rngs import global_rng_digests, seed_global_rngs, seed_torch
from grader.sandbox.confine import build_file_system, code_paths, restrict_with_landlock
from grader.sandbox.import_guard import hide_course_packages
from grader.sandbox.limits import Limits, drop_privileges
from grader.sandbox.rpc import Endpoint, student_location
from grader.sandbox.scratch import empty, remove_sysv_ipc
from grader.sandbox.wire import PeerGone

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def serve(root: Path, assignment: str, seed: int, sock: socket.socket) -> None:
    """One check's child: seed the global RNGs (so code that wrongly uses them grades the same every run),
    hide the grader from the student's imports, then answer the grader's requests until it closes the
    connection."""
    seed_global_rngs(seed)
    hide_course_packages()
    impl = Implementation(root=root, assignment=assignment)

    def resolve_attr(module: object, name: object) -> object:
        had_torch = "torch" in sys.modules
        value = impl.attr(str(module), str(name))
        # A module that brought torch: seed torch as the plugin does, and only torch (the import may have
        # drawn from np.random, as it does in-process).
        if not had_torch:
            seed_torch(seed)
        return value

    services = {
        "attr": resolve_attr,
        "beside": run_beside,
        "registered_env": lambda env_id: registered_env(str(env_id)),
        "seed_global_rngs": lambda seed: seed_global_rngs(int(seed)),
        "global_rng_digests": global_rng_digests,
    }
    endpoint = Endpoint(sock, services, student_location(f"{root / assignment}/"), child=True)
    with contextlib.suppress(PeerGone):
        endpoint.serve_forever()


def run_beside(name: object, args: object, kwargs: object) -> object:
    """A trusted loop declared with ``@runs_beside`` (:mod:`grader.harness.loops`), run here next to the
    student's objects; nothing else of the grader may be named."""
    function = BESIDE.get(str(name))
    if function is None or type(args) is not list or type(kwargs) is not dict:
        raise PermissionError(f"the sandbox runs only the harness's declared loops, not {str(name)[:80]}")
    return function(*args, **kwargs)


def fork_check(
    control: socket.socket, root: Path, assignment: str, request: dict, fds: list[int], drop: int | None
) -> int:
    """Fork the child of one check (``drop``: the uid it becomes first); in the child, never return (serve, then
    exit)."""
    conn_fd, out_fd = fds
    pid = os.fork()
    if pid:
        os.close(conn_fd)
        os.close(out_fd)
        return pid
    code = 0
    try:
        control.close()
        os.setsid()
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        if drop is not None:
            drop_privileges(drop)
        cpu = int(request["cpu"])  # SIGXCPU at the limit, SIGKILL 5 s later if the code ignores it
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        serve(root, assignment, int(request["seed"]), socket.socket(fileno=conn_fd))
    except BaseException:  # noqa: BLE001 - the check's process ends here whatever happened
        code = 1
    finally:
        os._exit(code)


def end_check(pid: int, grace: float, clean_up: Callable[[], None], drop: int | None) -> tuple[int, bool]:
    """Wait up to ``grace`` s for the check's child, kill every process it left, clean up; its exit status, and
    whether it had to be killed (it did not exit within ``grace``)."""
    deadline = time.monotonic() + grace
    status = None
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
        elif time.monotonic() >= deadline:
            break
        else:
            time.sleep(0.005)
    stopped = status is None
    if stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    kill_descendants()
    as_checks_user(clean_up, drop)
    return status, stopped


def scratch_cleaner(options: list[str], code: list[Path]) -> Callable[[], None]:
    """What the zygote removes after each check: everything in its home and its private ``/tmp`` and
    ``/dev/shm`` (but the home and the code placed there), the checks' uid's entries in the machine's shared
    scratch folders, and the System V IPC objects of the checks' uid (where it has an IPC namespace or a uid of
    its own)."""
    home = Path(os.environ["HOME"])
    private = [Path("/tmp"), Path("/dev/shm")] if "--private-tmp" in options else []
    shared = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")] if "--shared-scratch" in options else []
    keep = (home, *code_paths(code))
    # the checks' own IPC namespace or uid: never the IPC objects of the user who runs an unconfined grader
    own_ipc = "--private-tmp" in options or "--drop-in-child" in options

    def clean_up() -> None:
        empty(home)
        for folder in private:
            empty(folder, keep=keep)
        for folder in shared:
            empty(folder, owner=os.geteuid())
        if own_ipc:
            remove_sysv_ipc(os.geteuid())

    return clean_up


def as_checks_user(task: Callable[[], None], drop: int | None) -> None:
    """Run ``task`` as the checks' user: directly, or (a zygote that stayed root) in a child that drops to
    ``drop`` first, so root never touches what a check's code made and the owner may remove its IPC objects."""
    if drop is None:
        task()
        return
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            drop_privileges(drop)
            task()
            code = 0
        finally:
            os._exit(code)
    if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
        raise RuntimeError("the clean-up after the check failed")


def kill_descendants() -> None:
    """Kill every process below this one until none is left. The zygote is a child subreaper, so what a
    check's code starts (even in a new session, even after its parent died) stays below it."""
    me = os.getpid()
    while children := [p for p in running_pids() if parent_pid(p) == me]:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        for child in children:  # their own children are ours now: the next round kills them
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)


def running_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # after "pid (comm) state": the parent's pid


def warm_torch() -> None:
    """Import torch and run one optimiser step, so each check's fork starts with what a deep-RL agent loads on
    first use (creating the first optimiser imports ``torch._dynamo``: 1 s, which every check paid again)."""
    import torch

    import grader.sandbox.autograd  # noqa: F401 - loaded when tensors first travel; never by student imports

    torch.set_num_threads(1)
    net = torch.nn.Linear(2, 2)
    optimizer = torch.optim.Adam(net.parameters())
    loss = torch.nn.functional.smooth_l1_loss(net(torch.zeros(1, 2)), torch.zeros(1, 2))
    loss.backward()
    optimizer.step()


def checks_uid(options: list[str]) -> int | None:
    """The uid of ``--uid=N`` (the checks' uid when the grader is root), or None."""
    given = [o.removeprefix("--uid=") for o in options if o.startswith("--uid=")]
    return int(given[0]) if given else None


def confine_self(code: list[Path], options: list[str]) -> None:
    """The zygote's own set-up, before it imports anything else (see :mod:`grader.sandbox.confine`)."""
    home = Path(os.environ["HOME"])
    uid = checks_uid(options)
    if "--mount-scratch" in options:
        build_file_system(home, Limits(), code, uid)
    if "--landlock" in options:
        writable = [home, *([Path("/tmp"), Path("/dev/shm")] if "--private-tmp" in options else [])]
        restrict_with_landlock(code, writable)
    if "--drop-privileges" in options:
        drop_privileges(uid)


def main() -> None:
    root, assignment, fd = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    options = sys.argv[4:]
    code = [Path(grader.__file__).parent, root / assignment]  # what the checks read besides Python
    confine_self(code, options)
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # the checks' code may not ptrace us or read our memory
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of the checks' code become our children
    import gymnasium  # noqa: F401 - imported once here, so each check's fork starts with it loaded

    # what checks run beside the code (BESIDE) is declared by importing these modules
    from grader.harness import loops, option_loops, trust_region  # noqa: F401

    if "torch" in options:
        warm_torch()
    if "pettingzoo" in options:  # the submission's envs, and the API test checks run beside them
        import pettingzoo.test  # noqa: F401
    drop = checks_uid(options) if "--drop-in-child" in options else None
    clean_up = scratch_cleaner(options, code)
    as_checks_user(clean_up, drop)  # what an earlier holder of the uid left in the machine's scratch folders
    gc.freeze()  # what was imported is never collected: the children's collections skip it, pages stay shared
    control = socket.socket(fileno=fd)
    pid = None
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 4096, 2)
        except OSError:
            message = b""
        if not message:  # the grader is gone: so is everything a check started
            kill_descendants()
            return
        request = json.loads(message)
        if request.get("op") == "fork" and len(fds) == 2 and pid is None:
            pid = fork_check(control, root, assignment, request, fds, drop)
            reply = {"pid": pid}
        elif request.get("op") == "end" and pid is not None:
            try:
                status, stopped = end_check(pid, float(request.get("grace", 0)), clean_up, drop)
                reply = {"status": status, "stopped": stopped}
            except Exception as exc:  # noqa: BLE001 - the grader starts a new zygote, in new scratch folders
                reply = {"error": f"clean-up failed: {exc}"}
            pid = None
        else:
            reply = {"error": f"unexpected request {str(request.get('op'))[:20]}"}
        control.send(json.dumps(reply).encode())


if __name__ == "__main__":
    main()
