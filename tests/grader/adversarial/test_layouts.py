"""Grading as the README says is safe: submissions inside the checkout, an editable install,
Gradescope's layout. A probe submission reports (through its function's error message, which
the results show) which secret paths it could read or list: none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursepkg.grading.trusted import sandbox
from coursepkg.grading.trusted.classroom import grade_class
from tests.grader.adversarial.attacks import REPO, probe_notebook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox.mode() != "bwrap", reason="bubblewrap is not installed"),
]
SUITE = REPO / "tests" / "hidden_suites" / "test_ex01_motif_fsm.py"


def seen(feedback: str) -> list[str]:
    start = feedback.index("ATTACK-REPORT ") + len("ATTACK-REPORT ")
    return json.loads(feedback[start : feedback.index("}", start) + 1])["seen"]


def test_submissions_inside_the_checkout_see_no_secret(tmp_path):
    checkout = tmp_path / "course"
    (checkout / "tests" / "hidden_suites").mkdir(parents=True)
    shutil.copy(SUITE, checkout / "tests" / "hidden_suites")
    (checkout / "solutions").mkdir()
    (checkout / "solutions" / "ex01_motif_fsm.ipynb").write_text("{}")
    submissions = checkout / "submissions"
    submissions.mkdir()
    (submissions / "classmate.ipynb").write_text("{}")
    secrets = [
        str(checkout),
        str(checkout / "tests" / "hidden_suites" / SUITE.name),
        str(checkout / "solutions"),
        str(submissions / "classmate.ipynb"),
        str(submissions),
        str(REPO / "solutions" / "ex01_motif_fsm.ipynb"),  # the editable install's checkout
        str(REPO / "tests" / "hidden_suites" / SUITE.name),
        str(REPO / "coursepkg" / "models"),
        str(tmp_path / "out"),
    ]
    probe_notebook(submissions, "probe.ipynb", secrets)
    book = grade_class(
        submissions,
        tmp_path / "out",
        exercise="ex01_motif_fsm",
        tests_dir=checkout / "tests" / "hidden_suites",
        jobs=1,
    )
    feedback = book.reports["probe"].tests[0].message
    assert seen(feedback) == [], feedback


def gradescope(root: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursepkg.grading.trusted.gradescope", str(root)],
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def layout(tmp_path: Path, suites: list[str]) -> Path:
    root = tmp_path / "autograder"
    (root / "source" / "tests" / "hidden_suites").mkdir(parents=True)
    for name in suites:
        shutil.copy(
            REPO / "tests" / "hidden_suites" / f"test_{name}.py",
            root / "source" / "tests" / "hidden_suites",
        )
    (root / "submission").mkdir()
    return root


def test_gradescope_layout_sees_no_secret(tmp_path):
    root = layout(tmp_path, ["ex01_motif_fsm"])
    secrets = [
        str(root / "source" / "tests" / "hidden_suites" / "test_ex01_motif_fsm.py"),
        str(root / "source"),
        str(root / "results"),
        str(root / "submission"),
    ]
    probe_notebook(root / "submission", "ex01_motif_fsm.ipynb", secrets)
    done = gradescope(root, {})
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert seen(results["tests"][0]["output"]) == []


def test_gradescope_grades_the_bundles_exercise_not_the_notebooks(tmp_path):
    root = layout(tmp_path, ["ex01_motif_fsm"])
    shutil.copy(REPO / "solutions" / "ex02_conditioning.ipynb", root / "submission")
    done = gradescope(root, {})
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert sum(t["max_score"] for t in results["tests"]) == 13  # ex01's suite
    assert results["score"] == 0 and "ex02_conditioning" in results["output"]


def test_a_bundle_that_does_not_say_its_exercise_is_refused(tmp_path):
    root = layout(tmp_path, ["ex01_motif_fsm", "ex02_conditioning"])
    shutil.copy(REPO / "exercises" / "ex01_motif_fsm.ipynb", root / "submission")
    done = gradescope(root, {})
    assert done.returncode == 1 and "does not say which one it grades" in done.stderr
    assert not (root / "results" / "results.json").exists()  # no score: a failed autograder
    done = gradescope(root, {"AUTOGRADER_EXERCISE": "ex01_motif_fsm"})
    assert done.returncode == 0, done.stderr
