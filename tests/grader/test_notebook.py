"""Reading a submitted notebook as data: bounded, checked cell by cell, never run here."""

from __future__ import annotations

import json
import os

import pytest

from coursepkg.grading.trusted.notebook import NotebookError, parse, python_source, read_notebook


def notebook(cells, metadata=None) -> dict:
    return {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def code(source, **metadata) -> dict:
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": []}


def test_code_cells_are_numbered_from_one_as_a_student_counts_them():
    cells = [
        {"cell_type": "markdown", "source": "# title", "metadata": {}},
        code("x = 1"),
        {"cell_type": "markdown", "source": "text", "metadata": {}},
        code(["def f():\n", "    return 2\n"]),
        code("%%bash\necho hi"),
        code("!pip install x\ny = 3"),
    ]
    parsed = parse(notebook(cells))
    assert [(c.number, c.source) for c in parsed.cells] == [
        (1, "x = 1"),
        (2, "def f():\n    return 2"),
        (4, "pass\ny = 3"),
    ]


def test_practice_cells_are_skipped():
    cells = [code("import coursepkg", tags=["practice"]), code("x = 1", tags=["other"])]
    assert [c.number for c in parse(notebook(cells)).cells] == [2]


@pytest.mark.parametrize(
    "bad_cell",
    [code(42), code({"a": 1}), code([1, 2]), code(None)],
    ids=["int", "dict", "list of ints", "none"],
)
def test_a_cell_whose_source_is_not_text_is_skipped_and_named(bad_cell):
    parsed = parse(notebook([code("x = 1"), bad_cell, code("y = 2")]))
    assert [c.number for c in parsed.cells] == [1, 3]
    assert parsed.notes == ["code cell 2 has a source that is not text; skipped"]


def test_metadata_of_the_wrong_type_is_ignored():
    for metadata in ([1, 2], "ex02", {"coursepkg": "ex02"}, {"coursepkg": {"exercise": 7}}):
        data = {"cells": [code("x = 1", tags="practice")], "metadata": metadata}
        parsed = parse(data)
        assert parsed.exercise is None and len(parsed.cells) == 1
    assert parse(notebook([], {"coursepkg": {"exercise": "ex02_x"}})).exercise == "ex02_x"
    odd = {"cells": [{"cell_type": "code", "source": "x = 1", "metadata": "tags"}, 7, None]}
    parsed = parse(odd)
    assert len(parsed.cells) == 1 and len(parsed.notes) == 2


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"not json", "not a valid notebook"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"", "not a valid notebook"),
        (b"[1, 2]", "not a notebook"),
        (b'{"cells": {}}', "not a notebook"),
        (b'{"cells": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "nested"),
    ],
)
def test_what_is_not_a_notebook_is_said_clearly(tmp_path, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=reason):
        read_notebook(path)


def test_what_is_not_a_regular_file_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo.ipynb")
    with pytest.raises(NotebookError, match="not a regular file"):
        read_notebook(tmp_path / "fifo.ipynb")
    (tmp_path / "folder.ipynb").mkdir()
    with pytest.raises(NotebookError, match="not a regular file"):
        read_notebook(tmp_path / "folder.ipynb")
    (tmp_path / "real.ipynb").write_text(json.dumps(notebook([code("x = 1")])))
    os.symlink(tmp_path / "real.ipynb", tmp_path / "link.ipynb")
    with pytest.raises(NotebookError, match="symbolic link"):
        read_notebook(tmp_path / "link.ipynb", follow_symlinks=False)
    assert len(read_notebook(tmp_path / "link.ipynb").cells) == 1


def test_a_huge_notebook_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.ipynb"
    with open(path, "wb") as handle:
        handle.truncate(40 * 2**20)
    with pytest.raises(NotebookError, match="over the limit"):
        read_notebook(path)


def test_names_are_shown_safely(tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/bad\nname\xe9.ipynb"
    with open(name, "wb") as handle:
        handle.write(b"nope")
    with pytest.raises(NotebookError) as error:
        read_notebook(os.fsdecode(name))
    assert "\n" not in str(error.value) and "bad\\x0aname\\xe9.ipynb" in str(error.value)


def test_magic_lines_keep_line_numbers():
    assert python_source("a = 1\n%time b = 2\n  !ls") == "a = 1\npass\n  pass"
    assert python_source("%%timeit\nx") is None
