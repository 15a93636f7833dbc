"""A recurrent network of threshold units: the hidden state as a finite-state machine.

The update is the Elman recurrence with a hard step instead of tanh::

    h_t = step(W_h h_{t-1} + W_x x_t + b)          step(z) = 1 if z > 0 else 0
    y_t = step(w_out . h_t + b_out)

With 0/1 units and one-hot inputs, each unit can compute an AND ("was in state s
*and* read letter a") or an OR of such terms, so the hidden state can hold the
exact state of a finite-state machine (a DFA) and the network is exact, not approximate.
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.sequences import check_onehot

WEIGHT_SHAPES = {
    "W_x": ("H", 4),
    "W_h": ("H", "H"),
    "b": ("H",),
    "h0": ("H",),
    "w_out": ("H",),
    "b_out": (),
}
"""The weights dict of a threshold RNN and the shape of each entry (H hidden units)."""


def step(z: torch.Tensor) -> torch.Tensor:
    """Heaviside step: 1.0 where ``z > 0``, else 0.0."""
    return torch.gt(z, 0).to(z.dtype)


def check_weights(weights: dict) -> int:
    """Check a threshold-RNN weights dict against :data:`WEIGHT_SHAPES`; return H."""
    if not isinstance(weights, dict):
        raise TypeError(f"weights must be a dict, got {type(weights).__name__}")
    missing = sorted(set(WEIGHT_SHAPES) - set(weights))
    if missing:
        raise ValueError(f"weights dict is missing {missing}; it needs {sorted(WEIGHT_SHAPES)}")
    H = torch.as_tensor(weights["b"]).shape[0] if torch.as_tensor(weights["b"]).dim() == 1 else None
    if H is None:
        raise ValueError(
            f"b must have shape (H,), got {tuple(torch.as_tensor(weights['b']).shape)}"
        )
    for name, shape in WEIGHT_SHAPES.items():
        want = tuple(H if s == "H" else s for s in shape)
        got = tuple(torch.as_tensor(weights[name]).shape)
        if got != want:
            raise ValueError(f"{name} must have shape {want} for H={H}, got {got}")
    return H


class ThresholdRNN(nn.Module):
    """Run a threshold RNN given as a weights dict (see :data:`WEIGHT_SHAPES`).

    ``forward(x)`` takes one-hot DNA ``(B, L, 4)`` (or ``(L, 4)``) and returns
    ``(y, h)``: outputs ``(B, L)`` and hidden states ``(B, L, H)``, both 0/1 floats.
    ``dtype=torch.float64`` keeps sums exact for weights chosen near a threshold.
    """

    def __init__(self, weights: dict, dtype: torch.dtype = torch.float32):
        super().__init__()
        check_weights(weights)
        for name in WEIGHT_SHAPES:
            self.register_buffer(name, torch.as_tensor(weights[name]).to(dtype).clone())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = check_onehot(x, channels=4)
        single = x.dim() == 2
        if single:
            x = x.unsqueeze(0)
        x = x.to(self.W_x.dtype)
        B, L, _ = x.shape
        drive = x @ self.W_x.T + self.b  # (B, L, H): the input's push, computed for all t at once
        W_h_T = self.W_h.T.contiguous()
        h = self.h0.expand(B, -1)
        states = []
        for drive_t in drive.unbind(dim=1):
            h = step(torch.addmm(drive_t, h, W_h_T))  # step(drive_t + h W_h^T): (B, H)
            states.append(h)
        hs = torch.stack(states, dim=1) if states else x.new_zeros(B, 0, self.h0.shape[0])
        y = step(hs @ self.w_out + self.b_out)  # (B, L)
        if single:
            return y[0], hs[0]
        return y, hs


def acg_detector() -> dict:
    """Hand-built weights of a 3-unit threshold RNN that detects ``ACG`` and stays bound.

    The machine has four states; ``s0`` ("nothing useful seen") is the all-zero state::

        unit 1  "just read A"   h1 = step(x_A - 2 h3 - 0.5)
        unit 2  "just read AC"  h2 = step(h1 + x_C - 1.5)          (AND of h1 and C)
        unit 3  "bound"         h3 = step(h2 + x_G + 2 h3 - 1.5)   (AND of h2 and G, OR h3)

    The weight 2 from unit 3 onto itself is the strong self-connection that makes
    "bound" absorbing; the -2 from unit 3 onto unit 1 silences the search once bound.
    The output is ``y_t = step(h3 - 0.5)``.
    """
    A, C, G, _T = range(4)
    W_x = torch.zeros(3, 4)
    W_h = torch.zeros(3, 3)
    W_x[0, A] = 1.0
    W_h[0, 2] = -2.0
    W_h[1, 0] = 1.0
    W_x[1, C] = 1.0
    W_h[2, 1] = 1.0
    W_x[2, G] = 1.0
    W_h[2, 2] = 2.0
    return {
        "W_x": W_x,
        "W_h": W_h,
        "b": torch.tensor([-0.5, -1.5, -1.5]),
        "h0": torch.zeros(3),
        "w_out": torch.tensor([0.0, 0.0, 1.0]),
        "b_out": torch.tensor(-0.5),
    }


ACG_STATE_NAMES = ("s0: searching", "s1: saw A", "s2: saw AC", "s3: bound")


def acg_machine_states(hidden: torch.Tensor) -> torch.Tensor:
    """Map hidden states of :func:`acg_detector` ``(..., 3)`` to machine state ids 0..3."""
    h = hidden.round().long()
    state = torch.zeros(h.shape[:-1], dtype=torch.long)
    state[h[..., 0] == 1] = 1
    state[h[..., 1] == 1] = 2
    state[h[..., 2] == 1] = 3
    return state
