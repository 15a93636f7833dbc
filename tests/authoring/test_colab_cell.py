"""Every notebook's first code cell installs coursepkg from the repository in _config.yml."""

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
