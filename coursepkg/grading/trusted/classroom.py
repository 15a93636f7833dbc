"""Grading a class: a folder of notebooks, several at once, into a gradebook that always comes out.

    coursepkg grade FOLDER --exercise ex01_motif_fsm --jobs 2 --out DIR

The exercise is the assignment's: ``--exercise``, or the one the folder's name names
(``submissions/ex01_motif_fsm/``); never what a notebook says about itself.

Every entry of the folder whose name ends in ``.ipynb`` gets a row in ``DIR/gradebook.csv``,
whatever it is or holds: a notebook is graded; a file that is not one (not JSON, too large,
a folder, a FIFO, a symbolic link, unreadable) gets zero and its problem. Each student's
Gradescope ``results.json`` goes to ``DIR/<name>/results.json`` (and what the notebook printed,
capped, to ``DIR/<name>/output.txt``), where ``<name>`` is the file
name made safe (letters, digits, ``.``, ``_``, ``-``; no leading dot; unique; never the
gradebook's own name). Text cells of the CSV that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@`` or a control character) are quoted with a leading
``'``.

Each notebook is scored as :func:`~coursepkg.grading.trusted.runner.grade_notebook` scores
it alone: its own trusted pytest process and its own confined worker. What differs is how they
start. This process imports torch and pytest once and forks one trusted child per notebook,
and each of the ``jobs`` slots keeps one nursery (a sandbox with a warm zygote, under a uid
of its own as root) for notebook after notebook; between two notebooks the slot's nursery
ends every process of the previous one and waits until they are gone. A notebook whose
grading the grader's own sandbox broke is graded again once, in a fresh nursery.
"""

from __future__ import annotations

import csv
import os
import re
import select
import shutil
import statistics
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from coursepkg.grading.trusted.notebook import _shown
from coursepkg.grading.trusted.nursery import Nursery, NurseryError
from coursepkg.grading.trusted.report import GradeReport
from coursepkg.grading.trusted.results import ResultsReader
from coursepkg.grading.trusted.runner import (
    EXERCISE_TIME_LIMIT,
    GradingSetupError,
    Job,
    exercise_in_name,
    find_tests_dir,
    finish,
    fork_trusted,
    kill_group,
    known_exercises,
    prepare,
    secrets,
    start_nursery,
    warm_up,
)

GRADEBOOK = "gradebook.csv"
PRELOAD = ("matplotlib.pyplot",)
"""Imported once per nursery: a student's plotting cell then costs no font cache per notebook."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet evaluates (OWASP's formula-injection rule)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def safe_name(name: str, taken: set[str]) -> str:
    """A folder name for a student's results: safe characters, no leading dot, unique, and
    never a name the gradebook uses."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip("._-")[:100] or "notebook"
    candidate, n = base, 1
    while candidate in taken or candidate.lower() == GRADEBOOK:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def class_exercise(folder: Path, exercise: str | None, tests_dir: Path) -> str:
    """The exercise of the whole class: the one given, else the one the folder names."""
    known = known_exercises(tests_dir)
    if exercise is not None:
        if exercise not in known:
            raise GradingSetupError(f"no hidden suite for {exercise!r} (known: {', '.join(known)})")
        return exercise
    named = exercise_in_name(Path(folder).resolve().name, known)
    if named is None:
        raise GradingSetupError(
            f"which exercise is the class in {Path(folder).name!r}? pass --exercise "
            f"(one of {', '.join(known)}), or name the folder after it"
        )
    return named


@dataclass
class Entry:
    """One entry of the class folder: its path, the name shown, its results folder."""

    path: Path
    student: str
    folder: str
    note: str = ""


def entries(folder: Path) -> list[Entry]:
    """Every entry of ``folder`` whose name ends in ``.ipynb`` (any case), in name order."""
    found = []
    with os.scandir(folder) as listing:
        for item in listing:
            if item.name.lower().endswith(".ipynb"):
                found.append(Path(item.path))
    found.sort(key=lambda p: os.fsencode(p.name))
    taken: set[str] = set()
    out = []
    for path in found:
        student = _shown(path)[: -len(".ipynb")] or "(no name)"
        out.append(Entry(path, student, safe_name(student, taken)))
    return out


@dataclass
class Gradebook:
    """The graded class: one report per student, and where they were written."""

    exercise: str = ""
    reports: dict[str, GradeReport] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0
    csv_path: Path | None = None

    def test_names(self) -> list[str]:
        names: list[str] = []
        for report in self.reports.values():
            for test in report.tests:
                if test.name not in names:
                    names.append(test.name)
        return names

    def rows(self) -> list[dict]:
        names = self.test_names()
        rows = []
        for key, report in self.reports.items():
            scores = {t.name: t.score for t in report.tests}
            problems = list(report.problems)
            if not report.graded:
                problems.insert(0, f"NOT GRADED: {report.grader_failure}")
            row = {"student": csv_cell(report.notebook), "exercise": report.exercise}
            row.update({name: f"{scores.get(name, 0.0):g}" for name in names})
            row.update(
                {
                    "total": f"{report.score:g}",
                    "max": f"{report.max_score:g}",
                    "results": f"{self.folders[key]}/results.json",
                    "problems": csv_cell(" | ".join(problems)[:1000]),
                }
            )
            rows.append(row)
        return rows

    def write_csv(self, path: Path) -> None:
        columns = ["student", "exercise", *self.test_names(), "total", "max", "results"]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*columns, "problems"])
            writer.writeheader()
            writer.writerows(self.rows())
        self.csv_path = path

    def summary(self) -> str:
        n = len(self.reports)
        if not n:
            return "no notebooks graded"
        totals = sorted(r.score for r in self.reports.values())
        full = max(r.max_score for r in self.reports.values())
        slowest = max(self.seconds.values()) if self.seconds else 0.0
        ungraded = sum(not r.graded for r in self.reports.values())
        lines = [
            f"graded {n} notebooks of {self.exercise} in {self.wall_seconds:.1f} s "
            f"({self.wall_seconds / n:.2f} s each on average; slowest {slowest:.1f} s)",
            f"scores out of {full:g}: mean {statistics.mean(totals):.2f}, "
            f"median {statistics.median(totals):g}, min {totals[0]:g}, max {totals[-1]:g}; "
            f"full marks {sum(t >= full for t in totals)}",
        ]
        if ungraded:
            lines.append(f"NOT GRADED (the grader's sandbox failed): {ungraded}")
        if self.csv_path:
            lines.append(f"gradebook: {self.csv_path}")
        return "\n".join(lines)


@dataclass
class _Running:
    entry: Entry
    job: Job
    pid: int
    fd: int
    reader: ResultsReader
    started: float
    attempt: int


class _Slot:
    """One job: a nursery, and the notebook it is grading."""

    def __init__(self, secret_folders: list[Path]):
        self.secrets = secret_folders
        self.nursery: Nursery | None = None
        self.running: _Running | None = None

    def start(self) -> None:
        self.nursery = start_nursery(self.secrets, preload=PRELOAD)

    def restart(self) -> None:
        if self.nursery is not None:
            self.nursery.close()
        self.nursery = None
        self.start()
        self.nursery.wait_ready()

    def ready_for_next(self) -> None:
        """End whatever the previous notebook left; a broken nursery is replaced."""
        try:
            if self.nursery is None or not self.nursery.alive():
                raise NurseryError("the sandbox is not running")
            self.nursery.clean()
        except NurseryError:
            self.restart()


def grade_class(
    folder: str | Path,
    out: str | Path,
    exercise: str | None = None,
    tests_dir: str | Path | None = None,
    jobs: int = 2,
    time_limit: float = EXERCISE_TIME_LIMIT,
    call_timeout: float | None = None,
    load_timeout: float | None = None,
    memory_bytes: int | None = None,
) -> Gradebook:
    """Grade every ``*.ipynb`` in ``folder`` (``jobs`` at a time); write results to ``out``."""
    folder, out = Path(folder), Path(out)
    tests_dir = Path(tests_dir).resolve() if tests_dir else find_tests_dir()
    exercise = class_exercise(folder, exercise, tests_dir)
    todo = [(entry, 1) for entry in entries(folder)]
    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(exercise=exercise)
    hidden = secrets(tests_dir) + [folder.resolve(), out.resolve()]
    options = dict(call_timeout=call_timeout, load_timeout=load_timeout, memory_bytes=memory_bytes)

    warm_up()
    slots = [_Slot(hidden) for _ in range(max(1, min(jobs, len(todo) or 1)))]
    start = time.monotonic()
    try:
        for slot in slots:
            slot.start()
        for slot in slots:
            slot.nursery.wait_ready()
        while todo or any(s.running for s in slots):
            for slot in slots:
                if slot.running is None and todo:
                    entry, attempt = todo.pop(0)
                    _start(slot, entry, attempt, exercise, tests_dir, options, book, out)
            _pump(slots, time_limit, todo, book, out)
    finally:
        for slot in slots:
            if slot.running is not None:
                kill_group(slot.running.pid)
                os.waitpid(slot.running.pid, 0)
                os.close(slot.running.fd)
                shutil.rmtree(slot.running.job.private, ignore_errors=True)
            if slot.nursery is not None:
                slot.nursery.close()
    book.wall_seconds = time.monotonic() - start
    book.reports = dict(sorted(book.reports.items(), key=lambda kv: book.folders[kv[0]]))
    book.write_csv(out / GRADEBOOK)
    return book


def _start(slot, entry, attempt, exercise, tests_dir, options, book, out) -> None:
    """Fork the trusted run of ``entry`` in ``slot``; a failure becomes the entry's row."""
    job = None
    try:
        slot.ready_for_next()
        job = prepare(entry.path, exercise, tests_dir, follow_symlinks=False, **options)
        results_r, results_w = os.pipe()
        try:
            pid = fork_trusted(job, results_w, slot.nursery.fileno())
        finally:
            os.close(results_w)
        slot.running = _Running(
            entry, job, pid, results_r, ResultsReader(), time.monotonic(), attempt
        )
    except Exception as error:  # noqa: BLE001 - one notebook's trouble must not stop the class
        if job is not None:
            shutil.rmtree(job.private, ignore_errors=True)
        report = GradeReport(notebook=entry.student, exercise=exercise)
        report.grader_failure = f"{type(error).__name__}: {error}"[:500]
        report.output = traceback.format_exc()[-2000:]
        _record(book, out, entry, report, 0.0)


def _pump(slots, time_limit, todo, book, out) -> None:
    """Read what the running trusted children wrote; finish those that are done."""
    running = [s for s in slots if s.running is not None]
    if not running:
        return
    fds = {s.running.fd: s for s in running}
    ready, _, _ = select.select(list(fds), [], [], 0.05)
    for fd in ready:
        chunk = os.read(fd, 65536)
        if chunk:
            fds[fd].running.reader.feed(chunk)
    for slot in running:
        run = slot.running
        done, status = os.waitpid(run.pid, os.WNOHANG)
        overdue = not done and time.monotonic() - run.started > time_limit
        if not (done or overdue):
            continue
        if overdue:
            kill_group(run.pid)
            _, status = os.waitpid(run.pid, 0)
        _drain(run)
        slot.running = None
        shutil.rmtree(run.job.private, ignore_errors=True)
        report = finish(run.job, run.reader, overdue, time_limit, status)
        report.notebook = run.entry.student
        if not report.graded and run.attempt == 1:
            run.entry.note = f"graded a second time: {report.grader_failure}"
            todo.insert(0, (run.entry, 2))  # again, in a fresh nursery
            try:
                slot.restart()
            except (GradingSetupError, NurseryError):
                pass
            continue
        if run.entry.note:
            report.problems.append(run.entry.note)
        _record(book, out, run.entry, report, time.monotonic() - run.started)


def _drain(run: _Running) -> None:
    """Read the rest of a finished child's results (its end of the pipe is closed)."""
    os.set_blocking(run.fd, False)
    try:
        while True:
            chunk = os.read(run.fd, 65536)
            if not chunk:
                break
            run.reader.feed(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(run.fd)


def _record(book: Gradebook, out: Path, entry: Entry, report: GradeReport, seconds: float):
    book.reports[entry.folder] = report
    book.folders[entry.folder] = entry.folder
    book.seconds[entry.folder] = seconds
    target = out / entry.folder
    target.mkdir(exist_ok=True)
    report.write_json(target / "results.json")
    (target / "output.txt").write_text(report.output, encoding="utf-8", errors="replace")
