"""A gene finder that reads a genome in codons: a bidirectional LSTM over one reading frame.

The input is the codon ids of one reading frame (:func:`coursepkg.data.genes.six_frames`),
so one step of the recurrence is one codon, and the model tags every codon:

    e_i      = E[c_i]                                  (D,)    codon embedding
    h_i      = [LSTM_fwd(e_1 .. e_i) ; LSTM_bwd(e_i .. e_n)]   (2H,)  torch.nn.LSTM
    logits_i = W h_i + b                               (3,)    coding, start, stop

``coding`` says "codon i is a codon of a gene read in this frame", ``start`` "a gene starts
here", ``stop`` "a gene ends here" (each a logit for a sigmoid). The same weights read all
six frames; a minus-strand frame is just the reverse complement read the same way, so the
model treats both strands alike by construction (chapter 6's strand symmetry, built in).

Reading in codons makes the signal of a coding region, the statistics of codons and the
absence of stop codons in the gene's own frame, one step of the recurrence away, where a
base-by-base reader would first have to learn to count to three.
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.data.genes import N_CODON_IDS

OUTPUTS = ("coding", "start", "stop")
"""What each of the three output channels says about a codon."""


class FrameTagger(nn.Module):
    """Codon embedding, a one-layer bidirectional ``nn.LSTM`` and a linear tag per codon.

    ``forward(codons (B, n) int64) -> (B, n, 3)``: logits in :data:`OUTPUTS` order.

    Parameters
    ----------
    hidden_size : int
        H, units per direction.
    embedding_size : int
        D, size of a codon's embedding.
    forget_bias : float
        Initial bias of the forget gates (both directions). Telling a gene from the
        background means remembering, over a hundred codons or more, that no stop codon
        came by; a forget gate that starts open (chapter 4) keeps that memory from the
        first step of training instead of having to learn it.
    """

    def __init__(self, hidden_size: int = 32, embedding_size: int = 16, forget_bias: float = 3.0):
        super().__init__()
        if hidden_size < 1 or embedding_size < 1:
            raise ValueError(
                f"sizes must be positive, got hidden={hidden_size}, embedding={embedding_size}"
            )
        self.embed = nn.Embedding(N_CODON_IDS, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, batch_first=True, bidirectional=True)
        self.tag = nn.Linear(2 * hidden_size, len(OUTPUTS))
        with torch.no_grad():  # torch's gate order is i, f, g, o: f is the second block
            for name, bias in self.lstm.named_parameters():
                if name.startswith("bias_ih"):
                    bias[hidden_size : 2 * hidden_size] = forget_bias
                elif name.startswith("bias_hh"):
                    bias[hidden_size : 2 * hidden_size] = 0.0

    def forward(self, codons: torch.Tensor) -> torch.Tensor:
        """Tag every codon: ``(B, n)`` codon ids -> ``(B, n, 3)`` logits."""
        if not isinstance(codons, torch.Tensor) or codons.dim() != 2:
            shape = tuple(codons.shape) if isinstance(codons, torch.Tensor) else type(codons)
            raise ValueError(f"expected codon ids of shape (B, n), got {shape}")
        if codons.dtype != torch.long:
            raise TypeError(f"codon ids must be int64 (torch.long), got {codons.dtype}")
        if codons.numel() and (codons.min() < 0 or codons.max() >= N_CODON_IDS):
            raise ValueError(f"codon ids must lie in 0 .. {N_CODON_IDS - 1}")
        states, _ = self.lstm(self.embed(codons))  # (B, n, 2H)
        return self.tag(states)  # (B, n, 3)
