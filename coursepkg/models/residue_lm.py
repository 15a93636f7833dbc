"""A next-residue model of a protein family that can also write new sequences.

An LSTM reads a protein from its first residue and, at every step, gives a distribution
over what comes next: one of the 20 residues, or the end of the chain.

    x_0      = 0                                   (20,)  nothing read yet
    x_t      = onehot(a_t)                         (20,)  residue t (t = 1 .. L)
    h_t      = LSTM(x_t, h_{t-1})                  (H,)   torch.nn.LSTM, fused
    p_t      = softmax(W h_t + b)                  (21,)  P(a_{t+1} = .), index 20 = end

Trained by maximum likelihood on a family's sequences, the model is a generative model of
the family: :meth:`ResidueLM.sample` draws residue after residue from ``p_t`` (divided by a
temperature before the softmax) until it draws the end. Rows of the batch after a
sequence's end are zero and never affect the states before them, because the model reads
forwards only.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from coursepkg.sequences import PROTEIN, onehot

END = len(PROTEIN)
"""Output index of the end of a chain (after the 20 residues)."""

IGNORE = -100
"""Target of positions with nothing to predict (padding, unknown residues)."""


def encode_family(sequences: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets for a batch of proteins.

    Returns
    -------
    x : ``(B, T, 20)`` with ``T = max length + 1``: row 0 is all zero (the start), row
        ``t`` the residue ``t`` (1-based); zero after the end.
    targets : ``(B, T)`` int64: at row ``t`` the index of residue ``t + 1``, :data:`END`
        after the last residue, :data:`IGNORE` after that and at unknown residues.
    """
    if not sequences:
        raise ValueError("encode_family needs at least one sequence")
    length = max(len(s) for s in sequences) + 1
    x = torch.zeros(len(sequences), length, len(PROTEIN))
    targets = torch.full((len(sequences), length), IGNORE, dtype=torch.long)
    for b, seq in enumerate(sequences):
        if not seq:
            raise ValueError(f"sequence {b} is empty")
        rows = onehot(seq, "protein")  # (L, 20), zero rows for X, B, Z ...
        x[b, 1 : len(seq) + 1] = rows
        known = rows.sum(-1) > 0
        targets[b, : len(seq)] = torch.where(known, rows.argmax(-1), IGNORE)
        targets[b, len(seq)] = END
    return x, targets


class ResidueLM(nn.Module):
    """A one-layer LSTM over residues with a 21-way read-out (20 residues and the end).

    ``forward(x (B, T, 20)) -> (B, T, 21)`` logits; ``states(x) -> (B, T, H)``; ``x`` as
    :func:`encode_family` makes it.

    Parameters
    ----------
    hidden_size : int
        H, units of the hidden state.
    """

    def __init__(self, hidden_size: int = 64):
        super().__init__()
        if hidden_size < 1:
            raise ValueError(f"hidden_size must be positive, got {hidden_size}")
        self.hidden_size = hidden_size
        self.lstm = nn.LSTM(len(PROTEIN), hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, len(PROTEIN) + 1)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states ``(B, T, H)``; ``h_t`` has read residues ``1 .. t``."""
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[-1] != len(PROTEIN):
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"expected one-hot residues of shape (B, T, 20), got {shape}")
        out, _ = self.lstm(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, T, 21)`` of the next residue (or the end) after each row of ``x``."""
        return self.readout(self.states(x))

    @torch.no_grad()
    def log_probs(self, sequences: list[str]) -> list[torch.Tensor]:
        """``log P(a_t | a_1 .. a_{t-1})`` of every residue of every sequence (``(L_i,)`` each;
        NaN at unknown residues)."""
        x, targets = encode_family(sequences)
        logp = torch.log_softmax(self(x), -1)  # (B, T, 21)
        out = []
        for b, seq in enumerate(sequences):
            t = targets[b, : len(seq)]
            picked = logp[b, : len(seq)].gather(-1, t.clamp(min=0)[:, None])[:, 0]
            out.append(torch.where(t == IGNORE, torch.nan, picked))
        return out

    @torch.no_grad()
    def sample(
        self,
        n: int,
        max_length: int = 200,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> list[str]:
        """Draw ``n`` sequences, residue by residue, until each draws the end.

        ``p_t`` is ``softmax(logits / temperature)``: below 1 the model's favourite residues
        get likelier, above 1 its choices flatten. A sequence still going at ``max_length``
        residues is cut there. Every draw comes from ``generator``.
        """
        if n < 1 or max_length < 1:
            raise ValueError(f"need n >= 1 and max_length >= 1, got {n}, {max_length}")
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        was_training = self.training
        self.eval()
        x = torch.zeros(n, 1, len(PROTEIN))
        state = None
        chosen = torch.full((n, max_length), END, dtype=torch.long)
        alive = torch.ones(n, dtype=torch.bool)
        for t in range(max_length):
            out, state = self.lstm(x, state)
            probs = F.softmax(self.readout(out[:, -1]) / temperature, dim=-1)
            token = torch.multinomial(probs, 1, generator=generator)[:, 0]
            token = torch.where(alive, token, END)
            chosen[:, t] = token
            alive &= token != END
            if not alive.any():
                break
            x = F.one_hot(token.clamp(max=END - 1), len(PROTEIN)).float()[:, None]
        self.train(was_training)
        return ["".join(PROTEIN[i] for i in row.tolist() if i != END) for row in chosen]
