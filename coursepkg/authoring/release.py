"""``coursepkg release``: the student edition and the Gradescope autograder bundle.

    coursepkg release [--out DIR] [--root REPO]

writes

``DIR/student/``
    what students get: the book (``_config.yml``, ``_toc.yml``, ``book/``), the exercise
    notebooks (``exercises/``, with their public checks in ``coursepkg/practice``), the
    ``coursepkg`` sources, ``README.md``, ``pyproject.toml``, ``constraints.txt``. Never
    ``solutions/``, ``tests/`` or anything carrying a solution region; the release fails
    if a solution marker or a hidden suite slipped in.
``DIR/autograder/<exercise>.zip``
    Gradescope's bundle for one exercise (one per exercise: the assignment decides which
    exercise is graded, never the submission), unpacked by Gradescope into
    ``/autograder/source``: ``setup.sh`` (installs bubblewrap and ``coursepkg`` with the
    pinned constraints), ``run_autograder`` (grades ``/autograder/submission`` into
    ``/autograder/results/results.json``; the root can be moved with ``$AUTOGRADER_ROOT`` so
    the bundle can be run locally), the ``coursepkg`` sources and that exercise's hidden suite
    alone (``tests/hidden_suites``).
"""

from __future__ import annotations

import fnmatch
import shutil
import stat
import zipfile
from pathlib import Path

STUDENT_FILES = [
    "_config.yml",
    "_toc.yml",
    "README.md",
    "pyproject.toml",
    "constraints.txt",
    "LICENSE",
    "Makefile",
]
STUDENT_DIRS = ["book", "exercises", "coursepkg"]
IGNORE = ["__pycache__", "*.pyc", ".ipynb_checkpoints", "_build", "*.egg-info", ".DS_Store"]
SECRET_MARKERS = ["# BEGIN SOLUTION", "# END SOLUTION"]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, when the image is built.
set -euo pipefail
cd "$(dirname "$0")"
apt-get update -q && apt-get install -y -q python3 python3-pip python3-venv util-linux bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q --extra-index-url https://download.pytorch.org/whl/cpu \\
    -c constraints.txt -e .
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this as root for each submission. AUTOGRADER_ROOT moves the layout
# (source/, submission/, results/) for a local run; AUTOGRADER_PYTHON picks the interpreter.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-/autograder/venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
SOURCE="$ROOT/source"
# the hidden suites: readable by root only (the student's process runs as nobody)
chmod -R go-rwx "$SOURCE/tests"
mkdir -p "$ROOT/results"
cd "$SOURCE"
export PYTHONPATH="$SOURCE"
exec "$PYTHON" -m coursepkg.grading.trusted.gradescope "$ROOT"
"""


class ReleaseError(Exception):
    """The release would leak something it must not."""


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE)


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(
        src, dst, ignore=lambda d, names: [n for n in names if _ignored(n)], dirs_exist_ok=True
    )


def student_edition(root: Path, out: Path) -> Path:
    """Write the student edition to ``out`` and check it holds no secret."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in STUDENT_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, out / name)
    for name in STUDENT_DIRS:
        if (root / name).is_dir():
            _copy_tree(root / name, out / name)
    check_student_edition(out)
    return out


def check_student_edition(out: Path) -> None:
    """Fail if the edition holds solutions, hidden suites or solution regions."""
    for path in out.rglob("*"):
        rel = path.relative_to(out)
        if rel.parts[0] in ("solutions", "tests") or fnmatch.fnmatch(path.name, "test_ex*.py"):
            raise ReleaseError(f"the student edition must not contain {rel}")
        if path.is_file() and path.suffix in (".py", ".ipynb"):  # (prose may name the markers)
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in SECRET_MARKERS:
                if marker in text and rel.parts[0] != "coursepkg":
                    raise ReleaseError(f"{rel} contains a solution region ({marker!r})")


def autograder_bundle(root: Path, zip_path: Path, exercise: str) -> Path:
    """Write Gradescope's bundle of ``exercise``: setup.sh, run_autograder, coursepkg, and
    that exercise's hidden suite alone (so the bundle can grade nothing else)."""
    suites = [root / "tests" / "hidden_suites" / f"test_{exercise}.py"]
    if not suites[0].is_file():
        raise ReleaseError(f"no hidden suite for {exercise} in {root / 'tests' / 'hidden_suites'}")
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, text)
        for name in ("pyproject.toml", "constraints.txt", "README.md"):
            if (root / name).is_file():
                bundle.write(root / name, name)
        for path in sorted((root / "coursepkg").rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(_ignored(part) for part in rel.parts):
                bundle.write(path, str(rel))
        for path in suites:
            bundle.write(path, str(path.relative_to(root)))
    return zip_path


def unpack_bundle(zip_path: Path, source: Path) -> None:
    """Unpack like Gradescope does, keeping the executable bits."""
    with zipfile.ZipFile(zip_path) as bundle:
        for info in bundle.infolist():
            bundle.extract(info, source)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                (source / info.filename).chmod(mode)


def release(root: str | Path = ".", out: str | Path = "release") -> dict[str, Path]:
    """Write the student edition and one autograder bundle per exercise; returns their paths
    (``"autograder"`` is the folder of bundles)."""
    root, out = Path(root).resolve(), Path(out)
    suites = sorted((root / "tests" / "hidden_suites").glob("test_ex*.py"))
    if not suites:
        raise ReleaseError(f"no hidden suites in {root / 'tests' / 'hidden_suites'}")
    paths = {"student": student_edition(root, out / "student"), "autograder": out / "autograder"}
    for suite in suites:
        exercise = suite.stem[len("test_") :]
        zip_path = out / "autograder" / f"{exercise}.zip"
        paths[f"autograder {exercise}"] = autograder_bundle(root, zip_path, exercise)
    return paths
