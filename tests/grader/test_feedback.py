"""Feedback shows the author's message and hint, never the hidden test's source or inputs."""

from __future__ import annotations

import pytest

from coursepkg.grading.trusted import sandbox
from coursepkg.grading.trusted.runner import grade_notebook
from tests.grader.adversarial.attacks import portable_solution

pytestmark = pytest.mark.skipif(sandbox.mode() != "bwrap", reason="bubblewrap is not installed")

SUITE = """
import pytest

SECRET = "HIDDEN-INPUT-7319"

@pytest.mark.grade(points=1, hint="Think about it.")
def test_bare_assert(submission):
    weights = submission.call("motif_rnn_weights", "ACG")
    assert len(weights) == len(SECRET) * 1000

@pytest.mark.grade(points=1, hint="Shapes.")
def test_assert_with_message(submission):
    weights = submission.call("motif_rnn_weights", "ACG")
    assert weights == {"secret": SECRET}, "the weights are not what was expected"
"""


def test_hidden_source_and_values_never_reach_feedback(tmp_path):
    tests_dir = tmp_path / "tests" / "hidden_suites"
    tests_dir.mkdir(parents=True)
    (tests_dir / "test_ex01_motif_fsm.py").write_text(SUITE)
    notebook = portable_solution(tmp_path, "ex01_motif_fsm.ipynb")
    report = grade_notebook(notebook, tests_dir=tests_dir)
    by_name = {t.name: t for t in report.tests}
    assert report.score == 0
    assert by_name["test_bare_assert"].feedback() == "Hint: Think about it.\na check failed"
    assert by_name["test_assert_with_message"].message == "the weights are not what was expected"
    everything = "\n".join(t.feedback() for t in report.tests) + "\n".join(report.problems)
    for leak in ("HIDDEN-INPUT", "SECRET", "len(weights)", "1000", "assert "):
        assert leak not in everything, leak
