"""The pytest plugin (entry point ``rlgrade``): the implementation under test, points, results.

A *check* is a test function under ``.../public/<assignment>/`` or ``.../hidden/<assignment>/``. Each check
must carry ``@pytest.mark.points(n)`` and a docstring whose first line says what it measures. Checks get
the code under test from the ``impl`` fixture (design P2), never by importing it themselves.

Options:
  --impl solutions|assignments|PATH   which implementation to grade (default: assignments)
  --sandbox                           run the code under test in a limited child process (grading mode)
  --report-dir DIR                    write results.json, junit.xml and report.md there
  --curves-dir DIR                    draw learning checks' curves there (default: <report-dir>/curves)
  --rlgrade-records FILE              stream per-check records (used by ``rlgrade grade``)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import time
import traceback
import zlib
from pathlib import Path

import pytest

from grader import report
from grader.budget import (
    CHILD_START_SECONDS,
    Clock,
    CPUTimeExceeded,
    at_wall_limit,
    cpu_limit,
    cpu_limit_message,
    stuck_message,
    wall_limit,
)
from grader.harness import curves
from grader.impl import Implementation, ImplementationError, resolve_impl_root
from grader.parts import PartsError, rule_for_check
from grader.results import CheckResult, append_record, result_to_record
from grader.rngs import seed_global_rngs
from grader.sandbox.isolation import describe_isolation, isolation
from grader.sandbox.limits import Limits
from grader.sandbox.session import SandboxedImplementation, SandboxSession
from grader.sandbox.zygote import Zygote, ZygoteGone

VISIBILITIES = ("public", "hidden")
DEFAULT_CPU_SECONDS = 60.0  # a check without @pytest.mark.timeout (the ini's timeout is for other tests)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rlgrade", "RL homework grading")
    group.addoption(
        "--impl",
        default="assignments",
        help="implementation under test: 'solutions', 'assignments' (default) or a path to a submission",
    )
    group.addoption(
        "--sandbox",
        action="store_true",
        help="run the implementation under test in a separate, limited process (grading mode)",
    )
    group.addoption("--report-dir", default=None, help="write results.json, junit.xml and report.md here")
    group.addoption(
        "--curves-dir",
        default=None,
        help="draw the learning curves of learning checks there (default: <report-dir>/curves)",
    )
    group.addoption("--rlgrade-records", default=None, help=argparse.SUPPRESS)


def check_location(path: Path) -> tuple[str, str] | None:
    """(assignment, visibility) for a check file, ``None`` for any other test file."""
    visibility = path.parent.parent.name
    return (path.parent.name, visibility) if visibility in VISIBILITIES else None


def check_cpu_seconds(item: pytest.Item) -> float:
    """The check's CPU-time limit: its ``@pytest.mark.timeout(seconds)``, else :data:`DEFAULT_CPU_SECONDS`."""
    marker = item.get_closest_marker("timeout")
    return float(marker.args[0]) if marker and marker.args else DEFAULT_CPU_SECONDS


def check_title(item: pytest.Item) -> str:
    doc = getattr(item, "function", None).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def check_points(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    return float(marker.args[0])


class RLGradePlugin:
    """Collects one :class:`CheckResult` per check and writes records and reports."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        records = config.getoption("--rlgrade-records")
        self.records_path = Path(records) if records else None
        report_dir = config.getoption("--report-dir")
        self.report_dir = Path(report_dir) if report_dir else None
        curves_dir = config.getoption("--curves-dir")
        self.curves_dir = Path(curves_dir) if curves_dir else (self.report_dir / "curves" if self.report_dir else None)
        self.results: list[CheckResult] = []
        self._phases: dict[str, list[pytest.TestReport]] = {}
        self._items: dict[str, pytest.Item] = {}
        self._started = time.monotonic()

    # -- collection -------------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        problems = []
        for item in items:
            if check_location(item.path) is None:
                continue
            self._items[item.nodeid] = item
            if item.get_closest_marker("points") is None:
                problems.append(f"{item.nodeid}: missing @pytest.mark.points(n)")
            if not check_title(item):
                problems.append(f"{item.nodeid}: missing docstring (its first line is the check's title)")
            try:  # the check's part and best_k (grader.parts), when its assignment has a parts.toml
                rule = rule_for_check(item.path)
                item._rlgrade_part = (rule.part_of(item.path.name), rule.best_k) if rule else ("", 0)
            except PartsError as err:
                problems.append(f"{item.nodeid}: {err}")
        if problems:
            raise pytest.UsageError("badly declared checks:\n  " + "\n  ".join(problems))
        for item in self._items.values():  # the timeout is CPU time; the wall clock only catches a stuck check
            item._rlgrade_cpu_seconds = check_cpu_seconds(item)
            item.add_marker(pytest.mark.timeout(wall_limit(item._rlgrade_cpu_seconds)), append=False)
        if self.records_path:
            for nodeid, item in self._items.items():
                append_record(
                    self.records_path,
                    "collected",
                    nodeid=nodeid,
                    cpu_seconds=item._rlgrade_cpu_seconds,
                    points=check_points(item),
                    title=check_title(item),
                    part=item._rlgrade_part[0],
                    best_k=item._rlgrade_part[1],
                )

    # -- running ----------------------------------------------------------------------------------
    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.records_path and nodeid in self._items:
            append_record(self.records_path, "started", nodeid=nodeid)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        """Run the check under its CPU-time limit, and note when it started (for :func:`at_wall_limit`)."""
        if item.nodeid not in self._items:
            yield
            return
        item._rlgrade_clock = Clock.start(os.getpid())
        with cpu_limit(item._rlgrade_cpu_seconds):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        rep = outcome.get_result()
        if item.nodeid in self._items and call.excinfo is not None and not rep.passed:
            impl_root = getattr(item, "_rlgrade_impl_root", None)
            cpu_seconds = item._rlgrade_cpu_seconds
            clock = getattr(item, "_rlgrade_clock", None)
            if is_wall_timeout(call.excinfo) and clock is not None:
                sandboxed = bool(item.config.getoption("--sandbox"))
                rep.rlgrade_message, rep.rlgrade_busy = at_wall_limit(clock, cpu_seconds, sandboxed)
            else:
                rep.rlgrade_message = describe_failure(call.excinfo, cpu_seconds, impl_root)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self._items:
            self._phases.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        item = self._items.get(nodeid)
        if item is None:
            return
        phases = self._phases.pop(nodeid, [])
        failed = [r for r in phases if not r.passed]
        message = ""
        busy = False
        if failed:
            first = failed[0]
            message = getattr(first, "rlgrade_message", None) or fallback_message(first)
            busy = getattr(first, "rlgrade_busy", False)
        assignment, visibility = check_location(item.path)
        figure = ""
        drawn = curves.take()
        if drawn and self.curves_dir is not None:
            path = curves.draw(drawn, self.curves_dir / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.name)}.png")
            figure = f"{self.curves_dir.name}/{path.name}"
        result = CheckResult(
            nodeid=nodeid,
            assignment=assignment,
            name=item.name,
            title=check_title(item),
            visibility=visibility,
            max_points=check_points(item),
            passed=bool(phases) and not failed,
            message=message,
            duration=round(sum(r.duration for r in phases), 4),
            figure=figure,
            busy=busy,
            part=item._rlgrade_part[0],
            best_k=item._rlgrade_part[1],
        )
        self.results.append(result)
        if self.records_path:
            append_record(self.records_path, "result", **result_to_record(result))

    # -- reporting --------------------------------------------------------------------------------
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.results:
            return
        terminalreporter.write_sep("=", "rlgrade: points")
        terminalreporter.write_line(report.terminal_table(self.results))
        if self.config.getoption("--sandbox"):
            terminalreporter.write_line(describe_isolation(self.config.rootpath))
            for reason in isolation().refusals(self.config.rootpath):  # fine for practice, not for grades
                terminalreporter.write_line(f"WARNING: not safe for summative grading: {reason}")
        if any(not r.passed for r in self.results):
            terminalreporter.write_line(
                "Run one check with:  pytest <test file> -k <check name>   (add --pdb to stop in a debugger)"
            )

    def pytest_sessionfinish(self) -> None:
        if self.report_dir and self.results:
            sandboxed = self.config.getoption("--sandbox")
            line = describe_isolation(self.config.rootpath) if sandboxed else ""
            report.write_all(self.results, self.report_dir, time.monotonic() - self._started, isolation=line)


def is_wall_timeout(excinfo: pytest.ExceptionInfo) -> bool:
    """Whether pytest-timeout stopped the check (at its wall-clock limit)."""
    return isinstance(excinfo.value, pytest.fail.Exception) and str(excinfo.value).startswith("Timeout")


def describe_failure(excinfo: pytest.ExceptionInfo, cpu_seconds: float, impl_root: Path | None) -> str:
    """A student-facing sentence for why a check failed, without the grader's traceback."""
    exc = excinfo.value
    if isinstance(exc, ImplementationError) and not raised_in(exc, impl_root):  # the grader's own loading message
        return str(exc)
    if isinstance(exc, CPUTimeExceeded):
        return cpu_limit_message(cpu_seconds)
    if is_wall_timeout(excinfo):
        return stuck_message(cpu_seconds)
    if isinstance(exc, NotImplementedError):
        return f"Not implemented yet: {exc}" if str(exc) else "Not implemented yet (NotImplementedError)."
    if isinstance(exc, AssertionError):
        text = str(exc)
        return text.split("\nassert ")[0] if not text.startswith("assert ") else text.splitlines()[0]
    if isinstance(exc, pytest.fail.Exception):
        return str(exc)
    if isinstance(exc, pytest.skip.Exception):
        return f"Skipped during the check (counts as failed): {exc}"
    where = getattr(exc, "_rlgrade_where", None)
    if where is not None:  # raised by the student's code in the sandbox
        kind = getattr(exc, "_rlgrade_type", type(exc).__name__)
        if kind == "NotImplementedError":
            return f"Not implemented yet: {exc}" if str(exc) else "Not implemented yet (NotImplementedError)."
        return f"Your code raised {kind}{' at ' + where if where else ''}: {exc}"
    where = ""
    if impl_root is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(impl_root))]
        if frames:
            f = frames[-1]
            where = f" at {Path(f.filename).name}, line {f.lineno}, in {f.name}"
            return f"Your code raised {type(exc).__name__}{where}: {exc}"
    return f"The check stopped with {type(exc).__name__}: {exc}"


def raised_in(exc: BaseException, impl_root: Path | None) -> bool:
    """Whether ``exc`` went through the code under test (a frame of a file below ``impl_root``)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return impl_root is not None and any(f.filename.startswith(str(impl_root)) for f in frames)


def fallback_message(rep: pytest.TestReport) -> str:
    if rep.skipped and isinstance(rep.longrepr, tuple):
        return f"Skipped (counts as failed): {rep.longrepr[2]}"
    text = str(rep.longrepr or "failed").strip().splitlines()
    return text[-1] if text else "failed"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points a check is worth when it passes")
    config.addinivalue_line("markers", "learning: trains through a budget without a spec (grader.mutation)")
    # torch reads these when it is first imported: keep every check single-threaded (design P4).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    config.pluginmanager.register(RLGradePlugin(config), "rlgrade-results")
    config._rlgrade_zygotes = {}


def zygote_for(config: pytest.Config, root: Path, assignment: str) -> Zygote:
    """The run's zygote for the implementation ``root / assignment`` (one per implementation under test)."""
    zygotes = config._rlgrade_zygotes
    if (root, assignment) not in zygotes:
        zygotes[root, assignment] = Zygote(root, assignment)
    return zygotes[root, assignment]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Sandboxed: start the zygotes of the assignments the command line names (``tests/public/hw04_dqn``)
    now, so their imports (numpy, Gymnasium, torch: 1-2 s) overlap with collecting the checks."""
    config = session.config
    controller = getattr(config.option, "dist", "no") not in ("no", None) and not hasattr(config, "workerinput")
    if not config.getoption("--sandbox") or controller:
        return  # in-process, or the xdist controller (its workers run the checks and start their own)
    try:
        root = resolve_impl_root(config.getoption("--impl"), config.rootpath)
    except ImplementationError:
        return  # every check says so
    for arg in config.args:
        path = Path(arg.split("::")[0])
        location = check_location(path if path.suffix == ".py" else path / "test_.py")
        if location is not None:
            with contextlib.suppress(ZygoteGone):  # every check of the assignment says why
                zygote_for(config, root, location[0]).start()


def pytest_unconfigure(config: pytest.Config) -> None:
    for zygote in getattr(config, "_rlgrade_zygotes", {}).values():
        zygote.close()


@pytest.fixture
def impl(request: pytest.FixtureRequest):
    """The assignment package under test, chosen with ``--impl``; use ``impl.attr(module, name)``.

    With ``--sandbox`` the package lives in a fresh child process (``grader/sandbox``) and ``attr`` returns
    proxies; otherwise it is imported here, so a student can debug a check with breakpoints.
    """
    location = check_location(request.node.path)
    if location is None:
        raise pytest.UsageError(f"{request.node.nodeid}: `impl` is only available to checks")
    root = resolve_impl_root(request.config.getoption("--impl"), request.config.rootpath)
    request.node._rlgrade_impl_root = root
    yield from implementation(request, root, location[0])


def implementation(request: pytest.FixtureRequest, root: Path, assignment: str):
    """Yield the package ``root / assignment`` for the check of ``request`` (in-process, or in a sandbox session
    when ``--sandbox``). The ``impl`` fixture's engine; the project's gate 4 (``tests/*/hw13_project``) also uses it
    to give a homework's checks the homework package inside a student's library."""
    if not request.config.getoption("--sandbox"):
        yield Implementation(root=root, assignment=assignment)
        return
    cpu_seconds = request.node._rlgrade_cpu_seconds
    # A reply is awaited a little longer than the check's wall-clock limit: pytest-timeout stops the check first
    # and tells a stuck child from a busy machine.
    wall = wall_limit(cpu_seconds) + CHILD_START_SECONDS
    limits = Limits(call_seconds=wall, cpu_seconds=int(cpu_seconds) + CHILD_START_SECONDS)
    zygote = zygote_for(request.config, root, assignment)
    session = SandboxSession(zygote, zlib.crc32(request.node.nodeid.encode()), limits)
    try:
        yield SandboxedImplementation(session)
    finally:
        session.close()


@pytest.fixture(autouse=True)
def _fixed_global_seeds(request: pytest.FixtureRequest):
    """Seed the global RNGs per check, so even code that (wrongly) uses them grades the same every run."""
    seed = zlib.crc32(request.node.nodeid.encode())
    curves.take()  # drop curves a previous, interrupted check may have left
    seed_global_rngs(seed)
    yield
