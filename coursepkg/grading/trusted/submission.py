"""The trusted side's handle on a submission: start its process, call it, keep it in bounds.

``Submission(cells, ...)`` starts the student's process lazily on the first call.
Every call has a deadline; a call that times out, or a process that dies (``os._exit``,
a crash, the memory limit), costs that call, and the next call starts a fresh process
that runs the notebook again, up to ``max_restarts`` times. A notebook that cannot even
finish loading fails every call with the same clear reason, without being retried.

Only plain values cross the boundary (see :mod:`coursepkg.grading.protocol`).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from coursepkg.grading import protocol
from coursepkg.grading.trusted.notebook import CodeCell
from coursepkg.grading.trusted.sandbox import Sandbox

OUTPUT_CAP = 20_000


class StudentError(Exception):
    """The student's code raised, timed out, crashed, or returned something unusable."""


class StudentTimeout(StudentError):
    """A call (or running the notebook) took longer than its limit."""


class StudentCrashed(StudentError):
    """The student's process ended while the grader waited for it."""


class RemoteObject:
    """An object living in the student's process, e.g. an instance of the student's class.

    ``obj.call("forward", x)`` calls a method; ``obj.helper("train_model", ...)`` runs
    one of :mod:`coursepkg.grading.sandboxed.helpers` on it; ``obj.attr("hidden_size")`` reads an
    attribute (as a plain value).
    """

    def __init__(
        self, submission: Submission, handle: protocol.Handle, generation: int, label: str
    ):
        self._submission, self._handle, self._generation, self.label = (
            submission,
            handle,
            generation,
            label,
        )

    def call(self, method: str, *args, timeout: float | None = None, **kwargs):
        return self._submission._request(
            {"op": "call", "handle": self._handle.id, "method": method},
            args,
            kwargs,
            timeout,
            f"{self.label}.{method}",
            self._generation,
        )

    def __call__(self, *args, timeout: float | None = None, **kwargs):
        return self._submission._request(
            {"op": "call", "handle": self._handle.id, "method": ""},
            args,
            kwargs,
            timeout,
            self.label,
            self._generation,
        )

    def attr(self, name: str, timeout: float | None = None):
        return self._submission._request(
            {"op": "getattr", "handle": self._handle.id, "attr": name},
            (),
            {},
            timeout,
            f"{self.label}.{name}",
            self._generation,
        )

    def helper(self, name: str, *args, timeout: float | None = None, **kwargs):
        return self._submission.helper(name, self, *args, timeout=timeout, **kwargs)


class Submission:
    """The student's notebook, run in a separate, limited process and called remotely."""

    def __init__(
        self,
        cells: list[CodeCell],
        *,
        sandbox: Sandbox | None = None,
        load_timeout: float = 60.0,
        call_timeout: float = 10.0,
        max_restarts: int = 3,
    ):
        self.cells = cells
        self.sandbox = sandbox or Sandbox()
        self.load_timeout, self.call_timeout, self.max_restarts = (
            load_timeout,
            call_timeout,
            max_restarts,
        )
        self.cell_errors: list[dict] = []
        self.output = ""
        self._process: subprocess.Popen | None = None
        self._fatal: str | None = None
        self._starts = 0
        self._generation = 0
        self._next_id = 0
        self._own: set[str] = set()
        self._dir: Path | None = None
        self._output_chunks: list[bytes] = []
        self._output_size = 0
        self._loaded = False

    # --- public calls ---------------------------------------------------------------------

    def call(self, name: str, *args, timeout: float | None = None, **kwargs):
        """Call the notebook's function ``name`` and return its result as plain values."""
        return self._request({"op": "call", "name": name}, args, kwargs, timeout, name)

    def new(self, name: str, *args, timeout: float | None = None, **kwargs) -> RemoteObject:
        """Call ``name`` (usually a class) and keep the result in the student's process."""
        handle = self._request(
            {"op": "call", "name": name, "keep": True}, args, kwargs, timeout, name
        )
        return RemoteObject(self, handle, self._generation, name)

    def helper(self, name: str, *args, timeout: float | None = None, **kwargs):
        """Run a :mod:`coursepkg.grading.sandboxed.helpers` function in the student's process."""
        return self._request({"op": "call", "helper": name}, args, kwargs, timeout, name)

    def defined(self, name: str) -> dict:
        """``{"defined": bool, "kind": "function"|"class"|...}`` for a name in the notebook."""
        return self._request({"op": "defined", "name": name}, (), {}, None, name)

    def require_own(self, name: str) -> None:
        """Fail unless ``name`` was written in the notebook rather than imported.

        The course package holds the chapters' own versions of some exercise functions;
        a submission that merely imports one of them has not done the exercise.
        """
        if name in self._own:
            return
        info = self.defined(name)
        module = info.get("module", "") if isinstance(info, dict) else ""
        if isinstance(module, str) and (module == "coursepkg" or module.startswith("coursepkg.")):
            raise StudentError(
                f"{name} is imported from {module}; write your own {name} in the notebook"
            )
        self._own.add(name)

    def close(self) -> None:
        self._stop()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- process management -------------------------------------------------------------

    def launch(self) -> None:
        """Start the student's process without waiting for it (it imports while we work)."""
        if self._process is None and not self._fatal and self._starts <= self.max_restarts:
            self._spawn()

    def _start(self) -> None:
        if self._process is None:
            self._spawn()
        if not self._loaded:
            self._load()

    def _spawn(self) -> None:
        if self._fatal:
            raise StudentError(self._fatal)
        if self._starts > self.max_restarts:
            raise StudentError(
                f"gave up: the notebook's process ended or timed out {self._starts} times"
            )
        self._starts += 1
        self._generation += 1
        self._loaded = False
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="coursepkg-student-"))
            os.chmod(self._dir, 0o700)
        stage = Path(tempfile.mkdtemp(prefix="coursepkg-stage-"))
        cells_path = self._dir / "cells.json"
        cells_path.write_text(
            json.dumps([{"index": c.index, "source": c.source} for c in self.cells])
        )
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        args = [str(to_child_r), str(from_child_w)]  # the cells go on standard input
        command = self.sandbox.command(args, self._dir, stage)
        home = str(self.sandbox.workdir_inside(self._dir))
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
            "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
        }
        with open(cells_path, "rb") as cells_file:
            self._process = subprocess.Popen(
                command,
                cwd=self._dir,
                env=env,
                pass_fds=(to_child_r, from_child_w),
                stdin=cells_file,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=self.sandbox.limits.apply,
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._to_child, self._from_child = to_child_w, from_child_r
        self._output_thread = threading.Thread(
            target=self._drain, args=(self._process.stdout,), daemon=True
        )
        self._output_thread.start()
        self._stage = stage

    def _drain(self, stream) -> None:
        """Keep the first OUTPUT_CAP bytes of what the student prints; discard the rest."""
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                return
            if self._output_size < OUTPUT_CAP:
                self._output_chunks.append(chunk[: OUTPUT_CAP - self._output_size])
            self._output_size += len(chunk)

    def _load(self) -> None:
        deadline = time.monotonic() + self.load_timeout
        self.cell_errors = []
        current = None
        while True:
            try:
                message = self._read(deadline)
            except StudentTimeout:
                where = f" (cell {current})" if current is not None else ""
                self._fatal = (
                    f"running the notebook took longer than {self.load_timeout:.0f} s{where}"
                )
                self._stop()
                raise StudentTimeout(self._fatal) from None
            except (StudentCrashed, protocol.ProtocolError) as error:
                where = (
                    f" while running cell {current}" if current is not None else " while starting"
                )
                self._fatal = f"the notebook's process ended{where}: {error}"
                self._stop()
                raise StudentCrashed(self._fatal) from None
            event = message.get("event")
            if event == "cell":
                current = message.get("index")
            elif event == "cell_error":
                self.cell_errors.append(
                    {"index": message.get("index"), "error": message.get("error")}
                )
            elif event == "ready":
                self._loaded = True
                return

    def _read(self, deadline: float) -> dict:
        def wait():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StudentTimeout("timed out")
            ready, _, _ = select.select([self._from_child], [], [], remaining)
            if not ready:
                raise StudentTimeout("timed out")

        try:
            return protocol.read_message(self._from_child, wait)
        except EOFError:
            self._process.wait(timeout=5)
            raise StudentCrashed(_exit_reason(self._process.returncode)) from None

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                process.kill()
        process.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._output_thread.join(timeout=5)
        self.output = b"".join(self._output_chunks).decode("utf-8", "replace")
        shutil.rmtree(self._stage, ignore_errors=True)

    def ensure_started(self) -> None:
        if self._process is None or not self._loaded:
            self._start()

    # --- requests -----------------------------------------------------------------------

    def _request(self, fields: dict, args, kwargs, timeout, label, generation=None):
        self.ensure_started()
        if generation is not None and generation != self._generation:
            raise StudentError(f"{label}: the object was created in a process that has since ended")
        for value in (*args, *kwargs.values()):
            if isinstance(value, RemoteObject) and value._generation != self._generation:
                raise StudentError(
                    f"{label}: {value.label} was created in a process that has since ended"
                )
        self._next_id += 1
        message = dict(fields, id=self._next_id)
        message["args"] = protocol.encode([_as_handle(a) for a in args])
        message["kwargs"] = protocol.encode({k: _as_handle(v) for k, v in kwargs.items()})
        limit = self.call_timeout if timeout is None else timeout
        try:
            protocol.write_message(self._to_child, message)
            while True:
                reply = self._read(time.monotonic() + limit)
                if reply.get("id") == self._next_id and "ok" in reply:
                    break
        except StudentTimeout:
            self._stop()
            raise StudentTimeout(f"{label} did not return within {limit:g} s") from None
        except (StudentCrashed, BrokenPipeError) as error:
            self._stop()
            raise StudentCrashed(f"{label}: the notebook's process ended ({error})") from None
        except protocol.ProtocolError as error:
            self._stop()
            raise StudentError(f"{label}: unreadable answer ({error})") from None
        if not reply["ok"]:
            error = reply.get("error") or {}
            detail = f"{error.get('type', 'Error')}: {error.get('message', '')}"
            trace = error.get("traceback", "")
            raise StudentError(f"{label} raised {detail}" + (f"\n{trace}" if trace else ""))
        try:
            return protocol.decode(reply.get("value"))
        except protocol.ProtocolError as error:
            raise StudentError(f"{label} returned something unreadable: {error}") from None


def _as_handle(value):
    """A remote object travels as the handle that names it in the student's process."""
    return value._handle if isinstance(value, RemoteObject) else value


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "the process closed its channel"
    if code > 128 and code - 128 in signal.Signals._value2member_map_:
        code = -(code - 128)  # the namespace's shell reports a signal as 128 + its number
    if code < 0:
        name = (
            signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        )
        hint = " (memory limit?)" if name in ("SIGKILL", "SIGSEGV", "SIGABRT") else ""
        return f"killed by {name}{hint}"
    return f"exited with code {code}"
