"""The student's process: runs the submitted notebook, then answers calls with plain values.

The zygote (:mod:`coursepkg.grading.sandboxed.zygote`) forks one worker per submission (and
one more after a crash or a timeout) and calls :func:`serve` with the two ends of its channel
to the grader. The first message names the cells to run::

    {"op": "run", "cells": [{"number": 3, "source": "def f(x): ..."}, ...]}

``number`` is the cell's place among the notebook's code cells, counted from 1, which is how
tracebacks and the report name it. The cells run in order in one namespace (an error in a
cell is reported and the next cell still runs, so earlier definitions survive); then the
worker says it is ready and answers requests until the grader closes the channel.
Everything here is untrusted by design: the grader validates and decodes what comes back.
"""

from __future__ import annotations

import traceback

from coursepkg.grading import protocol

SEED = 0


def seed_all() -> None:
    """Make every run of the same submission draw the same random numbers."""
    import random

    import numpy as np
    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)


def describe(error: BaseException) -> dict:
    """An exception as plain data, with the traceback trimmed to the student's frames."""
    frames = [
        f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<cell")
    ]
    lines = traceback.format_list(frames[-6:]) if frames else []
    try:
        message = str(error)
    except BaseException:  # noqa: BLE001 - a student's exception may fail to print itself
        message = "(the exception's message could not be shown)"
    return {
        "type": type(error).__name__[:200],
        "message": message[:2000],
        "traceback": "".join(lines)[-4000:],
    }


class Worker:
    def __init__(self, fd_in: int, fd_out: int):
        self.fd_in, self.fd_out = fd_in, fd_out
        self.namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
        self.objects: dict[int, object] = {}

    def send(self, message: dict) -> None:
        protocol.write_message(self.fd_out, message, limits=protocol.REPLY)

    def run_cells(self, cells: list[dict]) -> None:
        for cell in cells:
            number = cell["number"]
            self.send({"event": "cell", "number": number})
            try:
                code = compile(cell["source"], f"<cell {number}>", "exec")
                exec(code, self.namespace)
            except BaseException as error:  # noqa: BLE001 - the student's code may raise anything
                self.send({"event": "cell_error", "number": number, "error": describe(error)})
        self.send({"event": "ready"})

    def keep(self, value) -> protocol.Handle:
        handle = protocol.Handle(len(self.objects) + 1)
        self.objects[handle.id] = value
        return handle

    def resolve(self, value):
        """Replace handles in decoded arguments by the objects they name, model specs by
        the modules they describe."""
        if isinstance(value, protocol.Handle):
            return self.objects[value.id]
        if isinstance(value, protocol.ModelSpec):
            return build_model(value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.resolve(v) for v in value)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def target(self, request: dict):
        if "handle" in request:
            obj = self.objects[int(request["handle"])]
            return getattr(obj, request["method"]) if request.get("method") else obj
        if "helper" in request:
            from coursepkg.grading.sandboxed import helpers

            return helpers.HELPERS[request["helper"]]
        name = request["name"]
        if name not in self.namespace:
            raise NameError(f"name {name!r} is not defined by the notebook")
        return self.namespace[name]

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        if op == "call":
            func = self.target(request)
            args = self.resolve(protocol.decode(request.get("args", [])))
            kwargs = self.resolve(protocol.decode(request.get("kwargs", {"$dict": []})))
            seed_all()
            result = func(*args, **kwargs)
        elif op == "getattr":
            result = getattr(self.target(request), request["attr"])
        elif op == "defined":
            obj = self.namespace.get(request["name"])
            module = getattr(obj, "__module__", None)
            result = {
                "defined": request["name"] in self.namespace,
                "kind": _kind(obj),
                "module": module if isinstance(module, str) else "",
            }
        else:
            raise ValueError(f"unknown operation {op!r}")
        if request.get("keep"):
            return {"value": protocol.encode(self.keep(result))}
        return {"value": protocol.encode(result)}

    def serve(self) -> None:
        while True:
            try:
                request = protocol.read_message(self.fd_in, limits=protocol.REQUEST)
            except EOFError:
                return
            try:
                reply = self.handle(request)
                reply["ok"] = True
                reply["id"] = request.get("id")
                self.send(reply)
            except BaseException as error:  # noqa: BLE001 - includes a value too large to send
                self.send({"ok": False, "error": describe(error), "id": request.get("id")})


def build_model(spec: protocol.ModelSpec):
    """The torch module a :class:`~coursepkg.grading.protocol.ModelSpec` describes, in eval mode."""
    import importlib

    from coursepkg.grading.sandboxed import MODEL_MODULES

    if spec.module not in MODEL_MODULES:
        raise ValueError(f"the grader may not build models from {spec.module!r}")
    kind = getattr(importlib.import_module(spec.module), spec.cls)
    model = kind(**spec.kwargs)
    model.load_state_dict(spec.state)
    return model.eval()


def _kind(obj) -> str:
    if obj is None:
        return "none"
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "value"


def serve(fd_in: int, fd_out: int) -> None:
    """Run the cells the grader sends first, then answer its requests until it hangs up."""
    import torch

    torch.set_num_threads(1)
    seed_all()
    worker = Worker(fd_in, fd_out)
    try:
        first = protocol.read_message(fd_in, limits=protocol.REQUEST)
    except EOFError:
        return
    worker.run_cells(first.get("cells", []) if first.get("op") == "run" else [])
    worker.serve()
