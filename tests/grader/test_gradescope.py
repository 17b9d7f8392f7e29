"""``rlgrade gradescope``: the autograder zip, tried the way Gradescope runs it (in a clean folder, with
``AUTOGRADER_ROOT`` standing in for ``/autograder`` and this machine's venv standing in for ``setup.sh``'s)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from helpers import FAKE_SOLUTION, run_cli, write_package

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
FILES = {"__init__.py": "", "calc.py": FAKE_SOLUTION["calc.py"], "other.py": FAKE_SOLUTION["other.py"]}


def autograder(fake_course: Path, tmp_path: Path) -> Path:
    """``<tmp>/autograder`` with the exported zip unpacked into ``source`` and a ``venv`` that has rlgrade."""
    zip_path = tmp_path / "hw99.zip"
    proc = run_cli("gradescope", "hw99", "--out", str(zip_path), "--course", str(fake_course))
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert not [n for n in names if "solutions" in n or n.startswith("course/tests/mutants")], names
        assert "course/tests/hidden/hw99_demo/test_demo_hidden.py" in names
        assert "course/assignments/hw99_demo/calc.py" in names  # the released stubs: the file names to look for
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "venv").symlink_to(Path(sys.prefix))
    return root


EDITED_CALC = "def double(x):\n    return 2 * x\n\n\ndef halve(x):\n    return x // 2\n"
#: what students upload -> (files, the score with the hidden checks)
UPLOADS = {
    "the assignment's files only": ({"calc.py": FAKE_SOLUTION["calc.py"], "other.py": FAKE_SOLUTION["other.py"]}, 10),
    "the assignment folder": ({f"hw99_demo/{n}": t for n, t in FILES.items()}, 10),
    "GitHub's Download ZIP of the repo": (
        {f"hw99-alice-main/assignments/hw99_demo/{n}": t for n, t in FILES.items()},
        10,
    ),
    "two edited copies": (
        {**{f"hw99_demo/{n}": t for n, t in FILES.items()}, "assignments/hw99_demo/calc.py": EDITED_CALC},
        0,
    ),
}


@pytest.mark.parametrize("upload", sorted(UPLOADS))
def test_run_autograder_writes_valid_results(upload: str, fake_course_with_stubs: Path, tmp_path: Path) -> None:
    """Every upload gets a valid results.json and run_autograder succeeds; a submission that cannot be graded gets
    0 and the reason in the output the student sees."""
    root = autograder(fake_course_with_stubs, tmp_path)
    files, score = UPLOADS[upload]
    for name, text in files.items():
        write_package((root / "submission" / name).parent, {Path(name).name: text})
    proc = subprocess.run(
        [str(root / "source" / "run_autograder")],
        env={**os.environ, "AUTOGRADER_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == score, results["output"]
    if score:
        assert len(results["tests"]) == 4 and "hw99_demo: graded " in results["output"]
    else:
        assert results["output"].startswith("Not graded: the submission holds 2 edited copies of hw99_demo")


def test_export_needs_the_stubs(fake_course: Path, tmp_path: Path) -> None:
    """The zip carries the released stubs (they name the assignment's files); without them export refuses."""
    proc = run_cli("gradescope", "hw99", "--out", str(tmp_path / "hw99.zip"), "--course", str(fake_course))
    assert proc.returncode == 2 and "run `rlgrade stubs` first" in proc.stderr
