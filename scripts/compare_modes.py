"""Does the sandbox grade like in-process? Grade every mutant of the bank both ways and print any difference.

For each mutant of the given assignments (all by default), and each extra variant in
``scripts/mode_variants/<assignment>.py`` (cases the sandbox once graded differently: parameters replaced
instead of updated in place, tensors of dtypes the wire did not carry, ...), runs the checks that name it
(``killed_by``) in-process twice and sandboxed once, and compares every check's verdict and message: the
sandbox changes where the student's code runs, never what it is told. A check whose two in-process runs
already differ is reported as nondeterministic (a bug such as an env that never seeds its generator puts random
numbers in its message) and not counted. A script, not a test: about 30 minutes for the four assignments on 2
cores. Exits 1 when a sandboxed verdict or message differs from the in-process one.

Usage (from the repo root):
    .venv/bin/python scripts/compare_modes.py                  # every assignment
    .venv/bin/python scripts/compare_modes.py hw01_env_bandits
    .venv/bin/python scripts/compare_modes.py hw04_dqn --variants-only
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.mutants import Mutant, load_bank  # noqa: E402
from grader.release import assignment_names  # noqa: E402
from grader.runner import assignment_dirs, run_checks  # noqa: E402

MODES = {"in-process": [], "in-process again": [], "sandboxed": ["--sandbox"]}
VARIANTS = ROOT / "scripts" / "mode_variants"


def load_variants(assignment: str) -> list[Mutant]:
    """The ``VARIANTS`` of ``scripts/mode_variants/<assignment>.py`` (none if there is no such file)."""
    path = VARIANTS / f"{assignment}.py"
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"mode_variants_{assignment}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.VARIANTS)


def verdicts(mutant: Mutant, dirs: list[Path]) -> dict[str, dict[str, tuple[bool, str]]]:
    """Per mode, every check's (passed, message) for the mutant."""
    with tempfile.TemporaryDirectory() as tmp:
        impl = str(mutant.build(ROOT / "solutions", Path(tmp) / "impl"))
        select = ["-k", " or ".join(mutant.killed_by)]
        return {
            mode: {
                r.name: (r.passed, r.message) for r in run_checks(ROOT, impl, dirs, Path(tmp) / mode, select + extra)
            }
            for mode, extra in MODES.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignment folders (default: all)")
    parser.add_argument("--variants-only", action="store_true", help="only the extra variants, not the mutants")
    args = parser.parse_args()
    assignments = args.assignments or assignment_names(ROOT)
    differ = 0
    for assignment in assignments:
        dirs = assignment_dirs(ROOT, assignment, hidden=True)
        bank = [] if args.variants_only else load_bank(ROOT, assignment)
        for mutant in [*bank, *load_variants(assignment)]:
            runs = verdicts(mutant, dirs)
            first, again, boxed = runs["in-process"], runs["in-process again"], runs["sandboxed"]
            random = [name for name in first if first[name] != again.get(name)]
            wrong = [name for name in first if name not in random and first[name] != boxed.get(name)]
            print(f"{assignment} {mutant.id}: {len(first)} checks, {len(wrong)} differ", flush=True)
            for name in random:
                print(f"  {name}: nondeterministic in-process too (not counted)")
            for name in wrong:
                print(f"  {name}\n    in-process: {first[name]}\n    sandboxed:  {boxed.get(name)}")
            differ += len(wrong)
    print(f"{differ} check verdicts or messages differ between in-process and sandboxed grading")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
