"""Publishing the student edition to a (local, bare) public repository, and what it holds."""

import subprocess
from pathlib import Path

import pytest

from coursepkg import __version__
from coursepkg.authoring.publish import publish
from coursepkg.authoring.release import ReleaseError, release

REPO = Path(__file__).resolve().parents[2]


def git(*args, cwd=None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return release(REPO, tmp_path_factory.mktemp("release"))["student"]


@pytest.fixture
def public(tmp_path) -> Path:
    bare = tmp_path / "public.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    return bare


def published_files(public: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(public), str(clone))
    return clone, git("ls-files", cwd=clone).splitlines()


def test_the_published_tree_is_the_edition_and_nothing_instructor_only(edition, public, tmp_path):
    commit = publish(edition, str(public))
    clone, files = published_files(public, tmp_path)
    assert git("rev-parse", "HEAD", cwd=clone) == commit
    assert "README.md" in files and any(f.startswith("exercises/ex01") for f in files)
    assert any(f.startswith("book/") for f in files)
    assert any(f.startswith("coursepkg/") for f in files)
    assert not [f for f in files if f.startswith(("solutions/", "tests/"))]
    for name in files:
        if name.endswith((".py", ".ipynb")) and not name.startswith("coursepkg/authoring/"):
            text = (clone / name).read_text(encoding="utf-8", errors="replace")
            assert "# BEGIN SOLUTION" not in text, name
    assert git("tag", "--list", cwd=clone).split() == [f"v{__version__}"]
    assert git("log", "-1", "--format=%s", cwd=clone) == f"Student edition {__version__}"


def test_publishing_the_same_edition_again_adds_no_commit(edition, public):
    first = publish(edition, str(public))
    assert publish(edition, str(public)) == first


def test_an_edition_with_a_solution_is_refused_and_nothing_is_pushed(edition, public, tmp_path):
    poisoned = tmp_path / "poisoned"
    subprocess.run(["cp", "-a", str(edition), str(poisoned)], check=True)
    (poisoned / "solutions").mkdir()
    (poisoned / "solutions" / "ex01_motif_fsm.ipynb").write_text("{}")
    with pytest.raises(ReleaseError, match="solutions"):
        publish(poisoned, str(public))
    assert git("--git-dir", str(public), "branch", "--list") == ""  # still empty


def test_a_folder_that_is_not_an_edition_is_refused(tmp_path, public):
    with pytest.raises(ReleaseError, match="not a student edition"):
        publish(tmp_path, str(public))
