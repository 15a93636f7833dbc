"""``coursepkg release``: a student edition that stands on its own and gives nothing away, and
Gradescope bundles that run exactly as the README says."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursepkg.authoring import colab
from coursepkg.authoring.release import (
    INSTRUCTOR_ONLY,
    ReleaseError,
    check_student_edition,
    release,
    unpack_bundle,
)

REPO = Path(__file__).resolve().parents[2]
EXERCISES = sorted(p.stem for p in (REPO / "solutions").glob("ex*.ipynb"))


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release(REPO, tmp_path_factory.mktemp("release"))


# --- the student edition ----------------------------------------------------------------------


def test_student_edition_has_the_book_and_exercises_but_no_secrets(released):
    student = released["student"]
    for name in (
        "_config.yml",
        "_toc.yml",
        "book",
        "exercises/ex01_motif_fsm.ipynb",
        "coursepkg/practice/ex01_motif_fsm.py",
        "coursepkg/practice/expected",
        "pyproject.toml",
        "constraints.txt",
        "README.md",
        "Makefile",
    ):
        assert (student / name).exists(), name
    assert not (student / "solutions").exists()
    assert not (student / "tests").exists()
    assert not list(student.rglob("test_ex*.py"))
    for path in student.rglob("*.ipynb"):
        assert "BEGIN SOLUTION" not in path.read_text(), path


def test_the_edition_notebooks_install_from_the_edition(released):
    student = released["student"]
    assert colab.repository(student) == colab.repository(REPO)
    assert colab.check(student) == []
    url, branch = colab.repository(student)
    for path in [*student.glob("book/*.ipynb"), *student.glob("exercises/*.ipynb")]:
        first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert colab.pip_spec(url, branch) in first.source, path


def test_the_edition_readme_says_how_to_read_run_check_and_submit(released):
    student = released["student"]
    text = (student / "README.md").read_text()
    for heading in ("## Read", "## Run the exercises", "## Check your work", "## Submit"):
        assert heading in text
    for words in INSTRUCTOR_ONLY:
        assert words not in text, words
    url, branch = colab.repository(student)
    assert f"git clone {url}" in text
    for exercise in EXERCISES:  # each exercise, with a Colab link into the edition
        link = (
            f"github/{url.removeprefix('https://github.com/')}/blob/{branch}/exercises/{exercise}"
        )
        assert f"`exercises/{exercise}.ipynb`" in text and link in text
    for path in re.findall(r"`((?:book|exercises)/[\w.]+\.ipynb)`", text):
        assert (student / path).is_file(), path
    assert "@" not in re.sub(r"coursepkg @ git\+", "", text), "a template field was left unfilled"


def test_every_make_command_of_the_edition_readme_exists_in_its_makefile(released):
    student = released["student"]
    commands = set(re.findall(r"`make (\w+)`", (student / "README.md").read_text()))
    commands |= set(re.findall(r"^make (\w+)", (student / "README.md").read_text(), re.M))
    assert {"lab", "book"} <= commands
    for target in commands:
        done = subprocess.run(
            ["make", "-n", target], cwd=student, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"make {target} in the edition: {done.stderr}"
    lab = subprocess.run(["make", "-n", "lab"], cwd=student, capture_output=True, text=True)
    assert "jupyter lab" in lab.stdout and "[book,lab]" in lab.stdout


def test_student_edition_check_catches_a_leak(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "ex99.ipynb").write_text('{"source": "# BEGIN SOLUTION"}')
    with pytest.raises(ReleaseError, match="solution region"):
        check_student_edition(tmp_path)


def _copy_edition(released, tmp_path) -> Path:
    copy = tmp_path / "student"
    shutil.copytree(released["student"], copy)
    return copy


def test_student_edition_check_catches_an_install_cell_pointing_elsewhere(released, tmp_path):
    copy = _copy_edition(released, tmp_path)
    path = copy / "exercises" / "ex01_motif_fsm.ipynb"
    path.write_text(path.read_text().replace(colab.repository(copy)[0], "https://github.com/x/y"))
    with pytest.raises(ReleaseError, match="install cells"):
        check_student_edition(copy)


def test_student_edition_check_catches_a_readme_with_instructor_commands(released, tmp_path):
    copy = _copy_edition(released, tmp_path)
    (copy / "README.md").write_text("Run `make test` first.\n")
    with pytest.raises(ReleaseError, match="make test"):
        check_student_edition(copy)
    (copy / "README.md").write_text("Run `make publish` first.\n")
    with pytest.raises(ReleaseError, match="make publish"):
        check_student_edition(copy)


# --- the Gradescope bundles -------------------------------------------------------------------


def test_one_bundle_per_exercise_with_only_its_own_suite(released):
    for exercise in EXERCISES:
        names = set(zipfile.ZipFile(released[f"autograder {exercise}"]).namelist())
        for name in (
            "setup.sh",
            "run_autograder",
            "README.md",
            "constraints.txt",
            "pyproject.toml",
            "coursepkg/grading/trusted/runner.py",
            f"tests/hidden_suites/test_{exercise}.py",
        ):
            assert name in names, (exercise, name)
        suites = [n for n in names if n.startswith("tests/")]
        assert suites == [f"tests/hidden_suites/test_{exercise}.py"], suites
        assert not any(n.startswith("solutions/") for n in names)


def _readme_block(marker: str) -> str:
    text = (REPO / "README.md").read_text()
    block = text.split(f"<!-- {marker} -->", 1)[1].split("<!-- end -->", 1)[0]
    return block.split("```bash", 1)[1].split("```", 1)[0]


def _workspace(released, tmp_path) -> Path:
    """A folder that looks like the repository after `make release`: .venv, solutions/,
    exercises/ and release/ (the released files, not the repository's own release/)."""
    work = tmp_path / "repo"
    work.mkdir()
    (work / ".venv").symlink_to(Path(sys.prefix))
    for name in ("solutions", "exercises"):
        (work / name).symlink_to(REPO / name)
    (work / "release").symlink_to(released["student"].parent)
    return work


def _run_trial(released, tmp_path, block: str) -> tuple[subprocess.CompletedProcess, dict]:
    work = _workspace(released, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER", "VIRTUAL_ENV"))}
    env["TMPDIR"] = str(tmp_path)  # where `mktemp -d` makes the Gradescope layout
    done = subprocess.run(
        ["bash", "-c", f'set -e\n{block}\necho "AG=$AG"'],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    ag = Path(re.findall(r"^AG=(.*)$", done.stdout, re.M)[-1]) if "AG=" in done.stdout else None
    results = json.loads((ag / "results" / "results.json").read_text()) if ag else {}
    if ag and os.geteuid() == 0:
        mode = stat.S_IMODE(os.stat(ag / "source" / "tests" / "hidden_suites").st_mode)
        assert mode & 0o077 == 0, f"the hidden suite is readable by others: {oct(mode)}"
    return done, results


def test_the_readme_trial_of_a_bundle_grades_the_solution_in_gradescope_layout(released, tmp_path):
    done, results = _run_trial(released, tmp_path, _readme_block("local-gradescope-trial"))
    assert done.returncode == 0, done.stderr + done.stdout
    assert results["tests"] and all(t["score"] == t["max_score"] for t in results["tests"])
    assert results["score"] == sum(t["max_score"] for t in results["tests"])
    assert '"score"' in done.stdout  # the block shows results.json


def test_a_bundle_grades_its_own_exercise_whatever_the_file_is_called(released, tmp_path):
    block = _readme_block("local-gradescope-trial").replace(
        'cp solutions/ex01_motif_fsm.ipynb "$AG/submission/"',
        'cp exercises/ex01_motif_fsm.ipynb "$AG/submission/my work.ipynb"',
    )
    assert "my work" in block
    done, results = _run_trial(released, tmp_path, block)
    assert done.returncode == 0, done.stderr
    assert results["score"] == 0 and results["tests"]
    assert {t["name"] for t in results["tests"]} >= {"test_detects_ACG"}


def test_run_autograder_without_the_graders_packages_says_what_to_do(released, tmp_path):
    root = tmp_path / "autograder"
    unpack_bundle(released["autograder ex01_motif_fsm"], root / "source")
    (root / "submission").mkdir()
    shutil.copy(REPO / "solutions" / "ex01_motif_fsm.ipynb", root / "submission")
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python3").write_text("#!/bin/sh\nexit 1\n")  # a Python without the packages
    (bare / "python3").chmod(0o755)
    env = {"PATH": f"{bare}:/usr/bin:/bin", "AUTOGRADER_ROOT": str(root), "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "activate the course's environment" in done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "setup.sh" in results["output"]


# --- grading a class as the README says ----------------------------------------------------


def test_the_readme_class_command_grades_a_folder_with_an_unreadable_notebook(tmp_path):
    (line,) = [
        ln for ln in (REPO / "README.md").read_text().splitlines() if "grade submissions/" in ln
    ]
    command = line.split("#")[0].split()
    assert command[0].endswith("coursepkg") and "--exercise" in command
    (tmp_path / "tests").symlink_to(REPO / "tests")  # the command runs at the repository root
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(REPO / "solutions" / "ex01_motif_fsm.ipynb", submissions / "ada.ipynb")
    shutil.copy(REPO / "exercises" / "ex01_motif_fsm.ipynb", submissions / "bob.ipynb")
    (submissions / "carol.ipynb").write_bytes(b"\xff\xfe not a notebook \x00")
    (submissions / "dan.ipynb").write_text('{"cells": [{"cell_type": "code", "source": 3}]}')
    command[0] = str(Path(sys.executable).with_name("coursepkg"))
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "graded" / "gradebook.csv", newline="") as handle:
        import csv

        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ada", "bob", "carol", "dan"}
    assert float(rows["ada"]["total"]) == float(rows["ada"]["max"]) > 0
    assert float(rows["bob"]["total"]) == 0
    assert "not a text file" in rows["carol"]["problems"], rows["carol"]
    for broken in ("carol", "dan"):
        assert float(rows[broken]["total"]) == 0, rows[broken]
        assert (tmp_path / "graded" / broken / "results.json").is_file()
