"""``rlgrade gradescope``: the autograder zip, tried the way Gradescope runs it (in a clean folder, with
``AUTOGRADER_ROOT`` standing in for ``/autograder`` and this machine's venv standing in for ``setup.sh``'s)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
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


#: Docker's default capabilities (Gradescope's containers): no CAP_SYS_ADMIN, so no namespaces of any kind.
DOCKER_CAPS = (
    "-all,+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,+setuid,+setfcap,+setpcap,"
    "+net_bind_service,+sys_chroot,+kill,+audit_write"
)
SYSTEM_PYTHON = Path("/usr/bin/python3.11")
# What run_autograder runs besides the venv's rlgrade; not bwrap (refused in such a container: hidden).
TOOLS = ("bash", "env", "rm", "mkdir", "cp", "chmod")


def gradescope_like(fake_course: Path, tmp_path: Path, calc: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run run_autograder as Gradescope does: as root in a container without namespaces or a writable cgroup
    hierarchy (Docker's capabilities, cgroup mounts read-only, bwrap refused), with a Python of the system's in a
    world-readable place (setup.sh's venv of apt's python3: here its site-packages are this venv's)."""
    root = autograder(fake_course, tmp_path)
    top = Path(tempfile.mkdtemp(prefix="rlgrade-gradescope-"))  # in /tmp, reachable by others as /autograder is
    top.chmod(0o755)
    (top / "autograder").mkdir()
    shutil.move(root / "source", top / "autograder" / "source")
    root = top / "autograder"
    venv = root / "venv"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = Path(sysconfig.get_paths()["purelib"])
    (venv / "lib" / "python3.11" / "site-packages" / "course.pth").write_text(
        f"import site; site.addsitedir({str(site_packages)!r})\n"
    )
    (venv / "bin" / "rlgrade").write_text(
        f"#!{venv}/bin/python\nimport sys\nfrom grader.cli import main\nsys.exit(main())\n"
    )
    (venv / "bin" / "rlgrade").chmod(0o755)
    tools = top / "tools"
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    write_package(root / "submission", {"__init__.py": "", "calc.py": calc, "other.py": FAKE_SOLUTION["other.py"]})
    read_only_cgroups = (
        'for m in $(awk \'$3 == "cgroup2" {print $2}\' /proc/self/mounts); do mount -o remount,bind,ro "$m"; done'
    )
    command = [shutil.which("unshare"), "--mount", "--", "sh", "-c", f'{read_only_cgroups}; exec "$@"', "sh"]
    command += [shutil.which("setpriv"), "--bounding-set", DOCKER_CAPS, "--inh-caps", "-all", "--"]
    command += ["env", f"PATH={tools}", f"AUTOGRADER_ROOT={root}", str(root / "source" / "run_autograder")]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
        results = json.loads((root / "results" / "results.json").read_text()) if proc.returncode == 0 else {}
    finally:
        shutil.rmtree(top)
    return proc, results


@pytest.mark.skipif(os.geteuid() != 0 or not SYSTEM_PYTHON.exists(), reason="needs root and Debian's python3.11")
def test_in_a_container_without_namespaces_the_fallback_holds(fake_course_with_stubs: Path, tmp_path: Path) -> None:
    """Gradescope's conditions: the reference gets every point with the fallback, whose line says what holds
    (another uid, Landlock, no namespaces, no cgroup); a submission that reads the hidden checks and forges the
    results gains nothing."""
    proc, results = gradescope_like(fake_course_with_stubs, tmp_path, FAKE_SOLUTION["calc.py"])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert results["score"] == 10, json.dumps(results, indent=1)[:3000]
    line = results["extra_data"]["isolation"]
    for words in ("fallback as root: the checks run as", "NO namespaces", "Landlock", "no cgroup"):
        assert words in line, line
    attack = (
        "import glob\n\nROOT = '/tmp/rlgrade-gradescope-*/autograder'\n\n\ndef double(x):\n    try:\n"
        "        text = open(glob.glob(ROOT + '/source/course/tests/hidden/*/*.py')[0]).read()\n"
        "    except (OSError, IndexError):\n        text = ''\n"
        "    for path in glob.glob(ROOT + '/results/results.json'):\n        try:\n"
        "            open(path, 'w').write('{\"score\": 10}')\n        except OSError:\n            pass\n"
        "    return 2 * x if 'double' in text else -1.0\n\n\ndef halve(x):\n    return x / 2\n"
    )
    proc, results = gradescope_like(fake_course_with_stubs, tmp_path / "attack", attack)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert results["score"] == 4, results  # halve 3 + counter 1: not double (public 2, hidden 4)
