"""The LSTM (Hochreiter and Schmidhuber, 1997, with the forget gate of Gers et al., 2000).

Torch's ``nn.LSTM`` computes, at every position t, four gates from the input ``x_t`` and
the previous output ``h_{t-1}``::

    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)     input gate
    f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)     forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)        candidate
    o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t                          cell state
    h_t = o_t * tanh(c_t)                                    output

It stores the four gates' weights stacked in one matrix, in the order **i, f, g, o**:
``weight_ih_l0`` is ``(4H, D)`` with rows ``0:H`` for ``i``, ``H:2H`` for ``f``,
``2H:3H`` for ``g`` and ``3H:4H`` for ``o``; ``weight_hh_l0`` is ``(4H, H)`` and the two
biases ``(4H,)`` in the same order. :data:`GATE_ROWS` names the blocks.

This module holds :class:`LSTMTagger`, a fused ``nn.LSTM`` with a read-out at every
position (the chromatin model of chapter 4), and :func:`edit_forget_gate`, which returns
a copy of an ``nn.LSTM`` whose forget gate is shifted or clamped, so that an experiment can
ask what the trained network does without its forget gate. The gates themselves are
read by :class:`coursepkg.analysis.gates.GateRecorder`.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

GATES = ("input", "forget", "candidate", "output")
"""The four gates in the order torch stacks them (i, f, g, o)."""

GATE_ROWS = {name: k for k, name in enumerate(GATES)}
"""Gate name -> block index k: its rows are ``k*H:(k+1)*H`` of torch's weights."""

CLAMP_LOGIT = 1.0e4
"""A pre-activation that saturates the sigmoid exactly: ``sigmoid(1e4) == 1.0`` and
``sigmoid(-1e4) == 0.0`` in float32 and float64."""


def check_lstm(lstm: nn.Module) -> nn.LSTM:
    """``lstm`` if it is a single-layer, unidirectional, batch-first ``nn.LSTM`` with biases
    and no projection; else a ``TypeError``/``ValueError`` that says what is different."""
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"expected a torch.nn.LSTM, got {type(lstm).__name__}")
    problems = []
    if lstm.num_layers != 1:
        problems.append(f"num_layers={lstm.num_layers} (need 1)")
    if lstm.bidirectional:
        problems.append("bidirectional=True")
    if not lstm.batch_first:
        problems.append("batch_first=False")
    if not lstm.bias:
        problems.append("bias=False")
    if lstm.proj_size:
        problems.append(f"proj_size={lstm.proj_size}")
    if problems:
        raise ValueError("this analysis needs a plain one-layer LSTM; got " + ", ".join(problems))
    return lstm


def gate_block(lstm: nn.LSTM, gate: str) -> slice:
    """The rows of ``gate``'s block in torch's stacked weights and biases."""
    if gate not in GATE_ROWS:
        raise ValueError(f"unknown gate {gate!r}; gates are {GATES}")
    H = lstm.hidden_size
    k = GATE_ROWS[gate]
    return slice(k * H, (k + 1) * H)


def edit_forget_gate(lstm: nn.LSTM, *, shift: float = 0.0, clamp: float | None = None) -> nn.LSTM:
    """A copy of ``lstm`` whose forget gate is moved (``shift``) or fixed (``clamp``).

    ``shift`` adds to the forget gate's bias: ``f_t = sigmoid(a_t + shift)`` where ``a_t``
    was its pre-activation. ``clamp`` in ``{0, 1}`` sets ``f_t`` to that value at every
    position (its weights become 0 and its bias ``-/+`` :data:`CLAMP_LOGIT`): ``1`` keeps
    the whole cell state forever, ``0`` erases it at every step. The copy is a fused
    ``nn.LSTM`` like the original; the original is not changed.
    """
    check_lstm(lstm)
    if clamp is not None and clamp not in (0, 1):
        raise ValueError(f"clamp must be 0 or 1 (or None), got {clamp!r}")
    edited = copy.deepcopy(lstm)
    rows = gate_block(edited, "forget")
    with torch.no_grad():
        if clamp is None:
            edited.bias_ih_l0[rows] += shift
        else:
            edited.weight_ih_l0[rows] = 0.0
            edited.weight_hh_l0[rows] = 0.0
            edited.bias_hh_l0[rows] = 0.0
            edited.bias_ih_l0[rows] = CLAMP_LOGIT if clamp == 1 else -CLAMP_LOGIT
    return edited


class LSTMTagger(nn.Module):
    """A fused ``nn.LSTM`` and a linear read-out at every position.

        h_t = LSTM(x_1..x_t)           torch.nn.LSTM, fused
        y_t = w . h_t + b              one output per position

    Parameters
    ----------
    input_size : int
        Channels D of the input ``(B, T, D)``.
    hidden_size : int
        Units H of the cell state.
    forget_bias : float
        Added to the forget gate's bias at initialisation (0 keeps torch's default,
        ``f`` near 0.5 at the start of training).
    """

    def __init__(self, input_size: int, hidden_size: int = 1, forget_bias: float = 0.0):
        super().__init__()
        self.input_size = input_size
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, 1)
        if forget_bias:
            with torch.no_grad():
                self.lstm.bias_ih_l0[gate_block(self.lstm, "forget")] += forget_bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(B, T)`` for input ``(B, T, D)``."""
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must be (B, T, {self.input_size}), got {tuple(x.shape)}")
        out, _ = self.lstm(x)  # (B, T, H)
        return self.readout(out).squeeze(-1)

    def with_lstm(self, lstm: nn.LSTM) -> LSTMTagger:
        """A copy of this tagger that uses ``lstm`` (e.g. from :func:`edit_forget_gate`)."""
        other = copy.deepcopy(self)
        other.lstm = lstm
        return other
