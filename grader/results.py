"""One graded check and the line-per-record file that carries results from pytest to the grader."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.parts import parted_total


@dataclass
class CheckResult:
    """The verdict on one check. ``points`` is ``max_points`` when it passed and 0 otherwise."""

    nodeid: str
    assignment: str
    name: str
    title: str
    visibility: str  # "public" or "hidden"
    max_points: float
    passed: bool
    message: str
    duration: float
    figure: str = ""  # learning-curve PNG, relative to the report folder ("" when the check draws none)
    busy: bool = False  # not graded: the machine was too busy to run it within its wall-clock limit (0 points)
    part: str = ""  # the part of the assignment the check belongs to ("" when it has no parts.toml)
    best_k: int = 0  # how many parts of the assignment count (grader.parts)

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0


def total(results: list[CheckResult]) -> tuple[float, float]:
    """(points earned, points available) over ``results``; only the best k parts of a parted assignment count
    (:mod:`grader.parts`)."""
    return parted_total(results)


def append_record(path: Path, kind: str, **data) -> None:
    """Append one JSON line; the file survives a crash of the process that writes it."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"kind": kind, **data}) + "\n")
        fh.flush()


def read_records(path: Path) -> list[dict]:
    """All complete records of ``path`` (a torn last line from a killed writer is ignored)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def result_to_record(result: CheckResult) -> dict:
    return asdict(result)


def result_from_record(record: dict) -> CheckResult:
    fields = CheckResult.__dataclass_fields__
    return CheckResult(**{k: v for k, v in record.items() if k in fields})
