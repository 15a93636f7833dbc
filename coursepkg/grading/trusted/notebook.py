"""Reading a submitted notebook as data: never executed here, only parsed.

The grader runs the code cells in order, as Jupyter's "Run all" would, with the
lines that only IPython understands set aside: shell lines (``!pip ...``), line
magics (``%matplotlib``) and cells that start with a cell magic (``%%bash``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat


class NotebookError(Exception):
    """The submission cannot be read as a notebook; the message says why."""


@dataclass(frozen=True)
class CodeCell:
    """One code cell: its position among all cells and the Python source to run."""

    index: int
    source: str


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Parse a notebook file, raising :class:`NotebookError` with a readable reason."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise NotebookError(f"cannot read {path.name}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not a text file (not UTF-8)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"{path.name} is not a valid notebook: not JSON ({error.msg} at line {error.lineno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{path.name} is JSON but not a notebook (no list of cells)")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several types for bad structure
        raise NotebookError(f"{path.name} is not a valid notebook: {error}") from None


def python_source(cell_source: str) -> str | None:
    """The Python a code cell contributes; ``None`` for a cell-magic cell.

    Shell and line-magic lines become ``pass`` so that line numbers in
    tracebacks still match the notebook.
    """
    lines = cell_source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return None
    kept = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")):
            indent = line[: len(line) - len(stripped)]
            kept.append(f"{indent}pass")
        else:
            kept.append(line)
    return "\n".join(kept)


def code_cells(notebook: nbformat.NotebookNode) -> list[CodeCell]:
    """The code cells of a notebook, in order, as Python source."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        python = python_source(source)
        if python is not None and python.strip():
            cells.append(CodeCell(index, python))
    return cells
