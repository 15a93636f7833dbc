"""Public checks: what a student runs at the end of an exercise notebook.

A public check tries the student's function on a few *public* inputs and prints, for
each, a tick or a cross with a hint. It never raises (the notebook keeps running) and
it is not the grade: the hidden suite tests more, on inputs the student does not see.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class CheckResult:
    name: str
    passed: bool
    detail: str = ""


class PublicCheck:
    """Collects named checks; ``report()`` prints them and returns the number passed."""

    def __init__(self, exercise: str):
        self.exercise = exercise
        self.results: list[CheckResult] = []

    def check(self, name: str, hint: str, test: Callable[[], str | None]) -> bool:
        """Run ``test``; it returns None when all is well or a message saying what differed."""
        try:
            problem = test()
        except NotImplementedError:
            problem = "not implemented yet"
        except Exception as error:  # noqa: BLE001 - report any error of the student's code
            frames = traceback.extract_tb(error.__traceback__)
            where = f" (line {frames[-1].lineno})" if frames else ""
            problem = f"raised {type(error).__name__}: {error}{where}"
        passed = problem is None
        detail = "" if passed else f"{problem}\n      hint: {hint}"
        self.results.append(CheckResult(name, passed, detail))
        return passed

    def report(self) -> int:
        passed = sum(r.passed for r in self.results)
        print(f"Public checks for {self.exercise}: {passed}/{len(self.results)} passed")
        for result in self.results:
            print(f"  {'✓' if result.passed else '✗'} {result.name}")
            if result.detail:
                print(f"      {result.detail}")
        if passed == len(self.results):
            print("All public checks pass. The graded suite tests more cases than these.")
        return passed
