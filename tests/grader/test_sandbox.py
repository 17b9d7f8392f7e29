"""The sandboxed mode (``pytest --sandbox``): the same checks pass for a correct submission, and submissions
that attack the grader from inside their own code gain nothing and get a clear message.

Each attack replaces ``double`` in the fake course's ``calc.py``; ``test_double`` is worth 2 points and the
other checks (``halve``, ``Counter``) must keep working after the attack.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from helpers import COURSE_ROOT, FAKE_SOLUTION, NOT_GRADED, submission_with

from grader.harness.deep_control import DeepSpec
from grader.harness.dqn_fixtures import DQN_HPARAMS
from grader.impl import Implementation
from grader.sandbox.limits import Limits, bubblewrap, network_namespace
from grader.sandbox.session import SandboxedImplementation, SandboxSession
from grader.sandbox.wire import Decoder, Encoder, WireError
from grader.sandbox.zygote import Zygote

HALVE = """

def halve(x):
    return x / 2
"""


def sandboxed_results(course: Path, submission: Path, out: Path, env: dict | None = None) -> dict[str, dict]:
    """Run the fake course's public checks in sandboxed mode; results.json tests keyed by check name."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/public",
            "--impl",
            str(submission),
            "--sandbox",
            "--report-dir",
            str(out),
        ],
        cwd=course,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,  # a hang catcher only: on a busy machine the sandboxed checks take several times longer
    )
    assert (out / "results.json").is_file(), f"no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"].split(" · ", 1)[1].split(":", 1)[0]: t for t in tests}


def attack(fake_course: Path, tmp_path: Path, body: str, env: dict | None = None) -> dict[str, dict]:
    sub = submission_with(tmp_path, f"import os, sys, socket\n\n\ndef double(x):\n{body}{HALVE}")
    results = sandboxed_results(fake_course, sub, tmp_path / "out", env)
    assert results["test_halve"]["score"] == 3 and results["test_counter"]["score"] == 1, (
        f"the attack broke the other checks: {results}"
    )
    return results


def test_reference_passes_sandboxed(fake_course: Path, tmp_path: Path) -> None:
    sub = submission_with(tmp_path, FAKE_SOLUTION["calc.py"])
    results = sandboxed_results(fake_course, sub, tmp_path / "out")
    assert {name: t["score"] for name, t in results.items()} == {"test_double": 2, "test_halve": 3, "test_counter": 1}


def test_exit_from_student_code_fails_that_check_only(fake_course: Path, tmp_path: Path) -> None:
    result = attack(fake_course, tmp_path, "    os._exit(0)\n")["test_double"]
    assert result["score"] == 0
    assert "exited with code 0" in result["output"]


def test_lying_object_is_not_a_number(fake_course: Path, tmp_path: Path) -> None:
    body = "    class Liar(float):\n        def __eq__(self, other): return True\n    return Liar(0.0)\n"
    result = attack(fake_course, tmp_path, body)["test_double"]
    assert result["score"] == 0 and "must be a number" in result["output"]


# Attacks from inside the student's function; each must score 0 with a message containing the given text.
IMPORT_REFUSED = "a submission cannot import the grader, the course's checks or the reference solution"
ANSWER_ATTACKS = {
    "sys-exit-0": ("    sys.exit(0)\n", "SystemExit"),
    "memory-bomb": ("    blob = bytearray(64 << 30)\n    return 2 * x\n", "MemoryError"),
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
    # each check's child is forked by a zygote running as the same user: killing or stopping it costs only time
    # (with bubblewrap the zygote's death ends its PID namespace, which may kill the check's child before it answers)
    "kill-the-zygote": ("    os.kill(os.getppid(), 9)\n    return -1.0\n", ("returned -1.0", "was killed (SIGKILL")),
    "stop-the-zygote": (
        "    import signal\n    os.kill(os.getppid(), signal.SIGSTOP)\n    return -1.0\n",
        "returned -1.0",
    ),
}


@pytest.mark.parametrize("name", ANSWER_ATTACKS)
def test_attacks_from_the_answer_gain_nothing(name: str, fake_course: Path, tmp_path: Path) -> None:
    body, message = ANSWER_ATTACKS[name]
    result = attack(fake_course, tmp_path, body.replace("{OUT}", str(tmp_path / "out")))["test_double"]
    messages = message if type(message) is tuple else (message,)
    assert result["score"] == 0 and any(m in result["output"] for m in messages), result
    assert not Path("/tmp/rlgrade-pwned").exists()
    leftovers = subprocess.run(["pgrep", "-f", "sleep 3001"], capture_output=True, text=True).stdout.split()
    assert not leftovers, f"processes started by the submission outlived its check: {leftovers}"


def test_secrets_of_the_grader_environment_are_not_visible(fake_course: Path, tmp_path: Path) -> None:
    body = "    secret = os.environ.get('RLGRADE_TEST_SECRET', '')\n    return 2 * x if secret else -1.0\n"
    result = attack(fake_course, tmp_path, body, env={"RLGRADE_TEST_SECRET": "hunter2"})["test_double"]
    assert result["score"] == 0 and "returned -1.0" in result["output"]


@pytest.mark.skipif(bubblewrap() is None and not network_namespace(), reason="needs bubblewrap or a network namespace")
def test_no_network(fake_course: Path, tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    body = (
        f"    try:\n        socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    except OSError:\n        return -1.0\n    return 2 * x\n"
    )
    try:
        result = attack(fake_course, tmp_path, body)["test_double"]
    finally:
        server.close()
    assert result["score"] == 0 and "returned -1.0" in result["output"]


# Each attack is a list of statements; the submission returns 2 * x (full marks) only if they all worked.
REACH_ATTACKS = {
    "read-hidden-checks": ["open(COURSE + '/tests/hidden/hw99_demo/test_demo_hidden.py').read()"],
    "write-grader-code": ["import __main__", "open(__main__.__file__, 'a').write('# pwned')"],
    "drop-pth-file": ["import site", "open(site.getsitepackages()[0] + '/pwned.pth', 'w').write('import os')"],
    "read-parent-environ": ["assert os.getppid() > 1", "open(f'/proc/{os.getppid()}/environ').read()"],
    "fork-bomb": ["import time", "for _ in range(2000):\n            os.fork() or (time.sleep(30), os._exit(0))"],
}


@pytest.mark.skipif(bubblewrap() is None, reason="needs bubblewrap")
@pytest.mark.parametrize("name", REACH_ATTACKS)
def test_attacks_on_the_machine_fail(name: str, fake_course: Path, tmp_path: Path) -> None:
    statements = "".join(f"        {line}\n" for line in REACH_ATTACKS[name])
    body = f"    COURSE = {str(fake_course)!r}\n    try:\n{statements}    except Exception:\n        return -1.0\n"
    result = attack(fake_course, tmp_path, body + "    return 2 * x\n")["test_double"]
    assert result["score"] == 0, f"{name} worked: {result}"
    assert not list(Path(sys.prefix).rglob("pwned.pth"))


@pytest.mark.skipif(bubblewrap() is None, reason="needs bubblewrap")
def test_no_state_survives_into_the_next_check(fake_course: Path, tmp_path: Path) -> None:
    """Files and processes a check's code leaves behind are gone when the next check's child starts."""
    places = "(os.environ['HOME'], '/tmp', '/dev/shm')"
    leave = f"    import subprocess\n    for d in {places}:\n        if os.access(d, os.W_OK):\n"
    leave += "            os.makedirs(d + '/left/locked')\n            os.chmod(d + '/left', 0)\n"
    leave += "    subprocess.Popen(['sleep', '3002'], start_new_session=True)\n    return 2 * x\n"
    find = f"    import subprocess\n    here = [os.path.exists(d + '/left') for d in {places}]\n"
    find += "    alive = subprocess.run(['pgrep', 'sleep'], capture_output=True).returncode == 0\n"
    find += "    return -1.0 if any(here) or alive else x / 2\n"
    sub = submission_with(tmp_path, f"import os\n\n\ndef double(x):\n{leave}\n\ndef halve(x):\n{find}")
    results = sandboxed_results(fake_course, sub, tmp_path / "out")
    outputs = {name: result["output"] for name, result in results.items()}
    assert results["test_double"]["score"] == 2, outputs
    assert results["test_halve"]["score"] == 3, f"the second check found what the first left: {outputs}"


def test_endless_loop_ignoring_signals_is_stopped(fake_course: Path, tmp_path: Path) -> None:
    body = "    import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass\n"
    result = attack(fake_course, tmp_path, body)["test_double"]
    # its CPU-time limit (the check's 5 s + 2 s) stops it; on a machine too busy for that to come within the
    # wall-clock limit (5 × 7 s), the check is not graded (never passed)
    output = result["output"]
    assert result["score"] == 0 and ("CPU-time limit" in output or output.startswith(NOT_GRADED)), result


def test_wire_round_trip_keeps_plain_data() -> None:
    value = {"a": [1, 2.5, float("nan")], (1, 2): np.arange(6, dtype=np.int16).reshape(2, 3), "s": np.float32(1.5)}
    doc, blobs = Encoder(lambda obj: {"$t": "ref"}).encode(value)
    back = Decoder(lambda node: None).decode(doc, blobs)
    assert back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2])
    assert back[(1, 2)].dtype == np.int16 and back[(1, 2)].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(back["s"]) is np.float32 and back["s"] == 1.5


@pytest.mark.parametrize("space", [gym.spaces.Discrete(6, start=2), gym.spaces.Box(-1.0, 2.0, shape=(3,))])
def test_wire_space_samples_like_the_original(space: gym.Space) -> None:
    """A copied action space draws what the original would (a student's ``action_space.sample()`` grades the
    same sandboxed as in-process), unseeded spaces stay unseeded."""
    encoder, decoder = Encoder(lambda obj, blobs: {"$t": "ref"}), Decoder(lambda node: None)
    assert decoder.decode(*encoder.encode(space))._np_random is None
    space.seed(3)
    decoder = Decoder(lambda node: None)
    draws = [decoder.decode(*encoder.encode(space)).sample() for _ in range(20)]  # read anew before each draw
    assert np.array_equal(draws, [space.sample() for _ in range(20)])


@pytest.mark.parametrize(
    "doc",
    [
        {"$t": "nd", "dtype": "object", "shape": [1], "blob": 0},
        {"$t": "nd", "dtype": "float64", "shape": [3], "blob": 0},
        {"$t": "pickle", "v": "gASV"},
        {"$t": "float", "v": "__import__('os')"},
    ],
)
def test_wire_refuses_malformed_values(doc: dict) -> None:
    with pytest.raises(WireError):
        Decoder(lambda node: None).decode(doc, [b"\x00" * 8])


TORCH_CHECK = '''
import pytest
import torch


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_module_in_place(impl):
    """shrink_(net) scales the grader's network in place and leaves gradients on it."""
    net = torch.nn.Linear(2, 1)
    weight, before = net.weight, net.weight.detach().clone()
    out = impl.attr("nets", "shrink_")(net, torch.ones(1, 2))
    assert net.weight is weight, "the grader's parameter objects must stay the same"
    assert torch.allclose(net.weight, before / 2), f"weights {net.weight} should be halved {before / 2}"
    assert net.weight.grad is not None and torch.allclose(net.weight.grad, torch.ones(1, 2))
    assert type(out) is torch.Tensor and out.shape == (1, 1)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_gradient_through_student_code(impl):
    """backward() through the student's square(x) reaches the grader's x."""
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = impl.attr("nets", "square")(x)
    y.sum().backward()
    assert torch.allclose(x.grad, 2 * x.detach()), f"x.grad = {x.grad}, expected 2x"
'''

TORCH_SOLUTION = """
import torch


def shrink_(net, x):
    net(x).sum().backward()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.5)
    return net(x).detach()


def square(x):
    return x * x
"""


def test_torch_modules_and_gradients_cross_the_boundary(fake_course: Path, tmp_path: Path) -> None:
    (fake_course / "tests" / "public" / "hw99_demo" / "test_torch_demo.py").write_text(TORCH_CHECK)
    sub = submission_with(tmp_path, FAKE_SOLUTION["calc.py"])
    (sub / "hw99_demo" / "nets.py").write_text(TORCH_SOLUTION)
    results = sandboxed_results(fake_course, sub, tmp_path / "out")
    assert results["test_module_in_place"]["score"] == 1, results["test_module_in_place"]
    assert results["test_gradient_through_student_code"]["score"] == 1, results["test_gradient_through_student_code"]


CONFTEST = """
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def test_conftest_in_the_submission_is_never_loaded(fake_course: Path, tmp_path: Path) -> None:
    sub = submission_with(tmp_path, "def double(x):\n    return -1.0\n" + HALVE)
    for folder in (sub, sub / "hw99_demo"):
        (folder / "conftest.py").write_text(CONFTEST)
    result = sandboxed_results(fake_course, sub, tmp_path / "out")["test_double"]
    assert result["score"] == 0 and "returned -1.0" in result["output"], result


def test_a_learning_run_is_the_same_number_for_number_in_the_sandbox() -> None:
    """The harness seeds the global RNGs of the process that runs the agent (DQN's networks are initialised from
    torch's): a sandboxed training run of the reference gives the in-process run's returns exactly."""
    spec = DeepSpec(
        "run", "dqn", "DQNAgent", "CartPole-v1", steps=2500, seed=3, low=0.0, eval_episodes=3, hparams=DQN_HPARAMS
    )
    solutions = COURSE_ROOT / "solutions"
    in_process = spec.run(Implementation(root=solutions, assignment="hw04_dqn").attr("dqn", "DQNAgent"))
    zygote = Zygote(solutions, "hw04_dqn")
    session = SandboxSession(zygote, seed=1, limits=Limits())
    try:
        sandboxed = spec.run(SandboxedImplementation(session).attr("dqn", "DQNAgent"))
    finally:
        session.close()
        zygote.close()
    assert (sandboxed.train_returns, sandboxed.curve) == (in_process.train_returns, in_process.curve)
