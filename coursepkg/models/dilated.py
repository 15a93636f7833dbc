"""A stack of recurrent layers with growing dilations, each a fused torch module.

Layer ``k`` with dilation ``d_k`` links each position to the one ``d_k`` steps back:

    h^k_t = cell(u^k_t, h^k_{t - d_k})        u^1 = x,  u^k = h^{k-1}

A dilated recurrence is ``d`` ordinary recurrences side by side, one for each residue of
``t`` modulo ``d``. So each layer reshapes its input ``(B, L, H)`` into ``d`` interleaved
subsequences ``(B * d, L / d, H)``, runs one fused ``nn.RNN``/``nn.GRU``/``nn.LSTM`` over
all of them at once, and puts the outputs back in order. Every subsequence starts from a
zero state, which is the recurrence with a zero state before the start. Layer ``k``
takes ``L / d_k`` sequential steps on a batch ``d_k`` times wider.

With dilations ``1, 2, 4, ..., 2^(K-1)`` a path from position 0 to the last output can
take long strides in the upper layers, so it needs far fewer recurrent steps than the
``L - 1`` of a flat RNN (chapter 5, "Dilated RNNs").
"""

from __future__ import annotations

import math

import torch
from torch import nn

from coursepkg.models.hierarchical import fused_rnn
from coursepkg.sequences import check_onehot


class DilatedClassifier(nn.Module):
    """One logit per sequence, read off the top layer's last state.

    Parameters
    ----------
    dilations : sequence of int
        ``d_1, d_2, ...``, one layer each, bottom first. A length that is not a multiple
        of every dilation is padded with zero rows (no base) at the *start*, so that the
        last position stays the last.
    input_size : int
        Channels C of the input ``(B, L, C)``.
    hidden_size : int
        Units of every layer.
    cell : {"rnn", "gru", "lstm"}
    """

    def __init__(
        self,
        dilations=(1, 2, 4, 8),
        input_size: int = 4,
        hidden_size: int = 16,
        cell: str = "rnn",
    ):
        super().__init__()
        dilations = tuple(int(d) for d in dilations)
        if not dilations or min(dilations) < 1:
            raise ValueError(f"dilations must be positive integers, got {dilations}")
        self.dilations, self.input_size = dilations, input_size
        sizes = [input_size] + [hidden_size] * len(dilations)
        self.layers = nn.ModuleList(
            fused_rnn(cell, a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.readout = nn.Linear(hidden_size, 1)

    def padded_length(self, length: int) -> int:
        """``length`` rounded up to a multiple of every dilation."""
        step = math.lcm(*self.dilations)
        return -(-length // step) * step

    @staticmethod
    def dilated_layer(layer: nn.Module, u: torch.Tensor, d: int) -> torch.Tensor:
        """``(B, L, H_in)`` -> ``(B, L, H)``: ``layer`` run with dilation ``d``."""
        B, L, H_in = u.shape
        interleaved = u.reshape(B, L // d, d, H_in).transpose(1, 2)  # (B, d, L/d, H_in)
        out, _ = layer(interleaved.reshape(B * d, L // d, H_in))  # (B*d, L/d, H)
        return out.reshape(B, d, L // d, -1).transpose(1, 2).reshape(B, L, -1)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """The top layer's states ``(B, L, H)`` for input ``(B, L, C)``."""
        u = check_onehot(x, channels=self.input_size, batched=True)
        missing = self.padded_length(u.shape[1]) - u.shape[1]
        u = nn.functional.pad(u, (0, 0, missing, 0))  # zero rows in front
        for layer, d in zip(self.layers, self.dilations, strict=True):
            u = self.dilated_layer(layer, u, d)
        return u

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)`` for input ``(B, L, C)``."""
        return self.readout(self.states(x)[:, -1]).squeeze(-1)

    def sequential_steps(self, length: int) -> int:
        """Recurrent steps taken one after another: ``sum_k L' / d_k`` (``L'`` padded)."""
        padded = self.padded_length(length)
        return sum(padded // d for d in self.dilations)
