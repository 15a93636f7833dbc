"""Benchmark: grade a class of submissions of one exercise on 2 cores (docs/DESIGN.md, "Budgets").

    python bench/grade_class.py [--exercise ex01_motif_fsm] [--n 100] [--jobs 2]

Makes ``n`` submissions of the exercise in a temporary folder (three in five the solution, one
the untouched stub, one broken: a plausible mistake from ``tests/exercises/mistakes`` or a
syntax error), grades them with ``coursepkg``'s class grader, and prints the wall time against
the budget (5 minutes for 100 on 2 cores), the slowest single grading against 15 s, and the CPU
time of the whole run (this process and every process it started), which is what to compare on
a machine shared with other work.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import importlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.exercises.mistakes

from coursepkg.grading.trusted.classroom import grade_class  # noqa: E402

CLASS_BUDGET = 300.0  # s for 100 submissions on 2 cores
NOTEBOOK_BUDGET = 15.0  # s per notebook


def broken_versions(exercise: str) -> list[nbformat.NotebookNode]:
    """The solution with each plausible mistake swapped in, and one with a syntax error."""
    solution = nbformat.read(REPO / "solutions" / f"{exercise}.ipynb", as_version=4)
    versions = []
    try:
        mistakes = importlib.import_module(f"tests.exercises.mistakes.{exercise}").MISTAKES
    except ImportError:
        mistakes = []
    for mistake in mistakes:
        notebook = nbformat.from_dict(solution)
        for cell in notebook.cells:
            cell.source = cell.source.replace(mistake.old, mistake.new)
        versions.append(notebook)
    notebook = nbformat.from_dict(solution)
    notebook.cells.append(nbformat.v4.new_code_cell("def broken(x)\n    return x"))
    versions.append(notebook)
    return versions


def make_class(folder: Path, exercise: str, n: int) -> None:
    solution = REPO / "solutions" / f"{exercise}.ipynb"
    stub = REPO / "exercises" / f"{exercise}.ipynb"
    broken = broken_versions(exercise)
    for i in range(n):
        target = folder / f"student{i:03d}_{exercise}.ipynb"
        kind = i % 5
        if kind in (0, 1, 2):
            shutil.copy(solution, target)
        elif kind == 3:
            shutil.copy(stub, target)
        else:
            nbformat.write(broken[(i // 5) % len(broken)], target)


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def cpu_meter():
    """A function that returns the CPU seconds used so far by this process and every process
    it started, and how they are counted.

    Where the cgroup v1 ``cpuacct`` controller is writable (root), this process moves into a
    cgroup of its own, which counts every descendant, even one killed before it was waited
    for. Elsewhere, ``getrusage`` counts this process and the children it has waited for
    (a process killed in a sandbox, and its own children, may then go uncounted).
    """
    try:
        group = Path(tempfile.mkdtemp(prefix="coursepkg-bench-", dir=CPUACCT))
        (group / "cgroup.procs").write_text(f"{os.getpid()}\n")
        atexit.register(_leave, group)
        usage = group / "cpuacct.usage"
        return (lambda: int(usage.read_text()) / 1e9), "cgroup cpuacct (every descendant)"
    except OSError:
        pass

    def rusage() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    return rusage, "getrusage (this process and the children it waited for)"


def _leave(group: Path) -> None:
    """Move back to the parent cgroup and remove ours (it must be empty to be removed)."""
    try:
        (group.parent / "cgroup.procs").write_text(f"{os.getpid()}\n")
        group.rmdir()
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="ex01_motif_fsm")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coursepkg-bench-") as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "graded"
        folder.mkdir()
        make_class(folder, args.exercise, args.n)
        cpu_seconds, counted = cpu_meter()
        cpu_before, wall_before = cpu_seconds(), time.monotonic()
        book = grade_class(
            folder,
            out,
            exercise=args.exercise,
            tests_dir=REPO / "tests" / "hidden_suites",
            jobs=args.jobs,
        )
        cpu, wall = cpu_seconds() - cpu_before, time.monotonic() - wall_before
        print(book.summary())
        with open(out / "gradebook.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == args.n
    budget = CLASS_BUDGET * args.n / 100
    slowest = max(book.seconds.values())
    verdict = "OK" if wall <= budget else "OVER"
    print(
        f"class of {args.n} {args.exercise} with {args.jobs} jobs: {wall:.1f} s wall "
        f"(budget {budget:.0f} s): {verdict}; CPU {cpu:.1f} s in all "
        f"({cpu / args.n:.2f} s per notebook; {cpu / args.jobs:.1f} s on {args.jobs} cores; "
        f"counted by {counted})"
    )
    print(
        f"per notebook: {wall / args.n:.2f} s of wall time; slowest single grading "
        f"{slowest:.1f} s (budget {NOTEBOOK_BUDGET:.0f} s): "
        f"{'OK' if slowest <= NOTEBOOK_BUDGET else 'OVER'}"
    )
    return 0 if wall <= budget and slowest <= NOTEBOOK_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
