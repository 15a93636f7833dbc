r"""Grade one notebook: parse it here, run its code elsewhere, score it with the hidden suite.

The flow::

    notebook file --(parse, never run)--> code cells
    private folder <- copy of the hidden test file, cells.json
    python -I -m coursepkg.grading.trusted.entry (pytest) --noconftest
        -p coursepkg.grading.trusted.plugin
        (trusted; a time limit; pytest's plugin autoloading and assertion rewriting off)
        \-- submission fixture --> student's process (sandboxed) <-- plain values -->
    results.jsonl --> GradeReport (table, results.json)

The trusted pytest process runs in isolated mode (``-I``: no current folder or
``PYTHON*`` variables on its path) with conftest files switched off, in a private
folder the student's process cannot see, so files a submission plants cannot
change how it is scored.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from coursepkg.grading.trusted.notebook import NotebookError, code_cells, read_notebook
from coursepkg.grading.trusted.report import GradeReport, TestResult

EXERCISE_PATTERN = re.compile(r"(ex\d\d_[a-z0-9_]+)")
EXERCISE_TIME_LIMIT = 180.0


class GradingSetupError(Exception):
    """The grader itself is misconfigured (no hidden tests found, unknown exercise)."""


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
    return sorted(p.stem[len("test_") :] for p in tests_dir.glob("test_ex*.py"))


def guess_exercise(path: Path, notebook, tests_dir: Path) -> str:
    """The exercise from notebook metadata, else from the file name."""
    known = known_exercises(tests_dir)
    meta = (notebook.metadata.get("coursepkg") or {}).get("exercise") if notebook else None
    if isinstance(meta, str) and meta in known:
        return meta
    match = EXERCISE_PATTERN.search(path.name.lower())
    if match:
        for name in known:
            if match.group(1).startswith(name):
                return name
    raise GradingSetupError(
        f"cannot tell which exercise {path.name} is; pass --exercise (one of {', '.join(known)})"
    )


def hidden_paths(tests_dir: Path) -> list[Path]:
    """What the student's process must not see: the suites, solutions, the repo's history."""
    paths = [tests_dir]
    repo = tests_dir.parent.parent
    for name in ("solutions", ".git"):
        if (repo / name).exists():
            paths.append(repo / name)
    return paths


@dataclass
class Job:
    """One notebook, ready to be scored: its private folder and the trusted command."""

    path: Path
    exercise: str
    private: Path
    env: dict
    pytest_args: list[str]
    problems: list[str]

    @property
    def results_path(self) -> Path:
        return self.private / "results.jsonl"


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
    find the hidden suite for the exercise.
    """
    job = prepare(path, exercise, tests_dir, call_timeout, load_timeout, memory_bytes)
    try:
        command = [sys.executable, "-I", "-m", "coursepkg.grading.trusted.entry", *job.pytest_args]
        process = subprocess.Popen(
            command,
            cwd=job.private,
            env=job.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait(timeout=time_limit)
            finished = True
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            process.wait()
            finished = False
        return finish(job, timed_out=not finished, time_limit=time_limit)
    finally:
        shutil.rmtree(job.private, ignore_errors=True)


def prepare(
    path: str | Path,
    exercise: str | None = None,
    tests_dir: str | Path | None = None,
    call_timeout: float | None = None,
    load_timeout: float | None = None,
    memory_bytes: int | None = None,
) -> Job:
    """Parse the notebook and lay out a private folder for its trusted pytest run."""
    path = Path(path)
    tests_dir = Path(tests_dir).resolve() if tests_dir else find_tests_dir()
    problems: list[str] = []
    notebook, cells, load_error = None, [], ""
    try:
        notebook = read_notebook(path)
        cells = code_cells(notebook)
    except NotebookError as error:
        load_error = str(error)
        problems.append(load_error)
    if exercise is None:
        exercise = guess_exercise(path, notebook, tests_dir)
    suite = tests_dir / f"test_{exercise}.py"
    if not suite.is_file():
        raise GradingSetupError(f"no hidden suite for {exercise!r} in {tests_dir}")
    private = Path(tempfile.mkdtemp(prefix="coursepkg-grader-"))
    os.chmod(private, 0o700)
    (private / "tests").mkdir()
    shutil.copy2(suite, private / "tests" / suite.name)
    (private / "tests" / "pytest.ini").write_text("[pytest]\n")
    cells_path = private / "cells.json"
    cells_path.write_text(json.dumps([{"index": c.index, "source": c.source} for c in cells]))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(private),
        "LANG": "C.UTF-8",
        "COURSEPKG_CELLS": str(cells_path),
        "COURSEPKG_RESULTS": str(private / "results.jsonl"),
        "COURSEPKG_HIDDEN": os.pathsep.join(str(p) for p in [*hidden_paths(tests_dir), private]),
        "COURSEPKG_LOAD_ERROR": load_error,
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # only pytest and the grading plugin
    }
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


def finish(job: Job, timed_out: bool, time_limit: float) -> GradeReport:
    """Read a finished (or stopped) trusted run's results into a report."""
    if timed_out:
        job.problems.append(f"grading stopped at the exercise time limit of {time_limit:.0f} s")
    return _read_results(job.results_path, job.path, job.exercise, job.problems, timed_out)


def kill_group(pid: int) -> None:
    """Kill a trusted process's whole process group; the student's process (started with
    a parent-death signal) ends with it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def fork_trusted(job: Job) -> int:
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
        os.environ.update(job.env)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        import torch

        torch.set_num_threads(1)
        from coursepkg.grading.trusted import entry

        code = entry.main(job.pytest_args)
    except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
        code = 3
    finally:
        os._exit(code)


def warm_up() -> None:
    """Import what every trusted run needs, once, before forking children."""
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import coursepkg.grading.trusted.plugin  # noqa: F401
    import coursepkg.models  # noqa: F401


def _read_results(results_path, path, exercise, problems, timed_out) -> GradeReport:
    collected: dict[str, TestResult] = {}
    report = GradeReport(notebook=path.name, exercise=exercise, problems=problems)
    lines = results_path.read_text(encoding="utf-8").splitlines() if results_path.exists() else []
    for line in lines:
        record = json.loads(line)
        event = record.get("event")
        if event == "collected":
            collected[record["name"]] = TestResult(
                record["name"],
                record["points"],
                0.0,
                record["hint"],
                "not run: the exercise's time limit was reached" if timed_out else "not run",
            )
        elif event == "result" and record["name"] in collected:
            test = collected[record["name"]]
            test.score = test.max_score if record["passed"] else 0.0
            test.message = "" if record["passed"] else record["message"]
        elif event == "notebook":
            for err in record.get("cell_errors", []):
                e = err.get("error") or {}
                problems.append(
                    f"cell {err.get('index')} raised {e.get('type')}: {e.get('message', '')[:300]}"
                )
            report.output = record.get("output", "")
    if not collected:
        problems.append("the hidden suite did not run; no test was collected")
    report.tests = list(collected.values())
    return report
