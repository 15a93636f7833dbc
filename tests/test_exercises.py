"""Every exercise: the student version is generated from the solution, the solution
scores full marks with the hidden suite and the student version (the stub) scores zero."""

from pathlib import Path

import nbformat
import pytest

from coursepkg.grading.exercises import MarkerError, strip_solution, sync
from coursepkg.grading.runner import grade_notebook

ROOT = Path(__file__).resolve().parent.parent
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
    full = grade_notebook(solution, tests_dir=ROOT / "tests" / "grading")
    assert full.tests and full.score == full.max_score, full.table()
    stub = grade_notebook(ROOT / "exercises" / solution.name, tests_dir=ROOT / "tests" / "grading")
    assert stub.score == 0 and stub.max_score == full.max_score, stub.table()


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_notebooks_say_which_exercise_they_are(solution):
    notebook = nbformat.read(solution, as_version=4)
    assert notebook.metadata["coursepkg"]["exercise"] == solution.stem


EX01_WRONG = {
    # After a mismatch, fall back only to "nothing" or "first letter": misses overlaps.
    "naive fallback": (
        "            while k > 0 and not text.endswith(motif[:k]):\n                k -= 1\n",
        "            k = k if text == motif[:k] else (1 if a == motif[0] else 0)\n",
    ),
    # The matched state is not absorbing: the output drops after the motif.
    "bound state not absorbing": (
        "            if q == m:\n                row[a] = m\n                continue\n",
        "",
    ),
}


@pytest.mark.parametrize("mistake", sorted(EX01_WRONG))
def test_ex01_wrong_implementation_loses_points_with_public_feedback(mistake, tmp_path):
    old, new = EX01_WRONG[mistake]
    notebook = nbformat.read(ROOT / "solutions" / "ex01_motif_fsm.ipynb", as_version=4)
    assert sum(cell.source.count(old) for cell in notebook.cells) == 1
    for cell in notebook.cells:
        cell.source = cell.source.replace(old, new)
    path = tmp_path / "ex01_motif_fsm.ipynb"
    nbformat.write(notebook, path)
    report = grade_notebook(path, tests_dir=ROOT / "tests" / "grading")
    assert 0 < report.score < report.max_score, report.table()
    failed = [t for t in report.tests if not t.passed]
    assert any("On the public input" in t.message for t in failed), report.table()
