"""Writing a release into the published student repo, week after week, as one commit students merge.

The instructor keeps one clone of the published student repo and runs ``rlgrade release`` into it every week;
the change is committed and pushed, and each student merges it with ``git pull --no-rebase upstream main``
(their repo is a clone of this one, so they share its history: see docs/instructors.md §1.1).

A release leaves the list of the files it wrote, with their SHA-256, in :data:`MANIFEST`. The next release
into the same folder then

- writes every file of the new release (new assignments arrive, regenerated files are updated);
- deletes the files the previous release wrote that this one no longer has (a check file renamed in the
  course, a template dropped), and the folders left empty;
- refuses, before it changes anything, when a file it wrote last time was edited since or a file it would
  write exists without having been written by it: a hand edit in the published repo, or a student's repo
  given by mistake, is never overwritten (make the change in the course repo and release again);
- leaves every other file alone (``.git``, files the instructor added).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

#: The list of released files ("<sha256>  <path>" per line), kept in the student repo.
MANIFEST = ".rlgrade-release"


class RepoUpdateError(ValueError):
    """The folder cannot take the release without losing someone's edits."""


@dataclass
class Changes:
    """Paths (relative, POSIX) that a release added, changed and deleted in the student repo."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digests(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under ``root``."""
    return {p.relative_to(root).as_posix(): digest(p) for p in sorted(root.rglob("*")) if p.is_file()}


def read_manifest(repo: Path) -> dict[str, str]:
    path = repo / MANIFEST
    if not path.is_file():
        return {}
    entries = (line.split("  ", 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {name: sha for sha, name in entries}


def write_manifest(repo: Path, files: dict[str, str]) -> None:
    lines = [f"{sha}  {name}" for name, sha in sorted(files.items())]
    (repo / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def conflicts(repo: Path, previous: dict[str, str], release: dict[str, str]) -> list[str]:
    """Files the release would overwrite or delete although it did not write them as they are now."""
    edited = [n for n, sha in previous.items() if (repo / n).is_file() and digest(repo / n) != sha]
    foreign = [n for n in release if n not in previous and (repo / n).exists()]
    return sorted(edited + foreign)


def update_repo(staging: Path, repo: Path) -> Changes:
    """Make ``repo`` hold the release written into ``staging`` (see the module docstring)."""
    previous = read_manifest(repo)
    others = [p.name for p in repo.iterdir() if p.name != ".git"] if repo.is_dir() else []
    if others and not previous:
        raise RepoUpdateError(
            f"{repo} is not empty and has no {MANIFEST} (the list of files a release wrote): release into a new "
            "folder, a fresh clone of the student repo, or the folder of the previous release"
        )
    release = tree_digests(staging)
    clashes = conflicts(repo, previous, release)
    if clashes:
        raise RepoUpdateError(
            f"{repo}: these files were changed by hand since the last release and would be overwritten or "
            f"deleted: {', '.join(clashes)}. Make the change in the course repo (or restore them: git checkout) "
            "and release again"
        )
    changes = Changes()
    for name in sorted(set(previous) - set(release)):
        path = repo / name
        if path.is_file():
            path.unlink()
            changes.removed.append(name)
        for parent in path.parents:  # folders the deletion left empty
            if parent == repo or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
    for name, sha in release.items():
        if previous.get(name) == sha and (repo / name).is_file():
            continue
        (changes.updated if name in previous and (repo / name).is_file() else changes.added).append(name)
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(staging / name, target)
    write_manifest(repo, release)
    return changes
