import json

import numpy as np
import pytest
import torch

from coursepkg.grading import protocol


def roundtrip(value):
    return protocol.decode(json.loads(json.dumps(protocol.encode(value))))


def test_plain_values_survive_the_wire():
    value = {
        "W": torch.arange(6.0).reshape(2, 3),
        "b": torch.tensor(-0.5),
        "n": 3,
        "names": ["a", "b"],
        "pair": (1, 2.5),
        "arr": np.ones((2,), dtype=np.int64),
    }
    out = roundtrip(value)
    assert torch.equal(out["W"], value["W"]) and out["b"].shape == ()
    assert out["pair"] == (1, 2.5) and out["names"] == ["a", "b"]
    assert isinstance(out["arr"], np.ndarray) and out["arr"].dtype == np.int64


def test_tensor_subclasses_arrive_as_plain_tensors():
    class Sneaky(torch.Tensor):
        def __eq__(self, other):
            return True

    out = roundtrip(torch.zeros(3).as_subclass(Sneaky))
    assert type(out) is torch.Tensor


def test_objects_that_are_not_plain_values_are_refused():
    class Anything:
        def __eq__(self, other):
            return True

    with pytest.raises(protocol.ProtocolError, match="cannot send a value of type"):
        protocol.encode(Anything())


def test_malformed_arrays_are_refused():
    bad = {"$tensor": {"dtype": "float32", "shape": [1000], "data": ""}}
    with pytest.raises(protocol.ProtocolError, match="does not match"):
        protocol.decode(bad)
    with pytest.raises(protocol.ProtocolError):
        protocol.decode({"$tensor": {"dtype": "object", "shape": [], "data": ""}})
    with pytest.raises(protocol.ProtocolError):
        protocol.decode({"__class__": "os.system"})


def test_a_model_spec_travels_as_plain_data_and_is_rebuilt_only_from_allowed_modules(
    monkeypatch,
):
    import torch

    from coursepkg.grading import sandboxed
    from coursepkg.grading.sandboxed.worker import build_model
    from coursepkg.models.elman import ElmanRNN

    torch.manual_seed(0)
    model = ElmanRNN(4, 3, 1)
    spec = protocol.ModelSpec.of(model, input_size=4, hidden_size=3, output_size=1)
    wire = json.loads(json.dumps(protocol.encode([spec])))
    (back,) = protocol.decode(wire)
    assert (back.module, back.cls) == ("coursepkg.models.elman", "ElmanRNN")
    with pytest.raises(ValueError, match="may not build models"):
        build_model(back)
    monkeypatch.setattr(sandboxed, "MODEL_MODULES", ("coursepkg.models.elman",))
    rebuilt = build_model(back)
    x = torch.eye(4).unsqueeze(0)
    assert torch.equal(rebuilt(x), model.eval()(x)) and not rebuilt.training


# --- bounds on what the student's process sends -------------------------------------------


def test_nesting_is_refused_before_json_is_decoded():
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(protocol.ProtocolError, match="nested 200000 deep"):
        protocol.loads(deep)
    strings = json.dumps(["[" * 1000, "{" * 1000]).encode()  # brackets inside strings
    assert protocol.loads(strings) == ["[" * 1000, "{" * 1000]


def test_size_items_and_long_numbers_are_refused():
    with pytest.raises(protocol.ProtocolError, match="over the limit"):
        protocol.loads(b"[" + b"0," * 600_000 + b"0]")
    with pytest.raises(protocol.ProtocolError, match="over the limit"):
        protocol.loads(b'"' + b"x" * 100 + b'"', protocol.Limits(bytes=50))
    with pytest.raises(protocol.ProtocolError, match="number too long"):
        protocol.loads(b"1" + b"0" * 30)
    with pytest.raises(protocol.ProtocolError, match="malformed JSON"):
        protocol.loads(b'{"a": ')


def test_arrays_whose_shape_overflows_are_refused():
    for shape in ([2**62, 4], [2**40, 2**40], [-1], [1] * 20):
        with pytest.raises(protocol.ProtocolError):
            protocol.decode({"$tensor": {"dtype": "float32", "shape": shape, "data": ""}})
    with pytest.raises(protocol.ProtocolError, match="integer out of range"):
        protocol.decode(10**30)


def test_messages_are_checked_against_their_schema():
    error = {"type": "E", "message": "", "traceback": ""}
    good = {"event": "cell_error", "number": 3, "error": error}
    assert protocol.check_event(good) is good
    for bad in (
        {"event": "cell_error", "number": 3, "error": "a string"},
        {"event": "cell", "number": "3"},
        {"event": "cell", "number": True},
        {"event": "ready", "extra": 1},
        {"event": "unknown"},
        {"ok": True, "id": 1, "value": 1},
    ):
        with pytest.raises(protocol.ProtocolError):
            protocol.check_event(bad)
    assert protocol.check_reply({"ok": True, "id": 1, "value": [1]})["value"] == [1]
    with pytest.raises(protocol.ProtocolError):
        protocol.check_reply({"ok": False, "id": 1, "error": "plain string"})
    with pytest.raises(protocol.ProtocolError):
        protocol.check_reply({"ok": "yes", "id": 1, "value": 1})


def test_reading_and_writing_keep_their_deadlines():
    import os
    import time

    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        start = time.monotonic()
        with pytest.raises(protocol.Timeout):  # nobody reads: the pipe fills, the write gives up
            protocol.write_message(write_end, {"x": "y" * 2**20}, time.monotonic() + 0.3)
        assert time.monotonic() - start < 2
    finally:
        os.close(read_end)
        os.close(write_end)
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"\x00" * 7)  # half a header, then nothing
        with pytest.raises(protocol.Timeout):
            protocol.read_message(read_end, time.monotonic() + 0.3)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_length_over_the_limit_is_refused_before_reading():
    import os
    import struct

    read_end, write_end = os.pipe()
    try:
        os.write(write_end, struct.pack(">Q", 2**62))
        with pytest.raises(protocol.ProtocolError, match="over the limit"):
            protocol.read_message(read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
