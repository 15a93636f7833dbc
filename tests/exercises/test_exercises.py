"""Every exercise, whatever its chapter: the student version is generated from the solution,
the solution scores full marks and the stub zero, the graded cells run without the course
package, the public check passes on the solution and its stored values agree with it, and
no exercise's answer is reachable from the package or the hidden suites.

Adding an exercise adds a solution notebook, a practice module and a hidden suite; these
tests pick it up with no edit.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from coursepkg.authoring.exercises import (
    MarkerError,
    graded_namespace,
    graded_source,
    is_practice,
    practice_module,
    strip_solution,
    sync,
    sync_expected,
)
from coursepkg.grading.trusted.runner import grade_notebook

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("ex*.ipynb"))
IDS = [p.stem for p in SOLUTIONS]
ALLOWED_IN_GRADED_CELLS = {
    "torch",
    "numpy",
    "scipy",
    "math",
    "cmath",
    "itertools",
    "functools",
    "collections",
    "dataclasses",
    "typing",
    "__future__",
    "random",
    "string",
    "re",
}
"""What the cells that define graded functions may import: the grader runs them without
``coursepkg``."""


def _notebook(path: Path):
    return nbformat.read(path, as_version=4)


def graded_names(path: Path) -> list[str]:
    """Functions and classes the student writes: top-level definitions in solution regions."""
    names = []
    for source in graded_source(_notebook(path)):
        if "# BEGIN SOLUTION" not in source:
            continue
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.append(node.name)
    return names


def _imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def _imported_names(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found |= {alias.name for alias in node.names}
    return found


def test_every_exercise_has_a_solution():
    assert SOLUTIONS, "no solution notebooks found"


def test_exercises_are_generated_from_solutions():
    assert sync(ROOT / "solutions", ROOT / "exercises", check=True) == [], (
        "exercises/ has drifted from solutions/: run `coursepkg exercises`"
    )


def test_student_versions_contain_no_solution_code():
    for path in SOLUTIONS:
        text = (ROOT / "exercises" / path.name).read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


def test_unbalanced_markers_are_reported():
    with pytest.raises(MarkerError, match="never closed"):
        strip_solution("x = 1\n# BEGIN SOLUTION\ny = 2")
    with pytest.raises(MarkerError, match="without BEGIN"):
        strip_solution("# END SOLUTION")


def test_stub_keeps_the_indentation_of_the_marker():
    out = strip_solution("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    compile(out, "<stub>", "exec")
    assert "    raise NotImplementedError" in out


@pytest.mark.slow
@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_solution_scores_full_marks_and_stub_scores_zero(solution):
    full = grade_notebook(solution, tests_dir=ROOT / "tests" / "hidden_suites")
    assert full.tests and full.score == full.max_score, full.table()
    stub = grade_notebook(
        ROOT / "exercises" / solution.name, tests_dir=ROOT / "tests" / "hidden_suites"
    )
    assert stub.score == 0 and stub.max_score == full.max_score, stub.table()


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_notebooks_say_which_exercise_they_are(solution):
    notebook = _notebook(solution)
    assert notebook.metadata["coursepkg"]["exercise"] == solution.stem


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_graded_cells_need_only_python_torch_numpy_and_scipy(solution):
    for source in graded_source(_notebook(solution)):
        extra = _imported_modules(source) - ALLOWED_IN_GRADED_CELLS
        assert not extra, (
            f"{solution.name}: a graded cell imports {sorted(extra)}; the grader runs it "
            "without them (tag the cell `practice` if it only tries things out)"
        )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_cells_that_use_the_package_are_practice_cells(solution):
    for index, cell in enumerate(_notebook(solution).cells):
        if cell.cell_type == "code" and "coursepkg" in cell.source:
            assert is_practice(cell), f"{solution.name}, cell {index + 1}: not tagged practice"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_the_introduction_states_what_the_grader_runs(solution):
    intro = _notebook(solution).cells[0].source.replace("*", "")
    assert "without the course package" in intro and "Practice cell" in intro, intro


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_the_public_check_takes_the_graded_functions(solution):
    assert list(practice_module(solution.stem).FUNCTIONS) == graded_names(solution)


def test_stored_expected_values_agree_with_the_solutions():
    assert sync_expected(ROOT / "solutions", check=True) == [], (
        "stored expected values of a public check disagree with its solution: "
        "run `coursepkg exercises` (and look at why they changed)"
    )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_public_check_passes_on_the_solution_and_prints_only_its_report(solution, capsys):
    module = practice_module(solution.stem)
    namespace = graded_namespace(solution)
    functions = [namespace[name] for name in module.FUNCTIONS]
    checks = module.checks(*functions)
    assert checks.results and checks.passed == len(checks.results), checks.text()
    assert module.run(*functions) is None  # a notebook shows nothing after the report
    printed = capsys.readouterr().out
    assert printed.startswith(f"Public checks for {solution.stem}") and "All public" in printed


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_public_check_of_the_stub_says_not_written_yet(solution):
    stub = ROOT / "exercises" / solution.name
    module = practice_module(solution.stem)
    namespace = graded_namespace(stub)
    checks = module.checks(*(namespace[name] for name in module.FUNCTIONS))
    assert checks.passed == 0, checks.text()
    assert all("not written yet" in result.text() for result in checks.results), checks.text()


def test_no_hidden_suite_or_public_check_imports_an_exercise_answer():
    answers = {name for path in SOLUTIONS for name in graded_names(path)}
    files = sorted((ROOT / "tests" / "hidden_suites").glob("test_ex*.py"))
    files += sorted((ROOT / "coursepkg" / "practice").glob("*.py"))
    for path in files:
        imported = _imported_names(path) & answers
        assert not imported, f"{path.relative_to(ROOT)} imports {sorted(imported)}"


SECTION = re.compile(r"[Cc]hapter (\d+), \"([^\"]+)\"")


def _headings(chapter: int) -> set[str]:
    (page,) = (ROOT / "book").glob(f"{chapter:02d}_*.ipynb")
    cells = json.loads(page.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}


def test_every_chapter_section_named_in_feedback_exists():
    files = sorted((ROOT / "tests" / "hidden_suites").glob("test_ex*.py"))
    files += sorted((ROOT / "coursepkg" / "practice").glob("ex*.py"))
    references = [(p, int(n), title) for p in files for n, title in SECTION.findall(p.read_text())]
    assert references, "no feedback points to a chapter section"
    for path, chapter, title in references:
        assert title in _headings(chapter), (
            f"{path.relative_to(ROOT)} points to chapter {chapter}, {title!r}, "
            "which is not a heading of that chapter"
        )
