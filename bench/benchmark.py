"""Timings against the budgets in docs/DESIGN.md. Run with `make bench`.

* each chapter's execution (nbclient, fresh kernel): 60 s, or 120 s for the 50 kb chapter;
* grading one notebook per exercise: 15 s;
* the package's own recurrent loops against torch's fused modules on the same shapes: 3x.

Class-scale grading (100 submissions in 5 minutes) is measured by bench/grade_class.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_BUDGET = 60.0
LONG_CHAPTERS = {"05_long_range": 120.0}
GRADE_BUDGET = 15.0
LOOP_BUDGET = 3.0


def time_chapter(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def time_grading(path: Path) -> tuple[float, str]:
    from coursepkg.grading.trusted.runner import grade_notebook

    start = time.perf_counter()
    report = grade_notebook(path, tests_dir=ROOT / "tests" / "hidden_suites")
    return time.perf_counter() - start, f"{report.score:g}/{report.max_score:g}"


def time_loops() -> list[tuple[str, float, float]]:
    """Our step-by-step threshold RNN against nn.RNN on the same (B, L, H)."""
    from coursepkg.models import ThresholdRNN

    torch.manual_seed(0)
    B, L, H = 64, 200, 32
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (B, L)), 4).float()
    weights = {
        "W_x": torch.randn(H, 4),
        "W_h": torch.randn(H, H),
        "b": torch.randn(H),
        "h0": torch.zeros(H),
        "w_out": torch.randn(H),
        "b_out": torch.tensor(0.0),
    }
    ours, fused = ThresholdRNN(weights), torch.nn.RNN(4, H, batch_first=True)
    rows = []
    with torch.no_grad():
        rows.append(
            (
                "ThresholdRNN vs nn.RNN (64 x 200 x 32)",
                best_of(lambda: ours(x)),
                best_of(lambda: fused(x)),
            )
        )
    return rows


def best_of(fn, repeats: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-chapters", action="store_true")
    args = parser.parse_args()
    over = 0
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    if not args.skip_chapters:
        print("chapter execution (fresh kernel)")
        for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
            seconds = time_chapter(path)
            budget = LONG_CHAPTERS.get(path.stem, CHAPTER_BUDGET)
            ok = seconds <= budget
            over += not ok
            verdict = "ok" if ok else "OVER"
            print(f"  {path.stem:32s} {seconds:7.1f} s   budget {budget:5.0f} s   {verdict}")
    print("\ngrading one notebook")
    for path in sorted((ROOT / "solutions").glob("ex*.ipynb")):
        for folder in ("solutions", "exercises"):
            seconds, score = time_grading(ROOT / folder / path.name)
            ok = seconds <= GRADE_BUDGET
            over += not ok
            verdict = "ok" if ok else "OVER"
            name = f"{folder}/{path.name}"
            budget = f"budget {GRADE_BUDGET:.0f} s"
            print(f"  {name:40s} {seconds:6.1f} s  {score:>7s}   {budget}   {verdict}")
    print("\nrecurrent loops against torch's fused modules")
    for name, ours, fused in time_loops():
        ratio = ours / fused
        ok = ratio <= LOOP_BUDGET
        over += not ok
        print(
            f"  {name:42s} {ours * 1e3:7.1f} ms vs {fused * 1e3:6.1f} ms  = {ratio:4.1f}x  "
            f"budget {LOOP_BUDGET:.0f}x  {'ok' if ok else 'OVER'}"
        )
    print(f"\n{'all within budget' if not over else f'{over} over budget'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
