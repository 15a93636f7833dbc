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

The cells that define what is graded use only Python, torch, numpy and scipy: the grader
runs them without the course package. Cells that use ``coursepkg`` (the Colab install
cell, trying things out, the public check) carry the tag ``practice``, and the grader
skips them. ``coursepkg exercises`` also stores, for every public check that compares
with expected values, the values the solution's own functions give on the public inputs
(see :mod:`coursepkg.practice.expected`).
"""

from __future__ import annotations

import copy
import importlib
import re
from pathlib import Path

import nbformat

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
STUB = 'raise NotImplementedError("write your solution here")'
PRACTICE_TAG = "practice"
"""Tag of the cells the grader skips: they use ``coursepkg`` (install, try-outs, checks)."""


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


def is_practice(cell) -> bool:
    """Whether a cell is tagged :data:`PRACTICE_TAG` (the grader skips it)."""
    return PRACTICE_TAG in cell.get("metadata", {}).get("tags", [])


def graded_source(notebook: nbformat.NotebookNode) -> list[str]:
    """The Python of the code cells the grader runs (practice cells and IPython lines left out)."""
    sources = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or is_practice(cell):
            continue
        lines = cell.source.splitlines()
        if lines and lines[0].lstrip().startswith("%%"):
            continue
        sources.append(
            "\n".join("pass" if ln.lstrip().startswith(("!", "%")) else ln for ln in lines)
        )
    return sources


def graded_namespace(path: Path | str) -> dict:
    """Run a *solution's* graded cells here and return what they define.

    Only for notebooks of the course itself (solutions): a submission is never run in
    a trusted process.
    """
    namespace: dict = {"__name__": "__main__"}
    for index, source in enumerate(graded_source(nbformat.read(path, as_version=4))):
        exec(compile(source, f"<{Path(path).name}: graded cell {index + 1}>", "exec"), namespace)
    return namespace


def practice_module(exercise: str):
    """The public check of ``exercise`` (``coursepkg.practice.<exercise>``)."""
    return importlib.import_module(f"coursepkg.practice.{exercise}")


def sync_expected(solutions: Path, check: bool = False) -> list[str]:
    """Store (or with ``check``, compare) each public check's expected values.

    Returns the exercises whose stored values disagree with their solution.
    """
    from coursepkg.practice import expected

    drifted = []
    for path in sorted(solutions.glob("ex*.ipynb")):
        module = practice_module(path.stem)
        if not hasattr(module, "expected_values"):
            continue
        namespace = graded_namespace(path)
        computed = module.expected_values(*(namespace[name] for name in module.FUNCTIONS))
        try:
            stored = expected.load(path.stem)
        except FileNotFoundError:
            stored = None
        if stored is None or expected.differences(stored, computed):
            drifted.append(path.stem)
            if not check:
                expected.write(path.stem, computed)
    return drifted
