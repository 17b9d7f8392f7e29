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
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "venv").symlink_to(Path(sys.prefix))
    return root


@pytest.mark.parametrize("layout", ["flat files", "assignment folder"])
def test_run_autograder_writes_valid_results(layout: str, fake_course: Path, tmp_path: Path) -> None:
    root = autograder(fake_course, tmp_path)
    files = {"__init__.py": "", "calc.py": FAKE_SOLUTION["calc.py"], "other.py": FAKE_SOLUTION["other.py"]}
    write_package(root / "submission" / ("hw99_demo" if layout == "assignment folder" else ""), files)
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
    assert results["score"] == 10 and len(results["tests"]) == 4
