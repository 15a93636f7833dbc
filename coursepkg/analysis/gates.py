"""Reading an LSTM's gates: every gate, at every position, of a trained ``nn.LSTM``.

Once a fused ``nn.LSTM`` has run, its outputs ``h_1 .. h_T`` are known, and every gate at
every position is a function of two known things, ``x_t`` and ``h_{t-1}``. So the gates
need no loop: one matrix product per gate over all positions at once,

    gate_t = act(W_gate [x_t ; h_{t-1}] + b_gate),    W_gate (H, D + H), b_gate (H,)

with ``act`` the sigmoid for the input, forget and output gates and tanh for the candidate.
The recurrence that remains is linear in the cell state,

    c_t = f_t * c_{t-1} + i_t * g_t = sum_{s <= t} (f_{s+1} * ... * f_t) * i_s * g_s,

a running product of forget gates: the cell-state highway. :func:`linear_recurrence`
evaluates it with one multiply-add per step, or with a parallel prefix scan.
Rebuilding ``h_t = o_t * tanh(c_t)`` from the recorded gates and comparing it with what
the fused module computed checks the gate equations and torch's weight layout at once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn

from coursepkg.models.lstm import GATES, check_lstm, gate_block

ACTIVATIONS = {
    "input": torch.sigmoid,
    "forget": torch.sigmoid,
    "candidate": torch.tanh,
    "output": torch.sigmoid,
}
"""The nonlinearity of each gate."""


SCAN_WIDTH = 512
"""Above this many values per step (``B * H``) the loop is cheaper than the scan."""


def linear_recurrence(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``c_t = a_t * c_{t-1} + b_t`` along dimension 1 of ``(B, T, H)``, from ``c_0 = 0``.

    Two ways, the same numbers up to the order of additions:

    * a loop, one fused multiply-add per step (``T`` small operations), used when a step
      holds many values;
    * a Hillis-Steele prefix scan for narrow steps (``B * H <= SCAN_WIDTH``): after the
      round with offset ``d`` each position holds the composition of the ``2d`` steps
      ending there, ``(a, b)_t <- (a_t a_{t-d}, a_t b_{t-d} + b_t)``, so ``ceil(log2 T)``
      rounds of whole-tensor operations suffice.

    Only products of ``a`` and sums appear, so for ``|a| <= 1`` (forget gates) both are
    as stable as the recurrence itself.
    """
    if a.shape != b.shape or a.dim() != 3:
        raise ValueError(
            "a and b must be (B, T, H) of the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )
    B, T, H = b.shape
    if B * H <= SCAN_WIDTH:
        d = 1
        while d < T:
            b_next = b.clone()
            b_next[:, d:].addcmul_(a[:, d:], b[:, :-d])
            a_next = a.clone()
            a_next[:, d:].mul_(a[:, :-d])
            a, b, d = a_next, b_next, 2 * d
        return b
    c = b.clone()  # c_1 = b_1, since c_0 = 0
    for t in range(1, T):
        torch.addcmul(b[:, t], a[:, t], c[:, t - 1], out=c[:, t])
    return c


@dataclass
class LSTMRecord:
    """An LSTM's run over a batch: outputs, cell states and gates, each ``(B, T, H)``."""

    h: torch.Tensor
    """Outputs ``h_1 .. h_T`` as the fused module computed them."""
    c: torch.Tensor
    """Cell states ``c_1 .. c_T`` from the recorded gates."""
    gates: dict[str, torch.Tensor]
    """``"input"``, ``"forget"``, ``"candidate"``, ``"output"``: the gate values."""
    c_last: torch.Tensor
    """``c_T`` as the fused module returned it, ``(B, H)``."""

    def __getitem__(self, gate: str) -> torch.Tensor:
        return self.gates[gate]

    @property
    def rebuilt_h(self) -> torch.Tensor:
        """``o_t * tanh(c_t)`` from the recorded gates, ``(B, T, H)``."""
        return self.gates["output"] * torch.tanh(self.c)

    def mismatch(self) -> float:
        """Largest difference between the rebuilt and the fused outputs and last cell state."""
        return max(
            float((self.rebuilt_h - self.h).abs().max()),
            float((self.c[:, -1] - self.c_last).abs().max()),
        )


class GateRecorder(nn.Module):
    """Records every gate of a one-layer ``nn.LSTM`` over a batch of sequences.

    Built from a (trained) ``nn.LSTM``, it holds a frozen copy of it and one named
    ``nn.Linear(D + H, H)`` per gate (``input_gate``, ``forget_gate``, ``candidate``,
    ``output_gate``), acting on ``[x_t ; h_{t-1}]``: the gate's rows of torch's stacked
    ``weight_ih_l0`` and ``weight_hh_l0`` side by side, and the sum of its two biases.
    Every sequence starts from ``h_0 = c_0 = 0``, as ``nn.LSTM`` does by default.

    ``recorder(x)`` for ``x (B, T, D)`` returns an :class:`LSTMRecord`.
    """

    LAYERS = {
        "input": "input_gate",
        "forget": "forget_gate",
        "candidate": "candidate",
        "output": "output_gate",
    }

    def __init__(self, lstm: nn.LSTM):
        super().__init__()
        check_lstm(lstm)
        self.lstm = copy.deepcopy(lstm).requires_grad_(False)
        D, H = lstm.input_size, lstm.hidden_size
        self.input_size, self.hidden_size = D, H
        for gate in GATES:
            rows = gate_block(lstm, gate)
            layer = nn.Linear(D + H, H, dtype=lstm.weight_ih_l0.dtype)
            with torch.no_grad():
                layer.weight.copy_(
                    torch.cat([lstm.weight_ih_l0[rows], lstm.weight_hh_l0[rows]], dim=1)
                )
                layer.bias.copy_(lstm.bias_ih_l0[rows] + lstm.bias_hh_l0[rows])
            setattr(self, self.LAYERS[gate], layer.requires_grad_(False))

    def layer(self, gate: str) -> nn.Linear:
        """The ``nn.Linear`` of one gate."""
        if gate not in self.LAYERS:
            raise ValueError(f"unknown gate {gate!r}; gates are {GATES}")
        return getattr(self, self.LAYERS[gate])

    def forward(self, x: torch.Tensor) -> LSTMRecord:
        """Run the LSTM on ``x (B, T, D)`` and record its gates and cell states."""
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must be (B, T, {self.input_size}), got {tuple(x.shape)}")
        x = x.to(self.lstm.weight_ih_l0.dtype)
        h, (_, c_last) = self.lstm(x)  # (B, T, H), (1, B, H)
        h_prev = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], dim=1)  # h_0 .. h_{T-1}
        xh = torch.cat([x, h_prev], dim=-1)  # (B, T, D + H)
        gates = {gate: ACTIVATIONS[gate](self.layer(gate)(xh)) for gate in GATES}
        c = linear_recurrence(gates["forget"], gates["input"] * gates["candidate"])
        return LSTMRecord(h=h, c=c, gates=gates, c_last=c_last[0])
