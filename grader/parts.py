"""Parts of an assignment and the "best k of n" rule: only the best ``best_k`` parts count towards the total.

An assignment declares its parts and ``best_k`` in one file, ``tests/public/<assignment>/parts.toml``::

    best_k = 2                      # how many parts count (1 ≤ best_k ≤ number of parts)

    [parts]                         # part name → the check files (glob patterns) that belong to it
    games = ["test_games*.py"]
    recommender = ["test_recommender*.py"]

Every check file of the assignment, public and hidden, belongs to exactly one part (the patterns are matched
against the file name, so ``test_games*.py`` covers ``test_games.py`` and ``test_games_hidden.py``). A part's
score is the sum of its checks' points; the assignment's score is the sum of its best ``best_k`` part scores and
its maximum the sum of the ``best_k`` largest part maxima. An assignment without ``parts.toml`` counts every
check, as before. The plugin stamps each :class:`~grader.results.CheckResult` with its part and ``best_k``, so
every report (results.json, report.md, junit.xml, the gradebook, the Gradescope export) scores from the results
alone and they always agree.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import tomllib

if TYPE_CHECKING:
    from grader.results import CheckResult

FILE = "parts.toml"


class PartsError(ValueError):
    """A malformed ``parts.toml`` or a check file that belongs to no part or to several."""


@dataclass(frozen=True)
class PartsRule:
    """The parts of one assignment (name → file-name patterns) and how many of them count."""

    best_k: int
    parts: dict[str, tuple[str, ...]]

    def part_of(self, check_file: str) -> str:
        """The part whose patterns match the file name ``check_file``; :class:`PartsError` unless exactly one."""
        name = Path(check_file).name
        hits = [p for p, patterns in self.parts.items() if any(fnmatch.fnmatchcase(name, g) for g in patterns)]
        if len(hits) != 1:
            where = "no part" if not hits else f"several parts ({', '.join(hits)})"
            raise PartsError(f"{name} belongs to {where} of {FILE}: every check file belongs to exactly one")
        return hits[0]


def load_rule(public_dir: Path) -> PartsRule | None:
    """The rule in ``public_dir / parts.toml``, ``None`` when the assignment has no parts file."""
    path = public_dir / FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise PartsError(f"{path}: {err}") from err
    parts, best_k = data.get("parts"), data.get("best_k")
    if not isinstance(parts, dict) or not parts:
        raise PartsError(f"{path}: needs a [parts] table, part name = list of check file patterns")
    if any(not isinstance(v, list) or not v or not all(isinstance(g, str) for g in v) for v in parts.values()):
        raise PartsError(f"{path}: every part lists one or more file-name patterns (strings)")
    if not isinstance(best_k, int) or isinstance(best_k, bool) or not 1 <= best_k <= len(parts):
        raise PartsError(f"{path}: best_k must be an integer from 1 to {len(parts)} (the number of parts)")
    return PartsRule(best_k=best_k, parts={k: tuple(v) for k, v in parts.items()})


def rule_for_check(check_path: Path) -> PartsRule | None:
    """The rule of the assignment of the check file ``tests/<public|hidden>/<assignment>/test_x.py``."""
    return load_rule(check_path.parent.parent.parent / "public" / check_path.parent.name)


@dataclass(frozen=True)
class PartScore:
    """One part of one assignment: its points, its maximum and whether it is among the best k that count."""

    assignment: str
    part: str
    points: float
    max_points: float
    counted: bool


def part_scores(results: list[CheckResult]) -> list[PartScore]:
    """The parts of every parted assignment in ``results``, in the order their checks first appear. The
    ``best_k`` parts with the most points count (ties: the part that appears first)."""
    points: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    best_k: dict[str, int] = {}
    for r in results:
        if r.part:
            points[r.assignment, r.part][0] += r.points
            points[r.assignment, r.part][1] += r.max_points
            best_k[r.assignment] = r.best_k
    counted: set[tuple[str, str]] = set()
    for assignment, k in best_k.items():
        keys = [key for key in points if key[0] == assignment]
        counted.update(sorted(keys, key=lambda key: -points[key][0])[:k])  # stable: ties keep their order
    return [PartScore(a, p, pts, mx, (a, p) in counted) for (a, p), (pts, mx) in points.items()]


def parted_total(results: list[CheckResult]) -> tuple[float, float]:
    """(points, maximum) of ``results``: checks outside parts count in full, parts by the best-k rule."""
    score = sum(r.points for r in results if not r.part)
    maximum = sum(r.max_points for r in results if not r.part)
    parts = part_scores(results)
    score += sum(p.points for p in parts if p.counted)
    for assignment in dict.fromkeys(p.assignment for p in parts):
        k = next(r.best_k for r in results if r.assignment == assignment and r.part)
        maxima = sorted((p.max_points for p in parts if p.assignment == assignment), reverse=True)
        maximum += sum(maxima[:k])
    return score, maximum
