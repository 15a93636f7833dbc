"""The Elman RNN (Elman, 1990) as a per-position classifier, alone or as an ensemble.

    h_t = tanh(W_h h_{t-1} + W_x x_t + b)          (torch.nn.RNN, fused)
    logit_t = w_out . h_t + b_out

:class:`ElmanRNN`: input ``(B, L, C)`` one-hot, output logits ``(B, L, n_out)`` and, on
request, the hidden states ``(B, L, H)`` that the chapters analyse.
:class:`ElmanEnsemble`: ``S`` independent Elman RNNs written out step by step with one
``bmm`` per step, so that the seeds of a claim train together (``(S, B, L, C)`` in,
``(S, B, L, n_out)`` out); :meth:`ElmanEnsemble.member` gives any member as an
:class:`ElmanRNN`.
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


class ElmanEnsemble(nn.Module):
    """``S`` independent Elman RNNs, run and trained as one batched computation.

    Member ``s`` is an :class:`ElmanRNN` of its own, with its own weights and its own input::

        h^s_t     = tanh(W_h^s h^s_{t-1} + W_x^s x^s_t + b^s)        h^s_0 = 0
        logit^s_t = W_out^s h^s_t + b_out^s

    Every parameter has the member as its first axis (``W_x (S, H, C)``, ``W_h (S, H, H)``,
    ``b (S, H)``, ``W_out (S, O, H)``, ``b_out (S, O)``), so one ``torch.bmm`` per step
    advances all members at once, and an optimiser that works element by element (Adam)
    trains each member exactly as if it were alone (:func:`coursepkg.train.fit_ensemble`).
    This is how a chapter trains a claim's seeds together instead of one after another.

    Parameters
    ----------
    seeds : sequence of int
        One seed per member for its initial weights (drawn as torch draws an ``nn.RNN``'s
        and an ``nn.Linear``'s: uniform in ``±1/sqrt(fan)``), so a member's weights do not
        depend on the other members.
    input_size, hidden_size, output_size : int
        ``C``, ``H``, ``O`` of every member.
    """

    def __init__(
        self, seeds, input_size: int = 4, hidden_size: int = 8, output_size: int = 1
    ) -> None:
        super().__init__()
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise ValueError("an ensemble needs at least one member (one seed per member)")
        C, H, O = input_size, hidden_size, output_size
        self.input_size, self.hidden_size, self.output_size = C, H, O
        draws = [_elman_init(seed, C, H, O) for seed in seeds]
        for name in ("W_x", "W_h", "b", "W_out", "b_out"):
            self.register_parameter(name, nn.Parameter(torch.stack([d[name] for d in draws])))

    @property
    def n_members(self) -> int:
        return self.W_x.shape[0]

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states ``(S, B, L, H)`` for inputs ``(S, B, L, C)`` (member s reads x[s])."""
        if x.dim() != 4 or x.shape[0] != self.n_members or x.shape[-1] != self.input_size:
            raise ValueError(
                f"x must be (S, B, L, C) = ({self.n_members}, B, L, {self.input_size}), "
                f"got {tuple(x.shape)}"
            )
        S, B, _, _ = x.shape
        drive = torch.einsum("sblc,shc->sblh", x, self.W_x) + self.b[:, None, None, :]
        W_h_T = self.W_h.transpose(1, 2)  # (S, H, H): h @ W_h^T, member by member
        h = x.new_zeros(S, B, self.hidden_size)
        states = []
        # unbind, not drive[:, :, t]: one backward node for all steps instead of one
        # full-size zero-filled gradient per step
        for drive_t in drive.unbind(dim=2):
            h = torch.tanh(torch.baddbmm(drive_t, h, W_h_T))  # drive_t + h W_h^T: (S, B, H)
            states.append(h)
        return torch.stack(states, dim=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(S, B, L, O)`` for inputs ``(S, B, L, C)``."""
        h = self.states(x)
        return torch.einsum("sblh,soh->sblo", h, self.W_out) + self.b_out[:, None, None, :]

    def member(self, s: int) -> ElmanRNN:
        """Member ``s`` as a stand-alone :class:`ElmanRNN` (a copy of its weights)."""
        if not -self.n_members <= s < self.n_members:
            raise ValueError(f"member {s} does not exist; the ensemble has {self.n_members}")
        model = ElmanRNN(self.input_size, self.hidden_size, self.output_size)
        with torch.no_grad():
            model.rnn.weight_ih_l0.copy_(self.W_x[s])
            model.rnn.weight_hh_l0.copy_(self.W_h[s])
            model.rnn.bias_ih_l0.copy_(self.b[s])
            model.rnn.bias_hh_l0.zero_()
            model.readout.weight.copy_(self.W_out[s])
            model.readout.bias.copy_(self.b_out[s])
        return model.eval()


def _elman_init(seed: int, C: int, H: int, O: int) -> dict[str, torch.Tensor]:
    """One member's initial weights, uniform in ``±1/sqrt(fan)`` as torch initialises them."""
    gen = torch.Generator().manual_seed(seed)

    def uniform(shape, fan):
        bound = 1.0 / fan**0.5
        return (2 * torch.rand(shape, generator=gen) - 1) * bound

    return {
        "W_x": uniform((H, C), H),
        "W_h": uniform((H, H), H),
        "b": uniform((H,), H),
        "W_out": uniform((O, H), H),
        "b_out": uniform((O,), H),
    }
