"""Gradescope's entry point: grade the submitted notebook, write ``results/results.json``.

    python -m coursepkg.grading.trusted.gradescope [ROOT]

``ROOT`` (default ``$AUTOGRADER_ROOT``, else ``/autograder``) is laid out as Gradescope
lays it out: ``source/`` (the bundle: ``coursepkg`` and ``tests/hidden_suites``), ``submission/``
(the student's files) and ``results/``. The exercise comes from the notebook (metadata
or file name), or from ``$AUTOGRADER_EXERCISE``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from coursepkg.grading.trusted.runner import (
    GradingSetupError,
    grade_notebook,
    guess_exercise,
    known_exercises,
)


def choose_notebook(submission: Path, tests_dir: Path) -> Path | None:
    """The submitted notebook: one named after an exercise if there is one, else the only one."""
    notebooks = sorted(
        p for p in submission.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    for path in notebooks:
        try:
            guess_exercise(path, None, tests_dir)
            return path
        except GradingSetupError:
            continue
    return notebooks[0] if len(notebooks) == 1 else None


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    tests_dir = root / "source" / "tests" / "hidden_suites"
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    exercise = os.environ.get("AUTOGRADER_EXERCISE") or None
    notebook = choose_notebook(root / "submission", tests_dir)
    if notebook is None:
        names = ", ".join(f"{name}.ipynb" for name in known_exercises(tests_dir))
        message = f"No notebook found to grade: submit one of {names}."
        results.write_text(json.dumps({"score": 0, "output": message, "tests": []}, indent=2))
        print(message)
        return 0
    try:
        report = grade_notebook(notebook, exercise=exercise, tests_dir=tests_dir)
    except GradingSetupError as error:
        results.write_text(json.dumps({"score": 0, "output": str(error), "tests": []}, indent=2))
        print(error)
        return 0
    report.write_json(results)
    print(report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
