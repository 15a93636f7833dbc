"""Every exercise: the student version is generated from the solution, the solution
scores full marks with the hidden suite and the student version (the stub) scores zero."""

from pathlib import Path

import nbformat
import pytest

from coursepkg.authoring.exercises import MarkerError, strip_solution, sync
from coursepkg.grading.trusted.runner import grade_notebook

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("ex*.ipynb"))


def test_exercises_are_generated_from_solutions():
    assert sync(ROOT / "solutions", ROOT / "exercises", check=True) == [], (
        "exercises/ has drifted from solutions/: run `python -m coursepkg exercises`"
    )


def test_student_versions_contain_no_solution_code():
    for path in SOLUTIONS:
        text = (ROOT / "exercises" / path.name).read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


def test_unbalanced_markers_are_reported():
    with pytest.raises(MarkerError, match="never closed"):
        strip_solution("x = 1\n# BEGIN SOLUTION\ny = 2")
    with pytest.raises(MarkerError, match="without BEGIN"):
        strip_solution("# END SOLUTION")


def test_stub_keeps_the_indentation_of_the_marker():
    out = strip_solution("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    compile(out, "<stub>", "exec")
    assert "    raise NotImplementedError" in out


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_scores_full_marks_and_stub_scores_zero(solution):
    full = grade_notebook(solution, tests_dir=ROOT / "tests" / "hidden_suites")
    assert full.tests and full.score == full.max_score, full.table()
    stub = grade_notebook(
        ROOT / "exercises" / solution.name, tests_dir=ROOT / "tests" / "hidden_suites"
    )
    assert stub.score == 0 and stub.max_score == full.max_score, stub.table()


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_notebooks_say_which_exercise_they_are(solution):
    notebook = nbformat.read(solution, as_version=4)
    assert notebook.metadata["coursepkg"]["exercise"] == solution.stem
