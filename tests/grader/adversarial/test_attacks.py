"""The grader against hostile and clumsy submissions (docs/DESIGN.md, "The trust boundary").

Every case is an ex01 notebook (the solution or the stub with cells inserted or replaced),
graded by the real grader with short limits. Each asserts the score, that grading
finished with a report, and that the submitted file is byte-for-byte unchanged. The
gradings run a few at a time in a thread pool, once per session.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coursepkg.grading.trusted.report import GradeReport
from coursepkg.grading.trusted.runner import grade_notebook
from tests.grader.adversarial.attacks import (
    ATTACKS,
    FULL,
    REPO,
    SOLUTION,
    STUB,
    attack_report,
    sha256,
    write,
)

LIMITS = dict(time_limit=150.0, call_timeout=3.0, load_timeout=25.0, memory_bytes=3 * 2**30)
TESTS_DIR = REPO / "tests" / "hidden_suites"
AS_ROOT = os.geteuid() == 0


class Graded:
    def __init__(self, path: Path, before: str, report: GradeReport, seconds: float):
        self.path, self.before, self.report, self.seconds = path, before, report, seconds

    @property
    def failed(self) -> set[str]:
        return {t.name for t in self.report.tests if not t.passed}

    def check_finished(self) -> None:
        """Grading completed: every test of the suite has a result, the file is untouched."""
        assert len(self.report.tests) == 7, self.report.table()
        assert self.report.max_score == FULL
        assert sha256(self.path) == self.before, "grading modified the submitted file"
        assert not any("time limit" in p for p in self.report.problems), self.report.problems


def _grade(path: Path) -> Graded:
    before = sha256(path)
    start = time.monotonic()
    report = grade_notebook(path, exercise="ex01_motif_fsm", tests_dir=TESTS_DIR, **LIMITS)
    return Graded(path, before, report, time.monotonic() - start)


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> dict[str, Graded]:
    """Every attack graded once (and a few graded twice or followed by a clean submission)."""
    folder = tmp_path_factory.mktemp("attacks")
    paths = {name: write(folder, name) for name in ATTACKS}
    paths["solution"] = Path(shutil.copy(SOLUTION, folder / "solution.ipynb"))
    paths["stub"] = Path(shutil.copy(STUB, folder / "stub.ipynb"))
    paths["not_json"] = folder / "not_json.ipynb"
    paths["not_json"].write_bytes(b'{"cells": [ this is not JSON \x00\xff')
    paths["randomness_again"] = Path(
        shutil.copy(paths["randomness"], folder / "randomness_again.ipynb")
    )
    order = sorted(paths, key=lambda n: ("loop" not in n and "exit" not in n, n))  # slow ones first
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(order, pool.map(lambda n: _grade(paths[n]), order), strict=True))
    # after the planting attack: a wrong submission must still get its own (zero) score
    results["after_planting"] = _grade(Path(shutil.copy(STUB, folder / "after_planting.ipynb")))
    yield results
    _clean_planted(results)


def _clean_planted(results: dict[str, Graded]) -> None:
    """Remove whatever the planting attacks managed to leave on this machine."""
    for name in ("plant_files", "fake_results_files"):
        if name not in results:
            continue
        try:
            report = attack_report(results[name].report.output)
        except AssertionError:
            continue
        for path in report.get("planted", []) + report.get("written", []):
            if not path.startswith("GRADER:") and os.path.isfile(path):
                os.remove(path)
    Path("/tmp/COURSEPKG_PWNED").unlink(missing_ok=True)


def reasons(graded: Graded) -> str:
    return "\n".join(graded.report.problems + [t.message for t in graded.report.tests])


# --- baselines --------------------------------------------------------------------------


def test_solution_gets_full_marks(graded):
    graded["solution"].check_finished()
    assert graded["solution"].report.score == FULL


def test_stub_gets_zero(graded):
    graded["stub"].check_finished()
    assert graded["stub"].report.score == 0


# --- the process ends or hangs ----------------------------------------------------------


def test_os_exit_at_the_top_costs_the_exercise(graded):
    g = graded["os_exit_at_top"]
    g.check_finished()
    assert g.report.score == 0
    assert "process ended" in reasons(g)


def test_sys_exit_at_the_top_is_a_cell_error_only(graded):
    g = graded["sys_exit_at_top"]
    g.check_finished()
    assert g.report.score == FULL
    assert any("SystemExit" in p for p in g.report.problems)


def test_infinite_loop_at_the_top_is_stopped(graded):
    g = graded["infinite_loop_at_top"]
    g.check_finished()
    assert g.report.score == 0
    assert "took longer than" in reasons(g)


def test_infinite_loop_in_the_function_is_stopped(graded):
    g = graded["infinite_loop_in_function"]
    g.check_finished()
    assert g.report.score == 0
    assert "did not return within" in reasons(g)


def test_system_exit_in_the_function_fails_only_its_tests(graded):
    g = graded["system_exit_in_function"]
    g.check_finished()
    one_letter = {
        "test_returns_weights_of_the_right_shapes",
        "test_single_base_motifs",
        "test_random_motifs",
    }
    assert {"test_returns_weights_of_the_right_shapes", "test_single_base_motifs"} <= g.failed
    assert g.failed <= one_letter
    assert "SystemExit" in reasons(g)


# --- resources ----------------------------------------------------------------------------


def test_output_flood_is_capped_and_costs_nothing(graded):
    g = graded["output_flood"]
    g.check_finished()
    assert g.report.score == FULL
    assert len(g.report.output) <= 20_000


def test_huge_allocation_at_the_top_fails_that_cell_only(graded):
    g = graded["huge_allocation_at_top"]
    g.check_finished()
    assert g.report.score == FULL
    assert any("cell 0" in p for p in g.report.problems)


def test_huge_allocation_in_the_function_hits_the_memory_limit(graded):
    g = graded["huge_allocation_in_function"]
    g.check_finished()
    assert g.report.score == 0
    assert "MemoryError" in reasons(g) or "memory" in reasons(g)


def test_loud_correct_notebook_gets_full_marks(graded):
    g = graded["loud_but_correct"]
    g.check_finished()
    assert g.report.score == FULL


# --- lies -------------------------------------------------------------------------------


def test_printed_passed_lines_and_fake_json_change_nothing(graded):
    g = graded["fake_passed_output"]
    g.check_finished()
    assert g.report.score == 0
    assert "PASSED" in g.report.output  # it did print them


def test_fake_results_files_change_nothing(graded):
    g = graded["fake_results_files"]
    g.check_finished()
    assert g.report.score == 0
    assert not any(p.startswith("GRADER:") for p in attack_report(g.report.output)["written"])


def test_monkeypatched_libraries_do_not_reach_the_grader(graded):
    g = graded["monkeypatch_libraries"]
    g.check_finished()
    assert g.report.score == 1  # the right shapes, nothing more
    assert g.failed == {t.name for t in g.report.tests} - {
        "test_returns_weights_of_the_right_shapes"
    }


def test_forged_eq_arrives_as_plain_data(graded):
    g = graded["forged_eq"]
    g.check_finished()
    assert g.report.score == 0
    assert "is missing" in reasons(g)  # the dict subclass arrives as the plain (empty) dict


def test_torch_function_subclass_arrives_as_a_plain_tensor(graded):
    g = graded["torch_function_subclass"]
    g.check_finished()
    assert g.report.score <= 1


def test_planted_files_have_no_effect(graded):
    g = graded["plant_files"]
    g.check_finished()
    assert g.report.score == 0
    after = graded["after_planting"]
    after.check_finished()
    assert after.report.score == 0
    assert not Path("/tmp/COURSEPKG_PWNED").exists()
    if AS_ROOT:  # as nobody, with a private /tmp, nothing can be planted where it lasts
        planted = attack_report(g.report.output)["planted"]
        lasting = [p for p in planted if os.path.exists(p)]
        assert not lasting, lasting


# --- broken notebooks -------------------------------------------------------------------


def test_not_json_is_reported(graded):
    g = graded["not_json"]
    assert g.report.score == 0
    assert any("not JSON" in p or "not UTF-8" in p or "not a" in p for p in g.report.problems)
    assert sha256(g.path) == g.before


def test_syntax_error_is_reported(graded):
    g = graded["syntax_error"]
    g.check_finished()
    assert g.report.score == 0
    assert any("SyntaxError" in p for p in g.report.problems)


def test_missing_function_is_reported(graded):
    g = graded["missing_function"]
    g.check_finished()
    assert g.report.score == 0
    assert "not defined" in reasons(g)


# --- isolation and determinism ----------------------------------------------------------


@pytest.mark.skipif(
    not AS_ROOT, reason="isolation from the grader's files applies when grading as root"
)
def test_student_process_is_unprivileged_and_sees_no_secrets(graded):
    g = graded["probe_isolation"]
    g.check_finished()
    report = attack_report(g.report.output)
    assert report["uid"] == 65534 and report["euid"] == 65534
    assert report["read"] == [], "read hidden or private files"
    assert report["listed"] == [], "listed hidden folders"
    assert report["wrote"] == [], "wrote into the grader's environment"
    assert report["signalled"] == [], "could signal other processes"


def test_same_submission_same_result(graded):
    first, second = graded["randomness"], graded["randomness_again"]
    first.check_finished()
    second.check_finished()
    assert [(t.name, t.score, t.message) for t in first.report.tests] == [
        (t.name, t.score, t.message) for t in second.report.tests
    ]
    assert 0 < first.report.score < FULL  # the randomness did matter, identically both times


def test_feedback_never_shows_hidden_test_source(graded):
    hidden = ["SEED", "20260611", "random_sequences(", "wrong_count(", "assert ", "generator=gen"]
    for name in ("stub", "monkeypatch_libraries", "randomness", "forged_eq"):
        for test in graded[name].report.tests:
            for fragment in hidden:
                assert fragment not in test.feedback(), (name, test.name, fragment)
