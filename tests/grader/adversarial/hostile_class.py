"""A hostile class folder: every attack at once, with odd file names, graded in one class run.

:func:`make` writes the folder; :func:`grade` grades it either in this process
(``grade_class``) or, as root, through the command line under an unprivileged uid
(the grader's non-root mode, see :mod:`tests.grader.unprivileged`), and reads back what an
instructor gets: ``gradebook.csv``, each ``results.json`` and ``output.txt``.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.grader import unprivileged
from tests.grader.adversarial import attacks

LIMITS = dict(time_limit=150.0, call_timeout=3.0, load_timeout=25.0, memory_bytes=3 * 2**30)
TESTS_DIR = attacks.REPO / "tests" / "hidden_suites"
ODD_NAMES = {
    "gradebook.csv": "solution",
    "..": "solution",
    "=HYPERLINK(1)": "stub",
    "new\nline": "stub",
    "+plus -minus @at": "stub",
}
"""Odd student names (file name without ``.ipynb``) and the notebook each hands in."""
AFTER = {"zz_after_planting": "stub", "zz_find_leftovers": None}
"""Graded last: a clean stub after the planting attack, a finder of what others left."""


@dataclass
class Graded:
    """One student's results, as the instructor reads them from the output folder."""

    student: str
    score: float
    max_score: float
    tests: dict = field(default_factory=dict)  # name -> (score, max_score, feedback)
    problems: str = ""
    output: str = ""
    row: dict = field(default_factory=dict)

    @property
    def failed(self) -> set[str]:
        return {name for name, (score, top, _) in self.tests.items() if score < top}

    def reasons(self) -> str:
        return "\n".join([self.problems, *(feedback for _, _, feedback in self.tests.values())])


@dataclass
class ClassRun:
    folder: Path
    out: Path
    files: dict  # attack name -> path of its notebook
    graded: dict  # attack name -> Graded
    rows: list
    seconds: float
    port: int
    before: dict  # attack name -> sha256 of its file before grading
    output: str = ""
    mode: str = ""
    survivors: list = field(default_factory=list)
    host_leftovers: list = field(default_factory=list)
    host_sysv: bool = False


def make(folder: Path, port: int) -> dict[str, Path]:
    """Write the hostile class into ``folder``; returns ``{name: path}``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in attacks.ATTACKS:
        files[name] = attacks.write(folder, name)
    for name in attacks.RAW:
        files[name] = attacks.write(folder, name)
    text = (
        files["network"]
        .read_text()
        .replace('os.environ.get(\\"COURSEPKG_TEST_PORT\\", \\"0\\") or 0', str(port))
    )
    files["network"].write_text(text)
    files["solution"] = attacks.portable_solution(folder, "solution.ipynb")
    files["solution_neighbour"] = attacks.portable_solution(folder, "fork_bomb_neighbour.ipynb")
    files["stub"] = folder / "stub.ipynb"
    files["stub"].write_bytes(attacks.STUB.read_bytes())
    files["randomness_again"] = attacks.write(folder, "randomness", "randomness_again.ipynb")
    files["ex02_handed_in"] = attacks.ex02_as_ex01(folder, "ex02_conditioning.ipynb")
    for name, base in ODD_NAMES.items():
        path = folder / f"{name}.ipynb"
        if base == "solution":
            attacks.portable_solution(folder, path.name)
        else:
            path.write_bytes(attacks.STUB.read_bytes())
        files[f"odd:{name}"] = path
    undecodable = os.fsencode(str(folder)) + b"/caf\xe9.ipynb"
    with open(undecodable, "wb") as handle:
        handle.write(attacks.STUB.read_bytes())
    files["odd:undecodable"] = Path(os.fsdecode(undecodable))
    (folder / "a_folder.ipynb").mkdir()
    files["odd:folder"] = folder / "a_folder.ipynb"
    os.mkfifo(folder / "a_fifo.ipynb")
    files["odd:fifo"] = folder / "a_fifo.ipynb"
    os.symlink("/etc/passwd", folder / "a_link.ipynb")
    files["odd:symlink"] = folder / "a_link.ipynb"
    files["zz_after_planting"] = folder / "zz_after_planting.ipynb"
    files["zz_after_planting"].write_bytes(attacks.STUB.read_bytes())
    finder = attacks.Attack("stub", [("insert", -1, attacks.FIND_LEFTOVERS)], "leftovers")
    attacks.ATTACKS["zz_find_leftovers"] = finder
    files["zz_find_leftovers"] = attacks.write(folder, "zz_find_leftovers")
    del attacks.ATTACKS["zz_find_leftovers"]
    return files


def listen() -> socket.socket:
    """A TCP service on the host's loopback, which no submission may reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def grade(folder: Path, out: Path, as_user: int | None) -> tuple[float, str]:
    """Grade the class; ``as_user``: run the command line under that uid. Returns the wall
    time and what the grader printed."""
    start = time.monotonic()
    if as_user is None:
        from coursepkg.grading.trusted.classroom import grade_class

        book = grade_class(folder, out, exercise="ex01_motif_fsm", tests_dir=TESTS_DIR, **LIMITS)
        return time.monotonic() - start, book.summary()
    code = (
        "import sys; from coursepkg.grading.trusted.classroom import grade_class; "
        f"book = grade_class(sys.argv[1], sys.argv[2], exercise='ex01_motif_fsm', "
        f"tests_dir={str(TESTS_DIR)!r}, **{LIMITS!r}); print(book.summary())"
    )
    done = unprivileged.run(
        [sys.executable, "-c", code, str(folder), str(out)], as_user, timeout=1800
    )
    if done.returncode != 0:
        raise AssertionError(f"the grader failed as uid {as_user}:\n{done.stdout}\n{done.stderr}")
    return time.monotonic() - start, done.stdout + done.stderr


def read(out: Path, files: dict[str, Path]) -> tuple[dict[str, Graded], list[dict]]:
    """Every student's results from ``out`` (via the gradebook's ``results`` column)."""
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_student = {}
    for row in rows:
        folder = out / Path(row["results"]).parent
        results = json.loads((folder / "results.json").read_text())
        graded = Graded(
            student=row["student"],
            score=float(results["score"]),
            max_score=sum(t["max_score"] for t in results["tests"]),
            tests={t["name"]: (t["score"], t["max_score"], t["output"]) for t in results["tests"]},
            problems=results.get("output", ""),
            output=(folder / "output.txt").read_text(encoding="utf-8", errors="replace"),
            row=row,
        )
        by_student[row["student"]] = graded
    graded = {}
    for name, path in files.items():
        student = _student_of(path)
        if student in by_student:
            graded[name] = by_student[student]
    return graded, rows


def _student_of(path: Path) -> str:
    from coursepkg.grading.trusted.classroom import csv_cell
    from coursepkg.grading.trusted.notebook import _shown

    return csv_cell(_shown(path)[: -len(".ipynb")] or "(no name)")


def run(folder: Path, out: Path, as_user: int | None, mode: str = "") -> ClassRun:
    server = listen()
    try:
        files = make(folder, server.getsockname()[1])
        before = {
            n: attacks.sha256(p) for n, p in files.items() if p.is_file() and not p.is_symlink()
        }
        if as_user is not None:
            unprivileged.hand_over(folder, out, as_user)
        seconds, printed = grade(folder, out, as_user)
        graded, rows = read(out, files)
    finally:
        server.close()
    return ClassRun(folder, out, files, graded, rows, seconds, 0, before, printed, mode)


def host_has_sysv_key(key: int) -> bool:
    """Whether the host's IPC namespace holds a System V segment or queue with ``key``."""
    for table in ("/proc/sysvipc/shm", "/proc/sysvipc/msg"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        if any(line.split() and int(line.split()[0]) == key for line in lines):
            return True
    return False
