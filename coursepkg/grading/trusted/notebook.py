"""Reading a submitted notebook as data: never executed here, only parsed, within bounds.

The file is read with a size limit, scanned for depth and item count before it is decoded
(:func:`coursepkg.grading.protocol.loads`), and its structure is checked by hand, cell by
cell: a notebook that is not JSON, or is JSON of the wrong shape, raises
:class:`NotebookError` with a readable reason; a cell that is malformed (a source that is
not text, metadata that is not an object) is skipped and named in :attr:`Notebook.notes`.

The grader runs the code cells in order, as Jupyter's "Run all" would, except:

* cells tagged ``practice`` (cell metadata ``"tags": ["practice"]``): the student's
  try-outs and public checks, which need the course package;
* lines that only IPython understands: shell lines (``!pip ...``) and line magics
  (``%matplotlib``) become ``pass``; a cell that starts with a cell magic (``%%bash``) is
  skipped.

Cells are numbered the way a student finds them: the code cells from 1, top to bottom,
markdown cells not counted (Jupyter's ``In [n]`` counts depend on the order they were run,
so they cannot name a cell).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from coursepkg.grading import protocol

MAX_NOTEBOOK_BYTES = 32 * 2**20
NOTEBOOK_LIMITS = protocol.Limits(bytes=MAX_NOTEBOOK_BYTES, depth=64, items=2_000_000)
MAX_CELLS = 2000
PRACTICE_TAG = "practice"
CELL_NUMBERING = "code cells are numbered from 1, top to bottom (markdown cells not counted)"


class NotebookError(Exception):
    """The submission cannot be read as a notebook; the message says why."""


@dataclass(frozen=True)
class CodeCell:
    """One code cell to run: its number among the notebook's code cells and its Python."""

    number: int
    source: str


@dataclass
class Notebook:
    """What the grader takes from a notebook file."""

    cells: list[CodeCell] = field(default_factory=list)
    exercise: str | None = None
    """The exercise the notebook's metadata names (a hint only: the assignment decides)."""
    notes: list[str] = field(default_factory=list)
    """Cells that were skipped because they are malformed."""


def read_bytes(path: Path, follow_symlinks: bool = True, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The file's bytes, if it is a regular file of at most ``limit`` bytes.

    It is opened without blocking (a FIFO named ``x.ipynb`` cannot hang the grader) and,
    unless ``follow_symlinks``, without following a symbolic link.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if not follow_symlinks and os.path.islink(path):
            raise NotebookError(f"{_shown(path)} is a symbolic link, not a notebook") from None
        raise NotebookError(f"cannot read {_shown(path)}: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{_shown(path)} is not a regular file")
        if info.st_size > limit:
            raise NotebookError(
                f"{_shown(path)} is {info.st_size / 2**20:.0f} MiB, over the limit of "
                f"{limit / 2**20:.0f} MiB (clear the outputs and submit again)"
            )
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise NotebookError(f"{_shown(path)} grew beyond the size limit while read")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise NotebookError(f"cannot read {_shown(path)}: {error.strerror}") from None
    finally:
        os.close(fd)


def _shown(path: Path) -> str:
    """A file name safe to print (no control characters, undecodable bytes escaped)."""
    name = os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)[:200] or "''"


def read_notebook(path: str | Path, follow_symlinks: bool = True) -> Notebook:
    """Parse a notebook file, raising :class:`NotebookError` with a readable reason."""
    path = Path(path)
    raw = read_bytes(path, follow_symlinks)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{_shown(path)} is not a text file (not UTF-8)") from None
    try:
        data = protocol.loads(raw, NOTEBOOK_LIMITS)
    except protocol.ProtocolError as error:
        raise NotebookError(f"{_shown(path)} is not a valid notebook ({error})") from None
    return parse(data, _shown(path))


def parse(data, name: str = "the notebook") -> Notebook:
    """The code cells (and the exercise named in the metadata) of decoded notebook JSON."""
    if type(data) is not dict or type(data.get("cells")) is not list:
        raise NotebookError(f"{name} is JSON but not a notebook (no list of cells)")
    notebook = Notebook()
    metadata = data.get("metadata")
    if type(metadata) is dict and type(metadata.get("coursepkg")) is dict:
        exercise = metadata["coursepkg"].get("exercise")
        if type(exercise) is str and len(exercise) <= 100:
            notebook.exercise = exercise
    if len(data["cells"]) > MAX_CELLS:
        raise NotebookError(f"{name} has {len(data['cells'])} cells, more than {MAX_CELLS}")
    number = 0
    for position, cell in enumerate(data["cells"], start=1):
        if type(cell) is not dict:
            notebook.notes.append(f"cell {position} of the file is not a cell; skipped")
            continue
        if cell.get("cell_type") != "code":
            continue
        number += 1
        source = _text(cell.get("source", ""))
        if source is None:
            notebook.notes.append(f"code cell {number} has a source that is not text; skipped")
            continue
        if PRACTICE_TAG in _tags(cell.get("metadata")):
            continue
        python = python_source(source)
        if python is not None and python.strip():
            notebook.cells.append(CodeCell(number, python))
    return notebook


def _text(source) -> str | None:
    """A cell's source as one string (nbformat allows a string or a list of strings)."""
    if type(source) is str:
        return source
    if type(source) is list and all(type(line) is str for line in source):
        return "".join(source)
    return None


def _tags(metadata) -> set[str]:
    if type(metadata) is not dict or type(metadata.get("tags")) is not list:
        return set()
    return {t for t in metadata["tags"] if type(t) is str}


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
