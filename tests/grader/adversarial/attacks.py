# ruff: noqa: E501  (the notebook cells below are data, written as a student would)
"""Adversarial submissions to ex01: each a notebook built from the solution or the stub.

``ATTACKS`` maps a name to (base, edits). A base is ``"solution"`` or ``"stub"``; an edit
is ``("insert", position, source)`` (a new code cell before cell ``position``; ``0`` is the
top, ``-1`` the end) or ``("replace_function", source)`` (the cell that defines
``motif_rnn_weights`` replaced by ``source``). Sources that report what they could do print
one line ``ATTACK-REPORT {json}``, which the tests read from the captured output.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[3]
SOLUTION = REPO / "solutions" / "ex01_motif_fsm.ipynb"
STUB = REPO / "exercises" / "ex01_motif_fsm.ipynb"
FULL = 13.0

# Right shapes (H = 4), wrong machine: earns the shape test's single point only.
ZEROS = """
import torch
def motif_rnn_weights(motif):
    H = 4
    return {"W_x": torch.zeros(H, 4), "W_h": torch.zeros(H, H), "b": torch.zeros(H),
            "h0": torch.zeros(H), "w_out": torch.zeros(H), "b_out": torch.zeros(())}
"""

FORGED_EQ = """
import torch
class Always:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    shape = (4,)
class Everything(dict):
    def __eq__(self, other): return True
    def __contains__(self, key): return True
    def __getitem__(self, key): return Always()
def motif_rnn_weights(motif):
    return Everything()
"""

TORCH_FUNCTION = """
import torch
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.Tensor.__eq__, torch.Tensor.__ne__, torch.equal, torch.allclose):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
    def __eq__(self, other): return True
def motif_rnn_weights(motif):
    H = 4
    z = lambda *s: torch.zeros(*s).as_subclass(Liar)
    return {"W_x": z(H, 4), "W_h": z(H, H), "b": z(H), "h0": z(H), "w_out": z(H), "b_out": z(())}
"""

MONKEYPATCH = (
    """
import builtins, torch, numpy.testing
torch.equal = lambda *a, **k: True
torch.allclose = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
torch.Tensor.__ne__ = lambda self, other: torch.zeros((), dtype=torch.bool)
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
builtins.print = lambda *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
try:
    import pytest
    pytest.fail = lambda *a, **k: None
    pytest.approx = lambda *a, **k: True
except ImportError:
    pass
import sys
sys.modules["pytest"] = sys.modules.get("pytest") or type(sys)("pytest")
"""
    + ZEROS
)

FAKE_OUTPUT = """
import json
for name in ["test_returns_weights_of_the_right_shapes", "test_detects_ACG", "test_random_motifs"]:
    print(f"tests/test_ex01_motif_fsm.py::{name} PASSED")
print("============================== 7 passed in 0.01s ===============================")
print(json.dumps({"score": 13, "tests": [{"name": "all", "score": 13, "max_score": 13}]}))
print('{"event": "result", "name": "test_detects_ACG", "passed": true, "points": 2}')
"""

FAKE_RESULTS = """
import json, os, glob, sys
fake = json.dumps({"score": 13.0, "tests": [{"name": "x", "score": 13, "max_score": 13}]})
line = json.dumps({"event": "result", "name": "test_detects_ACG", "passed": True,
                   "points": 2, "hint": "", "message": ""}) + "\\n"
written = []
targets = [os.getcwd(), os.path.dirname(os.getcwd()), os.path.expanduser("~"), "/tmp",
           "/autograder/results", "/autograder/source", "/autograder"]
targets += glob.glob("/tmp/coursepkg-*") + glob.glob("/tmp/*/")
for folder in targets:
    for name, text in (("results.json", fake), ("results.jsonl", line)):
        try:
            with open(os.path.join(folder, name), "a") as handle:
                handle.write(text)
            written.append(os.path.join(folder, name))
        except OSError:
            pass
for path in glob.glob("/tmp/coursepkg-grader-*/results.jsonl"):
    written.append("GRADER:" + path)
print("ATTACK-REPORT " + json.dumps({"written": written}))
"""

PLANT = '''
import json, os, site, sys, sysconfig
payload = "import json, os\\nopen('/tmp/COURSEPKG_PWNED', 'w').write('planted')\\n"
conftest = """
import pytest
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    rep.outcome = "passed"
"""
folders = {os.getcwd(), os.path.dirname(os.getcwd()), "/tmp", os.path.expanduser("~")}
folders |= {p for p in sys.path if p}
folders |= set(sysconfig.get_paths().values())
try:
    folders |= set(site.getsitepackages())
except Exception:
    pass
planted = []
for folder in sorted(folders):
    for name, text in (("conftest.py", conftest), ("sitecustomize.py", payload),
                       ("usercustomize.py", payload), ("coursepkg_pwned.pth", "import os; " + payload.replace("\\n", "; ")),
                       ("pytest.ini", "[pytest]\\naddopts = -p no:coursepkg\\n")):
        path = os.path.join(folder, name)
        try:
            if os.path.exists(path):
                continue
            with open(path, "x") as handle:
                handle.write(text)
            planted.append(path)
        except OSError:
            pass
print("ATTACK-REPORT " + json.dumps({"planted": planted}))
'''

PROBE = """
import glob, json, os, sys, sysconfig
REPO = %(repo)r
report = {"uid": os.getuid(), "euid": os.geteuid(), "read": [], "listed": [], "wrote": [], "signalled": []}
def try_read(path):
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        report["read"].append(path)
    except OSError:
        pass
def try_list(path):
    try:
        if os.listdir(path):
            report["listed"].append(path)
    except OSError:
        pass
def try_write(folder):
    path = os.path.join(folder, "coursepkg_probe_write.txt")
    try:
        with open(path, "x") as handle:
            handle.write("x")
        report["wrote"].append(path)
        os.remove(path)
    except OSError:
        pass
for path in (glob.glob(REPO + "/tests/hidden_suites/*.py") + [REPO + "/tests/hidden_suites/test_ex01_motif_fsm.py",
             REPO + "/solutions/ex01_motif_fsm.ipynb", REPO + "/.git/config", "/etc/shadow",
             "/autograder/source/tests/hidden_suites/test_ex01_motif_fsm.py"]
             + glob.glob("/tmp/coursepkg-grader-*/tests/*.py") + glob.glob("/tmp/coursepkg-grader-*/cells.json")
             + glob.glob("/tmp/coursepkg-student-*/cells.json")
             + [p for p in glob.glob("/proc/[0-9]*/environ") if p.split("/")[2] != str(os.getpid())]):
    try_read(path)
for path in ("/root/.bashrc", "/root/.profile", "/root/.ssh/id_rsa", "/root/.bash_history"):
    try_read(path)  # (/root itself is an empty cover holding only the interpreter's folder)
for path in (REPO + "/tests/hidden_suites", REPO + "/solutions", "/tmp/coursepkg-grader-*"):
    for p in glob.glob(path):
        try_list(p)
for folder in {REPO, REPO + "/coursepkg", REPO + "/coursepkg/grading", REPO + "/tests", REPO + "/exercises",
               REPO + "/tests/hidden_suites", sys.prefix, *sysconfig.get_paths().values(), *[p for p in sys.path if p],
               os.path.dirname(sys.executable)}:
    try_write(folder)
import signal
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    if int(pid) != os.getpid():
        try:
            os.kill(int(pid), 0)
            report["signalled"].append(int(pid))
        except OSError:
            pass
print("ATTACK-REPORT " + json.dumps(report))
""".replace("%(repo)r", repr(str(REPO)))

RANDOM = """
import random
import numpy as np
import torch
_solution = motif_rnn_weights
def motif_rnn_weights(motif):
    # right or wrong depending on the random state (seeded by the grader before each call)
    if torch.rand(len(motif))[-1] < 0.5 and np.random.rand() < 0.9 and random.random() < 0.95:
        return _solution(motif)
    weights = _solution(motif)
    weights["b_out"] = weights["b_out"] + 100.0
    return weights
"""

LOUD = """
import warnings, sys
for i in range(3000):
    print("progress", i, "PASSED" if i % 2 else "FAILED")
    warnings.warn(f"noisy warning {i}")
    print("to stderr", i, file=sys.stderr)
_quiet = motif_rnn_weights
def motif_rnn_weights(motif):
    print("computing weights for", motif, "x" * 200)
    warnings.warn("still noisy")
    return _quiet(motif)
"""

ATTACKS: dict[str, tuple[str, list]] = {
    "os_exit_at_top": ("solution", [("insert", 0, "import os\nos._exit(0)")]),
    "sys_exit_at_top": ("solution", [("insert", 0, "import sys\nsys.exit('bye')")]),
    "infinite_loop_at_top": ("solution", [("insert", 0, "while True:\n    pass")]),
    "infinite_loop_in_function": (
        "solution",
        [("insert", -1, "def motif_rnn_weights(motif):\n    while True:\n        pass")],
    ),
    "output_flood": (
        "solution",
        [
            (
                "insert",
                0,
                "import sys\nchunk = 'flood ' * 20000 + '\\n'\nfor _ in range(2000):\n    sys.stdout.write(chunk)",
            )
        ],
    ),
    "huge_allocation_at_top": (
        "solution",
        [("insert", 0, "import torch\nbig = torch.ones(2**40, dtype=torch.uint8)")],
    ),
    "huge_allocation_in_function": (
        "solution",
        [
            (
                "insert",
                -1,
                "import torch\ndef motif_rnn_weights(motif):\n    hoard = []\n    while True:\n        hoard.append(torch.empty(2**28))",
            )
        ],
    ),
    "fake_passed_output": ("stub", [("insert", -1, FAKE_OUTPUT)]),
    "fake_results_files": ("stub", [("insert", -1, FAKE_RESULTS)]),
    "monkeypatch_libraries": ("stub", [("insert", -1, MONKEYPATCH)]),
    "forged_eq": ("stub", [("insert", -1, FORGED_EQ)]),
    "torch_function_subclass": ("stub", [("insert", -1, TORCH_FUNCTION)]),
    "plant_files": ("stub", [("insert", -1, PLANT)]),
    "system_exit_in_function": (
        "solution",
        [
            (
                "insert",
                -1,
                "_inner = motif_rnn_weights\ndef motif_rnn_weights(motif):\n"
                "    if len(motif) == 1:\n        raise SystemExit(3)\n    return _inner(motif)",
            )
        ],
    ),
    "loud_but_correct": ("solution", [("insert", -1, LOUD)]),
    "syntax_error": (
        "solution",
        [("replace_function", "def motif_rnn_weights(motif)\n    return {}")],
    ),
    "missing_function": (
        "solution",
        [("replace_function", "def motif_weights(motif):\n    return {}")],
    ),
    "probe_isolation": ("stub", [("insert", -1, PROBE)]),
    "randomness": ("solution", [("insert", -1, RANDOM)]),
}


def build(base: str, edits: list) -> nbformat.NotebookNode:
    notebook = nbformat.read(SOLUTION if base == "solution" else STUB, as_version=4)
    for edit in edits:
        if edit[0] == "insert":
            _, position, source = edit
            cell = nbformat.v4.new_code_cell(source)
            if position == -1:
                notebook.cells.append(cell)
            else:
                notebook.cells.insert(position, cell)
        elif edit[0] == "replace_function":
            for cell in notebook.cells:
                if cell.cell_type == "code" and "def motif_rnn_weights" in cell.source:
                    cell.source = edit[1]
        else:
            raise ValueError(edit)
    return notebook


def write(folder: Path, name: str) -> Path:
    base, edits = ATTACKS[name]
    path = folder / f"{name}.ipynb"
    nbformat.write(build(base, edits), path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attack_report(output: str) -> dict:
    """The ``ATTACK-REPORT`` line a probing submission printed."""
    for line in output.splitlines():
        if line.startswith("ATTACK-REPORT "):
            return json.loads(line[len("ATTACK-REPORT ") :])
    raise AssertionError(f"the submission printed no report; output was: {output[:500]!r}")
