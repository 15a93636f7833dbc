"""Public checks: what a student runs at the end of an exercise notebook.

A public check tries the student's functions on a few *public* inputs and prints, for each
check, a tick or a cross. A cross says what a teaching assistant would say: the property
that failed, a small public input on which it fails with the expected and the actual
result, and a hint that points to the idea (and the chapter section that explains it),
never to the code of the fix. Hints escalate only as far as needed: the first failure of a
check shows its first hint; if the same check still fails the next time the checks run,
the next, more specific hint is added.

A public check never raises (the notebook keeps running) and it is not the grade: the
hidden suite tests more, on inputs the student does not see.

Every exercise's module, ``coursepkg/practice/exNN_<name>.py``, has the same shape::

    FUNCTIONS = ("jacobian_norms", "decay_rate")   # what the student writes, in this order

    def checks(jacobian_norms, decay_rate) -> PublicCheck:   # run the checks, print nothing
        ...

    def run(jacobian_norms, decay_rate) -> None:             # the notebook's last cell
        checks(jacobian_norms, decay_rate).report()

and may store expected values for its public inputs (computed by the solution) with
:mod:`coursepkg.practice.expected`, instead of computing them with a reference
implementation: the package holds no exercise's answer.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Problem:
    """Why a check failed: the property, and a small public counterexample.

    ``hints``, when given, replace the check's own hints: a check that can tell which of
    several things went wrong gives the hints that fit that one.
    """

    property: str
    example: str = ""
    expected: str = ""
    got: str = ""
    hints: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = [self.property]
        for label, value in (("input", self.example), ("expected", self.expected)):
            if value:
                out.append(f"{label + ':':<10}{value}")
        if self.got:
            out.append(f"{'got:':<10}{self.got}")
        return out


def explain(property: str, example: str = "", expected: str = "", got: str = "") -> str:
    """A failure message in the course's one format (the hidden suites use it too).

    >>> print(explain("entry t is ||dh_T/dh_t||", "the public network SMALL", "0.5", "0.7"))
    entry t is ||dh_T/dh_t||
    input:    the public network SMALL
    expected: 0.5
    got:      0.7
    """
    return "\n".join(Problem(property, example, expected, got).lines())


def format_numbers(values, digits: int = 4) -> str:
    """Numbers as a failure message shows them: ``digits`` significant digits, nested lists
    for arrays (a tensor, an array, a list or one number).

    >>> format_numbers([0.123456, 2, float("nan")])
    '[0.1235, 2, nan]'
    >>> format_numbers([[1.0, 0.5], [0.25, 1 / 3]], digits=2)
    '[[1, 0.5], [0.25, 0.33]]'
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        return f"{float(values):.{digits}g}"
    return "[" + ", ".join(format_numbers(v, digits) for v in values) + "]"


_FAILURES: dict[tuple[str, str, str], int] = {}
"""How many times in a row each (exercise, check, property) has failed in this session."""


@dataclass
class CheckResult:
    name: str
    passed: bool
    problem: Problem | None = None
    hints: list[str] = field(default_factory=list)
    more_hints: bool = False

    def text(self) -> str:
        """The lines printed under a failed check (empty for a passed one)."""
        if self.passed or self.problem is None:
            return ""
        lines = self.problem.lines()
        for level, hint in enumerate(self.hints, start=1):
            lines.append(f"hint {level}: {hint}" if len(self.hints) > 1 else f"hint: {hint}")
        if self.more_hints:
            lines.append("(if this check still fails next time, a more specific hint follows)")
        return "\n".join(lines)


class PublicCheck:
    """Collects named checks; :meth:`report` prints them."""

    def __init__(self, exercise: str):
        self.exercise = exercise
        self.results: list[CheckResult] = []

    def check(
        self,
        name: str,
        test: Callable[[], Problem | str | None],
        hints: Sequence[str] = (),
    ) -> bool:
        """Run ``test``: it returns None when all is well, else a :class:`Problem` (or a
        plain message). ``hints`` go from general to specific; see the module docstring."""
        try:
            problem = test()
        except NotImplementedError:
            problem = Problem("not written yet: the function still raises NotImplementedError")
            hints = ()
        except Exception as error:  # noqa: BLE001 - report any error of the student's code
            frames = traceback.extract_tb(error.__traceback__)
            where = f" (line {frames[-1].lineno} of {frames[-1].name})" if frames else ""
            problem = Problem(f"raised {type(error).__name__}: {error}{where}")
        if isinstance(problem, str):
            problem = Problem(problem)
        result = CheckResult(name, problem is None, problem)
        if problem is not None:
            hints = list(problem.hints or hints)
            key = (self.exercise, name, problem.property)
            for other in [k for k in _FAILURES if k[:2] == key[:2] and k != key]:
                del _FAILURES[other]  # a different failure starts again at the first hint
            _FAILURES[key] = _FAILURES.get(key, 0) + 1
            result.hints = hints[: max(1, _FAILURES[key])]
            result.more_hints = len(hints) > len(result.hints)
        else:
            for key in [k for k in _FAILURES if k[:2] == (self.exercise, name)]:
                del _FAILURES[key]
        self.results.append(result)
        return result.passed

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    def text(self) -> str:
        """The report :meth:`report` prints."""
        total = len(self.results)
        lines = [f"Public checks for {self.exercise}: {self.passed} of {total} pass"]
        for result in self.results:
            lines.append(f"  {'✓' if result.passed else '✗'} {result.name}")
            lines.extend(f"      {line}" for line in result.text().splitlines())
        if self.passed == total:
            lines.append("All public checks pass. The graded suite tests more cases than these.")
        return "\n".join(lines)

    def report(self) -> None:
        """Print the report (and return nothing, so a notebook shows only the report)."""
        print(self.text())
