"""A graded notebook: per-test results, a terminal table, and Gradescope's results.json.

Gradescope's format (https://gradescope-autograders.readthedocs.io): a top-level
``score``, and ``tests``, each with ``name``, ``score``, ``max_score``, ``output`` and
``visibility``.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from coursepkg import __version__
from coursepkg.grading.trusted.notebook import CELL_NUMBERING


@dataclass
class TestResult:
    __test__ = False  # (not a pytest test class)

    name: str
    max_score: float
    score: float
    hint: str = ""
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    def feedback(self) -> str:
        """What the student reads: the hint, then what went wrong."""
        if self.passed:
            return "passed"
        parts = [f"Hint: {self.hint}"] if self.hint else []
        if self.message:
            parts.append(self.message)
        return "\n".join(parts)


@dataclass
class GradeReport:
    notebook: str
    exercise: str
    tests: list[TestResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    output: str = ""
    grader_failure: str = ""
    """Set when the grader itself failed (its sandbox): the notebook was not graded."""

    @property
    def graded(self) -> bool:
        return not self.grader_failure

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)

    def table(self, width: int = 100) -> str:
        """A plain-text table: one row per test, hints under failed tests."""
        lines = [f"{self.exercise}  ({self.notebook}; graded by coursepkg {__version__})"]
        if self.grader_failure:
            lines.append(f"  ! NOT GRADED: {self.grader_failure}")
        for problem in self.problems:
            lines.extend(
                textwrap.wrap(problem, width, initial_indent="  ! ", subsequent_indent="    ")
            )
        if any("code cell " in p for p in self.problems):
            lines.append(f"    ({CELL_NUMBERING})")
        name_width = max([len(t.name) for t in self.tests] + [4])
        lines.append(f"  {'test'.ljust(name_width)}  points")
        for test in self.tests:
            mark = "ok  " if test.passed else "FAIL"
            lines.append(
                f"  {test.name.ljust(name_width)}  {test.score:g}/{test.max_score:g}  {mark}"
            )
            if not test.passed:
                for line in test.feedback().splitlines()[:12]:
                    lines.extend(
                        textwrap.wrap(
                            line, width, initial_indent="      ", subsequent_indent="      "
                        )
                        or [""]
                    )
        lines.append(f"  {'total'.ljust(name_width)}  {self.score:g}/{self.max_score:g}")
        return "\n".join(lines)

    def gradescope(self) -> dict:
        """This report in Gradescope's ``results.json`` format."""
        overall = "\n".join(self.problems)
        if any("code cell " in p for p in self.problems):
            overall += f"\n({CELL_NUMBERING})"
        if self.grader_failure:
            overall = f"Not graded: the grader failed ({self.grader_failure})\n{overall}"
        overall = (
            f"Graded by coursepkg {__version__}, exercise {self.exercise}.\n{overall}".rstrip()
        )
        return {
            "score": self.score,
            "output": overall,
            "extra_data": {"course_version": __version__, "exercise": self.exercise},
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [
                {
                    "name": t.name,
                    "score": t.score,
                    "max_score": t.max_score,
                    "output": t.feedback(),
                    "visibility": "visible",
                }
                for t in self.tests
            ],
        }

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.gradescope(), indent=2) + "\n", encoding="utf-8")
