"""The pytest plugin of the trusted grading process (``-p coursepkg.grading.trusted.plugin``).

It gives hidden tests a ``submission`` fixture (a
:class:`~coursepkg.grading.trusted.submission.Submission`) and a ``grade`` marker, and
writes each test's outcome as one JSON line to the pipe whose descriptor is
``COURSEPKG_RESULTS_FD``, as soon as it is known, so that a run stopped by the exercise time
limit keeps what it had. The pipe leads to the grader that started this process and to
nothing else: no file, so nothing the student's process could reach or append to.

A hidden test reads like::

    @pytest.mark.grade(points=2, hint="Does the bound state hold itself with a self-connection?")
    def test_stays_bound(submission):
        weights = submission.call("motif_rnn_weights", "ACG")
        ...

Only an exception's message is reported, never the test's source (which would show the
hidden inputs); a hidden test writes its own messages. The runner switches pytest's
assertion rewriting off (``--assert=plain``), so a bare ``assert`` reports nothing but
"a check failed", and never the expression or the values it compared.

The student's process is launched when the session starts, so that it runs the notebook
while pytest collects the hidden suite; the first call waits for it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coursepkg.grading.sandboxed.confine import WorkerLimits
from coursepkg.grading.trusted.notebook import CodeCell
from coursepkg.grading.trusted.nursery import Client
from coursepkg.grading.trusted.submission import GraderFailure, StudentError, Submission

MESSAGE_CAP = 1500


_SUBMISSION: Submission | None = None


def pytest_configure(config):
    config.addinivalue_line("markers", "grade(points, hint): points and a hint for a graded test")


def pytest_sessionstart(session):
    launch_submission()


def launch_submission() -> None:
    """Start the student's process now (once); the first call will wait for it."""
    global _SUBMISSION
    if _SUBMISSION is not None:
        return
    if os.environ.get("COURSEPKG_LOAD_ERROR") or "COURSEPKG_CELLS" not in os.environ:
        return
    _SUBMISSION = _make_submission()
    try:
        _SUBMISSION.launch()
    except (StudentError, GraderFailure):
        pass  # the first call reports it


def pytest_sessionfinish(session):
    if _SUBMISSION is not None:  # (the fixture closes it; this covers a session that never used it)
        _SUBMISSION.close()


def _make_submission() -> Submission:
    cells_path = Path(os.environ["COURSEPKG_CELLS"])
    cells = [CodeCell(c["number"], c["source"]) for c in json.loads(cells_path.read_text())]
    limits = WorkerLimits()
    if os.environ.get("COURSEPKG_MEMORY_BYTES"):
        limits.memory_bytes = int(os.environ["COURSEPKG_MEMORY_BYTES"])
    fd = os.environ.get("COURSEPKG_NURSERY_FD")
    return Submission(
        cells,
        nursery=Client.from_fd(int(fd)) if fd else None,
        limits=limits,
        load_timeout=float(os.environ.get("COURSEPKG_LOAD_TIMEOUT", 60)),
        call_timeout=float(os.environ.get("COURSEPKG_CALL_TIMEOUT", 10)),
    )


def _write(record: dict) -> None:
    fd = os.environ.get("COURSEPKG_RESULTS_FD")
    if not fd:
        return
    data = memoryview((json.dumps(record) + "\n").encode("utf-8"))
    while data:
        data = data[os.write(int(fd), data) :]


def _marker(item) -> tuple[float, str]:
    marker = item.get_closest_marker("grade")
    if marker is None:
        return 1.0, ""
    return float(marker.kwargs.get("points", 1)), str(marker.kwargs.get("hint", ""))


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        points, hint = _marker(item)
        _write({"event": "collected", "name": item.name, "points": points, "hint": hint})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, GraderFailure):
            _write({"event": "grader_failure", "message": str(error)[:MESSAGE_CAP]})
        _write(
            {
                "event": "result",
                "name": item.name,
                "passed": report.outcome == "passed",
                "message": "" if error is None else _message(error),
            }
        )


def _message(error: BaseException) -> str:
    if isinstance(error, (StudentError, GraderFailure)):
        text = str(error)
    elif isinstance(error, AssertionError):
        text = str(error) or "a check failed"  # the author's message (rewriting is off)
    elif isinstance(error, pytest.skip.Exception):
        text = "skipped"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:MESSAGE_CAP]


@pytest.fixture(scope="session")
def submission():
    """The submitted notebook, running in its own confined process."""
    load_error = os.environ.get("COURSEPKG_LOAD_ERROR")
    if load_error:
        raise StudentError(load_error)
    sub = _SUBMISSION if _SUBMISSION is not None else _make_submission()
    try:
        sub.ensure_started()
    except (StudentError, GraderFailure):
        pass  # every call reports it
    _write({"event": "notebook", "cell_errors": sub.cell_errors, "fatal_cell": sub.fatal_cell})
    yield sub
    sub.close()
    _write({"event": "output", "output": sub.output})
