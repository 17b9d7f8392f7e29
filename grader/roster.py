"""The roster of the ``grade-class`` workflow: the student repos to grade, as ``owner/name``.

``roster.txt`` lists one repo per line; ``#`` starts a comment, blank lines are ignored. Every repo must have
the same owner (the course's GitHub organisation): the fine-grained token the workflow checks them out with
reaches the repos of one owner only. The workflow runs ``python3 -m grader.roster roster.txt`` before anything
is installed (standard library only): it writes the JSON list of repos to ``$GITHUB_OUTPUT`` (``repos=…``),
or prints one error line (as a GitHub error annotation) and exits 1 — so an empty or malformed roster stops
the run with a message instead of a matrix of nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

#: GitHub's rules: an owner is 1-39 letters, digits or single inner hyphens; a repo name letters, digits, . _ -
REPO = re.compile(r"(?P<owner>[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38})/(?P<name>[A-Za-z0-9._-]{1,100})")
#: GitHub Actions runs at most this many jobs of one matrix.
MAX_REPOS = 256


class RosterError(ValueError):
    """The roster cannot be graded as written."""


def read_roster(path: Path) -> list[str]:
    """The repos of the roster, in its order; refuses a missing or empty roster, malformed or repeated lines,
    several owners and more than :data:`MAX_REPOS` repos."""
    if not path.is_file():
        raise RosterError(f"{path}: no such file")
    repos: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        match = REPO.fullmatch(entry)
        if match is None or match["name"] in (".", ".."):
            problems.append(f"line {number}: {entry!r} is not owner/name")
        elif entry.lower() in (r.lower() for r in repos):
            problems.append(f"line {number}: {entry} is listed twice")
        else:
            repos.append(entry)
    if problems:
        raise RosterError(f"{path}: " + "; ".join(problems))
    if not repos:
        raise RosterError(
            f"{path} lists no student repos (only comments or blank lines): add one owner/name per line, "
            "e.g. course-org/rl-homework-alice"
        )
    owners = sorted({r.split("/")[0].lower() for r in repos})
    if len(owners) > 1:
        raise RosterError(
            f"{path}: repos of {len(owners)} owners ({', '.join(owners)}); one token reaches the repos of one "
            "owner only: move the students' repos into the course's organisation"
        )
    if len(repos) > MAX_REPOS:
        raise RosterError(f"{path}: {len(repos)} repos, a run grades at most {MAX_REPOS}: split the roster")
    return repos


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        repos = read_roster(Path(args[0] if args else "roster.txt"))
    except RosterError as err:
        print(f"::error title=roster::{err}")
        return 1
    line = f"repos={json.dumps(repos)}\n"
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(line)
    print(f"{len(repos)} repo{'' if len(repos) == 1 else 's'} to grade: {', '.join(repos)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
