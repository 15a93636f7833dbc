"""Timings against the budgets in docs/DESIGN.md. Run with `make bench`.

* each chapter registered in ``coursepkg.chapters.CHAPTERS`` executed from a fresh kernel
  (nbclient): 60 s, or 120 s for the 50 kb chapter. Both the wall time and the CPU time
  (user + system of the kernel, and of the worker processes it started) are reported: on
  a shared machine the wall time is inflated by other work, the CPU time much less so. On
  an idle 2-core machine the wall time is at least the larger of the kernel's CPU time and
  half the total;
* grading one notebook per exercise: 15 s;
* the package's own recurrent loops against torch's fused modules on the same shapes: 3x;
* the whole book built from a clean checkout (a fresh clone of the committed tree, no
  execution cache): 8 minutes (``--skip-book`` leaves it out).

Class-scale grading (100 submissions in 5 minutes) is measured by bench/grade_class.py.
``--chapter ch03`` (repeatable) times only those chapters; ``--only-chapters`` skips the rest.
"""

from __future__ import annotations

import argparse
import json
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
BOOK_BUDGET = 8 * 60.0

_CPU_PROBE = """
import json as _json, psutil as _psutil
_me = _psutil.Process()
_own = _me.cpu_times()
_live = 0.0
for _child in _me.children(recursive=True):
    try:
        _times = _child.cpu_times()
        _live += _times.user + _times.system
    except _psutil.Error:
        pass
print("__CPU__" + _json.dumps({"kernel": _own.user + _own.system,
                               "children": _own.children_user + _own.children_system + _live}))
"""
"""Run as the notebook's last cell: CPU seconds of the kernel itself, and of its finished and
live children (e.g. the worker processes of ``coursepkg.seeds.map_seeds``)."""


def time_chapter(path: Path) -> tuple[float, dict[str, float]]:
    """``(wall seconds, {"kernel": CPU s, "children": CPU s})`` to execute ``path`` in a
    fresh kernel."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(_CPU_PROBE))
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - start
    text = "".join(out.get("text", "") for out in notebook.cells[-1].outputs)
    return wall, json.loads(text.split("__CPU__", 1)[1].splitlines()[0])


def chapter_notebooks(wanted: list[str] | None = None) -> list[tuple[str, Path]]:
    """``(chapter id, notebook path)`` of every registered chapter, in book order."""
    from coursepkg.chapters import CHAPTERS

    known = {c.id for c in CHAPTERS}
    unknown = set(wanted or ()) - known
    if unknown:
        raise SystemExit(f"unknown chapter(s) {sorted(unknown)}; known: {sorted(known)}")
    return [(c.id, ROOT / f"{c.page}.ipynb") for c in CHAPTERS if not wanted or c.id in wanted]


def time_grading(path: Path) -> tuple[float, str]:
    from coursepkg.grading.trusted.runner import grade_notebook

    start = time.perf_counter()
    report = grade_notebook(path, tests_dir=ROOT / "tests" / "hidden_suites")
    return time.perf_counter() - start, f"{report.score:g}/{report.max_score:g}"


def time_loops() -> list[tuple[str, float, float, bool]]:
    """Our recurrent loops against torch's fused modules on the same shapes.

    The threshold RNN (chapter 1's machine) against ``nn.RNN``; the Elman ensemble (S
    networks, chapters 1 and 3) against ``nn.RNN`` reading the same S x B sequences, forward
    and a training step (forward and backward); chapter 4's LSTM written out gate by gate
    (:class:`~coursepkg.analysis.gates.GateRecorder`) against ``nn.LSTM``. The last entry of
    a row says whether the 3x budget applies: it does to the loops that stand in for a fused
    module; the gate recorder runs the fused LSTM and then every gate's equation besides
    (what the fused module cannot return), so it is reported, not budgeted.
    """
    from coursepkg.models import ElmanEnsemble, ThresholdRNN

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
                True,
            )
        )
    S, B, L, H = 8, 32, 70, 16
    xs = torch.nn.functional.one_hot(torch.randint(0, 4, (S, B, L)), 4).float()
    ensemble, fused = ElmanEnsemble(range(S), 4, H), torch.nn.RNN(4, H, batch_first=True)
    flat = xs.reshape(S * B, L, 4)
    with torch.no_grad():
        rows.append(
            (
                "ElmanEnsemble vs nn.RNN (8 x 32 x 70 x 16)",
                best_of(lambda: ensemble.states(xs)),
                best_of(lambda: fused(flat)),
                True,
            )
        )

    def step(model, forward, inputs):
        def run():
            model.zero_grad()
            out = forward(inputs)
            (out[0] if isinstance(out, tuple) else out).sum().backward()

        return run

    rows.append(
        (
            "ElmanEnsemble vs nn.RNN, training step",
            best_of(step(ensemble, ensemble.states, xs)),
            best_of(step(fused, fused, flat)),
            True,
        )
    )
    # Chapter 4 reads every gate of an LSTM, written out gate by gate (GateRecorder: the
    # fused run, then each gate's equation over all positions and the cell-state recurrence);
    # the course's only from-scratch LSTM loop is exercise 4's answer, so not in the package.
    from coursepkg.analysis.gates import GateRecorder

    B, L, H = 64, 200, 32
    lstm = torch.nn.LSTM(4, H, batch_first=True)
    recorder = GateRecorder(lstm)
    with torch.no_grad():
        rows.append(
            (
                "GateRecorder (every gate) vs nn.LSTM (64 x 200 x 32)",
                best_of(lambda: recorder(x)),
                best_of(lambda: lstm(x)),
                False,
            )
        )
    return rows


def time_book_from_clean_checkout() -> float:
    """Wall seconds of ``jupyter-book build`` in a fresh clone of this repository's HEAD.

    The environment is this one (setting it up is not the build); the kernels import the
    clone's ``coursepkg`` (``PYTHONPATH``), and the clone has no ``_build``, so every chapter
    executes.
    """
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="book-bench-") as tmp:
        clone = Path(tmp) / "course"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "PYTHONPATH": str(clone)}
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        command = [str(jupyter_book), "build", ".", "--builder", "html", "-W", "-n", "--keep-going"]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
            raise RuntimeError("the book did not build from a clean checkout")
        return seconds


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
    parser.add_argument("--only-chapters", action="store_true")
    parser.add_argument("--chapter", action="append", help="time only this chapter (ch01, ...)")
    parser.add_argument("--skip-book", action="store_true", help="do not time the whole build")
    args = parser.parse_args()
    over = 0
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    if not args.skip_chapters:
        print("chapter execution (fresh kernel; CPU = user + system, kernel and its children)")
        for chapter_id, path in chapter_notebooks(args.chapter):
            wall, cpu = time_chapter(path)
            budget = LONG_CHAPTERS.get(path.stem, CHAPTER_BUDGET)
            ok = wall <= budget
            over += not ok
            verdict = "ok" if ok else "OVER (wall; see CPU if the machine was busy)"
            total = cpu["kernel"] + cpu["children"]
            print(
                f"  {chapter_id} {path.stem:28s} wall {wall:6.1f} s   CPU {total:6.1f} s "
                f"(kernel {cpu['kernel']:5.1f}, workers {cpu['children']:5.1f})   "
                f"budget {budget:4.0f} s   {verdict}",
                flush=True,
            )
    if args.only_chapters:
        return 1 if over else 0
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
    for name, ours, fused, budgeted in time_loops():
        ratio = ours / fused
        ok = ratio <= LOOP_BUDGET or not budgeted
        over += not ok
        verdict = f"budget {LOOP_BUDGET:.0f}x  {'ok' if ok else 'OVER'}" if budgeted else "reported"
        print(
            f"  {name:52s} {ours * 1e3:7.1f} ms vs {fused * 1e3:6.1f} ms  = {ratio:4.1f}x  "
            f"{verdict}"
        )
    if not args.skip_book:
        seconds = time_book_from_clean_checkout()
        ok = seconds <= BOOK_BUDGET
        over += not ok
        print(
            f"\nthe book from a clean checkout: {seconds / 60:5.1f} min   "
            f"budget {BOOK_BUDGET / 60:.0f} min  {'ok' if ok else 'OVER'}"
        )
    print(f"\n{'all within budget' if not over else f'{over} over budget'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
