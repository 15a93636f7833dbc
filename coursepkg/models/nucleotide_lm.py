"""A next-nucleotide model: an LSTM that reads DNA and predicts the next base.

    h_t   = LSTM(x_t, h_{t-1})          (B, H)   has read bases 0 .. t
    p_t   = softmax(W h_t + b)          (B, 4)   P(x_{t+1} = A, C, G, T)

Trained by maximum likelihood (cross-entropy of ``p_t`` against base ``t + 1``), the model
has no label to learn from but the sequence itself: self-supervised. Whatever helps it
predict, such as which species' "dialect" it is reading, it must infer from the bases and
keep in ``h_t``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from coursepkg.sequences import check_onehot


class NucleotideLM(nn.Module):
    """A one-layer LSTM over one-hot DNA with a 4-way read-out of the next base.

    ``forward(x (B, L, 4)) -> (B, L, 4)`` logits, row ``t`` predicting base ``t + 1`` (the
    last row predicts past the end and is not scored); ``states(x) -> (B, L, H)``.

    Parameters
    ----------
    hidden_size : int
        H, units of the hidden state.
    """

    def __init__(self, hidden_size: int = 32):
        super().__init__()
        if not isinstance(hidden_size, int) or hidden_size < 1:
            raise ValueError(f"hidden_size must be a positive int, got {hidden_size!r}")
        self.hidden_size = hidden_size
        self.lstm = nn.LSTM(4, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, 4)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """``h_t`` at every position, ``(B, L, H)``."""
        out, _ = self.lstm(check_onehot(x, channels=4, batched=True))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, L, 4)`` of the base after each position."""
        return self.readout(self.states(x))


def next_base_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats per base) of ``logits[:, t]`` against base ``t + 1`` of ``x``.

    ``logits`` ``(B, L, 4)`` from :class:`NucleotideLM`, ``x`` the one-hot input ``(B, L, 4)``
    itself (the targets are the input shifted by one).
    """
    if logits.shape != x.shape or x.shape[1] < 2:
        raise ValueError(
            f"logits and input must both be (B, L >= 2, 4), got {tuple(logits.shape)} and "
            f"{tuple(x.shape)}"
        )
    targets = x[:, 1:].argmax(-1)
    return F.cross_entropy(logits[:, :-1].reshape(-1, 4), targets.reshape(-1))
