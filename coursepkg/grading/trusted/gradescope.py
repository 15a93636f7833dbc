"""Gradescope's entry point: grade the submitted notebook, write ``results/results.json``.

    python -m coursepkg.grading.trusted.gradescope [ROOT] [--exercise NAME]

``ROOT`` (default ``$AUTOGRADER_ROOT``, else ``/autograder``) is laid out as Gradescope
lays it out: ``source/`` (the bundle: ``coursepkg`` and ``tests/hidden_suites``),
``submission/`` (the student's files) and ``results/``.

When the grader itself cannot grade (a bundle that does not say which exercise it grades,
a sandbox that cannot start), it writes no results and exits 1, so that Gradescope reports a
failed autograder instead of a score.

The assignment decides the exercise, never the submission: ``--exercise``, else
``$AUTOGRADER_EXERCISE``, else the bundle's only hidden suite (``coursepkg release`` writes
one bundle per exercise, each holding that exercise's suite alone). A bundle that holds
several suites and does not say which one is refused with a message for the instructor. The
submitted notebook is then the submission's only notebook, or the one named after the
exercise; its name and contents change nothing else.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from coursepkg.grading.trusted.notebook import _shown
from coursepkg.grading.trusted.runner import GradingSetupError, grade_notebook, known_exercises


def bundle_exercise(tests_dir: Path, given: str | None) -> str:
    """The exercise this autograder grades (see the module docstring)."""
    known = known_exercises(tests_dir)
    if given:
        if given not in known:
            raise GradingSetupError(f"this autograder has no hidden suite for {given!r}")
        return given
    if len(known) == 1:
        return known[0]
    raise GradingSetupError(
        "this autograder holds several exercises and does not say which one it grades: "
        "upload the bundle of one exercise (coursepkg release writes autograder/<exercise>.zip)"
    )


def choose_notebook(submission: Path, exercise: str) -> tuple[Path | None, str]:
    """The submitted notebook, and a note when the choice needs explaining."""
    notebooks = sorted(
        (
            p
            for p in submission.rglob("*")
            if p.name.lower().endswith(".ipynb") and ".ipynb_checkpoints" not in p.parts
        ),
        key=lambda p: os.fsencode(str(p)),
    )
    if len(notebooks) == 1:
        return notebooks[0], ""
    named = [p for p in notebooks if exercise in p.name.lower()]
    if len(named) == 1:
        others = ", ".join(_shown(p) for p in notebooks if p != named[0])
        return named[0], f"graded {_shown(named[0])}; not graded: {others}"
    if not notebooks:
        return None, f"No notebook found to grade: submit {exercise}.ipynb."
    listed = ", ".join(_shown(p) for p in notebooks[:10])
    return None, f"Several notebooks were submitted ({listed}): submit only {exercise}.ipynb."


def _write(results: Path, score: float, message: str) -> None:
    results.write_text(json.dumps({"score": score, "output": message, "tests": []}, indent=2))


def main(argv: list[str]) -> int:
    args = list(argv)
    given = os.environ.get("AUTOGRADER_EXERCISE") or None
    if "--exercise" in args:
        i = args.index("--exercise")
        given = args[i + 1] if i + 1 < len(args) else None
        del args[i : i + 2]
    root = Path(args[0] if args else os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    tests_dir = root / "source" / "tests" / "hidden_suites"
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        exercise = bundle_exercise(tests_dir, given)
    except GradingSetupError as error:  # Gradescope reports a failed autograder: no score
        print(f"the autograder is misconfigured: {error}", file=sys.stderr)
        return 1
    notebook, note = choose_notebook(root / "submission", exercise)
    if notebook is None:
        _write(results, 0, note)
        print(note)
        return 0
    try:
        report = grade_notebook(notebook, exercise=exercise, tests_dir=tests_dir)
    except GradingSetupError as error:  # the grader failed, not the submission: no score
        print(f"not graded: {error}", file=sys.stderr)
        return 1
    if note:
        report.problems.insert(0, note)
    report.write_json(results)
    print(report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
