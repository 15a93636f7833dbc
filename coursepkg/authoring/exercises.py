"""Student notebooks are generated from solution notebooks; this module does it.

In a solution notebook, code between two marker lines is the solution::

    def motif_rnn_weights(motif):
        # BEGIN SOLUTION
        ...
        # END SOLUTION

The student version replaces each region with ``raise NotImplementedError(...)`` at the
marker's indentation, drops cells tagged ``solution`` and clears every output.
``exercises/`` is never edited by hand: ``coursepkg exercises`` writes it and
``coursepkg exercises --check`` fails when a file drifts from its solution.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
STUB = 'raise NotImplementedError("write your solution here")'


class MarkerError(ValueError):
    """Unbalanced solution markers."""


def strip_solution(source: str, where: str = "") -> str:
    """Replace every marked solution region in ``source`` by a ``NotImplementedError`` stub."""
    out, inside = [], False
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise MarkerError(f"{where} line {number}: BEGIN SOLUTION inside a solution region")
            inside = True
            out.append(f"{begin.group(1)}# YOUR CODE HERE")
            out.append(f"{begin.group(1)}{STUB}")
        elif END.match(line):
            if not inside:
                raise MarkerError(f"{where} line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: BEGIN SOLUTION is never closed")
    return "\n".join(out)


def student_version(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student notebook for a solution notebook (a new object; the input is untouched)."""
    notebook = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(notebook.cells):
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source, where=f"cell {index}")
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    notebook.cells = cells
    return notebook


def render(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook) + "\n"


def sync(solutions: Path, exercises: Path, check: bool = False) -> list[str]:
    """Write (or with ``check``, compare) every student notebook. Returns drifted names."""
    drifted = []
    exercises.mkdir(parents=True, exist_ok=True)
    for path in sorted(solutions.glob("ex*.ipynb")):
        wanted = render(student_version(nbformat.read(path, as_version=4)))
        target = exercises / path.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != wanted:
            drifted.append(path.name)
            if not check:
                target.write_text(wanted, encoding="utf-8")
    if check:
        expected = {p.name for p in solutions.glob("ex*.ipynb")}
        drifted += sorted(p.name for p in exercises.glob("ex*.ipynb") if p.name not in expected)
    return drifted
