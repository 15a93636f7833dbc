"""``coursepkg publish``: push the student edition to the public repository, as one commit.

    coursepkg release --out release            # writes release/student and the bundles
    coursepkg publish release/student --to URL_OR_PATH [--branch main]

The public repository (the one ``_config.yml``'s ``repository.url`` names: readers, Colab
and the notebooks' install cells all go there) holds exactly the student edition. Publishing
clones it, replaces its whole tree with the edition, scans the result for anything
instructor-only (solutions, hidden suites, solution regions: the same check the release
runs), commits it as "Student edition <version>", tags it ``v<version>`` and pushes. A scan
that finds something stops before anything is committed or pushed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from coursepkg import __version__
from coursepkg.authoring.release import ReleaseError, check_student_edition

AUTHOR = ("-c", "user.name=coursepkg publish", "-c", "user.email=publish@coursepkg.invalid")


def _git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *AUTHOR, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise ReleaseError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _checkout(dest: str, branch: str, work: Path) -> None:
    """Clone ``dest`` at ``branch`` into ``work``; start the branch if it does not exist yet."""
    try:
        _git("clone", "--quiet", "--branch", branch, dest, str(work))
    except ReleaseError:
        shutil.rmtree(work, ignore_errors=True)
        _git("clone", "--quiet", dest, str(work))  # an empty repository, or another branch
        _git("checkout", "--quiet", "--orphan", branch, cwd=work)


def publish(
    edition: str | Path, dest: str, branch: str = "main", version: str = __version__
) -> str:
    """Publish the student edition folder ``edition`` to the git repository ``dest``.

    Returns the commit id now at the tip of ``branch``. Raises :class:`ReleaseError` when the
    edition holds something instructor-only or git fails; nothing is pushed then.
    """
    edition = Path(edition)
    if not (edition / "README.md").is_file() or not (edition / "exercises").is_dir():
        raise ReleaseError(f"{edition} is not a student edition (run `coursepkg release`)")
    check_student_edition(edition)
    with tempfile.TemporaryDirectory(prefix="coursepkg-publish-") as tmp:
        work = Path(tmp) / "public"
        _checkout(dest, branch, work)
        for child in work.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(edition, work, dirs_exist_ok=True)
        check_student_edition(work)  # what is about to be committed, exactly
        _git("add", "--all", cwd=work)
        if _git("status", "--porcelain", cwd=work):
            _git("commit", "--quiet", "-m", f"Student edition {version}", cwd=work)
        tag = f"v{version}"
        if tag not in _git("tag", "--list", tag, cwd=work).split():
            _git("tag", "-a", tag, "-m", f"Student edition {version}", cwd=work)
        _git("push", "--quiet", "--follow-tags", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
        return _git("rev-parse", "HEAD", cwd=work)
