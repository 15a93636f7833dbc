"""Grading a folder of notebooks: per-student results, a gradebook that always comes out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from coursepkg.cli import main
from coursepkg.grading.trusted import sandbox
from coursepkg.grading.trusted.classroom import Gradebook, csv_cell, grade_class, safe_name
from coursepkg.grading.trusted.report import GradeReport, TestResult
from coursepkg.grading.trusted.runner import GradingSetupError
from tests.grader.adversarial.attacks import STUB, portable_solution

REPO = Path(__file__).resolve().parents[2]
TESTS_DIR = REPO / "tests" / "hidden_suites"
needs_bwrap = pytest.mark.skipif(sandbox.mode() != "bwrap", reason="bubblewrap is not installed")


def test_formula_cells_are_quoted():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("+1") == "'+1" and csv_cell("@a") == "'@a"
    assert csv_cell("-x") == "'-x" and csv_cell("\tx") == "'\tx" and csv_cell("ada") == "ada"


def test_results_folders_are_safe_and_unique():
    taken: set[str] = set()
    names = [safe_name(n, taken) for n in ("..", "a/b", "gradebook.csv", "ada", "ada", "", "é")]
    assert names[:5] == ["notebook", "a_b", "gradebook.csv-2", "ada", "ada-2"]
    assert names[5:] == ["notebook-2", "notebook-3"]


def test_the_median_of_an_even_class_is_the_mean_of_the_middle_two():
    book = Gradebook(exercise="ex01_motif_fsm")
    for i, score in enumerate((13, 13, 0, 0)):
        report = GradeReport(notebook=f"s{i}", exercise="ex01_motif_fsm")
        report.tests = [TestResult("t", 13.0, float(score))]
        book.reports[f"s{i}"] = report
        book.seconds[f"s{i}"] = 1.0
    assert "median 6.5," in book.summary()


def test_the_exercise_comes_from_the_assignment(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    with pytest.raises(GradingSetupError, match="pass --exercise"):
        grade_class(folder, tmp_path / "out", tests_dir=TESTS_DIR)
    with pytest.raises(GradingSetupError, match="no hidden suite"):
        grade_class(folder, tmp_path / "out", exercise="ex99_nothing", tests_dir=TESTS_DIR)


@needs_bwrap
def test_grade_class_writes_gradebook_and_results(tmp_path):
    folder = tmp_path / "ex01_motif_fsm"  # the folder names the exercise
    folder.mkdir()
    portable_solution(folder, "ada.ipynb")
    shutil.copy(STUB, folder / "bob.ipynb")
    (folder / "cy.ipynb").write_text("not a notebook")
    book = grade_class(folder, tmp_path / "out", tests_dir=TESTS_DIR, jobs=2)
    tables = "\n".join(r.table() for r in book.reports.values())
    assert {s: r.score for s, r in book.reports.items()} == {"ada": 13, "bob": 0, "cy": 0}, tables
    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == ["ada", "bob", "cy"]
    assert rows[0]["total"] == "13" and rows[0]["test_detects_ACG"] == "2"
    assert "not a valid notebook" in rows[2]["problems"]
    results = json.loads((tmp_path / "out" / "ada" / "results.json").read_text())
    assert results["score"] == 13.0 and len(results["tests"]) == 7
    assert (tmp_path / "out" / "ada" / "output.txt").is_file()
    assert "graded 3 notebooks" in book.summary() and "median 0" in book.summary()


@needs_bwrap
def test_cli_grades_a_folder(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(STUB, folder / "dee.ipynb")
    args = ["grade", str(folder), "--jobs", "1", "--out", str(tmp_path / "out")]
    assert main([*args, "--tests", str(TESTS_DIR), "--exercise", "ex01_motif_fsm"]) == 0
    assert "graded 1 notebooks" in capsys.readouterr().out
    assert (tmp_path / "out" / "gradebook.csv").is_file()
    assert main([*args, "--tests", str(TESTS_DIR)]) == 2  # which exercise? the folder says not
    assert "pass --exercise" in capsys.readouterr().err


@needs_bwrap
def test_cli_grades_a_notebook_as_the_exercise_given(tmp_path, capsys):
    notebook = portable_solution(tmp_path, "my homework.ipynb")
    assert main(["grade", str(notebook), "--tests", str(TESTS_DIR)]) == 2
    assert "pass --exercise" in capsys.readouterr().err
    json_path = tmp_path / "results.json"
    code = main(
        ["grade", str(notebook), "--tests", str(TESTS_DIR), "--exercise", "ex01_motif_fsm"]
        + ["--json", str(json_path)]
    )
    assert code == 0 and json.loads(json_path.read_text())["score"] == 13.0
    assert "13/13" in capsys.readouterr().out
