"""Every exercise end to end: each plausible mistake loses points, and its feedback is what a
good teaching assistant would say: it blames the function the mistake is in (a wrong
function never costs a right one its points) and never hands over the fix.

Each wrong implementation is the solution notebook with one piece of text swapped for a
plausible mistake (``tests/exercises/mistakes/exNN_<name>.py``), written to a temporary
file and graded by the real grader; its public check is run too.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursepkg.authoring.exercises import graded_namespace, practice_module
from coursepkg.grading.trusted.runner import grade_notebook
from tests.exercises.mistakes import Mistake, all_mistakes

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests" / "hidden_suites"

pytestmark = pytest.mark.slow

MISTAKES = [(exercise, m) for exercise, ms in all_mistakes().items() for m in ms]
IDS = [f"{e}: {m.name}" for e, m in MISTAKES]


def swapped(name: str, mistake: Mistake, tmp_path: Path) -> Path:
    """The solution notebook ``name`` with ``mistake.old`` replaced by ``mistake.new`` (once)."""
    nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    hits = sum(cell.source.count(mistake.old) for cell in nb.cells)
    assert hits == 1, f"{mistake.old!r} occurs {hits} times in {name}"
    for cell in nb.cells:
        cell.source = cell.source.replace(mistake.old, mistake.new)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def giveaways(mistake: Mistake) -> list[str]:
    """Texts no feedback may contain: the mistake's ``forbidden`` texts and every line of
    code the fix consists of (the solution's ``old`` text)."""
    code = [line.strip() for line in mistake.old.splitlines()]
    return [*mistake.forbidden, *(line for line in code if re.search(r"[=()\[\].]", line))]


# Solution = full marks and stub = zero are checked for every exercise in test_exercises.py.


@pytest.mark.parametrize("exercise, mistake", MISTAKES, ids=IDS)
def test_a_plausible_mistake_loses_points_and_the_feedback_points_to_it(
    exercise, mistake, tmp_path
):
    report = grade_notebook(swapped(exercise, mistake, tmp_path), tests_dir=TESTS)
    assert report.score <= report.max_score - mistake.loses_at_least, (
        f"{mistake.name}: scored {report.score:g} of {report.max_score:g}\n{report.table()}"
    )
    for test in report.tests:
        if test.passed:
            continue
        assert any(name in test.message for name in mistake.blames), (
            f"{mistake.name}: {test.name} fails, and its feedback blames none of "
            f"{mistake.blames}:\n{test.message}"
        )
        for text in giveaways(mistake):
            assert text not in test.feedback(), f"{test.name}: the feedback gives away {text!r}"


@pytest.mark.parametrize("exercise, mistake", MISTAKES, ids=IDS)
def test_the_public_check_of_a_mistake_gives_nothing_away(exercise, mistake, tmp_path):
    namespace = graded_namespace(swapped(exercise, mistake, tmp_path))
    module = practice_module(exercise)
    functions = [namespace[name] for name in module.FUNCTIONS]
    first = module.checks(*functions)
    again = module.checks(*functions)  # a second run shows the next hints too
    text = first.text() + "\n" + again.text()
    assert first.passed < len(first.results) or mistake.public_may_pass, (
        f"{mistake.name}: every public check passes\n{text}"
    )
    for given in giveaways(mistake):
        assert given not in text, f"the public check's feedback gives away {given!r}:\n{text}"
