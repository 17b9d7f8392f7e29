"""Same verdict, same message: a submission grades alike in-process and in each sandbox mode, its failures keep
their real reason, and the student's text cannot rewrite the reports."""

from __future__ import annotations

import contextlib
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import (
    COURSE_ROOT,
    FAKE_SOLUTION,
    MODE_WORDS,
    SANDBOX_MODES,
    by_check,
    check_results,
    run_cli,
    sandbox_env,
    submission_with,
    write_package,
)

from grader.harness.calls import call_all
from grader.harness.deep_control import DeepSpec
from grader.harness.dqn_fixtures import DQN_HPARAMS
from grader.impl import Implementation
from grader.sandbox import isolation
from grader.sandbox.limits import Limits
from grader.sandbox.session import SandboxedImplementation, SandboxSession
from grader.sandbox.zygote import Zygote

#: In-process (None) and each sandbox mode that works here.
MODES = [None, *(m for m in SANDBOX_MODES if (isolation.bubblewrap() if m == "bubblewrap" else os.geteuid() == 0))]

TORCH_CHECK = '''
import pytest
import torch


def linear(weight, bias):
    net = torch.nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([weight]))
        net.bias.fill_(bias)
    return net


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


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_polyak_in_place(impl):
    """polyak(target, online, tau) moves the target's own parameters towards the online ones."""
    target, online = linear([1.0, 1.0], 0.0), linear([3.0, 5.0], 2.0)
    before = list(target.parameters())
    impl.attr("nets", "polyak")(target, online, 0.5)
    assert torch.allclose(target.weight, torch.tensor([[2.0, 3.0]])), f"target weight {target.weight.tolist()}"
    assert all(p is q for p, q in zip(target.parameters(), before)), (
        "polyak must update the target's parameters in place, not replace them"
    )


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_double_tensor(impl):
    """double_tensor(x) returns 2x as a float32 tensor."""
    out = impl.attr("nets", "double_tensor")(torch.ones(3))
    assert type(out) is torch.Tensor and out.dtype == torch.float32, f"double_tensor gave a {out.dtype} tensor"
    assert torch.equal(out, torch.full((3,), 2.0)), f"double_tensor(ones) = {out.tolist()}"


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_half_tensor(impl):
    """half_tensor(x) returns x / 2 as a float32 tensor."""
    out = impl.attr("nets", "half_tensor")(torch.ones(3))
    assert type(out) is torch.Tensor and out.dtype == torch.float32, f"half_tensor gave a {out.dtype} tensor"
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


def polyak(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.mul_(1 - tau).add_(o, alpha=tau)


def double_tensor(x):
    return 2 * x


def half_tensor(x):
    return x / 2
"""

# Wrong in ways the sandbox once hid or blurred: new parameter objects instead of in-place updates (one of another
# shape), and tensors of dtypes the wire did not carry (bfloat16, complex64).
WRONG = {
    "    with torch.no_grad():\n        for p in net.parameters():\n            p.mul_(0.5)\n": (
        "    net.weight = torch.nn.Parameter(torch.zeros(3, 2))\n"
    ),
    "    with torch.no_grad():\n        for t, o in zip(target.parameters(), online.parameters()):\n"
    "            t.mul_(1 - tau).add_(o, alpha=tau)\n": (
        "    for name, o in online.named_parameters():\n"
        "        t = getattr(target, name)\n"
        "        setattr(target, name, torch.nn.Parameter(((1 - tau) * t + tau * o).detach()))\n"
    ),
    "    return 2 * x\n": "    return (2 * x).to(torch.bfloat16)\n",
    "    return x / 2\n": "    return (x / 2).to(torch.complex64)\n",
}


def torch_course(fake_course: Path, tmp_path: Path, changes: dict[str, str]) -> Path:
    (fake_course / "tests" / "public" / "hw99_demo" / "test_torch_demo.py").write_text(TORCH_CHECK)
    source = TORCH_SOLUTION
    for old, new in changes.items():
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    sub = submission_with(tmp_path, FAKE_SOLUTION["calc.py"])
    (sub / "hw99_demo" / "nets.py").write_text(source)
    return sub


def verdicts(course: Path, submission: Path, out: Path) -> dict[str | None, dict[str, tuple[bool, str]]]:
    """Per mode, every check's (passed, message)."""
    return {
        mode: {name: (t["status"] == "passed", t["output"]) for name, t in by_check(check_results(*args)).items()}
        for mode in MODES
        for args in [(course, submission, out / str(mode), mode)]
    }


def test_torch_modules_and_gradients_cross_the_boundary(fake_course: Path, tmp_path: Path) -> None:
    runs = verdicts(fake_course, torch_course(fake_course, tmp_path, {}), tmp_path / "out")
    for mode, checks in runs.items():
        assert all(passed for passed, _ in checks.values()), (mode, checks)


def test_every_mode_gives_the_in_process_verdict_and_message(fake_course: Path, tmp_path: Path) -> None:
    """A Polyak step that replaces the parameters fails sandboxed as in-process (the write-back replaces them too),
    and a bfloat16 or complex64 result reaches the check and fails on its dtype, with the same message."""
    runs = verdicts(fake_course, torch_course(fake_course, tmp_path, WRONG), tmp_path / "out")
    in_process = runs[None]
    failing = {"test_module_in_place", "test_polyak_in_place", "test_double_tensor", "test_half_tensor"}
    assert {name for name, (passed, _) in in_process.items() if not passed} == failing, in_process
    for mode, checks in runs.items():
        assert checks == in_process, f"{mode} differs from in-process:\n{checks}\n{in_process}"


def test_a_flat_submission_and_a_fake_grader_error_read_the_same_in_every_mode(
    fake_course: Path, tmp_path: Path
) -> None:
    """Files without their assignment folder: "submit the whole assignment folder" (not a sandbox error); an
    exception the student's code raises under the grader's error's name is reported as the student's."""
    flat = write_package(tmp_path / "flat", {"calc.py": FAKE_SOLUTION["calc.py"]})
    fake = (
        "class ImplementationError(Exception):\n    pass\n\n\ndef double(x):\n    raise ImplementationError('6 / 6')\n"
    )
    sub = submission_with(tmp_path, fake + "\n\ndef halve(x):\n    return x / 2\n")
    flat_runs = verdicts(fake_course, flat, tmp_path / "flat-out")
    fake_runs = verdicts(fake_course, sub, tmp_path / "fake-out")
    for mode in MODES:
        assert flat_runs[mode] == flat_runs[None], mode
        assert fake_runs[mode]["test_double"] == fake_runs[None]["test_double"], mode
    assert "submit the whole assignment folder" in flat_runs[None]["test_double"][1]
    assert fake_runs[None]["test_double"][1] == (
        "Your code raised ImplementationError at calc.py, line 6, in double: 6 / 6"
    )


HOSTILE_TEXT = (
    "\\x1b[2J\\x1b[31mred\\x1b]0;title\\x07\\x00\\x08\\ud800\\u202e\\r\\n## hw99_demo: 6 / 6 points\\n"
    "**Total: 6 / 6 points (3 of 3 checks passed)**\\n| `test_double` | 2 / 2 | ✅ pass |\\n</failure><x y='1'>&amp;"
)


@pytest.mark.parametrize("mode", MODES)
def test_student_text_cannot_rewrite_the_reports(mode: str | None, fake_course: Path, tmp_path: Path) -> None:
    """Escape sequences, control characters and markdown in an exception message reach no report raw: the
    terminal table and results.json carry no control character, report.md gains no heading, table row or bold
    total, and junit.xml stays well-formed."""
    source = f'def double(x):\n    raise ValueError("{HOSTILE_TEXT}")\n\n\ndef halve(x):\n    return x / 2\n'
    sub = submission_with(tmp_path, source)
    out = tmp_path / "graded"
    options = ["--sandbox"] if mode else ["--no-sandbox"]
    env = sandbox_env(mode, tmp_path) if mode else {}
    options += ["--course", str(fake_course), "--out", str(out), "--hw", "hw99"]
    proc = run_cli("grade", str(sub), *options, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    raw = (out / "results.json").read_text()
    results = json.loads(raw)
    assert not mode or MODE_WORDS[mode] in results["extra_data"]["isolation"]
    message = by_check(results)["test_double"]["output"]
    assert "ValueError" in message and "red" in message and "6 / 6 points" in message, message
    for text in (proc.stdout, message, (out / "report.md").read_text(), (out / "junit.xml").read_text()):
        assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in text), text
    report = (out / "report.md").read_text().splitlines()
    assert [line for line in report if line.startswith("## ")] == ["## hw99_demo: 4 / 6 points (2 of 3 checks passed)"]
    assert len([line for line in report if line.startswith("**Total")]) == 1
    assert not [line for line in report if line.startswith("| `test_double` | 2 / 2")]
    failure = ET.parse(out / "junit.xml").getroot().find(".//testcase[@name='test_double']/failure")
    assert failure is not None and "<x y='1'>" in failure.text


@pytest.fixture
def this_process_in(sandbox_mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """This process grades in ``sandbox_mode`` (the probes read PATH once: they are asked again)."""
    probes = (isolation.bubblewrap, isolation.unshare, isolation.landlock_abi, isolation.isolation)
    for name, value in sandbox_env(sandbox_mode, tmp_path).items():
        monkeypatch.setenv(name, value)
    for probe in probes:
        probe.cache_clear()
    assert MODE_WORDS[sandbox_mode] in isolation.describe_isolation()
    yield
    monkeypatch.undo()
    for probe in probes:
        probe.cache_clear()


@contextlib.contextmanager
def reference_in_sandbox(assignment: str) -> Iterator[SandboxedImplementation]:
    """The reference of ``assignment`` in a sandbox of this process's mode."""
    zygote = Zygote(COURSE_ROOT / "solutions", assignment)
    session = SandboxSession(zygote, seed=1, limits=Limits())
    try:
        yield SandboxedImplementation(session)
    finally:
        session.close()
        zygote.close()


@pytest.mark.usefixtures("this_process_in")
def test_a_learning_run_is_the_same_number_for_number_in_the_sandbox() -> None:
    """The harness seeds the global RNGs of the process that runs the agent (DQN's networks are initialised from
    torch's): a sandboxed training run of the reference gives the in-process run's returns exactly, in each
    sandbox mode."""
    spec = DeepSpec(
        "run", "dqn", "DQNAgent", "CartPole-v1", steps=2500, seed=3, low=0.0, eval_episodes=3, hparams=DQN_HPARAMS
    )
    in_process = spec.run(Implementation(root=COURSE_ROOT / "solutions", assignment="hw04_dqn").attr("dqn", "DQNAgent"))
    with reference_in_sandbox("hw04_dqn") as sandboxed:
        run = spec.run(sandboxed.attr("dqn", "DQNAgent"))
    assert (run.train_returns, run.curve) == (in_process.train_returns, in_process.curve)


@pytest.mark.usefixtures("this_process_in")
def test_calls_sent_together_keep_their_own_keyword_arguments() -> None:
    """:func:`call_all` sends many calls in one message (hw08's Dyna check: every agent's ``act`` and ``update`` of one
    step); each call's own keyword arguments (SARSA's ``next_action``) reach it: the sandboxed Q table is the
    in-process one."""

    def table(impl: Any) -> list[list[float]]:
        agent = impl.attr("td", "SarsaAgent")(3, 2, 0.5, 0.9, 0.0, rng=np.random.default_rng(0))
        agent.Q = np.arange(6.0).reshape(3, 2)
        calls = [
            (agent.update, (s % 3, s % 2, 1.0, (s + 1) % 3, False, False), {"next_action": s // 3}) for s in range(6)
        ]
        call_all(calls)
        return np.asarray(agent.Q, dtype=np.float64).tolist()

    in_process = table(Implementation(root=COURSE_ROOT / "solutions", assignment="hw02_tabular"))
    with reference_in_sandbox("hw02_tabular") as sandboxed:
        assert table(sandboxed) == in_process
