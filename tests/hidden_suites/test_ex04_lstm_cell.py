"""Hidden suite for ex04_lstm_cell (instructors only; never shipped to students).

``lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h, c, gates)``: one LSTM step in torch's
layout (gate blocks i, f, g, o), ``gates`` a dict of the four gate values. Every input is
made here, from a hidden seed, in float64; the references are ``torch.nn.LSTMCell`` and a
gate-by-gate step written below. On a failure the message shows a small public example
(printed in full, so that the student can run it) with the expected and the received values.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

SEED = 40417  # hidden seed
GATE_NAMES = ("i", "f", "g", "o")
SECTION = "chapter 4, 'The cell, gate by gate'"


# --- references (independent of the course package) ----------------------------------------


def reference_gates(x, h, W_ih, W_hh, b_ih, b_hh) -> dict:
    """Each gate from its own rows of the stacked weights: block k is rows k*H:(k+1)*H."""
    H = h.shape[1]
    gates = {}
    for k, name in enumerate(GATE_NAMES):
        rows = slice(k * H, (k + 1) * H)
        z = torch.einsum("bd,hd->bh", x, W_ih[rows]) + b_ih[rows]
        z = z + torch.einsum("bj,hj->bh", h, W_hh[rows]) + b_hh[rows]
        gates[name] = torch.tanh(z) if name == "g" else torch.sigmoid(z)
    return gates


def reference_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """``(h, c)`` from ``torch.nn.LSTMCell`` loaded with the same weights."""
    cell = torch.nn.LSTMCell(x.shape[1], h.shape[1], dtype=torch.float64)
    cell.load_state_dict({"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh})
    with torch.no_grad():
        return cell(x, (h, c))


# --- inputs ----------------------------------------------------------------------------


def random_case(B: int, D: int, H: int, seed: int, scale: float = 1.0, state: float = 1.0):
    gen = torch.Generator().manual_seed(SEED + seed)

    def draw(*shape, s=1.0):
        return s * torch.randn(*shape, generator=gen, dtype=torch.float64)

    return (
        draw(B, D, s=scale),
        draw(B, H, s=0.5 * state),
        draw(B, H, s=state),
        draw(4 * H, D, s=0.5 * scale),
        draw(4 * H, H, s=0.5 * scale),
        draw(4 * H, s=0.5 * scale),
        draw(4 * H, s=0.5 * scale),
    )


def public_example():
    """The small example every message shows: B = 1, D = 2, H = 2, round numbers."""
    t = lambda rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
    x = t([[1.0, -2.0]])
    h = t([[0.5, -0.25]])
    c = t([[1.0, -1.5]])
    W_ih = t(
        [
            [0.2, 0.1],
            [-0.3, 0.4],
            [0.5, -0.6],
            [0.1, 0.2],
            [0.7, 0.3],
            [-0.2, 0.5],
            [0.4, 0.1],
            [-0.5, -0.1],
        ]
    )
    W_hh = t(
        [
            [0.1, -0.2],
            [0.3, 0.2],
            [-0.4, 0.1],
            [0.2, 0.6],
            [-0.1, 0.3],
            [0.5, -0.2],
            [0.2, 0.2],
            [0.3, -0.4],
        ]
    )
    b_ih = t([0.1, -0.1, 0.5, 1.0, -0.5, 0.2, 0.0, 0.3])
    b_hh = t([0.0, 0.2, -0.1, 0.1, 0.3, -0.3, 0.4, -0.2])
    return x, h, c, W_ih, W_hh, b_ih, b_hh


ARG_NAMES = ("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh")


def show_args(args) -> str:
    return ", ".join(
        f"{n}={np.round(a.numpy(), 4).tolist()}" for n, a in zip(ARG_NAMES, args, strict=True)
    )


def show(t: torch.Tensor) -> str:
    return str(np.round(t.numpy(), 4).tolist())


# --- calling the student ------------------------------------------------------------------


def student_step(submission, args):
    """The student's ``(h, c, gates)`` as float64 tensors, with its form checked."""
    submission.require_own("lstm_cell")
    out = submission.call("lstm_cell", *args)
    assert isinstance(out, (tuple, list)) and len(out) == 3, (
        f"lstm_cell must return a tuple (h, c, gates), got {type(out).__name__}"
        + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
    )
    h, c, gates = out
    B, H = args[1].shape
    for name, value in (("h", h), ("c", c)):
        assert isinstance(value, (torch.Tensor, np.ndarray)), (
            f"lstm_cell: the returned {name} must be a tensor, got {type(value).__name__}"
        )
        assert tuple(value.shape) == (B, H), (
            f"lstm_cell: the returned {name} must have shape (B, H) = ({B}, {H}), "
            f"got {tuple(value.shape)}"
        )
    assert isinstance(gates, dict), f"lstm_cell: gates must be a dict, got {type(gates).__name__}"
    assert set(gates) == set(GATE_NAMES), (
        f"lstm_cell: gates must have the keys {sorted(GATE_NAMES)}, got {sorted(map(str, gates))}"
    )
    as64 = lambda v: torch.as_tensor(np.asarray(v, dtype=np.float64))  # noqa: E731
    for name in GATE_NAMES:
        assert tuple(np.shape(gates[name])) == (B, H), (
            f"lstm_cell: gates[{name!r}] must have shape ({B}, {H}), got {tuple(np.shape(gates[name]))}"
        )
    return as64(h), as64(c), {k: as64(v) for k, v in gates.items()}


def differs(got: torch.Tensor, want: torch.Tensor, tol: float = 1e-8) -> bool:
    return not bool(torch.isfinite(got).all()) or bool(
        ((got - want).abs() > tol * (1 + want.abs())).any()
    )


def public_report(submission, what: str) -> str:
    """Expected and received values of ``what`` ("h", "c" or "gates") on the public example."""
    args = public_example()
    h, c, gates = student_step(submission, args)
    want_h, want_c = reference_step(*args)
    want_gates = reference_gates(args[0], args[1], *args[3:])
    lines = [f"public example: lstm_cell({show_args(args)})"]
    if what == "gates":
        for name in GATE_NAMES:
            if differs(gates[name], want_gates[name]):
                lines.append(
                    f"  gates[{name!r}]: expected {show(want_gates[name])}, got {show(gates[name])}"
                )
    else:
        for name, got, want in (("h", h, want_h), ("c", c, want_c)):
            if differs(got, want):
                lines.append(f"  {name}: expected {show(want)}, got {show(got)}")
    if len(lines) == 1:
        return (
            "(your function gives the right values on the small public example below, so the "
            "difference shows only on larger inputs)\n" + lines[0]
        )
    return "\n".join(lines)


def check_outputs(submission, cases, what: str, property_text: str) -> None:
    """Compare ``what`` ("state" for h and c, or "gates") with the references on ``cases``."""
    for label, args in cases:
        h, c, gates = student_step(submission, args)
        if what == "gates":
            want = reference_gates(args[0], args[1], *args[3:])
            bad = [n for n in GATE_NAMES if differs(gates[n], want[n])]
        else:
            want_h, want_c = reference_step(*args)
            bad = [n for n, got, w in (("h", h, want_h), ("c", c, want_c)) if differs(got, w)]
        if bad:
            raise AssertionError(
                f"lstm_cell: {property_text}; on {label} these differ from the reference: "
                f"{', '.join(bad)}.\n"
                + public_report(submission, "gates" if what == "gates" else "state")
            )


# --- tests ------------------------------------------------------------------------------


@pytest.mark.grade(
    points=1,
    hint="Return a tuple (h, c, gates): the new output and cell state, each (B, H), and a "
    "dict with the gates 'i', 'f', 'g', 'o', each (B, H). See the exercise's introduction.",
)
def test_returns_the_new_state_and_four_gates(submission):
    for B, D, H in ((3, 4, 5), (1, 2, 1)):
        student_step(submission, random_case(B, D, H, seed=B))


@pytest.mark.grade(
    points=2,
    hint=f"Try your step against torch.nn.LSTMCell on inputs of your own, with D, H and B all "
    f"different ({SECTION}).",
)
def test_new_state_matches_torch_on_random_inputs(submission):
    cases = [
        (f"B={B}, D={D}, H={H}", random_case(B, D, H, seed=10 + i))
        for i, (B, D, H) in enumerate(((2, 3, 4), (5, 7, 3), (4, 4, 4), (3, 8, 2), (1, 1, 6)))
    ]
    check_outputs(submission, cases, "state", "the new h and c must be those of torch.nn.LSTMCell")


@pytest.mark.grade(
    points=2,
    hint=f"The dict holds the values of the four gates the step uses, taken from torch's "
    f"stacked weights in the layout the exercise describes ({SECTION}).",
)
def test_gates_are_torchs_gates(submission):
    cases = [
        (f"B={B}, D={D}, H={H}", random_case(B, D, H, seed=30 + i))
        for i, (B, D, H) in enumerate(((2, 3, 5), (4, 6, 2), (3, 3, 3)))
    ]
    check_outputs(submission, cases, "gates", "each gate must have torch's value")


@pytest.mark.grade(
    points=2,
    hint=f"Each block of H rows of the stacked weights belongs to one gate, in a fixed order "
    f"({SECTION}). Test with weights that are zero everywhere except one block.",
)
def test_each_gate_reads_its_own_block(submission):
    """Weights zero, a different bias per block: every gate's value tells where it was read."""
    B, D, H = 2, 3, 4
    x, h, c, *_ = random_case(B, D, H, seed=50)
    W_ih = torch.zeros(4 * H, D, dtype=torch.float64)
    W_hh = torch.zeros(4 * H, H, dtype=torch.float64)
    b_ih = torch.repeat_interleave(torch.tensor([-1.0, -2.0, 3.0, 4.0], dtype=torch.float64), H)
    b_hh = torch.zeros(4 * H, dtype=torch.float64)
    args = (x, h, c, W_ih, W_hh, b_ih, b_hh)
    _, _, gates = student_step(submission, args)
    want = reference_gates(x, h, W_ih, W_hh, b_ih, b_hh)
    bad = [n for n in GATE_NAMES if differs(gates[n], want[n])]
    if bad:
        detail = "; ".join(
            f"gates[{n!r}] expected {want[n][0, 0].item():.4f} in every unit, got {show(gates[n][0])}"
            for n in bad
        )
        raise AssertionError(
            "lstm_cell: with all weights zero and b_ih = four blocks of H = 4 equal values "
            f"[-1, -2, 3, 4], b_hh = 0: {detail}"
        )


@pytest.mark.grade(
    points=1,
    hint=f"With the forget gate fully open and the input gate shut, the cell state must pass "
    f"through the step unchanged ({SECTION}).",
)
def test_cell_state_passes_through_an_open_forget_gate(submission):
    B, D, H = 3, 2, 3
    x, h, c, W_ih, W_hh, _, _ = random_case(B, D, H, seed=60, state=20.0)
    W_ih, W_hh = 0.0 * W_ih, 0.0 * W_hh
    b_ih = torch.repeat_interleave(torch.tensor([-50.0, 50.0, 0.3, 0.0], dtype=torch.float64), H)
    b_hh = torch.zeros(4 * H, dtype=torch.float64)
    _, c_new, _ = student_step(submission, (x, h, c, W_ih, W_hh, b_ih, b_hh))
    if differs(c_new, c):
        raise AssertionError(
            "lstm_cell: with the forget gate at 1 and the input gate at 0 (all weights zero, "
            "b_ih blocks [-50, 50, 0.3, 0], b_hh = 0) the new c must equal the old one: "
            f"c = {show(c[0])} (first row), got {show(c_new[0])}"
        )


@pytest.mark.grade(
    points=1,
    hint="Large weights and inputs saturate the gates at 0 or 1; the step must stay finite and "
    f"exact ({SECTION}).",
)
def test_extreme_inputs(submission):
    cases = [
        (
            f"saturated gates, B={B}, D={D}, H={H}",
            random_case(B, D, H, seed=70 + i, scale=60.0, state=30.0),
        )
        for i, (B, D, H) in enumerate(((4, 3, 5), (2, 6, 2)))
    ]
    check_outputs(submission, cases, "state", "the step must match torch when the gates saturate")


@pytest.mark.grade(
    points=1,
    hint="Each row of the batch is its own sequence: row k of the result may depend only on "
    "row k of x, h and c.",
)
def test_batch_rows_are_independent(submission):
    B, D, H = 5, 5, 3  # D == B: an axis mix-up cannot hide behind a shape error
    args = random_case(B, D, H, seed=80)
    h_all, c_all, _ = student_step(submission, args)
    for k in (0, 3):
        one = (args[0][k : k + 1], args[1][k : k + 1], args[2][k : k + 1], *args[3:])
        h_one, c_one, _ = student_step(submission, one)
        if differs(h_all[k : k + 1], h_one) or differs(c_all[k : k + 1], c_one):
            raise AssertionError(
                f"lstm_cell: row {k} of a batch of {B} differs from the same row given alone "
                f"(h: {show(h_all[k])} in the batch, {show(h_one[0])} alone)"
            )
