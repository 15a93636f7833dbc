"""The wire format between the grader and the student's process: plain values only.

A message is an 8-byte big-endian length followed by that many bytes of UTF-8 JSON.
Values that JSON cannot hold are tagged objects:

    {"$tensor": {"dtype": "float32", "shape": [2, 3], "data": "<base64>"}}
    {"$ndarray": {...same fields...}}
    {"$tuple": [...]}    {"$dict": [[key, value], ...]}    {"$handle": 3}
    {"$model": {"module": "coursepkg.models.x", "cls": "Name", "kwargs": {...},
                "state": {...}}}

``decode`` on the trusted side rebuilds *fresh* plain objects (new tensors from bytes,
new lists, dicts, tuples) and rejects anything else, so an object whose ``__eq__`` or
``__torch_function__`` was forged in the student's process can never reach a
comparison. Nothing is ever unpickled.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import dataclass

import numpy as np

MAX_MESSAGE_BYTES = 256 * 2**20
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


class ProtocolError(Exception):
    """A message or value that does not follow the protocol."""


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
    if data is None or type(data) in (bool, int, float, str):
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
        if tag == "$handle" and type(body) is int:
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
    if dtype not in DTYPES or type(shape) is not list or type(data) is not str:
        raise ProtocolError("malformed array")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ProtocolError("malformed array shape")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if count * np.dtype(dtype).itemsize != len(raw):
        raise ProtocolError("array data does not match its shape")
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()


def _torch():
    import sys

    return sys.modules.get("torch")


# --- framing -----------------------------------------------------------------------------


def write_message(fd: int, message: dict) -> None:
    """Write one framed JSON message to a file descriptor."""
    payload = json.dumps(message, allow_nan=True).encode("utf-8")
    if len(payload) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(payload)} bytes is over the limit")
    data = struct.pack(">Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exactly(fd: int, n: int, wait=None) -> bytes:
    """Read ``n`` bytes; ``wait()`` is called before each read (to apply a deadline)."""
    chunks, remaining = [], n
    while remaining:
        if wait is not None:
            wait()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other process closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, wait=None) -> dict:
    """Read one framed JSON message; reject oversize or malformed ones."""
    (length,) = struct.unpack(">Q", read_exactly(fd, 8, wait))
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes is over the limit")
    try:
        message = json.loads(read_exactly(fd, length, wait).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ProtocolError(f"malformed message: {error}") from None
    if type(message) is not dict:
        raise ProtocolError("a message must be a JSON object")
    return message
