"""Stored expected values of the public checks, computed once by the solutions.

A public check compares the student's result on a public input with a value stored here
(``coursepkg/practice/expected/<exercise>.json``), never with a reference implementation
in the package. The values are computed by the solution notebook's own functions:
``coursepkg exercises`` writes them (it runs each solution's graded cells), and
``tests/exercises`` fails when a stored value no longer agrees with the solution.

An exercise's practice module opts in by defining
``expected_values(**functions) -> dict`` (plain lists and numbers, JSON-ready).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

FOLDER = Path(__file__).parent / "expected"


def path(exercise: str) -> Path:
    return FOLDER / f"{exercise}.json"


def load(exercise: str) -> dict:
    """The stored expected values of ``exercise``."""
    try:
        return json.loads(path(exercise).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no stored expected values for {exercise} ({path(exercise)}); "
            "a maintainer writes them with `coursepkg exercises`"
        ) from None


def write(exercise: str, values: dict) -> Path:
    """Store ``values`` for ``exercise`` (pretty-printed, keys sorted: small diffs)."""
    FOLDER.mkdir(exist_ok=True)
    target = path(exercise)
    target.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def differences(stored, computed, where: str = "", rel: float = 1e-7) -> list[str]:
    """Where ``computed`` disagrees with ``stored`` (numbers within ``rel``); empty if nowhere."""
    if isinstance(stored, dict) and isinstance(computed, dict):
        found = []
        for key in sorted(set(stored) | set(computed)):
            if key not in stored or key not in computed:
                found.append(
                    f"{where}/{key}: only in {'computed' if key in computed else 'stored'}"
                )
            else:
                found += differences(stored[key], computed[key], f"{where}/{key}", rel)
        return found
    if isinstance(stored, list) and isinstance(computed, list):
        if len(stored) != len(computed):
            return [f"{where}: {len(stored)} stored items, {len(computed)} computed"]
        found = []
        for i, (a, b) in enumerate(zip(stored, computed, strict=True)):
            found += differences(a, b, f"{where}[{i}]", rel)
        return found
    if isinstance(stored, (int, float)) and isinstance(computed, (int, float)):
        if math.isclose(stored, computed, rel_tol=rel, abs_tol=1e-12):
            return []
        return [f"{where}: stored {stored!r}, computed {computed!r}"]
    return [] if stored == computed else [f"{where}: stored {stored!r}, computed {computed!r}"]
