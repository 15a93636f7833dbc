r"""Grade one notebook: parse it here, run its code in the sandbox, score it with the hidden suite.

The flow::

    notebook file --(parse as data, never run)--> code cells
    private folder (the grader's only) <- copy of the hidden suite, cells.json
    nursery: sandbox + warm zygote (coursepkg.grading.trusted.nursery)
    python -I -m coursepkg.grading.trusted.entry (pytest) --noconftest
        -p coursepkg.grading.trusted.plugin
        (trusted; a time limit; pytest's plugin autoloading and assertion rewriting off)
        \-- submission fixture --spawn--> zygote --fork--> worker (confined) <-- plain values
    results pipe (JSON lines) --> ResultsReader --> GradeReport (table, results.json)

The trusted pytest process runs in isolated mode (``-I``: no current folder or ``PYTHON*``
variables on its path) with conftest files switched off, in a private folder the student's
process cannot see; its results reach the grader through a pipe, never a file, so files a
submission plants or appends to cannot change how it is scored.

The exercise is the assignment's: ``exercise=`` (``--exercise``), else the one the *file
name* names (the name the assignment gave the file). A notebook's own metadata never
decides; when it names another exercise, the report says so.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import coursepkg
from coursepkg.grading.trusted.notebook import NotebookError, _shown, read_notebook
from coursepkg.grading.trusted.nursery import Nursery, NurseryError
from coursepkg.grading.trusted.report import GradeReport
from coursepkg.grading.trusted.results import ResultsReader, encode_cells
from coursepkg.grading.trusted.sandbox import SandboxUnavailable

EXERCISE_PATTERN = re.compile(r"(ex\d\d_[a-z0-9_]+)")
EXERCISE_TIME_LIMIT = 180.0


class GradingSetupError(Exception):
    """The grader itself is misconfigured (no hidden tests found, unknown exercise, no sandbox)."""


def find_tests_dir(start: Path | None = None) -> Path:
    """The hidden suites: ``$COURSEPKG_TESTS``, or ``tests/hidden_suites`` above ``start``/cwd."""
    env = os.environ.get("COURSEPKG_TESTS")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "tests" / "hidden_suites"
        if candidate.is_dir():
            return candidate
    raise GradingSetupError(
        "no hidden tests found: run inside the course repository, pass --tests DIR, "
        "or set COURSEPKG_TESTS"
    )


def known_exercises(tests_dir: Path) -> list[str]:
    return sorted(p.stem[len("test_") :] for p in Path(tests_dir).glob("test_ex*.py"))


def exercise_in_name(name: str, known: list[str]) -> str | None:
    """The known exercise a name (a file's or a folder's) names, if any."""
    match = EXERCISE_PATTERN.search(name.lower())
    if match:
        for exercise in known:
            if match.group(1).startswith(exercise):
                return exercise
    return None


def choose_exercise(path: Path, exercise: str | None, tests_dir: Path) -> str:
    """The exercise to grade ``path`` as: the one given, else the one its file name names."""
    known = known_exercises(tests_dir)
    if exercise is not None:
        if exercise not in known:
            raise GradingSetupError(
                f"no hidden suite for {exercise!r} in {tests_dir} (known: {', '.join(known)})"
            )
        return exercise
    named = exercise_in_name(Path(path).name, known)
    if named is None:
        raise GradingSetupError(
            f"cannot tell which exercise {Path(path).name!r} is: pass --exercise "
            f"(one of {', '.join(known)})"
        )
    return named


def secrets(tests_dir: Path, notebooks: list[Path] = ()) -> list[Path]:
    """Folders the student's process must never see, wherever they lie: the hidden suites,
    the checkout holding them, the checkout ``coursepkg`` is imported from, the submissions."""
    tests_dir = Path(tests_dir).resolve()
    found = [tests_dir]
    if tests_dir.parent.name == "tests":
        found.append(tests_dir.parent.parent)
    package_root = Path(coursepkg.__file__).resolve().parent.parent
    if package_root.name not in ("site-packages", "dist-packages"):
        found.append(package_root)
    found += [Path(p).resolve().parent for p in notebooks]
    return found


@dataclass
class Job:
    """One notebook, ready to be scored: its private folder and the trusted command."""

    path: Path
    exercise: str
    private: Path
    env: dict
    pytest_args: list[str]
    problems: list[str] = field(default_factory=list)


def prepare(
    path: str | Path,
    exercise: str,
    tests_dir: Path,
    call_timeout: float | None = None,
    load_timeout: float | None = None,
    memory_bytes: int | None = None,
    follow_symlinks: bool = True,
) -> Job:
    """Parse the notebook and lay out a private folder for its trusted pytest run.

    Never fails because of the notebook: what is wrong with it becomes a problem of the job.
    """
    path = Path(path)
    suite = Path(tests_dir) / f"test_{exercise}.py"
    if not suite.is_file():
        raise GradingSetupError(f"no hidden suite for {exercise!r} in {tests_dir}")
    problems: list[str] = []
    cells, load_error = [], ""
    try:
        notebook = read_notebook(path, follow_symlinks=follow_symlinks)
        cells = notebook.cells
        problems += notebook.notes
        if notebook.exercise and notebook.exercise != exercise:
            problems.append(
                f"the notebook's metadata says it is {notebook.exercise[:60]!r}; it was graded "
                f"as {exercise}, the exercise of this assignment"
            )
    except NotebookError as error:
        load_error = str(error)
        problems.append(load_error)
    private = Path(tempfile.mkdtemp(prefix="coursepkg-grader-"))
    os.chmod(private, 0o700)
    (private / "tests").mkdir()
    shutil.copy2(suite, private / "tests" / suite.name)
    (private / "tests" / "pytest.ini").write_text("[pytest]\n")
    cells_path = private / "cells.json"
    cells_path.write_text(encode_cells(cells))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(private),
        "LANG": "C.UTF-8",
        "COURSEPKG_CELLS": str(cells_path),
        "COURSEPKG_LOAD_ERROR": load_error,
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # only pytest and the grading plugin
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for key in ("COURSEPKG_SANDBOX", "COURSEPKG_SANDBOX_UIDS"):
        if key in os.environ:
            env[key] = os.environ[key]
    for key, value in (
        ("COURSEPKG_CALL_TIMEOUT", call_timeout),
        ("COURSEPKG_LOAD_TIMEOUT", load_timeout),
        ("COURSEPKG_MEMORY_BYTES", memory_bytes),
    ):
        if value is not None:
            env[key] = str(value)
    pytest_args = [
        "-p",
        "coursepkg.grading.trusted.plugin",
        "-p",
        "no:cacheprovider",
        "--noconftest",
        "-q",
        "--assert=plain",
        "--rootdir",
        str(private / "tests"),
        "-c",
        str(private / "tests" / "pytest.ini"),
        "--confcutdir",
        str(private / "tests"),
        "-o",
        "console_output_style=classic",
        str(private / "tests" / suite.name),
    ]
    return Job(path, exercise, private, env, pytest_args, problems)


def start_nursery(secret_folders: list[Path], preload: tuple = ()) -> Nursery:
    """A started nursery, or :class:`GradingSetupError` when this machine cannot have one."""
    try:
        return Nursery(secrets=secret_folders, preload=preload).start()
    except (SandboxUnavailable, NurseryError) as error:
        raise GradingSetupError(str(error)) from None


def grade_notebook(
    path: str | Path,
    exercise: str | None = None,
    tests_dir: str | Path | None = None,
    time_limit: float = EXERCISE_TIME_LIMIT,
    call_timeout: float | None = None,
    load_timeout: float | None = None,
    memory_bytes: int | None = None,
) -> GradeReport:
    """Grade one notebook file and return its :class:`GradeReport`.

    ``time_limit`` bounds the whole exercise; ``call_timeout`` (each call, default 10 s),
    ``load_timeout`` (running the notebook, default 60 s) and ``memory_bytes`` (default
    4 GiB) tune the student's process.

    Never raises for a bad submission (not JSON, syntax errors, crashes): those become
    zero scores with a reason. Raises :class:`GradingSetupError` when the grader cannot
    grade (no hidden suite for the exercise, no exercise named, no sandbox; or the sandbox
    failed while grading: then nothing was scored).
    """
    path = Path(path)
    tests_dir = Path(tests_dir).resolve() if tests_dir else find_tests_dir()
    exercise = choose_exercise(path, exercise, tests_dir)
    job = prepare(path, exercise, tests_dir, call_timeout, load_timeout, memory_bytes)
    nursery = None
    try:
        nursery = start_nursery(secrets(tests_dir, [path]) + [job.private])
        results_r, results_w = os.pipe()
        env = dict(
            job.env,
            COURSEPKG_RESULTS_FD=str(results_w),
            COURSEPKG_NURSERY_FD=str(nursery.fileno()),
        )
        command = [sys.executable, "-I", "-m", "coursepkg.grading.trusted.entry", *job.pytest_args]
        try:
            process = subprocess.Popen(
                command,
                cwd=job.private,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(results_w, nursery.fileno()),
                start_new_session=True,
            )
        finally:
            os.close(results_w)
        reader = ResultsReader()
        finished = collect(results_r, reader, time.monotonic() + time_limit)
        if not finished:
            kill_group(process.pid)
        process.wait()
        os.close(results_r)
        status = (-process.returncode) if process.returncode < 0 else process.returncode << 8
        report = finish(job, reader, not finished, time_limit, status)
    finally:
        if nursery is not None:
            nursery.close()
        shutil.rmtree(job.private, ignore_errors=True)
    if not report.graded:
        raise GradingSetupError(f"{path.name} was not graded: {report.grader_failure}")
    return report


def collect(fd: int, reader: ResultsReader, deadline: float) -> bool:
    """Read the results pipe into ``reader`` until its writer closes it (``True``) or the
    deadline passes (``False``)."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return True
            reader.feed(chunk)


def finish(
    job: Job, reader: ResultsReader, timed_out: bool, time_limit: float, status: int = 0
) -> GradeReport:
    """The report of a finished (or stopped) trusted run (``status``: its wait status)."""
    problems = list(job.problems)
    if timed_out:
        problems.append(f"grading stopped at the exercise time limit of {time_limit:.0f} s")
    report = reader.report(_shown(job.path), job.exercise, problems, timed_out)
    unfinished = [t for t in report.tests if t.message == "not run"]
    if unfinished and not timed_out and not report.grader_failure:
        code = os.waitstatus_to_exitcode(status) if status else 0
        report.grader_failure = f"the grading process ended early (exit status {code})"
    return report


def kill_group(pid: int) -> None:
    """Kill a trusted process's whole process group (the student's worker lives in the
    nursery, which the grader cleans separately)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def fork_trusted(job: Job, results_w: int, nursery_fd: int) -> int:
    """Start the trusted pytest run for ``job`` in a child forked from this process.

    Used by class grading: the parent has already imported torch and pytest, so each
    child starts at once instead of paying the import again. The parent must be the
    grader itself (never a process that ran student code) and single-threaded.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 3
    try:
        os.setsid()
        os.chdir(job.private)
        os.environ.clear()
        os.environ.update(
            job.env, COURSEPKG_RESULTS_FD=str(results_w), COURSEPKG_NURSERY_FD=str(nursery_fd)
        )
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        for fd in os.listdir("/proc/self/fd"):
            if int(fd) > 2 and int(fd) not in (results_w, nursery_fd):
                try:
                    os.close(int(fd))
                except OSError:
                    pass
        # the parent's Python-level streams may be anything (pytest's capture, say): start afresh
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(2, "w", closefd=False)  # noqa: SIM115
        # and its import hooks: a parent that runs pytest rewrites the asserts of test files
        # it imports, which would put hidden values into the feedback
        sys.meta_path[:] = [f for f in sys.meta_path if "AssertionRewrit" not in type(f).__name__]
        import torch

        torch.set_num_threads(1)
        from coursepkg.grading.trusted import entry

        code = entry.main(job.pytest_args)
    except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
        code = 3
        _report_failure(results_w)
    finally:
        os._exit(code)


def _report_failure(results_w: int) -> None:
    """Tell the grader why the trusted run failed (it is not the submission's fault)."""
    import json
    import traceback

    record = {"event": "grader_failure", "message": traceback.format_exc()[-3000:]}
    try:
        os.write(results_w, (json.dumps(record) + "\n").encode())
    except OSError:
        pass


def warm_up() -> None:
    """Import what every trusted run needs, once, before forking children."""
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import coursepkg.grading.trusted.plugin  # noqa: F401
    import coursepkg.models  # noqa: F401
