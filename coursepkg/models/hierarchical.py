"""A two-level RNN: a low RNN reads each window, a high RNN reads the windows' summaries.

    s_j = last state of the low RNN over window j        j = 0 .. n-1, n = L / w
    g_j = high RNN over s_0 .. s_j
    logit = v . g_{n-1} + c

Both levels are fused torch modules (``torch.nn.GRU``, ``nn.LSTM`` or ``nn.RNN``). The
windows of a batch are read as one batch: ``(B, L, C)`` is reshaped to ``(B * n, w, C)``,
so the low RNN takes ``w`` sequential steps whatever ``L`` is, and the high RNN takes
``n``. The label's evidence in window ``j`` reaches the output through at most ``w - 1``
low steps and ``n - 1 - j`` high steps, instead of up to ``L - 1`` steps of a flat RNN.

The low level can begin with a motif layer (``motif_width > 0``): a causal ``Conv1d``
whose filters span ``motif_width`` bases, then a ReLU, so that the RNN reads motif
matches instead of single bases (as in DanQ, Quang and Xie 2016). Position ``t`` of a
window sees bases ``t - motif_width + 1 .. t`` of the same window only.

The model takes lengths that are a whole number of windows (a ``ValueError`` otherwise):
it is meant for data laid out in windows. :meth:`HierarchicalClassifier.summaries` gives
the windows' summaries, so that a low level trained beforehand (and then frozen) encodes a
data set once and the high level trains on the summaries alone
(:meth:`HierarchicalClassifier.classify_summaries`).
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.sequences import check_onehot

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
"""The fused torch modules a level can be."""


def fused_rnn(cell: str, input_size: int, hidden_size: int) -> nn.Module:
    """A one-layer, batch-first ``nn.RNN`` (tanh), ``nn.GRU`` or ``nn.LSTM``."""
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
    return CELLS[cell](input_size, hidden_size, batch_first=True)


class LowLevel(nn.Module):
    """An optional causal motif layer, then a fused RNN: ``(N, T, C)`` -> states ``(N, T, H)``.

    m_t = relu(sum_{j<k} A_j x_{t-j} + a)     (k = motif_width; x_{t-j} = 0 before 0)
    h_t = cell(m_t, h_{t-1})                  (m_t = x_t when motif_width = 0)
    """

    def __init__(self, input_size: int, hidden_size: int, cell: str, motif_width: int = 0):
        super().__init__()
        if motif_width < 0:
            raise ValueError(f"motif_width must be >= 0, got {motif_width}")
        self.motif_width = motif_width
        self.motifs = nn.Conv1d(input_size, hidden_size, motif_width) if motif_width else None
        self.rnn = fused_rnn(cell, hidden_size if motif_width else input_size, hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.motifs is not None:
            padded = nn.functional.pad(x.transpose(1, 2), (self.motif_width - 1, 0))  # causal
            x = torch.relu(self.motifs(padded)).transpose(1, 2)  # (N, T, H)
        out, _ = self.rnn(x)
        return out


class HierarchicalClassifier(nn.Module):
    """One logit per sequence from a low RNN over windows and a high RNN over summaries.

    Parameters
    ----------
    window : int
        Bases per window, ``w``. Input lengths must be multiples of it.
    input_size : int
        Channels C of the input ``(B, L, C)`` (4 for one-hot DNA).
    low_hidden, high_hidden : int
        Units of the low (window) and high (sequence) RNN.
    cell : {"gru", "lstm", "rnn"}
        The fused torch module of both levels.
    motif_width : int
        Width of the low level's motif layer (0: none, the RNN reads the bases).
    high_update_bias : float or None
        GRU only: initial bias of the high level's update gate ``z`` (torch's layout:
        chunks r, z, n; ``h_t = (1 - z) n + z h_{t-1}``). A positive value starts the high
        RNN out keeping its state (``z = sigmoid(3) = 0.95``), so that what one window
        wrote survives the windows after it, as chapter 3's open forget gate does for
        the LSTM.
    window_classes : int
        Outputs of :attr:`window_head`, a linear read-out of a window's summary used to
        pre-train the low level on windows alone (0 for none).
    """

    def __init__(
        self,
        window: int = 1000,
        input_size: int = 4,
        low_hidden: int = 8,
        high_hidden: int = 8,
        cell: str = "gru",
        motif_width: int = 0,
        high_update_bias: float | None = None,
        window_classes: int = 0,
    ):
        super().__init__()
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window, self.input_size = window, input_size
        self.low = LowLevel(input_size, low_hidden, cell, motif_width)
        self.high = fused_rnn(cell, low_hidden, high_hidden)
        if high_update_bias is not None:
            if cell != "gru":
                raise ValueError("high_update_bias applies to cell='gru' only")
            H = high_hidden
            with torch.no_grad():
                self.high.bias_ih_l0[H : 2 * H] = high_update_bias
                self.high.bias_hh_l0[H : 2 * H] = 0.0
        self.readout = nn.Linear(high_hidden, 1)
        self.window_head = nn.Linear(low_hidden, window_classes) if window_classes else None

    def windows(self, length: int) -> int:
        """Number of windows ``n = L / w`` of a sequence of ``length`` bases."""
        if length % self.window:
            raise ValueError(
                f"sequence length {length} is not a multiple of the window ({self.window} "
                "bases); cut or pad the sequences to whole windows first"
            )
        return length // self.window

    def summaries(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, L, C)`` -> ``(B, n, H_low)``: the low RNN's last state in each window."""
        x = check_onehot(x, channels=self.input_size, batched=True)
        B, L, C = x.shape
        n = self.windows(L)
        out = self.low(x.reshape(B * n, self.window, C))  # (B*n, w, H_low)
        return out[:, -1].reshape(B, n, -1)

    def classify_summaries(self, s: torch.Tensor) -> torch.Tensor:
        """``(B, n, H_low)`` window summaries -> logits ``(B,)``."""
        out, _ = self.high(s)  # (B, n, H_high)
        return self.readout(out[:, -1]).squeeze(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)`` for input ``(B, L, C)``."""
        return self.classify_summaries(self.summaries(x))

    def window_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-training read-out at every position: ``(N, T, C)`` -> ``(N, T, classes)``.

        Position ``t``'s logits come from the low level's state after reading ``x_0..x_t``
        of one stretch (a window, or any length: nothing here cuts it into windows).
        """
        if self.window_head is None:
            raise ValueError("this model has no window head (window_classes=0)")
        x = check_onehot(x, channels=self.input_size, batched=True)
        return self.window_head(self.low(x))

    def sequential_steps(self, length: int) -> int:
        """Recurrent steps the forward pass takes one after another: ``w + n``.

        The windows run side by side, so the wall time of a forward pass grows with this
        number (and with the batch's width), not with ``L``.
        """
        return self.window + self.windows(length)


class FlatClassifier(nn.Module):
    """A low level read straight through the whole sequence, with no windows.

        logit = v . h_{L-1}          h = LowLevel(x_0 .. x_{L-1})

    The last state has been carried through all ``L`` steps. :meth:`from_windows` builds
    one from a pre-trained :class:`HierarchicalClassifier`'s low level and window head.
    """

    def __init__(self, low: LowLevel, readout: nn.Linear, input_size: int = 4):
        super().__init__()
        self.low, self.readout, self.input_size = low, readout, input_size

    @classmethod
    def from_windows(cls, model: HierarchicalClassifier, positive: int, negative: int):
        """A copy of ``model``'s low level whose logit is window class ``positive``'s
        logit minus class ``negative``'s."""
        import copy

        head = model.window_head
        if head is None:
            raise ValueError("the model has no window head to read out with")
        readout = nn.Linear(head.in_features, 1)
        with torch.no_grad():
            readout.weight.copy_(head.weight[positive] - head.weight[negative])
            readout.bias.copy_(head.bias[positive] - head.bias[negative])
        return cls(copy.deepcopy(model.low), readout, model.input_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)`` for input ``(B, L, C)``."""
        x = check_onehot(x, channels=self.input_size, batched=True)
        return self.readout(self.low(x)[:, -1]).squeeze(-1)
