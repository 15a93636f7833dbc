"""A bidirectional LSTM that tells promoters from enhancers, and the summary it decides from.

A one-hot DNA sequence ``x`` of shape ``(B, L, 4)`` is first scanned by ``F`` short filters
(a 1-D convolution of width ``w``, as in the DanQ model of regulatory DNA), so that the
recurrent layer reads "which short words are here" rather than single bases; a
bidirectional LSTM (``torch.nn.LSTM(bidirectional=True)``, fused) reads the scan both
ways, and each unit's activity is averaged over the sequence:

    u_t   = relu(conv_w(x)_t)                      (B, F)    words found around base t
    h^f_t = LSTM_f(u_t, h^f_{t-1})                 (B, H)    has read u_0 .. u_t
    h^b_t = LSTM_b(u_t, h^b_{t+1})                 (B, H)    has read u_t .. u_{L-1}
    s     = (1/L) sum_t [h^f_t ; h^b_t]            (B, 2H)   the summary (0..H-1 forward)
    logit = v . s + c                              (B,)      > 0 means promoter

The ``2H`` entries of ``s`` are the *units* whose values can be compared with features of
the input. A unit that rises for some steps after each motif has a mean that grows with
the number of motifs; one that responds to ``CG`` has a mean that grows with the CpG
density. The average gives every position a short path to the output, so the network
trains in a few epochs.

This module imports only torch, so the grader's sandbox can rebuild a trained classifier
from its weights (``coursepkg.grading.sandboxed.MODEL_MODULES``).
"""

from __future__ import annotations

import torch
from torch import nn


class EnhancerPromoterLSTM(nn.Module):
    """Filters, then a bidirectional LSTM, then one logit per sequence (promoter > 0).

    ``forward(x)`` maps ``(B, L, 4)`` to ``(B,)`` logits; :meth:`summary` gives ``s``,
    ``(B, 2H)``; :meth:`states` gives the states of both halves at every position,
    ``(B, L, 2H)``.

    Parameters
    ----------
    hidden_size : int
        Units H of each direction; the summary has ``2H``.
    filters : int
        F, filters of the convolution.
    width : int
        w, bases each filter spans.
    """

    def __init__(self, hidden_size: int = 16, filters: int = 16, width: int = 9):
        super().__init__()
        for name, value in (("hidden_size", hidden_size), ("filters", filters), ("width", width)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.hidden_size, self.filters, self.width = hidden_size, filters, width
        self.scan = nn.Conv1d(4, filters, width, padding="same")
        self.lstm = nn.LSTM(filters, hidden_size, batch_first=True, bidirectional=True)
        self.readout = nn.Linear(2 * hidden_size, 1)

    @staticmethod
    def _check(x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
        if x.dim() != 3 or x.shape[-1] != 4 or x.shape[1] < 1:
            raise ValueError(
                f"expected one-hot DNA of shape (B, L, 4) with L >= 1, got {tuple(x.shape)}"
            )
        return x if x.is_floating_point() else x.float()

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """``[h^f_t ; h^b_t]`` at every position, ``(B, L, 2H)``."""
        x = self._check(x)
        words = torch.relu(self.scan(x.transpose(1, 2))).transpose(1, 2)  # (B, L, F)
        out, _ = self.lstm(words)
        return out

    def summary(self, x: torch.Tensor) -> torch.Tensor:
        """``s``: every unit's mean over the positions, ``(B, 2H)``."""
        return self.states(x).mean(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)``: positive for a promoter, negative for an enhancer."""
        return self.readout(self.summary(x))[:, 0]
