"""Public check for ex04_lstm_cell: one LSTM step in torch's layout, with its gates.

The new state is compared with ``torch.nn.LSTMCell`` (torch's own cell, not the course's);
the gates with stored values of a small example whose weights are zero and whose biases
differ from block to block.
"""

from __future__ import annotations

import torch

from coursepkg.practice import PublicCheck

GATE_NAMES = ("i", "f", "g", "o")

BLOCK_BIASES = (-1.0, -2.0, 3.0, 4.0)
"""One bias per gate block (i, f, g, o) in the stored example; every weight is zero."""

STORED_GATES = {"i": 0.268941, "f": 0.119203, "g": 0.995055, "o": 0.982014}
"""``sigmoid(-1)``, ``sigmoid(-2)``, ``tanh(3)``, ``sigmoid(4)``: each gate of the stored
example, the same in every unit."""

STORED_STATE = {"h": [[0.361981, 0.144679]], "c": [[0.386814, 0.148409]]}
"""The new ``h`` and ``c`` of the stored example, from ``h = [[0.5, -0.5]]``,
``c = [[1.0, -1.0]]``."""


def _unpack(out, B: int, H: int):
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise TypeError(f"expected a tuple (h, c, gates), got {type(out).__name__}")
    h, c, gates = out
    for name, value in (("h", h), ("c", c)):
        if tuple(value.shape) != (B, H):
            raise ValueError(f"{name} has shape {tuple(value.shape)}, expected ({B}, {H})")
    if not isinstance(gates, dict) or set(gates) != set(GATE_NAMES):
        raise ValueError(f"gates must be a dict with keys {list(GATE_NAMES)}")
    return h.double(), c.double(), {k: v.double() for k, v in gates.items()}


def stored_example():
    """``(x, h, c, W_ih, W_hh, b_ih, b_hh)`` of the stored example: B = 1, D = 3, H = 2."""
    H = 2
    return (
        torch.tensor([[1.0, 0.0, -1.0]], dtype=torch.float64),
        torch.tensor([[0.5, -0.5]], dtype=torch.float64),
        torch.tensor([[1.0, -1.0]], dtype=torch.float64),
        torch.zeros(4 * H, 3, dtype=torch.float64),
        torch.zeros(4 * H, H, dtype=torch.float64),
        torch.repeat_interleave(torch.tensor(BLOCK_BIASES, dtype=torch.float64), H),
        torch.zeros(4 * H, dtype=torch.float64),
    )


def compare_with_torch(lstm_cell, B: int, D: int, H: int, seed: int) -> str | None:
    gen = torch.Generator().manual_seed(seed)
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    x = torch.randn(B, D, generator=gen, dtype=torch.float64)
    h = torch.randn(B, H, generator=gen, dtype=torch.float64)
    c = torch.randn(B, H, generator=gen, dtype=torch.float64)
    weights = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    with torch.no_grad():
        got_h, got_c, _ = _unpack(lstm_cell(x, h, c, *weights), B, H)
        want_h, want_c = cell(x, (h, c))
    for name, got, want in (("h", got_h, want_h), ("c", got_c, want_c)):
        if not torch.allclose(got, want, rtol=1e-6, atol=1e-9):
            return (
                f"B={B}, D={D}, H={H}: {name} differs from torch.nn.LSTMCell by up to "
                f"{(got - want).abs().max().item():.3g}"
            )
    return None


def compare_stored(lstm_cell) -> str | None:
    h, c, gates = _unpack(lstm_cell(*stored_example()), 1, 2)
    for name in GATE_NAMES:
        want = STORED_GATES[name]
        if not torch.allclose(gates[name], torch.full_like(gates[name], want), atol=1e-5):
            return f"gates[{name!r}]: expected {want:.6f} in both units, got {gates[name].tolist()}"
    for name, got in (("h", h), ("c", c)):
        want = torch.tensor(STORED_STATE[name], dtype=torch.float64)
        if not torch.allclose(got, want, atol=1e-5):
            return f"{name}: expected {STORED_STATE[name]}, got {got.tolist()}"
    return None


FUNCTIONS = ("lstm_cell",)
SECTION = 'chapter 4, "The cell, gate by gate"'


def checks(lstm_cell) -> PublicCheck:
    """Run the public checks on the student's ``lstm_cell`` (prints nothing)."""
    result = PublicCheck("ex04_lstm_cell")
    result.check(
        "a batch of 3, D = 5, H = 4: new h and c as torch.nn.LSTMCell",
        lambda: compare_with_torch(lstm_cell, 3, 5, 4, seed=1),
        hints=[
            f"Write down the shape of every intermediate tensor; each row of the result "
            f"depends only on the same row of x, h and c ({SECTION}).",
            "Where do the four gates sit in the stacked weights, and in which order? The "
            "introduction's equations and torch's documentation of nn.LSTM say.",
        ],
    )
    result.check(
        "one row, D = H = 6: new h and c as torch.nn.LSTMCell",
        lambda: compare_with_torch(lstm_cell, 1, 6, 6, seed=2),
        hints=[
            "When D equals H a weight used the wrong way round gives no shape error, only "
            f"wrong numbers: compare each product with the equations ({SECTION})."
        ],
    )
    result.check(
        f"weights zero, block biases {list(BLOCK_BIASES)}: stored gates and state",
        lambda: compare_stored(lstm_cell),
        hints=[
            "With every weight zero each gate is its nonlinearity of its own bias: which "
            f"block of rows did each of your gates read ({SECTION})?"
        ],
    )
    return result


def run(lstm_cell) -> None:
    """The notebook's last cell: print the public checks' report."""
    checks(lstm_cell).report()
