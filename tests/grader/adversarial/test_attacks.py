"""The grader against a hostile class (docs/DESIGN.md, "The trust boundary").

One class folder holds every attack of :mod:`tests.grader.adversarial.attacks` at once, beside
baselines, malformed files and odd file names (:mod:`tests.grader.adversarial.hostile_class`).
It is graded as a class, and the tests read what an instructor gets: the gradebook, each
``results.json`` and ``output.txt``. Each class of attack is checked in both modes:

``root``
    the grader runs as root (CI, Gradescope): sandboxes under uids of their own;
``user``
    the grader runs as a normal user. As root, the same class is graded again by the
    command line under an unprivileged uid (:mod:`tests.grader.unprivileged`); as a normal
    user, directly (and the ``root`` mode is skipped).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from pathlib import Path

import pytest

from coursepkg.grading.sandboxed import MODEL_MODULES
from coursepkg.grading.trusted import sandbox
from tests.grader import unprivileged
from tests.grader.adversarial import attacks, hostile_class
from tests.grader.adversarial.attacks import FULL, attack_report

pytestmark = pytest.mark.slow
AS_ROOT = os.geteuid() == 0
MODES = ["root", "user"]


def _why_not(mode: str) -> str:
    if sandbox.mode() != "bwrap":
        return "bubblewrap is not installed: the grader runs in its reduced mode"
    if mode == "root" and not AS_ROOT:
        return "the root mode needs root (CI and Gradescope grade as root)"
    if mode == "user" and AS_ROOT:
        return unprivileged.available()
    return ""


_RUNS: dict[str, hostile_class.ClassRun] = {}


@pytest.fixture(scope="session", params=MODES)
def run(request) -> hostile_class.ClassRun:
    """The hostile class, graded once per mode (and what it left on the machine)."""
    mode = request.param
    reason = _why_not(mode)
    if reason:
        pytest.skip(reason)
    if mode not in _RUNS:
        base = Path(tempfile.mkdtemp(prefix="coursepkg-hostile-"))
        request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
        as_user = unprivileged.UID if (mode == "user" and AS_ROOT) else None
        result = hostile_class.run(base / "class", base / "out", as_user, mode)
        result.survivors = attacks.survivors(grace=20.0)
        result.host_leftovers = [
            folder
            for folder in ("/tmp", "/var/tmp", "/run/lock", "/dev/shm")
            if os.path.exists(os.path.join(folder, "coursepkg-left-behind"))
        ]
        result.host_sysv = hostile_class.host_has_sysv_key(0x434F5552)
        result.host_sysv |= hostile_class.host_has_sysv_key(0x434F5553)
        _RUNS[mode] = result
    return _RUNS[mode]


def one(run, name: str) -> hostile_class.Graded:
    assert name in run.graded, f"{name} has no row in the gradebook"
    return run.graded[name]


def full(run, name: str) -> None:
    g = one(run, name)
    assert g.score == FULL, f"{name}: {g.score:g}/{FULL:g}\n{g.reasons()[:3000]}"


# --- a class run always finishes -----------------------------------------------------------


def test_every_entry_gets_a_row_and_its_results(run):
    assert len(run.rows) == len(run.files)
    assert set(run.graded) == set(run.files)
    for row in run.rows:
        results = run.out / row["results"]
        assert results.is_file() and results.parent.parent == run.out, row["results"]
    assert (run.out / "gradebook.csv").is_file()


def test_every_test_of_every_notebook_is_reported(run):
    for name, graded in run.graded.items():
        assert graded.max_score == FULL, (name, graded.max_score)
        assert len(graded.tests) == 7, name
        assert "time limit" not in graded.problems, name


def test_grading_never_modifies_a_submitted_file(run):
    for name, digest in run.before.items():
        assert attacks.sha256(run.files[name]) == digest, name


def test_the_gradebook_quotes_what_a_spreadsheet_would_run(run):
    for row in run.rows:
        for column in ("student", "problems"):
            assert not row[column].startswith(("=", "+", "-", "@")), row[column]
    assert one(run, "odd:=HYPERLINK(1)").row["student"] == "'=HYPERLINK(1)"


def test_odd_file_names_stay_inside_the_output_folder(run):
    full(run, "odd:gradebook.csv")
    full(run, "odd:..")
    names = {p.name for p in run.out.iterdir()}
    assert "gradebook.csv" in names and (run.out / "gradebook.csv").is_file()
    assert not any(p.name.startswith(".") for p in run.out.iterdir())
    for name in ("odd:folder", "odd:fifo", "odd:symlink"):
        assert one(run, name).score == 0 and one(run, name).problems, name


def test_the_summary_gives_the_true_median(run):
    totals = [float(row["total"]) for row in run.rows]
    assert f"median {statistics.median(totals):g}," in run.output


# --- baselines -----------------------------------------------------------------------------


def test_solution_full_marks_and_stub_zero(run):
    assert one(run, "solution").score == FULL
    assert one(run, "solution_neighbour").score == FULL
    assert one(run, "stub").score == 0


# --- a fatal cell costs what depends on it ------------------------------------------------


def test_os_exit_at_the_top_costs_the_exercise(run):
    g = one(run, "os_exit_at_top")
    assert g.score == 0 and "code cell 1 ended the notebook's process" in g.problems


def test_sys_exit_at_the_top_is_a_cell_error_only(run):
    g = one(run, "sys_exit_at_top")
    assert g.score == FULL and "SystemExit" in g.problems


def test_infinite_loop_at_the_top_is_stopped_and_named(run):
    g = one(run, "infinite_loop_at_top")
    assert g.score == 0 and "code cell 1 did not finish within" in g.problems


def test_a_loop_after_the_definitions_costs_nothing_else(run):
    g = one(run, "loop_after_definitions")
    assert g.score == FULL
    assert "did not finish within" in g.problems and "defined before it were graded" in g.problems


def test_os_exit_after_the_definitions_costs_nothing_else(run):
    g = one(run, "os_exit_after_definitions")
    assert g.score == FULL and "ended the notebook's process" in g.problems


def test_infinite_loop_in_the_function_is_stopped(run):
    g = one(run, "infinite_loop_in_function")
    assert g.score == 0 and "did not return within" in g.reasons()


def test_system_exit_in_the_function_fails_only_its_tests(run):
    g = one(run, "system_exit_in_function")
    one_letter = {
        "test_returns_weights_of_the_right_shapes",
        "test_single_base_motifs",
        "test_random_motifs",
    }
    assert {"test_returns_weights_of_the_right_shapes", "test_single_base_motifs"} <= g.failed
    assert g.failed <= one_letter and "SystemExit" in g.reasons()


# --- resources ----------------------------------------------------------------------------


def test_output_flood_is_capped_and_costs_nothing(run):
    g = one(run, "output_flood")
    assert g.score == FULL and len(g.output.encode()) <= 20_000


def test_huge_allocation_at_the_top_fails_that_cell_only(run):
    g = one(run, "huge_allocation_at_top")
    assert g.score == FULL and "code cell 2 raised" in g.problems


def test_huge_allocation_in_the_function_hits_the_memory_limit(run):
    g = one(run, "huge_allocation_in_function")
    assert g.score == 0 and ("MemoryError" in g.reasons() or "memory" in g.reasons())


def test_shared_memory_counts_against_the_memory_limit(run):
    """Shared anonymous mappings escape RLIMIT_DATA; the address-space limit stops them."""
    g = one(run, "shared_memory_hoard_in_function")
    assert g.score == 0 and "Cannot allocate memory" in g.reasons(), g.reasons()[:2000]


def test_loud_correct_notebook_gets_full_marks(run):
    assert one(run, "loud_but_correct").score == FULL


def test_a_fork_bomb_is_held_to_its_own_budget(run):
    g = one(run, "fork_bomb")
    assert attack_report(g.output)["children"] <= sandbox_processes()
    assert g.score == FULL  # its own work still runs
    assert one(run, "solution_neighbour").score == FULL


def sandbox_processes() -> int:
    from coursepkg.grading.sandboxed.confine import WorkerLimits

    return WorkerLimits().processes


# --- 1. nothing the student's process sends is trusted ------------------------------------

UNREADABLE = {
    "forged_cell_error": "sent something unreadable",
    "forged_events": "sent something unreadable",
    "depth_bomb_reply": "nested 200",
    "wide_bomb_reply": "or more values is over the limit",
    "huge_length_reply": "over the limit",
    "forged_values": "unreadable answer",
    "forged_error_reply": "unreadable answer",
    "slow_trickle_reply": "did not return within",
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_forged_messages_cost_the_submission_only(run, name):
    g = one(run, name)
    assert g.score == 0 and UNREADABLE[name] in g.reasons(), g.reasons()[:2000]


def test_replacing_the_worker_only_breaks_the_submission(run):
    assert one(run, "replace_worker").score == 0


def test_nothing_a_submission_starts_outlives_its_grading(run):
    assert one(run, "grandchild_forger").score == 0
    assert run.survivors == [], "processes left by submissions are still running"


# --- 2. no answer within reach -------------------------------------------------------------


def test_the_course_package_is_out_of_reach(run):
    report = attack_report(one(run, "reach_package").output)
    # only the empty package files above the modules the worker builds models from
    packages = {module.rsplit(".", 1)[0] for module in MODEL_MODULES}
    assert set(report["imported"]) <= packages, report
    assert report["sources"] == [], report["sources"][:10]


def test_importing_the_package_is_explained(run):
    """A graded cell that imports coursepkg fails alone, with the reason; what the other
    cells define is graded as usual."""
    g = one(run, "imports_the_package")
    assert "the course package (coursepkg), which the grader does not provide" in g.problems
    assert g.score == FULL


# --- 3. nothing it must not see -------------------------------------------------------------

FORBIDDEN = {"tests", "solutions", "hidden_suites", ".git", "coursepkg", "exercises", "class"}


def test_the_sandbox_sees_no_secret(run):
    report = attack_report(one(run, "probe_isolation").output)
    assert report["read"] == [], "read hidden or private files"
    assert report["wrote"] == [], "wrote outside its private folders"
    assert report["signalled"] == [], "could signal other processes"
    for folder, names in report["listed"].items():
        assert not FORBIDDEN & set(names), (folder, names)
        assert not any(n.endswith((".ipynb", ".py")) for n in names), (folder, names)
    assert report["uid"] != 0 and report["euid"] != 0
    if run.mode == "root":
        assert report["uid"] >= sandbox.UidPool().first


# --- 4. nothing left behind, nothing shared ------------------------------------------------


def test_files_ipc_and_sockets_do_not_reach_the_next_student(run):
    left = attack_report(one(run, "leave_behind").output)
    assert left["/tmp"] and left["sysv_shm"] and left["abstract_socket"]  # it did leave them
    assert attack_report(one(run, "zz_find_leftovers").output)["found"] == []
    assert run.host_leftovers == [] and not run.host_sysv


def test_the_network_is_off(run):
    report = attack_report(one(run, "network").output)
    assert report["reached"] == [] and report["interfaces"] == ["lo"]


# --- lies -------------------------------------------------------------------------------


def test_printed_passed_lines_and_fake_json_change_nothing(run):
    g = one(run, "fake_passed_output")
    assert g.score == 0 and "PASSED" in g.output


def test_monkeypatched_libraries_do_not_reach_the_grader(run):
    g = one(run, "monkeypatch_libraries")
    assert g.score == 1  # the right shapes, nothing more


def test_forged_objects_arrive_as_plain_data(run):
    # a dict subclass that claims every key arrives as the plain dict it holds: empty
    forged = one(run, "forged_eq")
    assert forged.score == 0 and "returned a dict without" in forged.reasons()
    assert one(run, "torch_function_subclass").score <= 1


def test_planted_files_have_no_effect(run):
    assert one(run, "plant_files").score == 0
    assert one(run, "zz_after_planting").score == 0
    assert not Path("/tmp/COURSEPKG_PWNED").exists()
    planted = attack_report(one(run, "plant_files").output)["planted"]
    assert not [p for p in planted if os.path.exists(p)], planted


def test_same_submission_same_result(run):
    first, second = one(run, "randomness"), one(run, "randomness_again")
    assert first.tests == second.tests
    assert 0 < first.score < FULL  # the randomness did matter, identically both times


def test_feedback_never_shows_hidden_test_source(run):
    hidden = ["SEED", "20260611", "random_sequences(", "wrong_count(", "assert ", "generator=gen"]
    for name in ("stub", "monkeypatch_libraries", "randomness", "forged_eq"):
        for test, (_, _, feedback) in one(run, name).tests.items():
            for fragment in hidden:
                assert fragment not in feedback, (name, test, fragment)


# --- 5. malformed notebooks: a clear report, zero for what is missing -----------------------

UNREADABLE_FILES = {
    "not_json": "not a text file",
    "not_utf8": "not a text file",
    "empty_file": "not a valid notebook",
    "json_list": "not a notebook",
    "deep_nesting": "nested",
    "too_large": "over the limit",
    "syntax_error": "SyntaxError",
    "missing_function": "not defined",
}


@pytest.mark.parametrize("name", sorted(UNREADABLE_FILES))
def test_a_broken_notebook_is_reported_with_zero(run, name):
    g = one(run, name)
    assert g.score == 0 and UNREADABLE_FILES[name] in g.reasons()


@pytest.mark.parametrize("name", sorted(attacks.FULL_MARKS_RAW))
def test_a_malformed_cell_is_skipped_and_the_rest_graded(run, name):
    assert one(run, name).score == FULL


def test_a_cell_whose_source_is_not_text_is_named(run):
    assert "code cell 1 has a source that is not text" in one(run, "source_is_int").problems


# --- 6. the assignment decides the exercise ---------------------------------------------------


def test_a_notebook_of_another_exercise_is_graded_as_the_assignment(run):
    g = one(run, "ex02_handed_in")
    assert g.max_score == FULL and g.score == 0
    assert "metadata says it is 'ex02_conditioning'" in g.problems
