"""Grading a class: a folder of notebooks, several at once, into a gradebook.

    coursepkg grade FOLDER --jobs 2 --out DIR

writes ``DIR/<student>/results.json`` (Gradescope's format, one per notebook, the student
being the notebook's file name without ``.ipynb``) and ``DIR/gradebook.csv``: one row per
student, one column per test (points earned), then ``total``, ``max`` and ``problems``.
Each notebook is scored as :func:`~coursepkg.grading.trusted.runner.grade_notebook` scores it
alone (its own trusted pytest process, its own sandboxed student process), ``jobs`` at a
time. The difference is how the trusted processes start: this process imports torch and
pytest once and forks one child per notebook, which saves an interpreter start-up and a
torch import (about 2.5 s of CPU) per notebook. This loop is single-threaded, so the
forks are safe.
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from coursepkg.grading.trusted.report import GradeReport
from coursepkg.grading.trusted.runner import (
    EXERCISE_TIME_LIMIT,
    Job,
    find_tests_dir,
    finish,
    fork_trusted,
    kill_group,
    prepare,
    warm_up,
)


@dataclass
class Gradebook:
    """The graded class: one report per student, and where they were written."""

    reports: dict[str, GradeReport] = field(default_factory=dict)
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
        for student, report in sorted(self.reports.items()):
            scores = {t.name: t.score for t in report.tests}
            row = {"student": student, "exercise": report.exercise}
            row.update({name: f"{scores.get(name, 0.0):g}" for name in names})
            row.update(
                {
                    "total": f"{report.score:g}",
                    "max": f"{report.max_score:g}",
                    "problems": " | ".join(report.problems)[:500],
                }
            )
            rows.append(row)
        return rows

    def write_csv(self, path: Path) -> None:
        rows = self.rows()
        columns = ["student", "exercise", *self.test_names(), "total", "max", "problems"]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        self.csv_path = path

    def summary(self) -> str:
        n = len(self.reports)
        if not n:
            return "no notebooks graded"
        totals = sorted(r.score for r in self.reports.values())
        full = max(r.max_score for r in self.reports.values())
        mean = sum(totals) / n
        slowest = max(self.seconds.values()) if self.seconds else 0.0
        lines = [
            f"graded {n} notebooks in {self.wall_seconds:.1f} s "
            f"({self.wall_seconds / n:.2f} s each on average; slowest {slowest:.1f} s)",
            f"scores out of {full:g}: mean {mean:.2f}, median {totals[n // 2]:g}, "
            f"min {totals[0]:g}, max {totals[-1]:g}; full marks {sum(t >= full for t in totals)}",
        ]
        if self.csv_path:
            lines.append(f"gradebook: {self.csv_path}")
        return "\n".join(lines)


def grade_class(
    folder: str | Path,
    out: str | Path,
    exercise: str | None = None,
    tests_dir: str | Path | None = None,
    jobs: int = 2,
    time_limit: float = EXERCISE_TIME_LIMIT,
) -> Gradebook:
    """Grade every ``*.ipynb`` in ``folder`` (``jobs`` at a time); write results to ``out``."""
    folder, out = Path(folder), Path(out)
    tests_dir = Path(tests_dir).resolve() if tests_dir else find_tests_dir()
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook()

    warm_up()
    start = time.monotonic()
    waiting = list(notebooks)
    running: dict[int, tuple[Job, float]] = {}
    while waiting or running:
        while waiting and len(running) < max(1, jobs):
            job = prepare(waiting.pop(0), exercise=exercise, tests_dir=tests_dir)
            running[fork_trusted(job)] = (job, time.monotonic())
        for pid, (job, started) in list(running.items()):
            done, _ = os.waitpid(pid, os.WNOHANG)
            overdue = not done and time.monotonic() - started > time_limit
            if overdue:
                kill_group(pid)
                os.waitpid(pid, 0)
            if done or overdue:
                del running[pid]
                try:
                    report = finish(job, timed_out=overdue, time_limit=time_limit)
                finally:
                    shutil.rmtree(job.private, ignore_errors=True)
                student = job.path.stem
                book.reports[student] = report
                book.seconds[student] = time.monotonic() - started
                (out / student).mkdir(exist_ok=True)
                report.write_json(out / student / "results.json")
        time.sleep(0.02)
    book.wall_seconds = time.monotonic() - start
    book.write_csv(out / "gradebook.csv")
    return book
