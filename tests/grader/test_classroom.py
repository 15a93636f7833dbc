"""Grading a folder of notebooks at once: per-student results.json and a gradebook CSV."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from coursepkg.cli import main
from coursepkg.grading.trusted.classroom import grade_class

REPO = Path(__file__).resolve().parents[2]
TESTS_DIR = REPO / "tests" / "hidden_suites"


def test_grade_class_writes_gradebook_and_results(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(REPO / "solutions" / "ex01_motif_fsm.ipynb", folder / "ada_ex01_motif_fsm.ipynb")
    shutil.copy(REPO / "exercises" / "ex01_motif_fsm.ipynb", folder / "bob_ex01_motif_fsm.ipynb")
    (folder / "cy_ex01_motif_fsm.ipynb").write_text("not a notebook")
    book = grade_class(folder, tmp_path / "out", tests_dir=TESTS_DIR, jobs=2)
    assert {s: r.score for s, r in book.reports.items()} == {
        "ada_ex01_motif_fsm": 13.0,
        "bob_ex01_motif_fsm": 0.0,
        "cy_ex01_motif_fsm": 0.0,
    }
    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == sorted(book.reports)
    assert rows[0]["total"] == "13" and rows[0]["test_detects_ACG"] == "2"
    assert "not JSON" in rows[2]["problems"]
    results = json.loads((tmp_path / "out" / "ada_ex01_motif_fsm" / "results.json").read_text())
    assert results["score"] == 13.0 and len(results["tests"]) == 7
    assert "graded 3 notebooks" in book.summary()


def test_cli_grades_a_folder(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(REPO / "exercises" / "ex01_motif_fsm.ipynb", folder / "dee_ex01_motif_fsm.ipynb")
    code = main(
        [
            "grade",
            str(folder),
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "out"),
            "--tests",
            str(TESTS_DIR),
        ]
    )
    assert code == 0
    assert "graded 1 notebooks" in capsys.readouterr().out
    assert (tmp_path / "out" / "gradebook.csv").is_file()
