"""Reports of a grading: Gradescope ``results.json``, JUnit XML, markdown and a terminal table.

Every format is written from the same list of :class:`CheckResult`, so they always agree. A check's message
may quote the student's code (exception messages, output, class names), so every text goes through
:func:`plain` (no escape sequences or control characters: nothing rewrites the terminal, junit.xml stays
well-formed) and, in markdown, :func:`markdown_text` (a message cannot add headings, tables, emphasis, links or
HTML to the report, e.g. a forged "Total: 74 / 74" line).
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from grader.parts import part_scores
from grader.results import CheckResult, total

#: Gradescope test visibility: hidden checks are shown once the instructor publishes the grades.
GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_published"}
#: Escape sequences: CSI (colours, cursor moves, clearing the screen), OSC (titles, hyperlinks) and the short ones.
ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -~]?)")
#: Characters no report carries: C0 and C1 controls but newline, DEL, lone surrogates (not UTF-8), the two
#: noncharacters XML forbids, and bidirectional overrides and isolates (text that reads other than it is).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
MARKDOWN_LINE_START = re.compile(r"^(\s*\d*)([#>=+-]|(?<=\d)[.)](?=\s|$))", re.MULTILINE)
MAX_MESSAGE = 4000


def plain(text: str) -> str:
    """``text`` safe for every report: escape sequences and control characters removed (a tab becomes spaces,
    a carriage return a newline), at most :data:`MAX_MESSAGE` characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = UNSAFE.sub("", ESCAPES.sub("", text))
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def markdown_text(text: str) -> str:
    """:func:`plain` text that markdown shows as written: every character that could start emphasis, code, a
    link, HTML, a table cell or an entity is escaped, and so is a line start that would make a heading, a quote,
    a list or a rule."""
    escaped = MARKDOWN_INLINE.sub(r"\\\1", plain(text))
    return MARKDOWN_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escaped)


def _fmt(points: float) -> str:
    return f"{points:g}"


def display_name(result: CheckResult) -> str:
    tag = " (hidden)" if result.visibility == "hidden" else ""
    return plain(f"{result.assignment} · {result.name}{tag}")


def gradescope_json(
    results: list[CheckResult], execution_time: float, notes: list[str] = (), isolation: str = ""
) -> dict:
    """The Gradescope autograder ``results.json`` document (score is the sum of passing checks).

    Only the keys of Gradescope's specification are used; the maximum score, per-check durations and how the
    submission's code was confined (``isolation``), which the specification has no key for, go into
    ``extra_data``. ``notes`` (what was graded) follow the summary line in ``output``, which the student sees
    above the checks."""
    score, max_score = total(results)
    extra = {"max_score": max_score, "assignments": sorted({r.assignment for r in results})}
    parts = part_scores(results)
    if parts:  # per part: points, maximum, whether it counts (best k of n, grader.parts)
        extra["parts"] = [
            {
                "assignment": p.assignment,
                "part": p.part,
                "score": p.points,
                "max_score": p.max_points,
                "counted": p.counted,
            }
            for p in parts
        ]
    return {
        "score": score,
        "execution_time": round(execution_time, 3),
        "output": "\n".join([summary_line(results), *parts_lines(results), *(plain(note) for note in notes)]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {**extra, "isolation": isolation} if isolation else extra,
        "tests": [
            {
                "name": f"{display_name(r)}: {plain(r.title)}",
                "number": str(i),
                "score": r.points,
                "max_score": r.max_points,
                "status": "passed" if r.passed else "failed",
                "output": plain(r.message) or "passed",
                "visibility": GRADESCOPE_VISIBILITY[r.visibility],
                "extra_data": {"execution_time": round(r.duration, 3)},
            }
            for i, r in enumerate(results, start=1)
        ],
    }


def junit_xml(results: list[CheckResult]) -> ET.Element:
    """A JUnit ``<testsuites>`` tree, one ``<testsuite>`` per assignment, points as properties."""
    suites = ET.Element("testsuites")
    by_assignment: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        by_assignment[r.assignment].append(r)
    for assignment, rs in by_assignment.items():
        score, max_score = total(rs)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=assignment,
            tests=str(len(rs)),
            failures=str(sum(not r.passed for r in rs)),
            errors="0",
            skipped="0",
            time=f"{sum(r.duration for r in rs):.3f}",
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=_fmt(score))
        ET.SubElement(props, "property", name="max_score", value=_fmt(max_score))
        for p in part_scores(rs):
            ET.SubElement(props, "property", name=f"part {p.part}", value=f"{_fmt(p.points)} / {_fmt(p.max_points)}")
        for r in rs:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{assignment}.{r.visibility}",
                name=plain(r.name),
                time=f"{r.duration:.3f}",
            )
            cprops = ET.SubElement(case, "properties")
            ET.SubElement(cprops, "property", name="points", value=_fmt(r.points))
            ET.SubElement(cprops, "property", name="max_points", value=_fmt(r.max_points))
            if not r.passed:
                message = plain(r.message)
                failure = ET.SubElement(case, "failure", message=message.splitlines()[0] if message else "")
                failure.text = message
    return suites


def parts_lines(results: list[CheckResult]) -> list[str]:
    """One line per parted assignment: its parts' points and which of them count (the best k of n)."""
    lines = []
    parts = part_scores(results)
    for assignment in dict.fromkeys(p.assignment for p in parts):
        mine = [p for p in parts if p.assignment == assignment]
        k = next(r.best_k for r in results if r.assignment == assignment and r.part)
        shown = ", ".join(
            f"{p.part} {_fmt(p.points)}/{_fmt(p.max_points)}{' (counts)' if p.counted else ''}" for p in mine
        )
        lines.append(f"{assignment}: the best {k} of {len(mine)} parts count: {shown}")
    return lines


def summary_line(results: list[CheckResult]) -> str:
    score, max_score = total(results)
    passed = sum(r.passed for r in results)
    busy = sum(r.busy for r in results)
    not_graded = f"; {busy} NOT GRADED, the machine was too busy: grade again" if busy else ""
    return f"{_fmt(score)} / {_fmt(max_score)} points ({passed} of {len(results)} checks passed{not_graded})"


def markdown(results: list[CheckResult], notes: list[str] = (), isolation: str = "") -> str:
    """A markdown summary: what was graded, one table per assignment, and the messages of the failing checks
    (one message shared by several checks, such as an import error, is written once with their names); at the
    end, how the submission's code was confined (``isolation``, when sandboxed)."""
    lines = ["# RL homework grading", "", f"**Total: {summary_line(results)}**", ""]
    if notes:
        lines += [f"- {markdown_text(note)}" for note in notes] + [""]
    by_assignment: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        by_assignment[r.assignment].append(r)
    for assignment, rs in by_assignment.items():
        lines += [f"## {assignment}: {summary_line(rs)}", ""]
        parts = part_scores(rs)
        if parts:
            k = rs[0].best_k if rs[0].part else next(r.best_k for r in rs if r.part)
            lines += [
                f"Only the best {k} of {len(parts)} parts count.",
                "",
                "| part | points | counts |",
                "|---|---|---|",
            ]
            lines += [
                f"| {p.part} | {_fmt(p.points)} / {_fmt(p.max_points)} | {'yes' if p.counted else 'no'} |"
                for p in parts
            ]
            lines.append("")
        lines += ["| check | points | result |", "|---|---|---|"]
        for r in rs:
            part = f" [{r.part}]" if r.part else ""
            mark = "✅ pass" if r.passed else "⚠️ not graded" if r.busy else "❌ fail"
            tag = " *(hidden)*" if r.visibility == "hidden" else ""
            title = plain(r.title).replace("|", "\\|")  # the course's text; a title with |x| must not end the cell
            lines.append(f"| `{r.name}`{tag}{part} — {title} | {_fmt(r.points)} / {_fmt(r.max_points)} | {mark} |")
        figures = [r for r in rs if r.figure]
        if figures:
            lines += ["", "### Learning curves", ""]
            lines += [f"- `{r.name}` ({'pass' if r.passed else 'fail'}): ![{r.name}]({r.figure})" for r in figures]
        by_message: dict[str, list[CheckResult]] = defaultdict(list)
        for r in rs:
            if not r.passed:
                by_message[r.message].append(r)
        if by_message:
            lines += ["", "### What to fix", ""]
            for message, checks in by_message.items():
                text = markdown_text(message).replace("\n", "\n    ")
                points = sum(r.max_points for r in checks)
                unit = "point" if points == 1 else "points"
                names = ", ".join(f"`{r.name}`" for r in checks)
                many = f"{len(checks)} checks, " if len(checks) > 1 else ""
                lines += [f"- **{names}** ({many}{_fmt(points)} {unit}):", "", f"    {text}", ""]
        lines.append("")
    if isolation:
        lines += [f"*{markdown_text(isolation)}*", ""]
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = plain(text)
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= width else first[: width - 1] + "…"


def terminal_table(results: list[CheckResult], width: int = 110) -> str:
    """A fixed-width table for the terminal: check, points, result and the first line of the message."""
    if not results:
        return "no checks were graded"
    name_w = min(max(len(r.name) for r in results) + 9, 58)
    rows = [f"{'check':<{name_w}} {'points':>9}  result", "-" * width]
    several = len({r.assignment for r in results}) > 1
    for i, r in enumerate(results):
        if several and (i == 0 or results[i - 1].assignment != r.assignment):  # checks of two hws may share a name
            rows.append(f"[{r.assignment}: {summary_line([x for x in results if x.assignment == r.assignment])}]")
        tag = " [hidden]" if r.visibility == "hidden" else ""
        pts = f"{_fmt(r.points)}/{_fmt(r.max_points)}"
        verdict = (
            "PASS" if r.passed else ("NOT GRADED  " if r.busy else "FAIL  ") + _clip(r.message, width - name_w - 24)
        )
        rows.append(f"{_clip(r.name + tag, name_w):<{name_w}} {pts:>9}  {verdict}")
    rows += ["-" * width, *parts_lines(results), f"TOTAL {summary_line(results)}"]
    return "\n".join(rows)


def write_all(
    results: list[CheckResult],
    out_dir: Path,
    execution_time: float,
    step_summary: bool = True,
    notes: list[str] = (),
    isolation: str = "",
) -> dict[str, Path]:
    """Write results.json, junit.xml and report.md into ``out_dir``; append the markdown to the
    GitHub job summary when ``$GITHUB_STEP_SUMMARY`` is set (and ``step_summary``). ``isolation``: the sandbox's
    line (:func:`grader.sandbox.isolation.describe_isolation`), in results.json and report.md. Returns the
    written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "results": out_dir / "results.json",
        "junit": out_dir / "junit.xml",
        "markdown": out_dir / "report.md",
    }
    document = gradescope_json(results, execution_time, notes, isolation)
    paths["results"].write_text(json.dumps(document, indent=2), encoding="utf-8")
    tree = ET.ElementTree(junit_xml(results))
    ET.indent(tree)
    tree.write(paths["junit"], encoding="utf-8", xml_declaration=True)
    _write_markdown(markdown(results, notes, isolation), paths["markdown"], step_summary)
    return paths


def write_not_graded(out_dir: Path, reason: str, step_summary: bool = True) -> None:
    """Reports of a submission that could not be graded (no code found, several edited copies): 0 points and
    the reason, in ``results.json`` (what a Gradescope student sees) and ``report.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    reason = plain(reason)  # it may quote the submission's file names
    document = {
        "score": 0.0,
        "output": f"Not graded: {reason}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"max_score": 0.0, "not_graded": reason},
        "tests": [],
    }
    (out_dir / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    _write_markdown(
        f"# RL homework grading\n\n**Not graded: {markdown_text(reason)}**\n", out_dir / "report.md", step_summary
    )


def _write_markdown(md: str, path: Path, step_summary: bool) -> None:
    path.write_text(md, encoding="utf-8")
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path and step_summary:
        with open(summary_path, "a", encoding="utf-8") as fh:
            fh.write(md + "\n")
