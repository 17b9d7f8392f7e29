"""``rlgrade``: grade a submission, run the public checks, generate stubs, release a student repo.

  rlgrade grade SUBMISSION [--hw hw01] [--hidden] [--out DIR]   grade and write results.json, junit.xml, report.md
  rlgrade grade-batch FOLDER [--hw hw01] [--workers N]          grade every submission; gradebook.csv
  rlgrade test [hw01] [pytest options...]                       run the public checks on your assignments/
  rlgrade stubs [--check]                                       regenerate assignments/ and expected values
  rlgrade release DIR [--hw hw01 hw02]                          write the student repo into DIR, or update it
  rlgrade gradescope hw01 [--out FILE.zip]                      Gradescope autograder zip of one assignment
  rlgrade gradebook FOLDER                                      gradebook.csv from per-student report folders
  rlgrade nbgrader-export BATCH_OUT [--db URL]                  grade-batch results into nbgrader's gradebook
  rlgrade calibrate hw04 [--seeds 30] [--workers N]             learning checks on unseen seeds: report + plots
  rlgrade mutants hw02 [--workers N]                            grade every known-bug variant: kill matrix

Exit status: 0 when the command worked (a graded submission may still have lost points), 1 when
``stubs --check`` finds drift, ``calibrate`` an unsound check (the reference passes on fewer than
``--min-pass-rate`` of the seeds, or a listed mutant passes on one) or ``mutants`` a mutant that survives or
passes a check its ``killed_by`` names; 2 when nothing could be graded or written (a missing or empty folder,
a submission without the assignment's code or with edited copies of it that differ, checks that do not collect),
said in one line ``rlgrade: error: …``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from grader import release as rel
from grader import report
from grader.locate import SubmissionError
from grader.progress import CheckProgress, plural
from grader.results import CheckResult, total
from grader.runner import GradingError, assignment_dirs
from grader.sandbox.isolation import describe_isolation, isolation
from grader.submissions import collect_gradebook, grade_batch, grade_submission

#: Grading runs student code in the sandbox unless told otherwise; it needs Linux (namespaces, rlimits).
SANDBOX_DEFAULT = sys.platform == "linux"


def find_course_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with a ``pyproject.toml`` and ``tests/public``."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "tests" / "public").is_dir():
            return folder
    raise GradingError(f"no course repo (pyproject.toml + tests/public) at or above {start}; use --course")


def course_root(args: argparse.Namespace) -> Path:
    """``--course`` if given, else the course repo at or above the current folder."""
    return Path(args.course).resolve() if args.course else find_course_root(Path.cwd())


def refuse_weak_sandbox(args: argparse.Namespace, course: Path) -> None:
    """Summative grading needs a sandbox that holds (:meth:`Isolation.refusals`); say so before grading, unless
    the instructor accepts the risk with ``--allow-weak-sandbox``."""
    reasons = isolation().refusals(course) if args.sandbox else []
    if reasons and not args.allow_weak_sandbox:
        raise GradingError(
            "refusing to grade: the sandbox would not hold here: " + "; ".join(reasons) + ". Install bubblewrap "
            "(apt-get install bubblewrap) or run as root; --allow-weak-sandbox grades anyway"
        )
    for reason in reasons:
        print(f"rlgrade: WARNING: grading with a weak sandbox (--allow-weak-sandbox): {reason}", file=sys.stderr)


def cmd_grade(args: argparse.Namespace) -> int:
    course = course_root(args)
    refuse_weak_sandbox(args, course)
    out = Path(args.out).resolve()
    progress = CheckProgress()
    try:
        grading = grade_submission(course, args.submission, args.hw, args.hidden, out, args.sandbox, progress=progress)
    except SubmissionError as err:  # the student (and Gradescope) still get a report saying why
        report.write_not_graded(out, str(err))
        raise
    finally:
        progress.close()
    results = grading.results
    print(report.terminal_table(results))
    for note in grading.notes:
        print(note)
    if args.sandbox:
        print(describe_isolation(course))
    print(f"\nreports: {out / 'results.json'}, {out / 'junit.xml'}, {out / 'report.md'}")
    busy = [r.name for r in results if r.busy]
    if busy:  # a grader failure, not the student's: these checks have no verdict
        print(f"not graded, the machine was too busy (grade again): {', '.join(busy)}", file=sys.stderr)
        return 2
    return check_expectation(results, args.expect)


def cmd_grade_batch(args: argparse.Namespace) -> int:
    course = course_root(args)
    refuse_weak_sandbox(args, course)
    out = Path(args.out).resolve()
    started = time.monotonic()
    graded, skipped, failed = grade_batch(
        course, Path(args.folder), out, args.hw, args.hidden, args.workers, args.sandbox
    )
    print(
        f"graded {plural(len(graded), 'submission')} in {time.monotonic() - started:.0f} s with "
        f"{plural(args.workers, 'worker')} ({len(skipped)} already graded, skipped); gradebook: {out / 'gradebook.csv'}"
    )
    for job in failed:
        print(f"could not grade {job.student}: {(job.out / 'error.txt').read_text().strip()}", file=sys.stderr)
    return 0


def check_expectation(results: list[CheckResult], expect: str | None) -> int:
    """For the course's own CI: 1 unless the reference gets every point (``full``) or the untouched stubs
    get none, each failing with a "Not implemented yet" message (``stub``)."""
    score, max_score = total(results)
    failed = [r.name for r in results if not r.passed]  # with parts (best k of n) full marks may hide a failure
    if expect == "full" and (score != max_score or failed):
        print(f"expected full marks, got {score:g} / {max_score:g}; failed: {failed}", file=sys.stderr)
        return 1
    if expect == "stub":
        unclear = [r.name for r in results if r.passed or not r.message.startswith("Not implemented yet")]
        if unclear:
            print(
                f"expected every check to fail with 'Not implemented yet', these did not: {unclear}",
                file=sys.stderr,
            )
            return 1
    return 0


def cmd_test(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the public checks in this process (breakpoints work); a leading ``hwNN`` picks one assignment,
    every other argument goes to pytest."""
    import pytest

    course = find_course_root(Path.cwd())
    selector = extra.pop(0) if extra and re.fullmatch(r"hw\d\d\w*", extra[0]) else None
    dirs = assignment_dirs(course, selector, hidden=False)
    return pytest.main([*[str(d) for d in dirs], "--rootdir", str(course), "--impl", args.impl, *extra])


def cmd_stubs(args: argparse.Namespace) -> int:
    course = course_root(args)
    if not rel.assignment_names(course):
        raise GradingError(
            f"no solutions/hwNN_* in {course}: stubs are generated from the reference solutions, in the course "
            "repo (a student repo has none)"
        )
    if args.check:
        drift = rel.stub_drift(course)
        for line in drift:
            print(line)
        if drift:
            print(
                "assignments/ or the public checks' expected values differ from what solutions/ and tests/golden/ "
                "generate: run `rlgrade stubs`"
            )
            return 1
        print("assignments/ matches solutions/, the public checks' expected values match tests/golden/")
        return 0
    rel.write_all_stubs(course, course / "assignments")
    print(f"wrote stubs for {', '.join(rel.assignment_names(course))} into {course / 'assignments'}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """Write or update the student repo; say what changed, and warn about changed stubs students may have edited."""
    course = course_root(args)
    released = rel.release(course, Path(args.dest).resolve(), args.hw)
    changes = released.changes
    print(
        f"student repo with {', '.join(released.names)} in {args.dest}: {plural(len(changes.added), 'file')} added, "
        f"{len(changes.updated)} changed, {len(changes.removed)} deleted"
    )
    for kind, paths in (("added", changes.added), ("changed", changes.updated), ("deleted", changes.removed)):
        for path in paths if len(paths) <= 20 else [*paths[:20], f"... and {len(paths) - 20} more"]:
            print(f"  {kind}: {path}")
    stubs = [p for p in changes.updated if p.startswith("assignments/") and p.endswith((".py", ".ipynb"))]
    if stubs:
        print(
            f"warning: {plural(len(stubs), 'released stub')} changed ({', '.join(stubs)}): students who edited them "
            "must merge the change (git shows a conflict where both changed the same lines)",
            file=sys.stderr,
        )
    print(f"next: commit and push it (cd {args.dest} && git add -A && git commit), students then pull it")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the learning checks' specs of one assignment on unseen seeds; write the report; 1 if one is unsound.
    With ``--checks``, the other checks of an earlier report in ``--out`` keep their calibration."""
    from grader.calibration import calibrate, find_specs, unsound
    from grader.calibration_report import in_check_order, kept_from_report, write_report

    course = course_root(args)
    assignment = find_assignment(course, args.hw)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    earlier = Path(args.out) / f"{assignment}.json"
    started = time.monotonic()
    try:
        specs = find_specs(course, assignment)
        kept, before = (
            kept_from_report(earlier, specs, args.checks, seeds) if args.checks and earlier.is_file() else ([], 0.0)
        )
        calibrations = calibrate(course, assignment, seeds, args.mutant_seeds, args.workers, args.checks)
    except ValueError as err:
        raise GradingError(str(err)) from None
    if not calibrations:
        raise GradingError(
            f"{assignment} has no learning-check specs" + (f" named {args.checks}" if args.checks else "")
        )
    calibrations = in_check_order([*kept, *calibrations], specs)
    paths = write_report(assignment, calibrations, Path(args.out).resolve(), time.monotonic() - started + before)
    print((Path(args.out) / f"{assignment}.md").read_text())
    print("\nwrote " + ", ".join(str(p) for p in paths[:2]) + f" and {len(paths) - 2} plots")
    problems = unsound(calibrations, args.min_pass_rate)
    for line in problems:
        print(f"unsound: {line}", file=sys.stderr)
    return 1 if problems else 0


def cmd_mutants(args: argparse.Namespace) -> int:
    """Grade every mutant of one assignment; write the kill matrix; 1 if a mutant survives or escapes a named check."""
    from grader.mutation import mutation_matrix, write_matrix

    course = course_root(args)
    assignment = find_assignment(course, args.hw)
    results = mutation_matrix(course, assignment, args.workers, args.only)
    if not results:
        raise GradingError(f"{assignment} has no mutants" + (f" named {args.only}" if args.only else ""))
    paths = write_matrix(assignment, results, Path(args.out).resolve())
    problems = [f"{r.mutant.id} survives every check" for r in results if r.survived]
    problems += [f"{r.mutant.id} passes {', '.join(r.missed)} (named in killed_by)" for r in results if r.missed]
    killed = sum(not r.survived for r in results)
    print(f"{assignment}: {killed} of {len(results)} mutants killed; kill matrix in {paths[0]}")
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    return 1 if problems else 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    from grader.gradescope import export

    course = course_root(args)
    assignment = find_assignment(course, args.hw)
    dest = export(course, assignment, Path(args.out or f"{assignment}-gradescope.zip").resolve(), args.sandbox)
    print(f"Gradescope autograder for {assignment}: {dest} (upload it as the assignment's autograder zip)")
    return 0


def cmd_gradebook(args: argparse.Namespace) -> int:
    print(f"gradebook: {collect_gradebook(Path(args.folder).resolve())}")
    return 0


def cmd_nbgrader(args: argparse.Namespace) -> int:
    from grader.nbgrader_export import export

    count = export(Path(args.batch_out), args.db)
    print(f"wrote the scores of {plural(count, 'student')} into the nbgrader gradebook {args.db}")
    return 0


def find_assignment(course: Path, prefix: str) -> str:
    """The assignment of the course whose name starts with ``prefix`` (e.g. ``hw04`` → ``hw04_dqn``)."""
    match = next((name for name in rel.assignment_names(course) if name.startswith(prefix)), None)
    if match is None:
        raise GradingError(f"no assignment {prefix!r} in {course / 'solutions'}")
    return match


COURSE_HELP = "the course repo's root folder (default: the nearest folder at or above the current one with "
COURSE_HELP += "pyproject.toml and tests/public)"


def add_course_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", default=None, help=COURSE_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rlgrade", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade a submission and write the reports")
    grade.add_argument(
        "submission",
        help="a folder or zip in any shape a student uploads (the assignment folder, its .py files, the whole repo, "
        "GitHub's Download ZIP), or the words 'solutions' / 'assignments' for the course's own trees",
    )
    grade.add_argument("--hw", default=None, help="assignment prefix, e.g. hw01 (default: all)")
    grade.add_argument("--hidden", action="store_true", help="also run the hidden checks (tests/hidden)")
    grade.add_argument("--out", default="grading", help="report folder (default: ./grading)")
    add_course_option(grade)
    grade.add_argument(
        "--sandbox", action=argparse.BooleanOptionalAction, default=SANDBOX_DEFAULT,
        help="run the submission in confined child processes: no network, no secrets, limits (default on Linux; "
        "--no-sandbox imports it into the grader's own pytest)",
    )  # fmt: skip
    grade.add_argument(
        "--allow-weak-sandbox", action="store_true",
        help="grade even where the sandbox cannot keep the code from your files (no bubblewrap, not root, ...)",
    )  # fmt: skip
    grade.add_argument(
        "--expect", choices=("full", "stub"), default=None,
        help="exit 1 unless every check passes (full) or every check fails as not implemented (stub)",
    )  # fmt: skip

    batch = sub.add_parser("grade-batch", help="grade a folder of submissions into one gradebook (resumable)")
    batch.add_argument("folder", help="one folder or .zip per student; its name is the student's name")
    batch.add_argument("--hw", default=None, help="assignment prefix, e.g. hw01 (default: all)")
    batch.add_argument("--hidden", action="store_true", help="also run the hidden checks")
    batch.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: cores)")
    batch.add_argument("--out", default="grading", help="reports and gradebook.csv (default: ./grading)")
    batch.add_argument(
        "--sandbox", action=argparse.BooleanOptionalAction, default=SANDBOX_DEFAULT,
        help="grade each submission sandboxed (default on Linux)",
    )  # fmt: skip
    batch.add_argument(
        "--allow-weak-sandbox", action="store_true",
        help="grade even where the sandbox cannot keep the code from your files (no bubblewrap, not root, ...)",
    )  # fmt: skip
    add_course_option(batch)

    test = sub.add_parser(
        "test",
        help="run the public checks in-process: rlgrade test [hw01] [pytest options]",
        usage="rlgrade test [hwNN] [--impl IMPL] [pytest options ...]",
        description="Run the public checks in this process, so breakpoint() and --pdb work. A first argument "
        "hwNN picks one assignment (default: all); every other option goes to pytest, e.g. "
        "`rlgrade test hw01 -k test_ucb --pdb` or `rlgrade test --report-dir grading`.",
    )
    test.add_argument("--impl", default="assignments", help="implementation under test (default: assignments)")

    stubs = sub.add_parser(
        "stubs",
        help="regenerate assignments/ from solutions/ and the public checks' expected values (tests/golden/), in the "
        "course repo",
    )
    stubs.add_argument("--check", action="store_true", help="only report drift, exit 1 when there is any")
    add_course_option(stubs)

    cal = sub.add_parser("calibrate", help="run the learning checks of one assignment on unseen seeds")
    cal.add_argument("hw", help="assignment prefix, e.g. hw04")
    cal.add_argument("--seeds", type=int, default=30, help="number of unseen seeds (default 30)")
    cal.add_argument("--first-seed", type=int, default=1000, help="first unseen seed (default 1000)")
    cal.add_argument("--mutant-seeds", type=int, default=10, help="seeds per mutant (default 10)")
    cal.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    cal.add_argument("--checks", nargs="*", default=None, help="only these checks")
    cal.add_argument("--min-pass-rate", type=float, default=0.97, help="reference pass rate needed (default 0.97)")
    cal.add_argument("--out", default="calibration", help="report folder (default: ./calibration)")
    add_course_option(cal)

    mut = sub.add_parser("mutants", help="grade every known-bug variant of one assignment: the kill matrix")
    mut.add_argument("hw", help="assignment prefix, e.g. hw02")
    mut.add_argument("--only", nargs="*", default=None, help="only these mutant ids")
    mut.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: all cores)")
    mut.add_argument("--out", default="mutation", help="report folder (default: ./mutation)")
    add_course_option(mut)

    gs = sub.add_parser("gradescope", help="export one assignment as a Gradescope autograder zip")
    gs.add_argument("hw", help="assignment prefix, e.g. hw01")
    gs.add_argument("--out", default=None, help="zip to write (default: ./<assignment>-gradescope.zip)")
    gs.add_argument(
        "--sandbox", action=argparse.BooleanOptionalAction, default=True,
        help="grade each upload sandboxed (default; Gradescope runs Linux)",
    )  # fmt: skip
    add_course_option(gs)

    book = sub.add_parser("gradebook", help="gradebook.csv from a folder of per-student report folders")
    book.add_argument(
        "folder", help="report folders <student>/ or <owner>/<repo>/, each with results.json or error.txt"
    )

    nbg = sub.add_parser("nbgrader-export", help="write grade-batch results into an nbgrader gradebook")
    nbg.add_argument("batch_out", help="the --out folder of rlgrade grade-batch")
    nbg.add_argument("--db", default="sqlite:///gradebook.db", help="gradebook URL (default: sqlite:///gradebook.db)")

    release = sub.add_parser(
        "release", help="write the student repo, or update it with this week's assignments (a commit to publish)"
    )
    release.add_argument(
        "dest", help="a new or empty folder (only .git in it), or a student repo written by an earlier release"
    )
    release.add_argument("--hw", nargs="+", default=None, help="only these assignments (default: all)")
    add_course_option(release)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command == "test":
            return cmd_test(args, extra)
        commands = {
            "grade": cmd_grade,
            "stubs": cmd_stubs,
            "release": cmd_release,
            "calibrate": cmd_calibrate,
            "mutants": cmd_mutants,
            "grade-batch": cmd_grade_batch,
            "gradescope": cmd_gradescope,
            "nbgrader-export": cmd_nbgrader,
            "gradebook": cmd_gradebook,
        }
        return commands[args.command](args)
    except (GradingError, rel.ReleaseError) as err:
        print(f"rlgrade: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rlgrade: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
