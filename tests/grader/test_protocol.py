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
