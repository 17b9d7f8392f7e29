"""The launcher forks each grading run's pytest process: it must be what ``python -m pytest`` would have been."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from grader.launcher import Launcher

REPORTING_CHECK = """
import json
import os
import sys


def test_where_am_i():
    facts = {
        "cwd": os.getcwd(),
        "path0": sys.path[0],
        "session_leader": os.getsid(0) == os.getpid(),
        "stdin": os.readlink("/proc/self/fd/0"),
        "env": os.environ.get("LAUNCHER_TEST"),
        "inherited": os.environ.get("LAUNCHER_NOT_PASSED"),
        "bytecode": sys.dont_write_bytecode,
    }
    with open(os.environ["LAUNCHER_FACTS"], "w") as out:
        json.dump(facts, out)
"""


def _launch(launcher: Launcher, folder: Path, check: str, env: dict[str, str]):
    (folder / "test_check.py").write_text(check, encoding="utf-8")
    with open(folder / "output.txt", "wb") as out:
        return launcher.launch(["-q", "-p", "no:cacheprovider", "test_check.py"], folder, env, out.fileno(), [])


def test_a_run_is_the_pytest_process_it_stands_for(tmp_path: Path) -> None:
    launcher = Launcher()
    os.environ["LAUNCHER_NOT_PASSED"] = "the grader's own"
    try:
        env = {"PATH": os.environ["PATH"], "LAUNCHER_TEST": "yes", "LAUNCHER_FACTS": str(tmp_path / "facts.json")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        run = _launch(launcher, tmp_path, REPORTING_CHECK, env)
        assert run.wait() == 0, (tmp_path / "output.txt").read_text()
        facts = json.loads((tmp_path / "facts.json").read_text())
        assert facts == {
            "cwd": str(tmp_path), "path0": str(tmp_path), "session_leader": True, "stdin": os.devnull,
            "env": "yes", "inherited": None, "bytecode": True,
        }  # fmt: skip
        assert "1 passed" in (tmp_path / "output.txt").read_text()
        failing = _launch(launcher, tmp_path, "def test_fails():\n    assert False\n", env)
        assert failing.wait() == 1
    finally:
        del os.environ["LAUNCHER_NOT_PASSED"]
        launcher.control.close()


def test_a_killed_run_reports_its_signal_and_a_killed_launcher_is_started_again(tmp_path: Path) -> None:
    launcher = Launcher()
    env = {"PATH": os.environ["PATH"]}
    try:
        hang = _launch(launcher, tmp_path, "import time\n\ndef test_hangs():\n    time.sleep(600)\n", env)
        assert hang.poll() is None
        os.killpg(hang.pid, signal.SIGKILL)  # as the runner stops a stuck check: its process group
        assert hang.wait() == -signal.SIGKILL
        first = launcher.process
        first.kill()
        first.wait()
        again = _launch(launcher, tmp_path, "def test_passes():\n    pass\n", env)
        assert again.wait() == 0 and launcher.process is not first
    finally:
        launcher.control.close()
