"""An LSTM that reads a sequence forward, backward, or both ways (Schuster and Paliwal, 1997).

    forward half   h_t^f = LSTM(x_t, h_{t-1}^f)      has read x_0 .. x_t
    backward half  h_t^b = LSTM'(x_t, h_{t+1}^b)     has read x_t .. x_{L-1}
    state at t     [h_t^f ; h_t^b]                   (B, L, 2H) for direction="both"

The backward half is a second LSTM, with its own weights, run over the reversed sequence;
its states are put back in sequence order, so that position t holds what each half knows
*at* t. ``torch.nn.LSTM(bidirectional=True)`` does exactly this, fused; the ``"backward"``
direction runs a plain LSTM on ``x.flip(1)`` and flips its states back.

Two read-outs:

* ``per_position=True``: logits at every position from the state at that position,
  ``(B, L)`` (or ``(B, L, K)`` for ``K > 1`` outputs);
* ``per_position=False``: one logit vector per sequence from the state after reading all
  of it: the forward half's last state, the backward half's first one (both, concatenated,
  for ``"both"``), ``(B,)`` or ``(B, K)``.

The module imports only torch: the grader rebuilds a :class:`DirectionalLSTM` in the
student's process to hand it to a function the student wrote (exercise 9 explains a
classifier by mutating its input), and that process holds no other course code (see
``coursepkg.grading.sandboxed.MODEL_MODULES``). So the input check is written here
rather than taken from :mod:`coursepkg.sequences`.
"""

from __future__ import annotations

import torch
from torch import nn

DIRECTIONS = ("forward", "backward", "both")


def check_input(x: torch.Tensor, channels: int) -> torch.Tensor:
    """Check that ``x`` is a batch ``(B, L, C)`` with ``C == channels``; return it.

    The same messages as :func:`coursepkg.sequences.check_onehot` with ``batched=True``.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 3:
        raise ValueError(f"expected a tensor of shape (B, L, C), got shape {tuple(x.shape)}")
    if x.shape[-1] != channels:
        raise ValueError(
            f"expected {channels} channels in the last axis, got shape {tuple(x.shape)}"
            " (tensors are batch-first: (B, L, C))"
        )
    return x


class DirectionalLSTM(nn.Module):
    """A one-layer LSTM over ``(B, L, C)`` one-hot input, in one direction or both.

    Parameters
    ----------
    direction : {"forward", "backward", "both"}
        ``"forward"`` reads 5' to 3' (left to right), ``"backward"`` 3' to 5', ``"both"``
        is the bidirectional LSTM.
    hidden_size : int
        Units H of each direction.
    output_size : int
        Logits per sequence (or per position); 1 gives a squeezed last axis.
    per_position : bool
        Logits at every position instead of one per sequence.
    input_size : int
        Channels C of the input (4 for DNA).
    forget_bias : float, optional
        Initial bias of the forget gates (torch's gate layout: chunks i, f, g, o);
        ``sigmoid(3) = 0.95`` starts the cell with a memory of about 20 steps, where
        torch's default starts it near 0.5.
    dropout : float
        Dropout on the states before the read-out, active in training mode only
        (``model.train()``); 0 (the default) leaves them as they are. In evaluation mode
        (``model.eval()``) the model is deterministic.
    """

    def __init__(
        self,
        direction: str = "forward",
        hidden_size: int = 32,
        output_size: int = 1,
        per_position: bool = False,
        input_size: int = 4,
        forget_bias: float | None = None,
        dropout: float = 0.0,
    ):
        super().__init__()
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
        self.direction, self.per_position = direction, per_position
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        both = direction == "both"
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True, bidirectional=both)
        self.dropout = nn.Dropout(dropout)
        self.readout = nn.Linear(hidden_size * (2 if both else 1), output_size)
        if forget_bias is not None:
            with torch.no_grad():
                for name, bias in self.lstm.named_parameters():
                    if name.startswith("bias_ih"):
                        bias[hidden_size : 2 * hidden_size] = forget_bias
                    elif name.startswith("bias_hh"):
                        bias[hidden_size : 2 * hidden_size] = 0.0

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """States in sequence order, ``(B, L, H)`` (``(B, L, 2H)`` for ``"both"``: forward
        half first). At position t the forward half has read ``x_0..x_t`` and the backward
        half ``x_t..x_{L-1}``."""
        x = check_input(x, self.input_size)
        if self.direction == "backward":
            out, _ = self.lstm(x.flip(1))  # reads x_{L-1} first
            return out.flip(1)  # back in sequence order: out[:, t] has read x_t..x_{L-1}
        out, _ = self.lstm(x)
        return out

    def summary(self, states: torch.Tensor) -> torch.Tensor:
        """The state after each direction has read the whole sequence, ``(B, H)`` or
        ``(B, 2H)``."""
        H = self.hidden_size
        if self.direction == "forward":
            return states[:, -1]
        if self.direction == "backward":
            return states[:, 0]
        return torch.cat([states[:, -1, :H], states[:, 0, H:]], dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits: ``(B, L)`` per position or ``(B,)`` per sequence (a last axis of
        ``output_size`` when it is above 1)."""
        states = self.states(x)
        features = states if self.per_position else self.summary(states)
        logits = self.readout(self.dropout(features))
        return logits.squeeze(-1) if self.output_size == 1 else logits
