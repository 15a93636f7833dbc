"""A sequence classifier that reads its answer off the last hidden state.

    h_t = cell(x_t, h_{t-1})            torch.nn.RNN (tanh) or torch.nn.LSTM, fused
    logit = w . h_L + c

The prediction point is the last position, so whatever decides the label must be
carried in the hidden state from where it occurs to the end: the set-up of the
distal-enhancer task (:mod:`coursepkg.data.enhancer`).

:meth:`LastStateClassifier.truncated_logit` runs the same network with *truncated*
backpropagation through time: the forward pass is unchanged but no gradient flows back
more than ``k`` steps from the prediction.
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.sequences import check_onehot

KINDS = {"rnn": "vanilla tanh RNN", "lstm": "LSTM"}


class LastStateClassifier(nn.Module):
    """``kind`` = ``"rnn"`` (Elman, tanh) or ``"lstm"``; one logit per sequence.

    Parameters
    ----------
    kind : {"rnn", "lstm"}
    input_size : int
        Channels C of the input ``(B, L, C)`` (4 for one-hot DNA).
    hidden_size : int
        Units H of the hidden state.
    truncation : int or None
        If set, :meth:`forward` uses truncated BPTT with this many steps (the forward
        values are the same; only the gradient is cut).
    forget_bias : float or None
        LSTM only: initial bias of the forget gate. ``f = sigmoid(bias + ...)`` near 1
        makes the cell state start out as a long memory (time scale ``~1 / (1 - f)``
        steps); torch's default initialisation gives ``f`` near 0.5.
    input_bias : float or None
        LSTM only: initial bias of the input gate. A negative value (``i = sigmoid(bias +
        ...)`` near 0) makes the cell start out writing little, so that what it holds is not
        swamped by every base it reads. Tallec and Ollivier's "chrono" initialisation (2018)
        sets ``input_bias = -forget_bias``.
    """

    def __init__(
        self,
        kind: str = "rnn",
        input_size: int = 4,
        hidden_size: int = 32,
        truncation: int | None = None,
        forget_bias: float | None = None,
        input_bias: float | None = None,
    ):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        self.kind, self.input_size = kind, input_size
        module = nn.RNN if kind == "rnn" else nn.LSTM
        self.rnn = module(input_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, 1)
        self.truncation = truncation
        for name, bias, chunk in (("forget_bias", forget_bias, 1), ("input_bias", input_bias, 0)):
            if bias is None:
                continue
            if kind != "lstm":
                raise ValueError(f"{name} applies to kind='lstm' only")
            H = hidden_size
            with torch.no_grad():  # torch's gate layout: chunks i, f, g, o
                self.rnn.bias_ih_l0[chunk * H : (chunk + 1) * H] = bias
                self.rnn.bias_hh_l0[chunk * H : (chunk + 1) * H] = 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)`` for input ``(B, L, C)``."""
        x = check_onehot(x, channels=self.input_size, batched=True)
        if self.truncation is not None:
            return self.truncated_logit(x, self.truncation)
        out, _ = self.rnn(x)  # (B, L, H)
        return self.readout(out[:, -1]).squeeze(-1)

    def truncated_logit(self, x: torch.Tensor, truncation: int | None) -> torch.Tensor:
        """Logits ``(B,)`` with truncated BPTT: no gradient flows back more than ``truncation``
        steps from the prediction. ``None`` means full BPTT.

        Truncated BPTT cuts the sequence into chunks of ``k`` steps, aligned to the end, and
        detaches the state between chunks. With one prediction at the last position, only
        the last chunk is on the loss's gradient path, so the earlier chunks are run
        without building a graph at all (the same values and the same gradients, cheaper).
        """
        if truncation is None:
            out, _ = self.rnn(x)
            return self.readout(out[:, -1]).squeeze(-1)
        if truncation < 1:
            raise ValueError(f"truncation must be >= 1, got {truncation}")
        cut = max(x.shape[1] - truncation, 0)
        state = None
        if cut > 0:
            with torch.no_grad():  # the cut: nothing before it receives gradient
                _, state = self.rnn(x[:, :cut])
        out, _ = self.rnn(x[:, cut:], state)
        return self.readout(out[:, -1]).squeeze(-1)
