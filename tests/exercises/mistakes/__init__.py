"""Plausible wrong implementations of every exercise, one module per exercise.

``tests/exercises/mistakes/exNN_<name>.py`` defines ``MISTAKES``, a list of :class:`Mistake`:
the solution notebook with one piece of text swapped for a plausible mistake. The exercise
tests grade each one with the real grader and check that it loses points, that the feedback
of every failed test blames one of the functions the mistake is in, and that no feedback
(of the graded suite or of the public check) contains the words or the code of the fix.
An exercise of any chapter plugs in by adding its module here; nothing else changes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mistake:
    """One wrong implementation: ``old`` (which occurs exactly once in the solution
    notebook) replaced by ``new``."""

    name: str
    old: str
    new: str
    blames: tuple[str, ...]
    """The functions (or classes) the mistake is in: failed tests must name one of them."""
    forbidden: tuple[str, ...] = ()
    """Text of the fix that no feedback may contain (the code lines of ``old`` are
    forbidden as well)."""
    loses_at_least: float = 1.0
    """Points the mistake must cost."""
    public_may_pass: bool = False
    """True when the public check cannot see this mistake (only the hidden suite can)."""


def all_mistakes() -> dict[str, list[Mistake]]:
    """``{exercise: [Mistake, ...]}`` for every module in this folder."""
    found = {}
    for path in sorted(Path(__file__).parent.glob("ex*.py")):
        module = importlib.import_module(f"{__name__}.{path.stem}")
        found[path.stem] = list(module.MISTAKES)
    return found
