"""The project's pre-defense and defense gates, its proposal, its report and its teams (hw13).

    python -m grader.project proposal PROPOSAL.md                      # completeness of the proposal
    python -m grader.project predefense GRADED_DIR --proposal PROPOSAL.md
    python -m grader.project defense GRADED_DIR --proposal PROPOSAL.md  # also writes GRADED_DIR/defense/
    python -m grader.project report GRADED_DIR                         # the benchmark report only
    python -m grader.project ablation REPO dqn double=False --label plain-dqn --out GRADED_DIR

``GRADED_DIR`` is what ``rlgrade grade <repo> --hw hw13 [--hidden] --out GRADED_DIR`` wrote: ``results.json`` and
the benchmark runs of gate 5 (``benchmark/``). The gates (exit status 0 = passed; otherwise one line per problem):

* **pre-defense** = a complete proposal + its baseline runs + every check of gates 1–3 passes;
* **defense** = the pre-defense gate + every algorithm's benchmark stored on ≥ 3 seeds (gate 5) + the generated
  report (``defense/benchmark.md``, curves, table, ablations); gate 4's points are reported, not required.

A proposal is markdown with the sections of :data:`SECTIONS` (``## Topic`` …), each filled in (no ``TODO``, no
``<placeholder>``); ``## Environment`` holds a line ``env: <Gymnasium id>``, ``## Baseline`` a line ``baseline:
sb3:<DQN|TD3|PPO|A2C|SAC>`` or ``baseline: library:<algorithm>``, ``## Team`` one line ``- <student id>`` per
member (the id the gradebook uses; a name may follow after `` — ``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

LIBRARY = "hw13_project"  # the project library's folder (grader.harness.library.LIBRARY)
SECTIONS = ("Topic", "Team", "Environment", "Baseline", "Metric", "Ablation planned")
PLACEHOLDER = re.compile(r"\bTODO\b|<[^>]+>")
MIN_WORDS = 3
#: the checks of gates 1-3 by base name (parametrised per algorithm: ``test_smoke[dqn]``); gate 5's; the rest is 4
GATES = {
    1: ("test_agent_api", "test_save_load", "test_hidden_save_load_longer_training"),
    2: ("test_smoke", "test_command_line"),
    3: ("test_reproducible", "test_hidden_reproducible_other_seed", "test_hidden_seed_matters"),
    5: ("test_benchmark",),
}
MIN_SEEDS = 3
#: written beside results.json when the graded library's proposal lists a team: one student id a line
TEAM_FILE = "team.txt"


def sections(text: str) -> dict[str, str]:
    """The ``## `` sections of a markdown text, by title."""
    found: dict[str, str] = {}
    title = None
    for line in text.splitlines():
        heading = re.match(r"^##\s+(.+?)\s*$", line)
        if heading:
            title = heading.group(1)
            found[title] = ""
        elif title is not None:
            found[title] += line + "\n"
    return found


def field_value(body: str, key: str) -> str:
    match = re.search(rf"^\s*{key}:\s*(\S+)", body, re.MULTILINE)
    return match.group(1) if match else ""


def team_members(body: str) -> list[str]:
    """The student ids of a ``## Team`` section: the first word of each ``- `` line."""
    return [m.group(1) for m in re.finditer(r"^\s*[-*]\s+([^\s—,]+)", body, re.MULTILINE)]


def team_of(library: Path) -> list[str]:
    """The members listed in the proposal of a library folder (``<impl>/hw13_project/PROPOSAL.md``); [] if none."""
    path = library / "PROPOSAL.md"
    if not path.is_file():
        return []
    return team_members(sections(path.read_text(encoding="utf-8", errors="replace")).get("Team", ""))


def proposal_problems(path: Path) -> list[str]:
    """What is missing from the proposal at ``path`` (empty: complete)."""
    if not path.is_file():
        return [f"no proposal at {path}: copy the template PROPOSAL.md of hw13_project/ and fill it in"]
    found = sections(path.read_text(encoding="utf-8"))
    problems = []
    for title in SECTIONS:
        body = found.get(title)
        if body is None:
            problems.append(f"section '## {title}' is missing")
        elif PLACEHOLDER.search(body):
            problems.append(f"section '## {title}' still holds a placeholder ({PLACEHOLDER.search(body).group(0)})")
        elif len(body.split()) < MIN_WORDS:
            problems.append(f"section '## {title}' has fewer than {MIN_WORDS} words")
    if "Environment" in found and not field_value(found["Environment"], "env"):
        problems.append("section '## Environment' has no line 'env: <Gymnasium id>'")
    baseline = field_value(found.get("Baseline", ""), "baseline")
    if "Baseline" in found and not re.fullmatch(r"(sb3|library):\w+", baseline):
        problems.append("section '## Baseline' has no line 'baseline: sb3:<Algorithm>' or 'baseline: library:<name>'")
    if "Team" in found and not team_members(found["Team"]):
        problems.append("section '## Team' lists no member ('- <student id>' lines)")
    return problems


def read_results(folder: Path) -> dict[str, bool]:
    """``{check name: passed}`` from the ``results.json`` of a grading of hw13."""
    path = folder / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"no {path}: grade the library first (rlgrade grade <repo> --hw hw13 --out {folder})")
    tests = json.loads(path.read_text(encoding="utf-8"))["tests"]
    return {t["name"].split(" · ", 1)[1].split(":", 1)[0]: t["score"] >= t["max_score"] for t in tests}


def gate_of(check: str) -> int:
    base = check.split("[")[0]
    return next((gate for gate, names in GATES.items() if base in names), 4)


def failed_in(results: dict[str, bool], gates: tuple[int, ...]) -> list[str]:
    return [name for name, ok in results.items() if gate_of(name) in gates and not ok]


def baseline_problems(proposal: Path, results: dict[str, bool]) -> list[str]:
    """Whether the proposal's baseline runs: an SB3 baseline trains 500 steps on the env here (SB3 is trusted code);
    a library baseline is one of the library's algorithms whose gates 1-3 pass."""
    found = sections(proposal.read_text(encoding="utf-8"))
    env_id = field_value(found["Environment"], "env")
    kind, _, name = field_value(found["Baseline"], "baseline").partition(":")
    if kind == "library":
        from grader.harness.library import ALGORITHMS

        known = {a.name for a in ALGORITHMS}
        if name not in known:
            return [f"baseline library:{name}: the library's algorithms are {', '.join(sorted(known))}"]
        broken = [c for c in results if c.endswith(f"[{name}]") and gate_of(c) in (1, 2, 3) and not results[c]]
        return [f"baseline library:{name} fails {', '.join(broken)}"] if broken else []
    try:
        import gymnasium as gym
        import stable_baselines3 as sb3

        env = gym.make(env_id)
        getattr(sb3, name)("MlpPolicy", env, seed=0, device="cpu").learn(total_timesteps=500)
        env.close()
    except Exception as exc:  # the gate reports why the baseline does not run
        return [f"baseline sb3:{name} on {env_id} does not run: {type(exc).__name__}: {exc}"]
    return []


def predefense(folder: Path, proposal: Path, run_baseline: bool = True) -> list[str]:
    problems = proposal_problems(proposal)
    results = read_results(folder)
    failed = failed_in(results, (1, 2, 3))
    if failed:
        problems.append(f"gates 1-3: {len(failed)} check(s) fail: {', '.join(failed)}")
    if not any(gate_of(c) in (1, 2, 3) for c in results):
        problems.append("the grading holds no check of gates 1-3 (graded another assignment?)")
    if run_baseline and not proposal_problems(proposal):
        problems += baseline_problems(proposal, results)
    return problems


def defense(folder: Path, proposal: Path, run_baseline: bool = True) -> list[str]:
    from grader.benchmark import BENCHMARKS, read_runs
    from grader.benchmark_report import write_report

    problems = predefense(folder, proposal, run_baseline)
    runs = read_runs(folder / "benchmark") if (folder / "benchmark").is_dir() else {}
    for name in BENCHMARKS:
        seeds = len(runs.get(name, []))
        if seeds < MIN_SEEDS:
            problems.append(f"gate 5: {name} benchmarked on {seeds} seed(s), needs {MIN_SEEDS} (grade with --out)")
    if runs:
        write_report(folder / "benchmark", folder / "defense")
    return problems


def ablation(repo: Path, name: str, changes: list[str], label: str, graded: Path) -> Path:
    """Run gate 5's benchmark of algorithm ``name`` with hyper-parameters changed (``key=value``, values read as
    Python literals) on the library of ``repo`` (imported here: your own code, on your machine or CI), storing the
    runs in ``graded/benchmark/ablation/<label>/`` where the defense report finds them."""
    import ast
    from dataclasses import replace

    from grader.benchmark import BENCHMARKS, library_curve, write_run
    from grader.harness.library import BY_NAME
    from grader.impl import Implementation, resolve_impl_root

    bench = BENCHMARKS[name]
    bench = replace(
        bench, hparams={**bench.hparams, **{k: ast.literal_eval(v) for k, v in (c.split("=", 1) for c in changes)}}
    )
    algorithm = BY_NAME[name]
    agent_cls = Implementation(resolve_impl_root(str(repo), repo), LIBRARY).attr(algorithm.module, algorithm.agent)
    folder = graded / "benchmark" / "ablation" / label
    for seed in bench.seeds:
        write_run(folder, bench, seed, library_curve(agent_cls, bench, seed), None)
    return folder


def gate_summary(folder: Path) -> str:
    results = read_results(folder)
    lines = []
    for gate in (1, 2, 3, 4, 5):
        mine = [ok for name, ok in results.items() if gate_of(name) == gate]
        lines.append(f"gate {gate}: {sum(mine)} of {len(mine)} checks pass")
    return "\n".join(lines)


def torch_threads_one() -> None:
    import torch

    torch.set_num_threads(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.project", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("proposal").add_argument("proposal", type=Path)
    for name in ("predefense", "defense"):
        gate = sub.add_parser(name)
        gate.add_argument("graded", type=Path, help="the --out folder of `rlgrade grade <repo> --hw hw13`")
        gate.add_argument("--proposal", type=Path, required=True)
        gate.add_argument("--no-baseline-run", action="store_true", help="do not train the proposal's SB3 baseline")
    sub.add_parser("report").add_argument("graded", type=Path)
    sub.add_parser("baselines", help="compute gate 5's baselines once (instructors; needs rlgrade[hw13])")
    abl = sub.add_parser("ablation")
    abl.add_argument("repo", type=Path, help="your repo (or the folder holding hw13_project/)")
    abl.add_argument("algorithm")
    abl.add_argument("changes", nargs="+", help="key=value hyper-parameter changes, e.g. double=False")
    abl.add_argument("--label", required=True)
    abl.add_argument("--out", type=Path, required=True, help="the graded folder the defense report is drawn from")
    args = parser.parse_args(argv)
    if args.command == "ablation":
        torch_threads_one()
        print(f"stored in {ablation(args.repo, args.algorithm, args.changes, args.label, args.out)}")
        return 0
    if args.command == "baselines":
        from grader.benchmark import compute_baselines

        torch_threads_one()
        print(f"wrote {compute_baselines()}")
        return 0
    if args.command == "proposal":
        problems = proposal_problems(args.proposal)
    elif args.command == "report":
        from grader.benchmark_report import write_report

        print(f"wrote {write_report(args.graded / 'benchmark', args.graded / 'defense')}")
        return 0
    else:
        gate = predefense if args.command == "predefense" else defense
        problems = gate(args.graded, args.proposal, not args.no_baseline_run)
        print(gate_summary(args.graded))
    for problem in problems:
        print(f"- {problem}")
    verdict = "passed" if not problems else f"not passed ({len(problems)} problem(s))"
    print(f"{args.command}: {verdict}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
