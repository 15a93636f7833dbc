"""The trusted side's handle on a submission: start its process, call it, keep it in bounds.

``Submission(cells, nursery=...)`` asks the nursery's zygote for a worker lazily, on the
first call (:mod:`coursepkg.grading.trusted.nursery`). Every call has a deadline that covers
writing the request, reading the reply and decoding it; a call that times out, or a process
that dies (``os._exit``, a crash, the memory limit), costs that call, and the next call
starts a fresh worker that runs the notebook again, up to ``max_restarts`` times.

A cell that never ends, or that ends the process, costs what depends on it and no more:
the notebook is run again in a fresh worker *up to that cell*, the functions defined before
it are graded, and the report names the cell (:attr:`Submission.fatal_cell`). A notebook that
cannot even start fails every call with the same clear reason, without being retried.

Only plain values cross the boundary (see :mod:`coursepkg.grading.protocol`): every message
from the worker is bounded, validated against its schema and decoded into fresh objects.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import asdict

from coursepkg.grading import protocol
from coursepkg.grading.sandboxed.confine import WorkerLimits
from coursepkg.grading.trusted.notebook import CodeCell
from coursepkg.grading.trusted.nursery import Client, Nursery, NurseryError

OUTPUT_CAP = 20_000
SPAWN_TIMEOUT = 180.0


class StudentError(Exception):
    """The student's code raised, timed out, crashed, or returned something unusable."""


class StudentTimeout(StudentError):
    """A call (or running the notebook) took longer than its limit."""


class StudentCrashed(StudentError):
    """The student's process ended while the grader waited for it."""


class GraderFailure(Exception):
    """The grader's own sandbox failed: no fault of the submission, which is not scored."""


class RemoteObject:
    """An object living in the student's process, e.g. an instance of the student's class.

    ``obj.call("forward", x)`` calls a method; ``obj.helper("train_model", ...)`` runs
    one of :mod:`coursepkg.grading.sandboxed.helpers` on it; ``obj.attr("hidden_size")`` reads an
    attribute (as a plain value).
    """

    def __init__(
        self, submission: Submission, handle: protocol.Handle, generation: int, label: str
    ):
        self._submission, self._handle, self._generation = submission, handle, generation
        self.label = label

    def call(self, method: str, *args, timeout: float | None = None, **kwargs):
        fields = {"op": "call", "handle": self._handle.id, "method": method}
        label = f"{self.label}.{method}"
        return self._submission._request(fields, args, kwargs, timeout, label, self._generation)

    def __call__(self, *args, timeout: float | None = None, **kwargs):
        fields = {"op": "call", "handle": self._handle.id, "method": ""}
        return self._submission._request(
            fields, args, kwargs, timeout, self.label, self._generation
        )

    def attr(self, name: str, timeout: float | None = None):
        fields = {"op": "getattr", "handle": self._handle.id, "attr": name}
        label = f"{self.label}.{name}"
        return self._submission._request(fields, (), {}, timeout, label, self._generation)

    def helper(self, name: str, *args, timeout: float | None = None, **kwargs):
        return self._submission.helper(name, self, *args, timeout=timeout, **kwargs)


class _Worker:
    """One worker process: the trusted ends of its pipes and the thread draining its output."""

    def __init__(self, worker_id: int, to_worker: int, from_worker: int, output: int, sink):
        self.id, self.to_worker, self.from_worker = worker_id, to_worker, from_worker
        self.thread = threading.Thread(target=sink, args=(output,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        for fd in (self.to_worker, self.from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self.thread.join(timeout=5)


class Submission:
    """The student's notebook, run in a separate, confined process and called remotely."""

    def __init__(
        self,
        cells: list[CodeCell],
        *,
        nursery: Client | None = None,
        limits: WorkerLimits | None = None,
        load_timeout: float = 60.0,
        call_timeout: float = 10.0,
        max_restarts: int = 3,
        secrets=(),
    ):
        self.cells = list(cells)
        self.limits = limits or WorkerLimits()
        self.load_timeout, self.call_timeout = load_timeout, call_timeout
        self.max_restarts = max_restarts
        self.cell_errors: list[dict] = []
        self.fatal_cell: dict | None = None
        """``{"number": N, "reason": "..."}`` when a cell never ended or ended the process."""
        self.output = ""
        self._client = nursery
        self._own_nursery: Nursery | None = None
        self._secrets = list(secrets)
        self._worker: _Worker | None = None
        self._fatal: str | None = None
        self._starts = 0
        self._generation = 0
        self._next_id = 0
        self._own: set[str] = set()
        self._output = bytearray()
        self._output_lock = threading.Lock()
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
        if not isinstance(handle, protocol.Handle):
            raise StudentError(f"{name}: the notebook's process did not keep the object")
        return RemoteObject(self, handle, self._generation, name)

    def helper(self, name: str, *args, timeout: float | None = None, **kwargs):
        """Run a :mod:`coursepkg.grading.sandboxed.helpers` function in the student's process
        (its result is the student's claim, like any other answer from there)."""
        return self._request({"op": "call", "helper": name}, args, kwargs, timeout, name)

    def defined(self, name: str) -> dict:
        """``{"defined": bool, "kind": "function"|"class"|...}`` for a name in the notebook."""
        info = self._request({"op": "defined", "name": name}, (), {}, None, name)
        if type(info) is not dict:
            raise StudentError(f"{name}: unreadable answer about its definition")
        return info

    def require_own(self, name: str) -> None:
        """Fail unless ``name`` was written in the notebook rather than imported.

        The student's process cannot import the course package (only the grader's
        skeleton of it), so this catches a function taken from the grader's own modules.
        """
        if name in self._own:
            return
        module = self.defined(name).get("module", "")
        if isinstance(module, str) and (module == "coursepkg" or module.startswith("coursepkg.")):
            raise StudentError(
                f"{name} is imported from {module}; write your own {name} in the notebook"
            )
        self._own.add(name)

    def close(self) -> None:
        self._stop()
        if self._own_nursery is not None:
            self._own_nursery.close()
            self._own_nursery = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- process management -------------------------------------------------------------

    @property
    def nursery(self) -> Client:
        if self._client is None:  # standalone use (tests): a nursery of our own
            self._own_nursery = Nursery(secrets=self._secrets).start()
            self._client = self._own_nursery.client
        return self._client

    def launch(self) -> None:
        """Start the worker without waiting for it: it runs the cells while pytest collects."""
        if self._worker is None and not self._fatal and self._starts <= self.max_restarts:
            self._spawn()

    def ensure_started(self) -> None:
        if self._worker is None:
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
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        output_r, output_w = os.pipe()
        os.set_blocking(request_w, False)
        worker_id = self.nursery.new_id()
        try:
            self.nursery.spawn(
                worker_id,
                [request_r, reply_w, output_w],
                asdict(self.limits),
                time.monotonic() + SPAWN_TIMEOUT,
            )
        except (NurseryError, TimeoutError) as error:
            for fd in (request_w, reply_r, output_r):
                os.close(fd)
            raise GraderFailure(f"the grader's sandbox failed: {error}") from None
        finally:
            for fd in (request_r, reply_w, output_w):
                os.close(fd)
        self._worker = _Worker(worker_id, request_w, reply_r, output_r, self._drain)
        self._load_deadline = time.monotonic() + self.load_timeout
        cells = [{"number": c.number, "source": c.source} for c in self.cells]
        try:
            protocol.write_message(request_w, {"op": "run", "cells": cells}, self._load_deadline)
        except (protocol.Timeout, BrokenPipeError) as error:
            self._stop()
            raise GraderFailure(f"the grader's worker did not start ({error})") from None

    def _drain(self, fd: int) -> None:
        """Keep the first OUTPUT_CAP bytes of what the student prints; discard the rest."""
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                with self._output_lock:
                    room = OUTPUT_CAP - len(self._output)
                    if room > 0:
                        self._output += chunk[:room]
        except OSError:
            return
        finally:
            os.close(fd)

    def _load(self) -> None:
        """Run the notebook's cells in the new worker; on a fatal cell, replay the cells
        before it in a fresh worker (once)."""
        deadline = self._load_deadline
        self.cell_errors = []
        current, heard = None, False
        try:
            while True:
                message = protocol.check_event(self._read(deadline))
                heard = True
                if message["event"] == "cell":
                    current = message["number"]
                elif message["event"] == "cell_error":
                    if len(self.cell_errors) < 100:
                        self.cell_errors.append(
                            {"number": message["number"], "error": message["error"]}
                        )
                else:
                    self._loaded = True
                    return
        except (protocol.Timeout, StudentCrashed, BrokenPipeError) as error:
            self._stop()
            if not heard:  # no student code has run yet: the sandbox failed, not the notebook
                raise GraderFailure(f"the grader's worker did not start ({error})") from None
            if isinstance(error, protocol.Timeout):
                reason = f"did not finish within {self.load_timeout:g} s and was stopped"
                self._fatal_cell(current, reason, StudentTimeout)
            else:
                reason = f"ended the notebook's process: {error}"
                self._fatal_cell(current, reason, StudentCrashed)
        except protocol.ProtocolError as error:
            self._stop()
            self._fatal = f"the notebook's process sent something unreadable ({error})"
            raise StudentError(self._fatal) from None

    def _fatal_cell(self, number, reason: str, kind) -> None:
        """Replay the cells before the fatal one, once; else give up with ``reason``."""
        earlier = [c for c in self.cells if number is not None and c.number < number]
        known = {c.number for c in self.cells}
        if self.fatal_cell is None and number in known:
            self.fatal_cell = {"number": number, "reason": reason}
            self.cells = earlier
            self._starts -= 1  # the replay is part of the grading, not a restart
            self.ensure_started()
            return
        where = f"code cell {number}" if number in known else "the notebook"
        self._fatal = f"running the notebook failed: {where} {reason}"
        raise kind(self._fatal)

    def _read(self, deadline: float) -> dict:
        try:
            return protocol.read_message(self._worker.from_worker, deadline, protocol.REPLY)
        except EOFError:
            raise StudentCrashed(self._exit_reason()) from None

    def _exit_reason(self) -> str:
        worker = self._worker
        code = self.nursery.exit_code(worker.id, time.monotonic() + 5) if worker else None
        return describe_exit(code)

    def _stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            self.nursery.kill(worker.id)
        except NurseryError:
            pass
        worker.close()
        with self._output_lock:
            self.output = self._output.decode("utf-8", "replace")

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
        deadline = time.monotonic() + limit
        try:
            protocol.write_message(self._worker.to_worker, message, deadline)
            reply = protocol.check_reply(self._read(deadline))
            if reply["id"] != self._next_id:
                raise protocol.ProtocolError("a reply to another request")
            value = protocol.decode(reply["value"]) if reply["ok"] else None
            if time.monotonic() > deadline:
                raise protocol.Timeout("decoded after the deadline")
        except protocol.Timeout:
            self._stop()
            raise StudentTimeout(f"{label} did not return within {limit:g} s") from None
        except (StudentCrashed, BrokenPipeError) as error:
            self._stop()
            raise StudentCrashed(f"{label}: the notebook's process ended ({error})") from None
        except protocol.ProtocolError as error:
            self._stop()
            raise StudentError(f"{label}: unreadable answer ({error})") from None
        if not reply["ok"]:
            error = reply["error"]
            detail = f"{error['type']}: {error['message']}"
            trace = error["traceback"]
            raise StudentError(f"{label} raised {detail}" + (f"\n{trace}" if trace else ""))
        return value


def _as_handle(value):
    """A remote object travels as the handle that names it in the student's process."""
    return value._handle if isinstance(value, RemoteObject) else value


def describe_exit(code: int | None) -> str:
    """A worker's exit code (as a shell reports it) in words."""
    if code is None:
        return "the process closed its channel"
    if code > 128 and code - 128 in signal.Signals._value2member_map_:
        name = signal.Signals(code - 128).name
        hint = {
            "SIGKILL": " (stopped by the grader, or out of memory)",
            "SIGSEGV": " (a crash; memory limit?)",
            "SIGXCPU": " (its CPU time limit)",
            "SIGXFSZ": " (its file size limit)",
        }.get(name, "")
        return f"killed by {name}{hint}"
    if code == 0:
        return "it exited (os._exit, or sys.exit in a thread)"
    return f"exited with code {code}"
