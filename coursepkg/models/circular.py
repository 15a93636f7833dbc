"""Per-position LSTM classifiers for circular sequences: three ways to close the circle.

A circular genome (a plasmid, a phage, a mitochondrion) has no first base: the record's
position 1 is wherever someone cut it open. A network should give each base the same
answer wherever the cut is. With ``rotate_k`` the cut moved by ``k`` bases, that is
*rotation equivariance*:

    model(rotate_k(x)) = rotate_k(model(x))

Three methods (``method=``), all with one LSTM (``bidirectional`` or forward only):

``"linear"``
    the baseline: read the sequence as if it were linear, from a zero state. Bases just
    after the cut are read with no upstream context (and, bidirectionally, bases just
    before it with no downstream context).
``"two_pass"``
    read the whole sequence once, then read it again starting from the state the first
    pass ended in, and predict from the second pass. At the first base of the second pass
    the forward half has already read the whole circle up to that base, and the backward
    half (which ends its first pass at base 0) starts its second pass at the last base,
    the next one around the circle in its direction. ``nn.LSTM`` takes the final states
    of both directions as initial states, so one call per pass does both.
``"duplication"``
    read the sequence written twice (forward only: ``x x``, predict on the second copy)
    or three times (bidirectional: ``x x x``, predict on the middle copy), so that every
    predicted base has a whole circle of context on each side that is read.

Shapes: input ``(B, L, C)``, logits ``(B, L)`` (``(B, L, K)`` for ``K > 1`` outputs).
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.sequences import check_onehot

METHODS = ("linear", "two_pass", "duplication")


class CircularLSTM(nn.Module):
    """A per-position LSTM classifier that treats its input as circular (or, for
    ``method="linear"``, does not).

    Parameters
    ----------
    method : {"linear", "two_pass", "duplication"}
    hidden_size : int
        Units H per direction.
    bidirectional : bool
        Read both ways (the answer at a base then depends on context on both sides).
    output_size : int
        Logits per position; 1 gives ``(B, L)``.
    input_size : int
        Channels C (4 for DNA).
    """

    def __init__(
        self,
        method: str = "two_pass",
        hidden_size: int = 16,
        bidirectional: bool = False,
        output_size: int = 1,
        input_size: int = 4,
    ):
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.method, self.bidirectional = method, bidirectional
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.readout = nn.Linear(hidden_size * (2 if bidirectional else 1), output_size)

    def states(self, x: torch.Tensor, method: str | None = None) -> torch.Tensor:
        """States ``(B, L, H)`` (``(B, L, 2H)`` bidirectional) by ``method`` (default: the
        model's own; another one runs the same weights another way)."""
        method = self.method if method is None else method
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        x = check_onehot(x, channels=self.input_size, batched=True)
        L = x.shape[1]
        if L == 0:
            raise ValueError("a circular sequence needs at least one base")
        if method == "linear":
            out, _ = self.lstm(x)
            return out
        if method == "two_pass":
            _, last = self.lstm(x)  # (h_n, c_n) after a whole turn, each direction
            out, _ = self.lstm(x, last)  # the second turn starts where the first ended
            return out
        copies = 3 if self.bidirectional else 2
        out, _ = self.lstm(x.repeat(1, copies, 1))  # (B, copies * L, ...)
        return out[:, L : 2 * L]  # the second copy: a whole turn of context before it

    def forward(self, x: torch.Tensor, method: str | None = None) -> torch.Tensor:
        """Logits at every position, ``(B, L)`` (``(B, L, K)`` for ``K > 1``)."""
        logits = self.readout(self.states(x, method))
        return logits.squeeze(-1) if self.output_size == 1 else logits
