"""How much the sandbox costs: grade the reference of some assignments in-process and sandboxed; print times.

For each assignment, runs its public and hidden checks against ``solutions/`` once in debug mode (student code
imported into pytest) and once sandboxed (a confined child per check, forked by the run's zygote), serially,
and prints the wall times, the CPU times of everything the run started (grader, zygote, children), their
ratios and the points of each run (both must be full marks). A benchmark, not a test: the wall times depend on
the machine and its load. The CPU times much less so: they are what the run costs whatever else the machine does,
and on one CPU (``--cpu``) the wall time of an idle machine is close to them. They are read from a cgroup of
the run when the benchmark runs as root (cgroup v1 ``cpuacct`` or v2), else from ``getrusage`` of the reaped
children, which misses processes that were killed before their parent reaped them (the sandbox's zygote).

Usage (from the repo root):
    .venv/bin/python scripts/benchmark_sandbox.py                 # every assignment
    .venv/bin/python scripts/benchmark_sandbox.py hw01 hw02
    .venv/bin/python scripts/benchmark_sandbox.py hw02 --checks 5 # and the 5 checks the sandbox slows most
    .venv/bin/python scripts/benchmark_sandbox.py --tiny          # a tiny assignment in the kit's format
    .venv/bin/python scripts/benchmark_sandbox.py --repeat 3 --cpu 1   # medians of 3, all on CPU 1

This machine's two virtual CPUs do not run equally fast (one CPU ran a Python loop up to 2× slower than the
other, varying over time), so a single run's ratio is noisy: the sandbox puts the grader and the child on
whichever CPUs are free. ``--cpu`` runs both modes on one CPU (the sandbox's worst case: nothing overlaps);
``--repeat`` alternates the modes and prints medians.

``--tiny`` writes a course of one small assignment (two exact checks, and a learning check whose agent answers
50 000 ``act``/``observe`` calls: tabular Q-learning on FrozenLake through the kit's ``DeepSpec``) and grades it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


TINY_AGENT = """
import numpy as np


def greedy(q_row):
    return int(np.argmax(q_row))


class QAgent:
    def __init__(self, observation_space, action_space, seed=0, alpha=0.5, gamma=0.95, epsilon=1.0):
        self.q = np.zeros((int(observation_space.n), int(action_space.n)))
        self.rng = np.random.default_rng(seed)
        self.alpha, self.gamma, self.epsilon = alpha, gamma, epsilon

    def act(self, obs, deterministic=False):
        if not deterministic and self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.q.shape[1]))
        return greedy(self.q[int(obs)])

    def observe(self, obs, action, reward, next_obs, terminated, truncated):
        target = reward + (0.0 if terminated else self.gamma * self.q[int(next_obs)].max())
        self.q[int(obs), action] += self.alpha * (target - self.q[int(obs), action])
"""

TINY_CHECKS = '''
import numpy as np
import pytest

from grader.harness.deep_control import DeepSpec
from grader.harness.validate import as_int

SPEC = DeepSpec(check="test_learns", module="agent", agent="QAgent", env_id="FrozenLake-v1", steps=50_000, seed=1,
                low=1.0, env_kwargs={"is_slippery": False})


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_greedy(impl):
    """greedy picks the largest entry"""
    assert as_int(impl.attr("agent", "greedy")(np.array([0.0, 2.0, 1.0])), "greedy", 0, 3) == 1


@pytest.mark.points(1)
@pytest.mark.timeout(10)
def test_deterministic_act(impl):
    """act(obs, deterministic=True) is greedy"""
    import gymnasium as gym
    agent = impl.attr("agent", "QAgent")(gym.spaces.Discrete(4), gym.spaces.Discrete(2), seed=0)
    agent.q = np.array([[0.0, 1.0]] * 4)
    assert as_int(agent.act(2, deterministic=True), "act", 0, 2) == 1


@pytest.mark.points(3)
@pytest.mark.timeout(60)
def test_learns(impl):
    """Q-learning solves the 4x4 FrozenLake without slips in 50 000 steps"""
    SPEC.assert_learns(impl.attr("agent", "QAgent"), "check the TD target")
'''


def tiny_course(root: Path) -> Path:
    """A course with one assignment ``hw01_tiny`` in the kit's format (reference, public checks)."""
    (root / "solutions" / "hw01_tiny").mkdir(parents=True)
    (root / "tests" / "public" / "hw01_tiny").mkdir(parents=True)
    (root / "tests" / "hidden" / "hw01_tiny").mkdir(parents=True)
    (root / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (root / "solutions" / "hw01_tiny" / "__init__.py").write_text("")
    (root / "solutions" / "hw01_tiny" / "agent.py").write_text(TINY_AGENT)
    (root / "tests" / "public" / "hw01_tiny" / "test_tiny.py").write_text(TINY_CHECKS)
    return root


CGROUP_ROOTS = (Path("/sys/fs/cgroup/cpuacct"), Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))


def cgroup_cpu_seconds(group: Path) -> float:
    """CPU seconds used by the processes of a cgroup (v1 ``cpuacct.usage`` in ns, v2 ``usage_usec`` in µs)."""
    usage = group / "cpuacct.usage"
    if usage.exists():
        return int(usage.read_text()) / 1e9
    return int((group / "cpu.stat").read_text().split()[1]) / 1e6


@contextlib.contextmanager
def cgroup_cpu_meter():
    """(cgroup.procs path or None, a function giving the CPU seconds used so far by the processes put there)."""
    for root in CGROUP_ROOTS:
        group = root / f"rlgrade-benchmark-{os.getpid()}"
        try:
            group.mkdir()
        except OSError:
            continue
        try:
            yield group / "cgroup.procs", lambda group=group: cgroup_cpu_seconds(group)
        finally:
            with contextlib.suppress(OSError):
                group.rmdir()
        return
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    yield (
        None,
        lambda: sum(
            getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) - getattr(before, f)
            for f in ("ru_utime", "ru_stime")
        ),
    )


def grade(hw: str, sandbox: bool, out: Path, course: Path, cpus: set[int] | None) -> tuple:
    """(wall s, CPU s, points, max points, wall s per check) of one grading run of the reference, on ``cpus``."""
    command = [sys.executable, "-m", "grader.cli", "grade", "solutions", "--hw", hw, "--hidden", "--out", str(out)]
    command += ["--course", str(course), "--sandbox" if sandbox else "--no-sandbox"]
    with cgroup_cpu_meter() as (procs, cpu_seconds):

        def enter() -> None:
            if procs is not None:
                procs.write_text(str(os.getpid()))
            if cpus:
                os.sched_setaffinity(0, cpus)

        started = time.monotonic()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True, preexec_fn=enter)
        seconds, cpu = time.monotonic() - started, cpu_seconds()
    results = json.loads((out / "results.json").read_text())
    checks = {t["name"]: t["extra_data"]["execution_time"] for t in results["tests"]}
    return seconds, cpu, results["score"], results["extra_data"]["max_score"], checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignment prefixes (default: all)")
    parser.add_argument("--checks", type=int, default=0, help="also list the N checks with the most added time")
    parser.add_argument("--tiny", action="store_true", help="grade a tiny assignment in the kit's format instead")
    parser.add_argument("--repeat", type=int, default=1, help="grade each way N times, alternating; print medians")
    parser.add_argument("--cpu", type=int, default=None, help="run everything on this CPU only")
    args = parser.parse_args()
    assignments = args.assignments or sorted(p.name.split("_")[0] for p in (ROOT / "solutions").glob("hw*"))
    cpus = {args.cpu} if args.cpu is not None else None
    print(
        f"{'assignment':12s} {'wall: debug s':>13s} {'sandbox s':>9s} {'ratio':>5s}  {'CPU: debug s':>12s} "
        f"{'sandbox s':>9s} {'ratio':>5s}  points debug / sandbox"
    )
    with tempfile.TemporaryDirectory() as tmp:
        course = tiny_course(Path(tmp) / "tiny") if args.tiny else ROOT
        for hw in ["hw01"] if args.tiny else assignments:
            runs = {False: [], True: []}
            for i in range(args.repeat):
                for sandbox in (False, True):
                    runs[sandbox].append(grade(hw, sandbox, Path(tmp) / f"{hw}-{sandbox}-{i}", course, cpus))
            middle = args.repeat // 2
            wall, cpu = ([sorted(run[k] for run in runs[mode])[middle] for mode in (False, True)] for k in (0, 1))
            debug, boxed = (runs[mode][0] for mode in (False, True))
            print(
                f"{hw:12s} {wall[0]:13.1f} {wall[1]:9.1f} {wall[1] / wall[0]:5.2f}  {cpu[0]:12.1f} {cpu[1]:9.1f} "
                f"{cpu[1] / cpu[0]:5.2f}  {debug[2]:g}/{debug[3]:g} / {boxed[2]:g}/{boxed[3]:g}"
                + (f"  (medians of {args.repeat})" if args.repeat > 1 else ""),
                flush=True,
            )
            added = sorted(debug[4], key=lambda name: debug[4][name] - boxed[4].get(name, 0.0))
            for name in added[: args.checks]:
                print(f"    {debug[4][name]:7.2f} s {boxed[4].get(name, float('nan')):7.2f} s  {name[:90]}")


if __name__ == "__main__":
    main()
