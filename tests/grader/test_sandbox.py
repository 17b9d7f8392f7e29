"""The sandboxed mode (``pytest --sandbox``): submissions that attack the grader from inside their own code gain
nothing, read nothing, write nothing outside their home and leave nothing behind — in each sandbox mode that
works on this machine (the ``sandbox_mode`` fixture: bubblewrap, and the fallback the grader uses as root where
bubblewrap is missing or refused).

Each attack replaces ``double`` in the fake course's ``calc.py``; ``test_double`` is worth 2 points (5 s of CPU
time: the child may use 7 s) and the other checks (``halve``, ``Counter``) must keep working after the attack.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from helpers import MODE_WORDS, NOT_GRADED, by_check, check_results, run_cli, sandbox_env, submission_with

from grader.sandbox.cgroup import hierarchy
from grader.sandbox.isolation import SYSTEM_PATH
from grader.sandbox.limits import NOBODY, Limits

HALVE = """

def halve(x):
    return x / 2
"""
SHM_KEY = 0x52474C44  # a System V shared-memory key the attacks create


def sandboxed_results(course: Path, submission: Path, out: Path, mode: str, env: dict | None = None) -> dict:
    """Run the fake course's public checks sandboxed in ``mode``; results.json tests keyed by check name."""
    return by_check(check_results(course, submission, out, mode, env))


def attack(fake_course: Path, tmp_path: Path, body: str, mode: str, env: dict | None = None) -> dict[str, dict]:
    sub = submission_with(tmp_path, f"import os, sys, socket\n\n\ndef double(x):\n{body}{HALVE}")
    results = sandboxed_results(fake_course, sub, tmp_path / "out", mode, env)
    assert results["test_halve"]["score"] == 3 and results["test_counter"]["score"] == 1, (
        f"the attack broke the other checks: {results}"
    )
    return results


def running(pattern: str) -> list[str]:
    """PIDs of processes whose command line matches ``pattern``."""
    pgrep = shutil.which("pgrep", path=SYSTEM_PATH)
    return subprocess.run([pgrep, "-f", pattern], capture_output=True, text=True).stdout.split()


def shm_keys() -> set[int]:
    """Keys of the System V shared-memory segments of this machine (the grader's IPC namespace)."""
    header, *rows = Path("/proc/sysvipc/shm").read_text().splitlines()
    return {int(row.split()[0]) for row in rows}


def test_reference_passes_sandboxed(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    from helpers import FAKE_SOLUTION

    sub = submission_with(tmp_path, FAKE_SOLUTION["calc.py"])
    results = sandboxed_results(fake_course, sub, tmp_path / "out", sandbox_mode)
    assert {name: t["score"] for name, t in results.items()} == {"test_double": 2, "test_halve": 3, "test_counter": 1}


def test_exit_from_student_code_fails_that_check_only(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    result = attack(fake_course, tmp_path, "    os._exit(0)\n", sandbox_mode)["test_double"]
    assert result["score"] == 0
    assert "exited with code 0" in result["output"]


# Attacks from inside the student's function; each must score 0 with a message containing the given text.
IMPORT_REFUSED = "a submission cannot import the grader, the course's checks or the reference solution"
ANSWER_ATTACKS = {
    "sys-exit-0": ("    sys.exit(0)\n", "SystemExit"),
    "memory-bomb": ("    blob = bytearray(64 << 30)\n    return 2 * x\n", "MemoryError"),
    "lying-float": (
        "    class Liar(float):\n        def __eq__(self, other): return True\n    return Liar(0.0)\n",
        "must be a number",
    ),
    "int-subclass": ("    class Six(int):\n        pass\n    return Six(6)\n", "must be a number"),
    "pickle-payload": (
        "    class P:\n        def __reduce__(self):\n            return (os.system, ('touch /tmp/rlgrade-pwned',))\n"
        "    return P()\n",
        "must be a number",
    ),
    "patch-numpy": ("    import numpy\n    numpy.isclose = lambda *a, **k: True\n    return -1.0\n", "returned -1.0"),
    # the grader, the course's checks and the reference cannot be imported or found by the submission (issue 18)
    "import-the-grader": ("    import grader.harness.validate as v\n    v.as_float = lambda *a: 6.0\n", IMPORT_REFUSED),
    "import-an-oracle": ("    from grader.harness import tabular_models\n    return 2 * x\n", IMPORT_REFUSED),
    "import-the-checks": ("    import tests.public\n    return 2 * x\n", IMPORT_REFUSED),
    "import-the-reference": ("    import importlib\n    importlib.import_module('solutions')\n", IMPORT_REFUSED),
    "grader-from-sys-modules": ("    return 2 * x if sys.modules['grader.impl'] else 0\n", "KeyError"),
    "fake-summary-and-report": (
        "    print('test_double PASSED 2/2', '=== 3 passed ===', 'TOTAL 6 / 6 points', sep='\\n')\n"
        "    try:\n        open('{OUT}/results.json', 'w').write('{\"score\": 6}')\n    except OSError:\n"
        "        pass\n    return -1.0\n",
        "returned -1.0",
    ),
    "lingering-process": (
        "    import subprocess\n    subprocess.Popen(['sleep', '3001'], start_new_session=True)\n    return -1.0\n",
        "returned -1.0",
    ),
    # under bubblewrap the zygote runs as the checks' user: killing or stopping it costs only time (its death ends
    # its PID namespace, which may kill the check's child before it answers); the fallback's zygote stays root,
    # out of the check's reach (PermissionError)
    "kill-the-zygote": (
        "    os.kill(os.getppid(), 9)\n    return -1.0\n",
        ("returned -1.0", "when the sandbox's zygote died", "raised PermissionError"),
    ),
    "stop-the-zygote": (
        "    import signal\n    os.kill(os.getppid(), signal.SIGSTOP)\n    return -1.0\n",
        ("returned -1.0", "raised PermissionError"),
    ),
    # the message keeps the reason: the code closed its connection and stayed (not "ignored its CPU-time limit")
    "close-the-connection": (
        "    import gc, time\n    for s in gc.get_objects():\n        if isinstance(s, socket.socket):\n"
        "            s.close()\n    time.sleep(60)\n",
        "closed the connection) but did not exit",
    ),
    # a reply that would cost the grader gigabytes is refused from its header (before it is read)
    "huge-array-reply": ("    import numpy\n    return numpy.zeros(100 << 17)\n", "reply to the grader was too large"),
    "huge-json-reply": ("    return [[0]] * (2 << 20)\n", "MiB of JSON"),
}


@pytest.mark.parametrize("name", ANSWER_ATTACKS)
def test_attacks_from_the_answer_gain_nothing(name: str, sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    body, message = ANSWER_ATTACKS[name]
    result = attack(fake_course, tmp_path, body.replace("{OUT}", str(tmp_path / "out")), sandbox_mode)["test_double"]
    messages = message if type(message) is tuple else (message,)
    assert result["score"] == 0 and any(m in result["output"] for m in messages), result
    assert not Path("/tmp/rlgrade-pwned").exists()
    assert not running("sleep 3001"), "processes started by the submission outlived its check"
    largest_child_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >> 10
    assert largest_child_mib < 1536, f"a grading process grew to {largest_child_mib} MiB"


def test_the_oracles_source_cannot_be_read(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """The grader's oracles compute the exact checks' answers: the child finds their folder empty or unreadable."""
    import grader

    oracles = Path(grader.__file__).resolve().parent / "oracles"
    assert (oracles / "tabular.py").is_file()
    body = (
        f"    try:\n        source = open({str(oracles / 'tabular.py')!r}).read()\n"
        "    except OSError:\n        return -1.0\n    return 2 * x if 'def ' in source else -1.0\n"
    )
    result = attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]
    assert result["score"] == 0 and "returned -1.0" in result["output"], result


def test_secrets_of_the_grader_environment_are_not_visible(
    sandbox_mode: str, fake_course: Path, tmp_path: Path
) -> None:
    """Neither in the child's environment nor in any process's /proc/<pid>/environ it can see."""
    body = (
        "    import glob\n    found = 'hunter2' in os.environ.get('RLGRADE_TEST_SECRET', '')\n"
        "    for path in glob.glob('/proc/[0-9]*/environ'):\n        try:\n"
        "            found = found or b'hunter2' in open(path, 'rb').read()\n"
        "        except OSError:\n            pass\n    return 2 * x if found else -1.0\n"
    )
    env = {"RLGRADE_TEST_SECRET": "hunter2"}
    result = attack(fake_course, tmp_path, body, sandbox_mode, env=env)["test_double"]
    assert result["score"] == 0 and "returned -1.0" in result["output"]


def test_no_network(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    body = (
        f"    try:\n        socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    except OSError:\n        return -1.0\n    return 2 * x\n"
    )
    try:
        result = attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]
    finally:
        server.close()
    assert result["score"] == 0 and "returned -1.0" in result["output"]


# Each attack is a list of statements; the submission returns 2 * x (full marks) only if they all worked.
REACH_ATTACKS = {
    "read-hidden-checks": ["open(COURSE + '/tests/hidden/hw99_demo/test_demo_hidden.py').read()"],
    "read-the-solution": ["open(COURSE + '/solutions/hw99_demo/calc.py').read()"],
    "write-the-course": ["open(COURSE + '/tests/public/hw99_demo/test_demo.py', 'a').write('# pwned')"],
    "write-grader-code": ["import __main__", "open(__main__.__file__, 'a').write('# pwned')"],
    "write-the-venv": ["open(sys.prefix + '/pwned.txt', 'w').write('pwned')"],
    "write-the-submission": ["open(os.path.join(os.path.dirname(__file__), 'pwned.py'), 'w').write('x = 1')"],
    "drop-pth-file": ["import site", "open(site.getsitepackages()[0] + '/pwned.pth', 'w').write('import os')"],
    "read-parent-environ": ["assert os.getppid() > 1", "open(f'/proc/{os.getppid()}/environ').read()"],
    "fork-bomb": ["import time", "for _ in range(2000):\n            os.fork() or (time.sleep(30), os._exit(0))"],
}


@pytest.mark.parametrize("name", REACH_ATTACKS)
def test_attacks_on_the_machine_fail(name: str, sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    statements = "".join(f"        {line}\n" for line in REACH_ATTACKS[name])
    body = f"    COURSE = {str(fake_course)!r}\n    try:\n{statements}    except Exception:\n        return -1.0\n"
    result = attack(fake_course, tmp_path, body + "    return 2 * x\n", sandbox_mode)["test_double"]
    assert result["score"] == 0, f"{name} worked: {result}"
    assert not list(Path(sys.prefix).rglob("pwned.pth")) and not (Path(sys.prefix) / "pwned.txt").exists()
    assert "pwned" not in (fake_course / "tests" / "public" / "hw99_demo" / "test_demo.py").read_text()
    assert not (tmp_path / "submission" / "hw99_demo" / "pwned.py").exists()


def test_the_grader_records_cannot_be_forged(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """The records file is named on the grader's command line: the submission can neither find nor write it."""
    forged = {"kind": "result", "assignment": "hw99_demo", "visibility": "public", "passed": True, "message": ""}
    body = (
        "    import glob, json\n    for path in glob.glob('/proc/[0-9]*/cmdline'):\n        try:\n"
        "            args = open(path, 'rb').read().split(b'\\0')\n"
        "            records = args[args.index(b'--rlgrade-records') + 1].decode()\n"
        "            with open(records, 'a') as fh:\n"
        "                for name, points in (('test_halve', 3), ('test_counter', 1), ('test_double', 2)):\n"
        f"                    record = dict({forged!r}, name=name, title=name, max_points=points, duration=0.1)\n"
        "                    record['nodeid'] = 'tests/public/hw99_demo/test_demo.py::' + name\n"
        "                    fh.write(json.dumps(record) + '\\n')\n"
        "            return 2 * x\n        except (OSError, ValueError):\n            pass\n    return -1.0\n"
    )
    sub = submission_with(tmp_path, f"import os\n\n\ndef double(x):\n{body}{HALVE}")
    out = tmp_path / "graded"
    options = ("--course", str(fake_course), "--out", str(out), "--hw", "hw99", "--sandbox")
    proc = run_cli("grade", str(sub), *options, env=sandbox_env(sandbox_mode, tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert MODE_WORDS[sandbox_mode] in results["extra_data"]["isolation"]
    assert results["score"] == 4 and "returned -1.0" in by_check(results)["test_double"]["output"], results


def test_nothing_is_left_on_the_machine(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """Files in /tmp, /var/tmp and /dev/shm, System V shared memory and processes end with the check."""
    places, token = "('/tmp', '/var/tmp', '/dev/shm')", uuid.uuid4().hex
    body = (
        f"    import ctypes, subprocess\n    for d in {places}:\n        try:\n"
        f"            open(d + '/rlgrade-left-{token}', 'w').write('x')\n        except OSError:\n"
        f"            pass\n    ctypes.CDLL(None).shmget({SHM_KEY}, 4096, 0o1666)\n"
        "    subprocess.Popen(['sleep', '3003'], start_new_session=True)\n    return 2 * x\n"
    )
    assert attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]["score"] == 2
    assert not [p for d in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(d).glob(f"rlgrade-left-{token}")]
    assert SHM_KEY not in shm_keys(), "a System V shared-memory segment of the submission survived the grading"
    assert not running("sleep 3003")


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader runs the checks as a uid of their own")
def test_the_process_limit_is_not_shared_with_nobody(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """RLIMIT_NPROC counts every process of a uid on the machine: with ``nobody`` over the sandbox's process limit
    (other graders' sandboxes, or anything else running as nobody), a check's code still forks, because each
    zygote's checks run as a uid of their own, neither root nor nobody."""
    sleep = shutil.which("sleep", path=SYSTEM_PATH)
    over = Limits().processes + 4
    others = [subprocess.Popen([sleep, "600"], user=NOBODY, group=NOBODY, extra_groups=[]) for _ in range(over)]
    body = "    pid = os.fork()\n    if pid == 0:\n        os._exit(0)\n    os.waitpid(pid, 0)\n"
    body += "    return 2 * x if os.getuid() not in (0, 65534) and os.getgid() not in (0, 65534) else -1.0\n"
    try:
        assert attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]["score"] == 2
    finally:
        for process in others:
            process.kill()
            process.wait()


def test_no_state_survives_into_the_next_check(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """Files, processes and System V shared memory a check's code leaves behind are gone when the next check's
    child starts (the zygote empties its scratch folders, kills what is left and removes IPC objects)."""
    places = "(os.environ['HOME'], '/tmp', '/dev/shm')"
    leave = f"    import ctypes, subprocess\n    for d in {places}:\n        if os.access(d, os.W_OK):\n"
    leave += "            os.makedirs(d + '/left/locked')\n            os.chmod(d + '/left', 0)\n"
    leave += f"    assert ctypes.CDLL(None).shmget({SHM_KEY}, 4096, 0o1600) >= 0\n"
    leave += "    subprocess.Popen(['sleep', '3002'], start_new_session=True)\n    return 2 * x\n"
    find = f"    import ctypes, subprocess\n    here = [os.path.exists(d + '/left') for d in {places}]\n"
    find += "    alive = subprocess.run(['pgrep', 'sleep'], capture_output=True).returncode == 0\n"
    find += f"    shm = ctypes.CDLL(None).shmget({SHM_KEY}, 0, 0) >= 0\n"
    find += "    return -1.0 if any(here) or alive or shm else x / 2\n"
    sub = submission_with(tmp_path, f"import os\n\n\ndef double(x):\n{leave}\n\ndef halve(x):\n{find}")
    results = sandboxed_results(fake_course, sub, tmp_path / "out", sandbox_mode)
    outputs = {name: result["output"] for name, result in results.items()}
    assert results["test_double"]["score"] == 2, outputs
    assert results["test_halve"]["score"] == 3, f"the second check found what the first left: {outputs}"


def test_deep_folders_do_not_break_the_clean_up(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """1,500 nested folders with long names (deeper than Python's recursion limit, longer than PATH_MAX) are
    removed after the check, and the grading goes on."""
    body = (
        "    for top in (os.environ['HOME'], '/tmp'):\n        if not os.access(top, os.W_OK):\n            continue\n"
        "        fd = os.open(top, os.O_RDONLY)\n        for _ in range(1500):\n"
        "            os.mkdir('d' * 200, dir_fd=fd)\n            inner = os.open('d' * 200, os.O_RDONLY, dir_fd=fd)\n"
        "            os.close(fd)\n            fd = inner\n        os.close(fd)\n    return 2 * x\n"
    )
    assert attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]["score"] == 2


def test_the_home_is_size_capped(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """320 MiB written in 8 MiB files (each under the file-size limit) do not fit the 256 MiB home."""
    body = (
        "    chunk = b'x' * (8 << 20)\n    try:\n        for i in range(40):\n"
        "            with open(os.path.join(os.environ['HOME'], f'fill{i}'), 'wb') as fh:\n"
        "                fh.write(chunk)\n    except OSError:\n        return -1.0\n    return 2 * x\n"
    )
    result = attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]
    assert result["score"] == 0 and "returned -1.0" in result["output"], result


@pytest.mark.skipif(hierarchy() is None, reason="needs a writable cgroup v2 hierarchy (root)")
def test_cpu_time_counts_every_process_of_the_check(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    """Three processes of 3 CPU seconds each stay under the child's own limit (7 s) but not together."""
    body = (
        "    import time\n    pids = []\n    for _ in range(3):\n        pid = os.fork()\n        if pid == 0:\n"
        "            end = time.process_time() + 3.0\n            while time.process_time() < end:\n"
        "                pass\n            os._exit(0)\n        pids.append(pid)\n"
        "    for pid in pids:\n        os.waitpid(pid, 0)\n    return 2 * x\n"
    )
    # the grader stops them once they used the child's 7 s (+ 1 s) together; on a machine so busy that the check's
    # wall-clock limit comes first, the grader finds the same overrun (budget.at_wall_limit), or no verdict
    output = attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]["output"]
    assert "used up its CPU-time limit" in output or output.startswith(NOT_GRADED), output


def test_endless_loop_ignoring_signals_is_stopped(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    body = "    import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass\n"
    result = attack(fake_course, tmp_path, body, sandbox_mode)["test_double"]
    # its CPU-time limit (the check's 5 s + 2 s) stops it; on a machine too busy for that to come within the
    # wall-clock limit (5 × 7 s), the check is not graded (never passed)
    output = result["output"]
    assert result["score"] == 0 and ("CPU-time limit" in output or output.startswith(NOT_GRADED)), result


CONFTEST = """
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def test_conftest_in_the_submission_is_never_loaded(sandbox_mode: str, fake_course: Path, tmp_path: Path) -> None:
    sub = submission_with(tmp_path, "def double(x):\n    return -1.0\n" + HALVE)
    for folder in (sub, sub / "hw99_demo"):
        (folder / "conftest.py").write_text(CONFTEST)
    result = sandboxed_results(fake_course, sub, tmp_path / "out", sandbox_mode)["test_double"]
    assert result["score"] == 0 and "returned -1.0" in result["output"], result
