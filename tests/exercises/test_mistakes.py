"""Every exercise end to end: wrong-but-plausible implementations lose points, and
functions imported from the course package instead of written score nothing.

Each wrong implementation is the solution notebook with one solution region swapped
for a plausible mistake, written to a temporary file and graded by the real grader.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from coursepkg.grading.trusted.runner import grade_notebook
from tests.exercises.mistakes import all_mistakes

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests" / "hidden_suites"

pytestmark = pytest.mark.slow


def grade(path: Path):
    return grade_notebook(path, tests_dir=TESTS)


def swapped(name: str, old: str, new: str, tmp_path: Path) -> Path:
    """The solution notebook ``name`` with the text ``old`` replaced by ``new`` (exactly once)."""
    nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    hits = sum(cell.source.count(old) for cell in nb.cells)
    assert hits == 1, f"{old!r} occurs {hits} times in {name}"
    for cell in nb.cells:
        cell.source = cell.source.replace(old, new)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


# Solution = full marks and stub = zero are checked for every exercise in test_exercises.py.

MISTAKES = [(exercise, m) for exercise, ms in all_mistakes().items() for m in ms]


@pytest.mark.parametrize("exercise, mistake", MISTAKES, ids=[f"{e}: {m.name}" for e, m in MISTAKES])
def test_a_plausible_mistake_loses_points(exercise, mistake, tmp_path):
    report = grade(swapped(exercise, mistake.old, mistake.new, tmp_path))
    assert report.score <= report.max_score - mistake.loses_at_least, (
        f"{mistake.name}: scored {report.score:g} of {report.max_score:g}\n{report.table()}"
    )
    for test in report.tests:
        if test.passed:
            continue
        for text in mistake.forbidden:
            assert text not in test.feedback(), f"{test.name}: the feedback gives away {text!r}"


def test_ex03_functions_imported_from_the_package_score_nothing(tmp_path):
    nb = nbformat.read(ROOT / "solutions" / "ex03_bptt.ipynb", as_version=4)
    last_code = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    last_code.source += "\nfrom coursepkg.analysis.gradients import decay_rate, jacobian_norms\n"
    path = tmp_path / "ex03_bptt.ipynb"
    nbformat.write(nb, path)
    report = grade(path)
    assert report.score == 0, report.table()
    assert all("write your own" in t.message for t in report.tests), report.table()
