"""The wire format between the grader and the student's process: plain values only.

This is the one module both sides import (it needs only the standard library and numpy;
torch when a tensor is sent). A message is an 8-byte big-endian length followed by that many
bytes of UTF-8 JSON. Values that JSON cannot hold are tagged objects:

    {"$tensor": {"dtype": "float32", "shape": [2, 3], "data": "<base64>"}}
    {"$ndarray": {...same fields...}}
    {"$tuple": [...]}    {"$dict": [[key, value], ...]}    {"$handle": 3}
    {"$model": {"module": "coursepkg.models.x", "cls": "Name", "kwargs": {...},
                "state": {...}}}

Nothing that comes from the student's process is trusted, so the trusted side reads it in
three bounded steps, each of which fails with :class:`ProtocolError` (or :class:`Timeout`)
instead of using more time or memory than it was given:

1. :func:`read_message` reads the frame before a deadline, refusing a length over
   ``Limits.bytes`` before reading it;
2. :func:`loads` scans the bytes linearly (nesting depth, number of items, integer sizes)
   before :func:`json.loads` builds anything, so the decoded size is bounded by the limits;
3. :func:`check` validates the message against a schema (fields, types, string lengths,
   list lengths), and :func:`decode` rebuilds *fresh* plain objects (new tensors from bytes,
   new lists, dicts, tuples), so an object whose ``__eq__`` or ``__torch_function__`` was
   forged in the student's process can never reach a comparison. Nothing is ever unpickled.

Writes to the student's process go to a non-blocking pipe with a deadline
(:func:`write_message`), so a process that stops reading cannot hold the grader.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import re
import select
import struct
import time
from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 32
DTYPES = {
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
}
MAX_DIMS = 16
MAX_INT_DIGITS = 20  # |int| < 10**20: anything larger is not a plain value of an exercise


class ProtocolError(Exception):
    """A message or value that does not follow the protocol."""


class Timeout(ProtocolError):
    """The other process did not read or write in time."""


@dataclass(frozen=True)
class Limits:
    """How much one message may cost the side that reads it."""

    bytes: int = 16 * 2**20
    """Length of the JSON payload."""
    depth: int = MAX_DEPTH
    """Nesting of lists and objects (a tagged value counts its tag's level too)."""
    items: int = 500_000
    """Values in the message: scalars, strings, lists and objects together."""


REPLY = Limits()
"""What the trusted side accepts from the student's process in one message."""
REQUEST = Limits(bytes=256 * 2**20, items=5_000_000)
"""What the student's process accepts from the grader (trusted data, generous limits)."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that lives in the student's process (e.g. a model)."""

    id: int


@dataclass(frozen=True)
class ModelSpec:
    """A torch module for the student's process to build: class, arguments and weights.

    The trusted side sends a model it built (say, a trained classifier whose predictions a
    student's function must explain) as its class, its constructor's keyword arguments and
    its ``state_dict``; the worker rebuilds it, if the module is one it may import (see
    :data:`coursepkg.grading.sandboxed.MODEL_MODULES`), and passes the module to the call.
    """

    module: str
    cls: str
    kwargs: dict
    state: dict

    @classmethod
    def of(cls, model, **kwargs) -> ModelSpec:
        """The spec of a torch module built as ``type(model)(**kwargs)``."""
        kind = type(model)
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return cls(kind.__module__, kind.__qualname__, dict(kwargs), state)


# --- values -----------------------------------------------------------------------------


def encode(value, depth: int = 0):
    """Turn a plain value into JSON-ready data (used on both sides)."""
    if depth > MAX_DEPTH:
        raise ProtocolError("value is nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, Handle):
        return {"$handle": int(value.id)}
    if isinstance(value, ModelSpec):
        return {
            "$model": {
                "module": str(value.module),
                "cls": str(value.cls),
                "kwargs": encode(value.kwargs, depth + 1),
                "state": encode(value.state, depth + 1),
            }
        }
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        array = torch.Tensor.numpy(torch.Tensor.cpu(torch.Tensor.detach(value)).contiguous())
        return {"$tensor": _array_fields(array)}
    if isinstance(value, np.ndarray):
        return {"$ndarray": _array_fields(value)}
    if isinstance(value, np.generic):
        return encode(value.item(), depth + 1)
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, (bool, int, float, str)):  # subclasses: keep only the plain value
        for plain in (bool, int, float, str):
            if isinstance(value, plain):
                return plain(value)
    raise ProtocolError(
        f"cannot send a value of type {type(value).__module__}.{type(value).__qualname__}; "
        "return tensors, arrays, numbers, strings, lists, tuples or dicts"
    )


def _array_fields(array: np.ndarray) -> dict:
    array = np.require(array, requirements="C")  # (ascontiguousarray would make 0-d arrays 1-d)
    if array.dtype.name not in DTYPES:
        raise ProtocolError(f"arrays of dtype {array.dtype.name} are not supported")
    return {
        "dtype": array.dtype.name,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def decode(data, depth: int = 0, tensors: bool = True):
    """Rebuild plain values from JSON data, creating every object afresh."""
    if depth > MAX_DEPTH:
        raise ProtocolError("value is nested too deeply")
    if data is None or type(data) in (bool, float, str):
        return data
    if type(data) is int:
        if abs(data) >= 10**MAX_INT_DIGITS:
            raise ProtocolError("integer out of range")
        return data
    if type(data) is list:
        return [decode(v, depth + 1, tensors) for v in data]
    if type(data) is dict and len(data) == 1:
        ((tag, body),) = data.items()
        if tag == "$tuple" and type(body) is list:
            return tuple(decode(v, depth + 1, tensors) for v in body)
        if tag == "$dict" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("malformed dict entry")
                key = decode(pair[0], depth + 1, tensors)
                if type(key) not in (str, int, float, bool) and key is not None:
                    raise ProtocolError("dict keys must be plain scalars")
                out[key] = decode(pair[1], depth + 1, tensors)
            return out
        if tag == "$handle" and type(body) is int and 0 < body < 2**31:
            return Handle(body)
        if (
            tag == "$model"
            and type(body) is dict
            and set(body) == {"module", "cls", "kwargs", "state"}
        ):
            kwargs = decode(body["kwargs"], depth + 1, tensors)
            state = decode(body["state"], depth + 1, tensors)
            if type(body["module"]) is not str or type(body["cls"]) is not str:
                raise ProtocolError("malformed model spec")
            if type(kwargs) is not dict or type(state) is not dict:
                raise ProtocolError("malformed model spec")
            return ModelSpec(body["module"], body["cls"], kwargs, state)
        if tag in ("$tensor", "$ndarray") and type(body) is dict:
            array = _array_from_fields(body)
            if tag == "$tensor" and tensors:
                import torch

                return torch.from_numpy(array)
            return array
    raise ProtocolError(f"unexpected data in message: {str(data)[:80]}")


def _array_from_fields(body: dict) -> np.ndarray:
    dtype, shape, data = body.get("dtype"), body.get("shape"), body.get("data")
    if set(body) != {"dtype", "shape", "data"}:
        raise ProtocolError("malformed array")
    if dtype not in DTYPES or type(shape) is not list or type(data) is not str:
        raise ProtocolError("malformed array")
    if len(shape) > MAX_DIMS or not all(type(n) is int and 0 <= n < 2**40 for n in shape):
        raise ProtocolError("malformed array shape")
    count = 1
    for n in shape:  # Python integers: no overflow
        count *= n
    size = count * np.dtype(dtype).itemsize
    if len(data) != 4 * ((size + 2) // 3):  # checked before decoding anything
        raise ProtocolError("array data does not match its shape")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ProtocolError("array data is not base64") from None
    if len(raw) != size:
        raise ProtocolError("array data does not match its shape")
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()


def _torch():
    import sys

    return sys.modules.get("torch")


# --- bounded JSON ------------------------------------------------------------------------

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_LONG_NUMBER = re.compile(rb"[0-9]{%d,}" % (MAX_INT_DIGITS + 1))


def scan(raw: bytes, limits: Limits = REPLY) -> None:
    """Refuse JSON whose nesting, item count or numbers exceed ``limits``, in linear time.

    Strings are blanked first (one regular-expression pass), so what is left is the
    structure: brackets, commas, numbers and literals. Malformed JSON may pass the scan;
    :func:`json.loads` then rejects it, within the same bounds.
    """
    if len(raw) > limits.bytes:
        raise ProtocolError(f"JSON of {len(raw)} bytes is over the limit of {limits.bytes}")
    skeleton = _STRING.sub(b"0", raw)
    opens = skeleton.count(b"[") + skeleton.count(b"{")
    items = opens + skeleton.count(b",") + 1
    if items > limits.items:
        raise ProtocolError(f"JSON of {items} or more values is over the limit of {limits.items}")
    if _LONG_NUMBER.search(skeleton):
        raise ProtocolError("JSON holding a number too long to be a plain value")
    if opens:
        brackets = np.frombuffer(skeleton.translate(None, _NOT_BRACKETS), dtype=np.uint8)
        steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
        depth = int(np.cumsum(steps, dtype=np.int64).max())
        if depth > limits.depth:
            raise ProtocolError(f"JSON nested {depth} deep, over the limit of {limits.depth}")


def loads(raw: bytes, limits: Limits = REPLY):
    """``json.loads`` after :func:`scan`: bounded in time and memory by ``limits``."""
    scan(raw, limits)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError(f"malformed JSON: {str(error)[:200]}") from None


# --- schemas -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A string of at most ``max`` characters."""

    max: int


@dataclass(frozen=True)
class Integer:
    """An integer in ``[min, max]`` (``bool`` is not an integer here)."""

    min: int = -(2**31)
    max: int = 2**31 - 1


@dataclass(frozen=True)
class Sequence:
    """A list of at most ``max`` items, each matching ``item``."""

    item: object
    max: int


@dataclass(frozen=True)
class Record:
    """An object with exactly these ``fields`` (name: schema), plus ``optional`` ones."""

    fields: dict
    optional: dict | None = None


ANY = object()
"""Any JSON data (to be decoded by :func:`decode`, which checks it)."""


def check(data, schema, where: str = "message") -> None:
    """Raise :class:`ProtocolError` unless ``data`` matches ``schema``.

    A schema is :data:`ANY`, ``bool``, ``float`` (any number), ``str`` (any length: only
    where the message's byte limit is bound enough), a constant (``"ready"``), or one of
    :class:`Text`, :class:`Integer`, :class:`Sequence`, :class:`Record`.
    """
    if schema is ANY:
        return
    if schema is bool:
        ok = type(data) is bool
    elif schema is float:
        ok = type(data) in (int, float)
    elif schema is str:
        ok = type(data) is str
    elif isinstance(schema, Text):
        ok = type(data) is str and len(data) <= schema.max
    elif isinstance(schema, Integer):
        ok = type(data) is int and schema.min <= data <= schema.max
    elif isinstance(schema, Sequence):
        ok = type(data) is list and len(data) <= schema.max
        if ok:
            for i, item in enumerate(data):
                check(item, schema.item, f"{where}[{i}]")
    elif isinstance(schema, Record):
        optional = schema.optional or {}
        ok = (
            type(data) is dict
            and set(schema.fields) <= set(data)
            and set(data) <= set(schema.fields) | set(optional)
        )
        if ok:
            for name, value in data.items():
                check(value, schema.fields.get(name, optional.get(name)), f"{where}.{name}")
    else:
        ok = type(data) is type(schema) and data == schema
    if not ok:
        raise ProtocolError(f"{where} does not follow the protocol")


ERROR = Record({"type": Text(200), "message": Text(4000), "traceback": Text(8000)})
"""An exception raised in the student's process, as the worker describes it."""

CELL_NUMBER = Integer(1, 100_000)
EVENTS = {
    "cell": Record({"event": "cell", "number": CELL_NUMBER}),
    "cell_error": Record({"event": "cell_error", "number": CELL_NUMBER, "error": ERROR}),
    "ready": Record({"event": "ready"}),
}
"""What the worker sends while it runs the notebook's cells."""
REPLY_OK = Record({"id": Integer(0), "ok": True, "value": ANY})
REPLY_FAILED = Record({"id": Integer(0), "ok": False, "error": ERROR})


def check_event(message: dict) -> dict:
    """A valid event from the worker, or :class:`ProtocolError`."""
    schema = EVENTS.get(message.get("event")) if type(message) is dict else None
    if schema is None:
        raise ProtocolError("unexpected message while the notebook runs")
    check(message, schema)
    return message


def check_reply(message: dict) -> dict:
    """A valid reply to a request, or :class:`ProtocolError`."""
    if type(message) is not dict or message.get("ok") not in (True, False):
        raise ProtocolError("a reply must say whether the call succeeded")
    check(message, REPLY_OK if message["ok"] else REPLY_FAILED, "reply")
    return message


# --- framing -----------------------------------------------------------------------------


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout("timed out")
    return remaining


def write_message(
    fd: int, message: dict, deadline: float | None = None, limits: Limits = REQUEST
) -> None:
    """Write one framed JSON message; with a ``deadline``, ``fd`` must be non-blocking and
    a reader that does not keep up raises :class:`Timeout` instead of blocking."""
    payload = json.dumps(message, allow_nan=True).encode("utf-8")
    if len(payload) > limits.bytes:
        raise ProtocolError(f"message of {len(payload)} bytes is over the limit of {limits.bytes}")
    view = memoryview(struct.pack(">Q", len(payload)) + payload)
    while view:
        if deadline is not None:
            _, ready, _ = select.select([], [fd], [], _remaining(deadline))
            if not ready:
                raise Timeout("timed out")
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[written:]


def read_exactly(fd: int, n: int, deadline: float | None = None) -> bytes:
    """Read ``n`` bytes, before ``deadline`` if one is given (:class:`Timeout`)."""
    chunks, remaining = [], n
    while remaining:
        if deadline is not None:
            ready, _, _ = select.select([fd], [], [], _remaining(deadline))
            if not ready:
                raise Timeout("timed out")
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            continue
        except OSError as error:
            if error.errno == errno.EINTR:
                continue
            raise EOFError(f"the channel failed: {error.strerror}") from None
        if not chunk:
            raise EOFError("the other process closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None, limits: Limits = REPLY) -> dict:
    """Read one framed JSON object within ``limits``, before ``deadline``."""
    (length,) = struct.unpack(">Q", read_exactly(fd, 8, deadline))
    if length > limits.bytes:
        raise ProtocolError(f"message of {length} bytes is over the limit of {limits.bytes}")
    message = loads(read_exactly(fd, length, deadline), limits)
    if type(message) is not dict:
        raise ProtocolError("a message must be a JSON object")
    return message
