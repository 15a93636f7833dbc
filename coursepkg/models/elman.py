"""The Elman RNN (Elman, 1990) as a per-position classifier.

    h_t = tanh(W_h h_{t-1} + W_x x_t + b)          (torch.nn.RNN, fused)
    logit_t = w_out . h_t + b_out

Input ``(B, L, C)`` one-hot, output logits ``(B, L, n_out)`` and, on request, the
hidden states ``(B, L, H)`` that the chapters analyse.
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.sequences import check_onehot


class ElmanRNN(nn.Module):
    """A single-layer tanh RNN with a linear read-out at every position.

    Parameters
    ----------
    input_size : int
        Channels C of the one-hot input (4 for DNA).
    hidden_size : int
        Units H of the hidden state.
    output_size : int
        Logits per position.
    """

    def __init__(self, input_size: int = 4, hidden_size: int = 8, output_size: int = 1):
        super().__init__()
        self.input_size = input_size
        self.rnn = nn.RNN(input_size, hidden_size, nonlinearity="tanh", batch_first=True)
        self.readout = nn.Linear(hidden_size, output_size)

    def states(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
        """Hidden states ``(B, L, H)`` for input ``(B, L, C)``; ``h0`` is ``(B, H)`` or zero."""
        x = check_onehot(x, channels=self.input_size, batched=True)
        hx = None if h0 is None else h0.unsqueeze(0)
        out, _ = self.rnn(x, hx)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, L, output_size)`` for every position of ``x`` ``(B, L, C)``."""
        return self.readout(self.states(x))


def elman_step(
    x_t: torch.Tensor, h_prev: torch.Tensor, W_x: torch.Tensor, W_h: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """One step of the Elman recurrence written out: ``tanh(W_h h_{t-1} + W_x x_t + b)``.

    Shapes: ``x_t (B, C)``, ``h_prev (B, H)``, ``W_x (H, C)``, ``W_h (H, H)``, ``b (H,)``.
    """
    return torch.tanh(h_prev @ W_h.T + x_t @ W_x.T + b)
