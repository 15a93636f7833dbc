"""An RNN whose initial state is a function of what is known before the sequence starts.

    h_0 = init(condition)                  zero | shared learned | Embedding(c) | MLP(z)
    h_t = tanh(W_h h_{t-1} + W_x x_t + b)  torch.nn.RNN, fused
    x_hat_{t+1} = x_t + W_out h_t + b_out  next-step prediction (a change from x_t)

Input ``x (B, T, G)``, condition ``(B,)`` cell types or ``(B, P)`` covariates; output
``(B, T, G)``: entry t predicts ``x_{t+1}``. The four ``init`` choices are the models
chapter 2 compares.
"""

from __future__ import annotations

import torch
from torch import nn

INITS = ("zero", "shared", "embedding", "mlp")


class InitialState(nn.Module):
    """``h_0`` from a condition.

    ``"zero"``: always 0 (no parameters). ``"shared"``: one learned vector for every
    sequence. ``"embedding"``: row ``c`` of a learned ``(n_types, H)`` table.
    ``"mlp"``: ``tanh(W_2 tanh(W_1 z + b_1) + b_2)`` for covariates ``z (B, P)``.
    """

    def __init__(self, kind: str, hidden: int, n_types: int = 0, n_omics: int = 0, width: int = 32):
        super().__init__()
        if kind not in INITS:
            raise ValueError(f"kind must be one of {INITS}, got {kind!r}")
        self.kind, self.hidden = kind, hidden
        if kind == "shared":
            self.h0 = nn.Parameter(torch.zeros(hidden))
        elif kind == "embedding":
            if n_types < 1:
                raise ValueError("kind='embedding' needs n_types >= 1")
            self.table = nn.Embedding(n_types, hidden)
            nn.init.normal_(self.table.weight, std=0.1)
        elif kind == "mlp":
            if n_omics < 1:
                raise ValueError("kind='mlp' needs n_omics >= 1")
            self.mlp = nn.Sequential(
                nn.Linear(n_omics, width), nn.Tanh(), nn.Linear(width, hidden), nn.Tanh()
            )

    def forward(self, condition: torch.Tensor) -> torch.Tensor:
        """``(B, H)`` initial states for a batch of conditions."""
        B = condition.shape[0]
        if self.kind == "zero":
            return torch.zeros(B, self.hidden)
        if self.kind == "shared":
            return self.h0.expand(B, -1)
        if self.kind == "embedding":
            if condition.dtype not in (torch.long, torch.int32, torch.int64):
                raise TypeError(f"cell types must be integer, got {condition.dtype}")
            return self.table(condition)
        return self.mlp(condition)


class ConditionedRNN(nn.Module):
    """Next-step predictor of expression trajectories with a conditioned ``h_0``.

    Parameters
    ----------
    n_genes : int
        G, expression values per time point.
    hidden : int
        H, units of the hidden state.
    init : {"zero", "shared", "embedding", "mlp"}
    n_types, n_omics : int
        Needed by ``"embedding"`` and ``"mlp"`` respectively.
    """

    def __init__(
        self, n_genes: int, hidden: int = 32, init: str = "zero", n_types: int = 0, n_omics: int = 0
    ):
        super().__init__()
        self.initial = InitialState(init, hidden, n_types=n_types, n_omics=n_omics)
        self.rnn = nn.RNN(n_genes, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, n_genes)
        self.n_genes = n_genes

    def initial_state(self, condition: torch.Tensor) -> torch.Tensor:
        """``h_0`` of shape ``(B, H)``."""
        return self.initial(condition)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Predictions ``(B, T, G)`` of ``x_{t+1}`` from ``x (B, T, G)``."""
        if x.dim() != 3 or x.shape[-1] != self.n_genes:
            raise ValueError(f"x must be (B, T, {self.n_genes}), got {tuple(x.shape)}")
        if condition.shape[0] != x.shape[0]:
            raise ValueError(f"condition has {condition.shape[0]} rows, x has {x.shape[0]}")
        h0 = self.initial_state(condition)  # (B, H)
        states, _ = self.rnn(x, h0.unsqueeze(0).contiguous())  # (B, T, H)
        return x + self.readout(states)
