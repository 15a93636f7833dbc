"""``coursepkg release``: the student edition and one Gradescope bundle per exercise.

    coursepkg release [--out DIR] [--root REPO]

writes

``DIR/student/``
    The student edition, the repository students clone, open on Colab and install from
    (publish it at ``repository.url`` of ``_config.yml``; the instructors' repository,
    with the solutions and hidden suites, stays private). It holds the book
    (``_config.yml``, ``_toc.yml``, ``book/``), the exercise notebooks (``exercises/``,
    with their public checks in ``coursepkg/practice``), the ``coursepkg`` sources,
    ``pyproject.toml``, ``constraints.txt``, and a README and Makefile of its own
    (:data:`EDITION`: how to read, run, check and submit; ``make lab``, ``make book``).
    Never ``solutions/``, ``tests/`` or a solution region: :func:`check_student_edition`
    fails the release if one slipped in, or if an install cell points anywhere else.
``DIR/autograder/<exercise>.zip``
    Gradescope's bundle for one exercise, unpacked by Gradescope into
    ``/autograder/source``: ``setup.sh`` (installs ``coursepkg`` with the pinned
    constraints into ``/autograder/venv``), ``run_autograder`` (grades
    ``/autograder/submission`` with *this* exercise's hidden suite, whatever the submitted
    file is called, into ``/autograder/results/results.json``), the ``coursepkg`` sources
    and that one hidden suite. ``AUTOGRADER_ROOT`` moves the layout, so that a bundle can
    be tried locally (the course README shows how).
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import stat
import zipfile
from pathlib import Path

from coursepkg import __version__
from coursepkg.authoring import colab

STUDENT_FILES = [
    "_config.yml",
    "_toc.yml",
    "pyproject.toml",
    "constraints.txt",
    "LICENSE",
    "LICENSE-CONTENT.md",
    "CITATION.cff",
]
STUDENT_DIRS = ["book", "exercises", "coursepkg", "jupyter"]
EDITION = Path(__file__).with_name("edition")
"""The student edition's own README.md, Makefile and GitHub Pages workflow (templates)."""
IGNORE = ["__pycache__", "*.pyc", ".ipynb_checkpoints", "_build", "*.egg-info", ".DS_Store"]
SECRET_MARKERS = ["# BEGIN SOLUTION", "# END SOLUTION"]
INSTRUCTOR_ONLY = [
    "solutions/",
    "hidden suite",
    "hidden_suites",
    "make test",
    "make exercises",
    "coursepkg grade",
    "coursepkg release",
    "run_autograder",
]
"""Words of the instructors' side that the edition's README must not contain."""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, when it builds the image.
# It installs coursepkg and the grader's packages into /autograder/venv at the versions of
# constraints.txt; PyTorch's CPU build comes from PyTorch's own index (a GPU is not used).
set -euo pipefail
cd "$(dirname "$0")"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
apt-get update -q && apt-get install -y -q python3 python3-pip python3-venv util-linux bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install -q --extra-index-url https://download.pytorch.org/whl/cpu \\
    -c constraints.txt -e '.[grade]'
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this as root for every submission. It grades the exercise this bundle
# was made for, @EXERCISE@, whatever the submitted notebook is called, and writes
# results/results.json.
#
# The layout is Gradescope's: $ROOT/source (this bundle), $ROOT/submission (the
# student's files), $ROOT/results. ROOT is /autograder, or $AUTOGRADER_ROOT to try the
# bundle on a folder of your own. The Python is $ROOT/venv/bin/python (setup.sh makes
# it) or, failing that, the python3 on PATH (locally: activate the course's environment).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
mkdir -p "$ROOT/results"
if [ -x "$ROOT/venv/bin/python" ]; then PYTHON="$ROOT/venv/bin/python"; else PYTHON=python3; fi
if ! "$PYTHON" -c "import nbformat, pytest, torch" 2>/dev/null; then
    problem="run_autograder: $PYTHON lacks the grader's packages (nbformat, pytest, torch):"
    problem="$problem on Gradescope, setup.sh installs them into $ROOT/venv;"
    problem="$problem locally, activate the course's environment (. .venv/bin/activate) first"
    echo "$problem" >&2
    printf '{"score": 0, "output": "%s", "tests": []}\\n' "$problem" > "$ROOT/results/results.json"
    exit 1
fi
# the hidden suite: readable by root only (the student's process runs as another user)
chmod -R go-rwx "$SOURCE/tests"
cd "$SOURCE"
export PYTHONPATH="$SOURCE"
export AUTOGRADER_EXERCISE=@EXERCISE@  # the assignment decides the exercise, not the file
exec "$PYTHON" -m coursepkg.grading.trusted.gradescope "$ROOT"
"""

BUNDLE_README = """# Gradescope autograder for @EXERCISE@

Upload this zip as the autograder of the assignment @EXERCISE@. Gradescope runs `setup.sh`
once and `run_autograder` for every submission; the scores and feedback land in
`results/results.json`. It holds the course package and this exercise's hidden suite
(`tests/hidden_suites/`): do not share it with students.
"""


class ReleaseError(Exception):
    """The release would leak something it must not, or is incomplete."""


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE)


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(
        src, dst, ignore=lambda d, names: [n for n in names if _ignored(n)], dirs_exist_ok=True
    )


def _title(path: Path) -> str:
    """The first heading of a notebook."""
    import nbformat

    for cell in nbformat.read(path, as_version=4).cells:
        for line in cell.source.splitlines() if cell.cell_type == "markdown" else []:
            if line.startswith("# "):
                return line[2:].strip()
    return path.stem


def _torch_pin(root: Path) -> str:
    match = re.search(r"^torch==([\w.+]+)", (root / "constraints.txt").read_text(), re.M)
    if not match:
        raise ReleaseError("constraints.txt pins no torch version")
    return match.group(1)


def colab_link(url: str, branch: str, path: str) -> str:
    """The Colab address of ``path`` in the GitHub repository ``url`` at ``branch``."""
    github = "https://github.com/"
    if not url.startswith(github):
        raise ReleaseError(f"Colab opens notebooks from GitHub only; repository.url is {url}")
    return f"https://colab.research.google.com/github/{url[len(github) :]}/blob/{branch}/{path}"


def edition_readme(out: Path) -> str:
    """The edition's README: the template with the repository and notebook list filled in."""
    url, branch = colab.repository(out)

    def listing(folder: str) -> str:
        rows = []
        for path in sorted((out / folder).glob("*.ipynb")):
            rel = f"{folder}/{path.name}"
            rows.append(f"- `{rel}`: {_title(path)} ([Colab]({colab_link(url, branch, rel)}))")
        return "\n".join(rows)

    text = (EDITION / "README.md").read_text(encoding="utf-8")
    for key, value in {
        "@REPOSITORY@": url,
        "@PIP_SPEC@": colab.pip_spec(url, branch),
        "@TORCH@": _torch_pin(out),
        "@CHAPTERS@": listing("book"),
        "@EXERCISES@": listing("exercises"),
    }.items():
        text = text.replace(key, value)
    return text


def student_edition(root: Path, out: Path) -> Path:
    """Write the student edition to ``out`` and check it."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in STUDENT_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, out / name)
    for name in STUDENT_DIRS:
        if (root / name).is_dir():
            _copy_tree(root / name, out / name)
    shutil.copy2(EDITION / "Makefile", out / "Makefile")
    # the edition's own workflow: builds the book and publishes it on GitHub Pages
    (out / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(EDITION / "pages.yml", out / ".github" / "workflows" / "book.yml")
    (out / "README.md").write_text(edition_readme(out), encoding="utf-8")
    (out / "VERSION").write_text(f"{__version__}\n", encoding="ascii")
    check_student_edition(out)
    return out


def check_student_edition(out: Path) -> None:
    """Fail unless the edition stands on its own and gives nothing away.

    No solutions, hidden suites or solution regions; every notebook's install cell points
    at the repository the edition names (itself); the README names no instructor-only
    command and only ``make`` targets the edition's Makefile has.
    """
    for path in out.rglob("*"):
        rel = path.relative_to(out)
        if rel.parts[0] in ("solutions", "tests") or fnmatch.fnmatch(path.name, "test_ex*.py"):
            raise ReleaseError(f"the student edition must not contain {rel}")
        if path.is_file() and path.suffix in (".py", ".ipynb"):  # (prose may name the markers)
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in SECRET_MARKERS:
                if marker in text and rel.parts[0] != "coursepkg":
                    raise ReleaseError(f"{rel} contains a solution region ({marker!r})")
    if (out / "_config.yml").is_file():
        problems = colab.check(out)
        if problems:
            raise ReleaseError(
                "install cells that do not point at the edition: " + "; ".join(problems)
            )
    readme = out / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        for words in INSTRUCTOR_ONLY:
            if words in text:
                raise ReleaseError(f"the edition's README names {words!r}, which it lacks")
        targets = set(re.findall(r"^([\w-]+):", (out / "Makefile").read_text(), re.M))
        for target in re.findall(r"`make ([\w-]+)", text):
            if target not in targets:
                raise ReleaseError(f"the edition's README names `make {target}`, which it lacks")


def _write_script(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)


def autograder_bundle(root: Path, exercise: str, zip_path: Path) -> Path:
    """Write Gradescope's bundle for ``exercise``: scripts, coursepkg, its hidden suite."""
    suite = root / "tests" / "hidden_suites" / f"test_{exercise}.py"
    if not suite.is_file():
        raise ReleaseError(f"no hidden suite for {exercise} ({suite})")
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        _write_script(bundle, "setup.sh", SETUP_SH)
        _write_script(bundle, "run_autograder", RUN_AUTOGRADER.replace("@EXERCISE@", exercise))
        bundle.writestr("README.md", BUNDLE_README.replace("@EXERCISE@", exercise))
        bundle.writestr("VERSION", f"{__version__}\n")  # the course version this bundle grades with
        for name in ("pyproject.toml", "constraints.txt"):
            bundle.write(root / name, name)
        for path in sorted((root / "coursepkg").rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(_ignored(part) for part in rel.parts):
                bundle.write(path, str(rel))
        bundle.write(suite, str(suite.relative_to(root)))
    return zip_path


def unpack_bundle(zip_path: Path, source: Path) -> None:
    """Unpack like Gradescope does, keeping the executable bits."""
    with zipfile.ZipFile(zip_path) as bundle:
        for info in bundle.infolist():
            bundle.extract(info, source)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                (source / info.filename).chmod(mode)


def exercises(root: Path) -> list[str]:
    """The exercises of the course: one per solution notebook."""
    return [p.stem for p in sorted((root / "solutions").glob("ex*.ipynb"))]


def release(root: str | Path = ".", out: str | Path = "release") -> dict[str, Path]:
    """Write the edition and one bundle per exercise. Returns their paths: ``"student"``,
    ``"autograder"`` (the folder of bundles) and ``"autograder <exercise>"`` for each."""
    root, out = Path(root).resolve(), Path(out)
    names = exercises(root)
    if not names:
        raise ReleaseError(f"no exercises in {root / 'solutions'}")
    written = {"student": student_edition(root, out / "student"), "autograder": out / "autograder"}
    for exercise in names:
        zip_path = out / "autograder" / f"{exercise}.zip"
        written[f"autograder {exercise}"] = autograder_bundle(root, exercise, zip_path)
    return written
