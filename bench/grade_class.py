"""Benchmark: grade a class of 100 ex01 submissions on 2 cores (docs/DESIGN.md, "Budgets").

    python bench/grade_class.py [--n 100] [--jobs 2]

Makes ``n`` submissions in a temporary folder (a mix of the solution, the stub and broken
notebooks), grades them with ``coursepkg``'s class grader, and prints the wall time
against the budget (5 minutes for 100 on 2 cores) and the time per notebook against 15 s.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from coursepkg.grading.trusted.classroom import grade_class

REPO = Path(__file__).resolve().parents[1]
CLASS_BUDGET = 300.0  # s for 100 submissions on 2 cores
NOTEBOOK_BUDGET = 15.0  # s per notebook


def make_class(folder: Path, n: int) -> None:
    solution = nbformat.read(REPO / "solutions" / "ex01_motif_fsm.ipynb", as_version=4)
    stub = REPO / "exercises" / "ex01_motif_fsm.ipynb"
    for i in range(n):
        target = folder / f"student{i:03d}_ex01_motif_fsm.ipynb"
        kind = i % 5
        if kind in (0, 1, 2):  # correct
            shutil.copy(REPO / "solutions" / "ex01_motif_fsm.ipynb", target)
        elif kind == 3:  # the untouched stub
            shutil.copy(stub, target)
        else:  # broken: an off-by-one output bias, or a syntax error
            notebook = nbformat.from_dict(solution)
            cell = nbformat.v4.new_code_cell(
                "_w = motif_rnn_weights\n"
                "def motif_rnn_weights(m):\n"
                "    w = _w(m)\n    w['b_out'] = w['b_out'] + 1.0\n    return w"
                if i % 2
                else "def motif_rnn_weights(m)\n    return {}"
            )
            notebook.cells.append(cell)
            nbformat.write(notebook, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coursepkg-bench-") as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "graded"
        folder.mkdir()
        make_class(folder, args.n)
        book = grade_class(folder, out, tests_dir=REPO / "tests" / "hidden_suites", jobs=args.jobs)
        print(book.summary())
        with open(out / "gradebook.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == args.n
    budget = CLASS_BUDGET * args.n / 100
    per = book.wall_seconds / args.n
    slowest = max(book.seconds.values())
    verdict = "OK" if book.wall_seconds <= budget else "OVER"
    print(
        f"class: {book.wall_seconds:.1f} s for {args.n} with {args.jobs} jobs "
        f"(budget {budget:.0f} s): {verdict}"
    )
    print(
        f"per notebook: {per:.2f} s of wall time per notebook; slowest single grading "
        f"{slowest:.1f} s (budget {NOTEBOOK_BUDGET:.0f} s): "
        f"{'OK' if slowest <= NOTEBOOK_BUDGET else 'OVER'}"
    )
    return 0 if book.wall_seconds <= budget and slowest <= NOTEBOOK_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
