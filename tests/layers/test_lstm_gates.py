"""The LSTM layer: reading gates from a fused nn.LSTM, editing its forget gate, and the
gradient along its cell state."""

from __future__ import annotations

import pytest
import torch

from coursepkg.analysis.gates import SCAN_WIDTH, GateRecorder, linear_recurrence
from coursepkg.analysis.highway import cell_jacobian_norms, forget_gate_products
from coursepkg.models.lstm import (
    GATES,
    LSTMTagger,
    check_lstm,
    edit_forget_gate,
    gate_block,
)


def lstm64(D: int, H: int, seed: int, scale: float = 1.0) -> torch.nn.LSTM:
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for p in lstm.parameters():
            p.mul_(scale)
    return lstm


def stepped_cell(lstm: torch.nn.LSTM, x: torch.Tensor):
    """h_t, c_t of nn.LSTMCell with the same weights, stepped from zero: (B, T, H) each."""
    cell = torch.nn.LSTMCell(lstm.input_size, lstm.hidden_size, dtype=x.dtype)
    cell.load_state_dict(
        {
            "weight_ih": lstm.weight_ih_l0,
            "weight_hh": lstm.weight_hh_l0,
            "bias_ih": lstm.bias_ih_l0,
            "bias_hh": lstm.bias_hh_l0,
        }
    )
    h = c = x.new_zeros(x.shape[0], lstm.hidden_size)
    hs, cs = [], []
    with torch.no_grad():
        for t in range(x.shape[1]):
            h, c = cell(x[:, t], (h, c))
            hs.append(h)
            cs.append(c)
    return torch.stack(hs, 1), torch.stack(cs, 1)


@pytest.mark.parametrize("B,T,D,H", [(1, 1, 1, 1), (3, 17, 4, 5), (40, 9, 2, 16), (2, 33, 3, 300)])
@pytest.mark.parametrize("scale", [1.0, 40.0])
def test_recorded_gates_rebuild_torch_outputs_and_cell_states(B, T, D, H, scale):
    lstm = lstm64(D, H, seed=B + T + H, scale=scale)
    x = scale * torch.randn(
        B, T, D, generator=torch.Generator().manual_seed(T), dtype=torch.float64
    )
    with torch.no_grad():
        record = GateRecorder(lstm)(x)
    assert record.mismatch() < 1e-12 * max(1.0, scale)
    h, c = stepped_cell(lstm, x)
    torch.testing.assert_close(record.h, h, rtol=0, atol=1e-12)
    torch.testing.assert_close(record.c, c, rtol=0, atol=1e-11 * max(1.0, scale))
    for gate in ("input", "forget", "output"):
        assert 0 <= record[gate].min() and record[gate].max() <= 1
    assert -1 <= record["candidate"].min() and record["candidate"].max() <= 1


def test_a_wrong_gate_layout_does_not_rebuild_the_outputs():
    """The comparison with torch is a real check: read f from g's rows and it fails."""
    lstm = lstm64(4, 6, seed=1)
    recorder = GateRecorder(lstm)
    with torch.no_grad():
        f, g = recorder.layer("forget"), recorder.layer("candidate")
        weight, bias = f.weight.clone(), f.bias.clone()
        f.weight.copy_(g.weight), f.bias.copy_(g.bias)
        g.weight.copy_(weight), g.bias.copy_(bias)
        record = recorder(torch.randn(3, 12, 4, dtype=torch.float64))
    assert record.mismatch() > 1e-3


def test_the_recorder_is_a_snapshot_and_leaves_the_lstm_alone():
    lstm = lstm64(3, 4, seed=2)
    before = {k: v.clone() for k, v in lstm.state_dict().items()}
    recorder = GateRecorder(lstm)
    with torch.no_grad():
        lstm.weight_hh_l0.zero_()
        record = recorder(torch.randn(2, 5, 3, dtype=torch.float64))
    assert record.mismatch() < 1e-12
    assert not torch.equal(before["weight_hh_l0"], lstm.weight_hh_l0)
    assert all(not p.requires_grad for p in recorder.parameters())


@pytest.mark.parametrize("B,H", [(2, 3), (SCAN_WIDTH, 2), (1, 1)])
@pytest.mark.parametrize("T", [1, 2, 7, 64, 65])
def test_linear_recurrence_agrees_with_the_loop(B, H, T):
    gen = torch.Generator().manual_seed(B * T + H)
    a = torch.rand(B, T, H, generator=gen, dtype=torch.float64)
    b = torch.randn(B, T, H, generator=gen, dtype=torch.float64)
    c, loop = torch.zeros(B, H, dtype=torch.float64), []
    for t in range(T):
        c = a[:, t] * c + b[:, t]
        loop.append(c)
    torch.testing.assert_close(linear_recurrence(a, b), torch.stack(loop, 1))
    with pytest.raises(ValueError, match="same shape"):
        linear_recurrence(a, b[:, :-1] if T > 1 else b[:1, :, :0])


def test_gate_blocks_follow_torchs_i_f_g_o_order():
    lstm = torch.nn.LSTM(2, 5, batch_first=True)
    assert [gate_block(lstm, g) for g in GATES] == [
        slice(0, 5),
        slice(5, 10),
        slice(10, 15),
        slice(15, 20),
    ]
    with pytest.raises(ValueError, match="unknown gate"):
        gate_block(lstm, "cell")


def test_clamped_forget_gates_are_exactly_zero_or_one_and_the_original_is_unchanged():
    lstm = lstm64(2, 3, seed=3)
    original = {k: v.clone() for k, v in lstm.state_dict().items()}
    x = 5 * torch.randn(4, 30, 2, dtype=torch.float64)
    for clamp in (0, 1):
        edited = edit_forget_gate(lstm, clamp=clamp)
        with torch.no_grad():
            record = GateRecorder(edited)(x)
        assert torch.equal(record["forget"], torch.full_like(record["forget"], float(clamp)))
        assert record.mismatch() < 1e-10  # still a plain nn.LSTM
    shifted = edit_forget_gate(lstm, shift=2.0)
    rows = gate_block(lstm, "forget")
    torch.testing.assert_close(shifted.bias_ih_l0[rows], lstm.bias_ih_l0[rows] + 2.0)
    for key, value in original.items():
        assert torch.equal(lstm.state_dict()[key], value)
    with pytest.raises(ValueError, match="clamp must be 0 or 1"):
        edit_forget_gate(lstm, clamp=0.5)


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"num_layers": 2}, "num_layers"),
        ({"bidirectional": True}, "bidirectional"),
        ({"batch_first": False}, "batch_first"),
        ({"bias": False}, "bias"),
    ],
)
def test_only_plain_one_layer_lstms_are_read(kwargs, problem):
    options = {"batch_first": True, **kwargs}
    with pytest.raises(ValueError, match=problem):
        check_lstm(torch.nn.LSTM(2, 3, **options))
    with pytest.raises(TypeError, match="nn.LSTM"):
        check_lstm(torch.nn.GRU(2, 3, batch_first=True))


def test_cell_jacobian_norms_match_autograd_from_every_step():
    """Each entry against the Jacobian of c_T as a function of c_t, by
    torch.autograd.functional.jacobian, with h_t = o_t tanh(c_t) recomputed from c_t."""
    lstm = lstm64(3, 4, seed=4, scale=2.0)
    x = torch.randn(9, 3, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    norms = cell_jacobian_norms(lstm, x)
    with torch.no_grad():
        record = GateRecorder(lstm)(x[None])
    states = torch.cat([torch.zeros(1, 4, dtype=torch.float64), record.c[0]])

    def from_step(t):
        def last_cell(c_t):
            h_t = torch.zeros(4, dtype=torch.float64) if t == 0 else record["output"][0, t - 1]
            h_t = h_t * torch.tanh(c_t) if t > 0 else h_t
            _, (_, c_T) = lstm(x[t:][None], (h_t.view(1, 1, 4), c_t.view(1, 1, 4)))
            return c_T.view(4)

        return last_cell

    brute = torch.stack(
        [
            torch.linalg.matrix_norm(
                torch.autograd.functional.jacobian(from_step(t), states[t]), ord=2
            )
            for t in range(9)
        ]
    )
    torch.testing.assert_close(norms, brute, rtol=1e-10, atol=1e-14)


def test_forget_gate_products_are_the_largest_unit_products():
    forget = torch.rand(6, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    products = forget_gate_products(forget)
    for t in range(6):
        want = forget[t:].prod(dim=0).max()  # rows t..T-1 are f_{t+1} .. f_T
        assert abs(products[t] - want) < 1e-14
    with pytest.raises(ValueError, match=r"\(T, H\)"):
        forget_gate_products(forget[0])


def test_tagger_checks_its_input_and_keeps_the_lstm_replaceable():
    model = LSTMTagger(2, 3, forget_bias=1.5)
    rows = gate_block(model.lstm, "forget")
    assert (model.lstm.bias_ih_l0[rows] > 1.5 - 1).all()
    assert model(torch.randn(4, 7, 2)).shape == (4, 7)
    with pytest.raises(ValueError, match=r"\(B, T, 2\)"):
        model(torch.randn(4, 7, 3))
    clamped = model.with_lstm(edit_forget_gate(model.lstm, clamp=0))
    assert clamped.lstm is not model.lstm and clamped.readout is not model.readout
