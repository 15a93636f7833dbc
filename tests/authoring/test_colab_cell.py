"""Every notebook's first code cell installs coursepkg from the repository in _config.yml."""

import os
from pathlib import Path

import nbformat
import pytest

from coursepkg.authoring import colab

ROOT = Path(__file__).resolve().parents[2]


def test_every_notebook_installs_from_the_configured_repository():
    problems = colab.check(ROOT)
    assert not problems, "\n".join(problems)


def test_the_chapters_are_among_the_checked_notebooks():
    assert ROOT / "book" / "01_hidden_state.ipynb" in colab.notebooks(ROOT)


def test_install_cell_names_the_repository_and_only_installs_when_missing():
    url, branch = colab.repository(ROOT)
    source = colab.install_cell_source(url, branch)
    assert colab.pip_spec(url, branch) in source and colab.GUARD in source
    compile(source, "<install cell>", "exec")


def test_a_branch_other_than_main_is_named():
    assert colab.pip_spec("https://github.com/o/r") == "coursepkg @ git+https://github.com/o/r"
    assert (
        colab.pip_spec("https://github.com/o/r", "v2")
        == "coursepkg @ git+https://github.com/o/r@v2"
    )


def _repo(tmp_path: Path, url: str) -> Path:
    (tmp_path / "_config.yml").write_text(f"repository:\n  url: {url}\n  branch: main\n")
    for folder in colab.NOTEBOOK_FOLDERS:
        (tmp_path / folder).mkdir()
    return tmp_path


def _notebook(path: Path, *cells) -> Path:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nbformat.write(nb, path)
    return path


def test_check_reports_a_notebook_that_disagrees(tmp_path):
    root = _repo(tmp_path, "https://github.com/new/home")
    old = colab.install_cell_source("https://github.com/old/home")
    path = _notebook(root / "book" / "ch.ipynb", nbformat.v4.new_code_cell(old))
    (problem,) = colab.check(root)
    assert str(path) in problem and "https://github.com/new/home" in problem


def test_stamp_rewrites_old_cells_and_inserts_missing_ones(tmp_path):
    root = _repo(tmp_path, "https://github.com/new/home")
    old = colab.install_cell_source("https://github.com/old/home")
    stale = _notebook(
        root / "solutions" / "ex.ipynb",
        nbformat.v4.new_markdown_cell("# Exercise"),
        nbformat.v4.new_code_cell(old),
        nbformat.v4.new_code_cell("x = 1"),
    )
    bare = _notebook(
        root / "book" / "ch.ipynb",
        nbformat.v4.new_markdown_cell("# Chapter"),
        nbformat.v4.new_code_cell("y = 2"),
    )
    assert sorted(colab.stamp(root)) == sorted([stale, bare])
    assert colab.check(root) == []
    assert colab.stamp(root) == []  # a second stamp changes nothing
    stale_cells = nbformat.read(stale, as_version=4).cells
    assert [c.source for c in stale_cells[2:]] == ["x = 1"]  # rewritten in place, not added
    bare_cells = nbformat.read(bare, as_version=4).cells
    assert bare_cells[0].source == "# Chapter" and colab.TAG in bare_cells[1].metadata["tags"]
    assert bare_cells[2].source == "y = 2"


def test_a_config_without_an_https_url_is_an_error(tmp_path):
    (tmp_path / "_config.yml").write_text("repository:\n  url: git@github.com:o/r\n")
    with pytest.raises(ValueError, match="https"):
        colab.repository(tmp_path)


def test_the_install_cell_of_an_exercise_is_a_practice_cell(tmp_path):
    root = _repo(tmp_path, "https://github.com/new/home")
    cell = nbformat.v4.new_code_cell(colab.install_cell_source("https://github.com/new/home"))
    exercise = _notebook(root / "exercises" / "ex.ipynb", cell)
    chapter = _notebook(root / "book" / "ch.ipynb", cell)
    (problem,) = colab.check(root)  # the chapter's cell is fine as it is
    assert str(exercise) in problem and "practice" in problem
    assert colab.stamp(root) == [exercise]
    assert colab.check(root) == []
    tags = nbformat.read(exercise, as_version=4).cells[0].metadata["tags"]
    assert colab.PRACTICE_TAG in tags and colab.TAG in tags
    assert "tags" not in nbformat.read(chapter, as_version=4).cells[0].metadata


SKIP = {"_build", "release", "dist", "real-data", "__pycache__"}


def _text_files(root: Path):
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIP]
        for name in files:
            path = Path(folder) / name
            if path.suffix in {".py", ".md", ".ipynb", ".yml", ".toml", ".txt", ".cfg", ".sh", ""}:
                yield path


def test_the_repository_url_is_written_only_in_config_and_stamped_cells():
    url, _ = colab.repository(ROOT)
    for path in _text_files(ROOT):
        text = path.read_text(encoding="utf-8", errors="replace")
        if url not in text or path == ROOT / "_config.yml":
            continue
        assert path.suffix == ".ipynb", (
            f"{path.relative_to(ROOT)} names {url}: write it only in _config.yml and generate "
            "the rest from there"
        )
        cells = nbformat.read(path, as_version=4).cells
        outside = [c for c in cells if url in c.source and not colab.is_install_cell(c.source)]
        assert not outside, f"{path.relative_to(ROOT)} names {url} outside its install cell"
