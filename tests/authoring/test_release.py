"""``coursepkg release``: a student edition without secrets, and a Gradescope bundle that runs."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from coursepkg.authoring.release import ReleaseError, check_student_edition, release, unpack_bundle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release(REPO, tmp_path_factory.mktemp("release"))


def test_student_edition_has_the_book_and_exercises_but_no_secrets(released):
    student = released["student"]
    for name in (
        "_config.yml",
        "_toc.yml",
        "book",
        "exercises/ex01_motif_fsm.ipynb",
        "coursepkg/practice/ex01_motif_fsm.py",
        "pyproject.toml",
        "README.md",
    ):
        assert (student / name).exists(), name
    assert not (student / "solutions").exists()
    assert not (student / "tests").exists()
    assert not list(student.rglob("test_ex*.py"))
    assert "BEGIN SOLUTION" not in (student / "exercises" / "ex01_motif_fsm.ipynb").read_text()


def test_student_edition_check_catches_a_leak(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "ex99.ipynb").write_text('{"source": "# BEGIN SOLUTION"}')
    with pytest.raises(ReleaseError):
        check_student_edition(tmp_path)


def _run_bundle(released, tmp_path, notebook: Path, exercise: str = "ex01_motif_fsm") -> dict:
    root = tmp_path / "autograder"
    unpack_bundle(released["autograder"] / f"{exercise}.zip", root / "source")
    (root / "submission").mkdir()
    shutil.copy(notebook, root / "submission" / "ex01_motif_fsm.ipynb")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run(
        [str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    if os.geteuid() == 0:
        mode = stat.S_IMODE(os.stat(root / "source" / "tests" / "hidden_suites").st_mode)
        assert mode & 0o077 == 0, oct(mode)
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_has_what_gradescope_needs(released):
    import zipfile

    names = set(zipfile.ZipFile(released["autograder"] / "ex01_motif_fsm.zip").namelist())
    for name in (
        "setup.sh",
        "run_autograder",
        "tests/hidden_suites/test_ex01_motif_fsm.py",
        "coursepkg/grading/trusted/runner.py",
        "constraints.txt",
        "pyproject.toml",
    ):
        assert name in names, name
    assert not any(n.startswith("solutions/") for n in names)
    suites = {n for n in names if n.startswith("tests/hidden_suites/")}
    assert suites == {"tests/hidden_suites/test_ex01_motif_fsm.py"}  # one exercise per bundle


def test_the_bundle_grades_its_own_exercise_whatever_is_submitted(released, tmp_path):
    results = _run_bundle(released, tmp_path, REPO / "solutions" / "ex02_conditioning.ipynb")
    assert sum(t["max_score"] for t in results["tests"]) == 13.0  # ex01's tests, not ex02's
    assert results["score"] == 0 and "ex02_conditioning" in results["output"]


def test_bundle_grades_a_solution_in_gradescope_layout(released, tmp_path):
    results = _run_bundle(released, tmp_path, REPO / "solutions" / "ex01_motif_fsm.ipynb")
    assert results["score"] == 13.0
    assert {t["name"] for t in results["tests"]} >= {"test_detects_ACG", "test_random_motifs"}


def test_bundle_grades_the_stub_zero(released, tmp_path):
    results = _run_bundle(released, tmp_path, REPO / "exercises" / "ex01_motif_fsm.ipynb")
    assert results["score"] == 0
    assert all(t["max_score"] > 0 for t in results["tests"])
