"""Export one assignment as a Gradescope autograder zip (``setup.sh``, ``run_autograder``, the course's grader).

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it builds the image, and
``run_autograder`` for every submission, whose files it places in ``/autograder/submission``; the score is
read from ``/autograder/results/results.json``, which ``rlgrade grade`` writes in Gradescope's format. The zip
holds the grader package, the released stubs (which tell the grader the assignment's file names, see
:mod:`grader.locate`), the public and hidden checks of the assignment and ``pyproject.toml`` — never the
solutions or the mutants. ``AUTOGRADER_ROOT`` (default ``/autograder``) lets the scripts run elsewhere, e.g.
to try the zip locally.

Gradescope runs ``run_autograder`` as root in a Docker container that refuses the namespaces bubblewrap needs, so
the grader uses its fallback (:mod:`grader.sandbox.isolation`): each check's code runs as an unprivileged uid
(:mod:`grader.sandbox.uids`), confined by Landlock where the kernel has it. ``run_autograder`` also closes the
course and the results folder to other users (as Gradescope's own advice does for a student user), so even without
Landlock the code can read neither the hidden checks nor the results; the grader grades a copy of the submission
that others may read but not change.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from grader.runner import GradingError

SETUP = """#!/usr/bin/env bash
# Run once by Gradescope when it builds the autograder image (Ubuntu base image, as root).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --upgrade pip
"$ROOT/venv/bin/pip" install --quiet torch --index-url https://download.pytorch.org/whl/cpu
"$ROOT/venv/bin/pip" install --quiet "$ROOT/source/course[assignments]"
"""

RUN = """#!/usr/bin/env bash
# Run by Gradescope for every submission; writes $ROOT/results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
# The checks (hidden ones too) and the results are root's alone; the submission's code runs as another user.
chmod 700 "$ROOT/source"
mkdir -p "$ROOT/results" && chmod 700 "$ROOT/results"
# Any upload shape is graded: the files of {assignment}/, the folder, the whole repo, GitHub's Download ZIP.
# A submission that cannot be graded (no code of the assignment, two edited copies) still gets a results.json
# that tells the student why; only a run that wrote none is an autograder failure.
"$ROOT/venv/bin/rlgrade" grade "$ROOT/submission" --hw {hw} --hidden --course "$ROOT/source/course" \\
  --out "$ROOT/results"{sandbox} || [ -f "$ROOT/results/results.json" ]
"""


def export(course_root: Path, assignment: str, dest: Path, sandbox: bool) -> Path:
    """Write the autograder zip of ``assignment`` to ``dest`` and return it."""
    hw = assignment.split("_", 1)[0]
    if not (course_root / "assignments" / assignment).is_dir():
        raise GradingError(f"no stubs in {course_root / 'assignments' / assignment}: run `rlgrade stubs` first")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (
            ("setup.sh", SETUP),
            ("run_autograder", RUN.format(assignment=assignment, hw=hw, sandbox="" if sandbox else " --no-sandbox")),
        ):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16  # executable, as Gradescope requires
            zf.writestr(info, text)
        zf.write(course_root / "pyproject.toml", "course/pyproject.toml")
        for folder in (
            course_root / "grader",
            course_root / "assignments" / assignment,  # the released stubs: how to find the code in an upload
            course_root / "tests" / "public" / assignment,
            course_root / "tests" / "hidden" / assignment,
        ):
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(course_root)
                if path.is_file() and "__pycache__" not in rel.parts:
                    zf.write(path, f"course/{rel.as_posix()}")
    return dest
