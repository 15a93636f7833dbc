"""The Colab install cell: the first code cell of every notebook, written from ``_config.yml``.

On Colab a notebook opens without the course's package, so its first code cell installs
``coursepkg`` from the repository when it is missing (and does nothing elsewhere).  The
repository's address is written in one place, ``_config.yml`` (``repository.url`` and
``repository.branch``): it is the public *student edition* that ``coursepkg release``
writes (never the instructors' repository, which holds the solutions and hidden suites).
:func:`stamp` writes the cell into every notebook under ``book/``, ``exercises/`` and
``solutions/``, and :func:`check` reports notebooks whose cell disagrees.  In an exercise
notebook the cell also carries the tag ``practice``, so that the grader skips it.
From a shell::

    coursepkg colab stamp   # rewrite the cells
    coursepkg colab check   # exit 1 and list notebooks that disagree
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

NOTEBOOK_FOLDERS = ("book", "exercises", "solutions")
"""Folders (relative to the repository root) whose notebooks carry the install cell."""

TAG = "colab-install"
"""Tag that :func:`stamp` puts on the install cells it adds (for readers and tools)."""

EXERCISE_FOLDERS = ("exercises", "solutions")
"""Folders of exercise notebooks, whose install cell is a practice cell (the grader skips it)."""

PRACTICE_TAG = "practice"


def repository(root: Path | str = ".") -> tuple[str, str]:
    """``(url, branch)`` of the repository, from ``<root>/_config.yml``."""
    import yaml  # PyYAML comes with jupyter-book; only maintainers run this module

    path = Path(root) / "_config.yml"
    config = yaml.safe_load(path.read_text()) or {}
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if not url.startswith("https://"):
        raise ValueError(f"{path}: repository.url must be an https address, got {url!r}")
    return url, str(repo.get("branch", DEFAULT_BRANCH))


GUARD = 'importlib.util.find_spec("coursepkg") is None'
"""The condition every install cell tests, so that it installs nothing outside Colab."""

_SPEC = re.compile(r"coursepkg\s*@\s*git\+[^\s\"']+")


DEFAULT_BRANCH = "main"
"""The repository's default branch: pip installs from it when no branch is named."""


def pip_spec(url: str, branch: str = DEFAULT_BRANCH) -> str:
    """The pip requirement that installs ``coursepkg`` from ``url`` at ``branch``.

    The default branch is left implicit (``coursepkg @ git+URL``); any other branch is
    named (``coursepkg @ git+URL@BRANCH``), so that a course edition kept on its own branch
    installs its own package.
    """
    return f"coursepkg @ git+{url}" + ("" if branch == DEFAULT_BRANCH else f"@{branch}")


def install_cell_source(url: str, branch: str = DEFAULT_BRANCH) -> str:
    """The source of the install cell for the repository at ``url`` (on ``branch``)."""
    spec = pip_spec(url, branch)
    return (
        "# On Colab, install coursepkg first (elsewhere it is already there).\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("coursepkg") is None:\n'
        "    subprocess.check_call(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "{spec}"]\n'
        "    )"
    )


def is_install_cell(source: str) -> bool:
    """Whether a cell's source is an install cell of some repository (ours or not)."""
    return GUARD in source or _SPEC.search(source) is not None


def notebooks(root: Path | str = ".") -> list[Path]:
    """Every ``.ipynb`` under the :data:`NOTEBOOK_FOLDERS` of ``root`` (checkpoints excluded)."""
    found = []
    for folder in NOTEBOOK_FOLDERS:
        for path in sorted((Path(root) / folder).rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in path.parts:
                found.append(path)
    return found


def _is_exercise(path: Path, root: Path | None = None) -> bool:
    parts = Path(path).relative_to(root).parts if root else Path(path).parts
    return bool(set(parts[:-1]) & set(EXERCISE_FOLDERS))


def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _first_code_cell(nb) -> int | None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            return index
    return None


def problem(path: Path | str, url: str, branch: str, exercise: bool = False) -> str | None:
    """Why ``path``'s first code cell does not install ``coursepkg`` from ``url`` at ``branch``.

    The cell must test :data:`GUARD` (install only when the package is missing) and name
    exactly the requirement :func:`pip_spec` gives; its comments and layout are free.
    In an ``exercise`` notebook it must also be tagged :data:`PRACTICE_TAG`.
    Returns None when it does.
    """
    nb = nbformat.read(path, as_version=4)
    index = _first_code_cell(nb)
    fix = "run `coursepkg colab stamp`"
    if index is None:
        return f"{path}: has no code cell; the first one must install coursepkg ({fix})"
    source = nb.cells[index].source
    if not is_install_cell(source):
        return f"{path}: the first code cell does not install coursepkg ({fix})"
    specs = [m.group(0) for m in _SPEC.finditer(source)]
    want = pip_spec(url, branch)
    if specs != [want] or GUARD not in source:
        found = ", ".join(repr(s) for s in specs) or "no pip requirement"
        return (
            f"{path}: the install cell installs {found}, but _config.yml says {want!r} "
            f"(and the cell must test `{GUARD}`); {fix}"
        )
    if exercise and PRACTICE_TAG not in _tags(nb.cells[index]):
        return f"{path}: the install cell of an exercise must be tagged {PRACTICE_TAG!r}; {fix}"
    return None


def check(root: Path | str = ".") -> list[str]:
    """Problems with the install cells of every notebook under ``root`` (empty when all agree)."""
    url, branch = repository(root)
    found = (problem(p, url, branch, _is_exercise(p, Path(root))) for p in notebooks(root))
    return [p for p in found if p is not None]


def stamp(root: Path | str = ".") -> list[Path]:
    """Write the install cell into every notebook under ``root``; return the files changed.

    A first code cell that already installs the package (from any address) is rewritten;
    otherwise a new cell tagged :data:`TAG` goes in just before the first code cell (after
    the notebook's opening text).  Notebooks that already agree are left untouched.
    """
    url, branch = repository(root)
    source = install_cell_source(url, branch)
    changed = []
    for path in notebooks(root):
        exercise = _is_exercise(path, Path(root))
        if problem(path, url, branch, exercise) is None:
            continue
        nb = nbformat.read(path, as_version=4)
        index = _first_code_cell(nb)
        tags = [TAG, PRACTICE_TAG] if exercise else [TAG]
        if index is not None and is_install_cell(nb.cells[index].source):
            cell = nb.cells[index]
            cell.source = source
            cell.setdefault("metadata", {})["tags"] = _tags(cell) + [
                t for t in tags if t not in _tags(cell)
            ]
        else:
            cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
            if nb.nbformat_minor < 5:  # cell ids arrived in nbformat 4.5
                del cell["id"]
            nb.cells.insert(len(nb.cells) if index is None else index, cell)
        nbformat.write(nb, path)
        changed.append(path)
    return changed
