"""An interpretable LSTM for DNA methylation: one cell per site, its state a methylated fraction.

Three changes to the LSTM make its cell state mean something (chapter 4):

1. the candidate goes through a **sigmoid**, not a tanh, so it is a level in (0, 1);
2. the input gate is **tied** to the forget gate, ``i = 1 - f``, so the update is an
   exponential moving average: the new level is a weighted mean of the old level and
   the candidate, and stays in [0, 1];
3. the recurrence is **diagonal**: a site's gates read its own level and no other, so
   sites never mix (the Jacobian between two sites is exactly zero).

With the cell state itself as the output (``h = c``), the model for site j, step t is::

    f_t  = sigmoid(q_j + A_j . x_t + p_j * m_{t-1})       retention (forget gate)
    m~_t = sigmoid(b_j + W_j . x_t + v_j * m_{t-1})       target level (candidate)
    m_t  = m_{t-1} + (1 - f_t) * (m~_t - m_{t-1})         relax towards the target

written here as a relaxation: each step closes the share ``1 - f_t`` of the gap between
the level and the target, so ``f`` is the share of the old level the site *retains* and
plays the part of a maintenance rate. A time course starts at ``m_0 = sigmoid(b_j + W_j .
x_0)``, the target of its first signals (the relaxation from ``m_{-1} = 0`` with ``f_0 = 0``).

:class:`MethylationEnsemble` holds ``S`` such models side by side, each with its own
parameters, so that one batched computation trains a whole block of seeds: member ``s``
is initialised from its own seed and never interacts with the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

EPS = 1e-6
"""Levels are kept in ``[EPS, 1 - EPS]`` inside the log-likelihood only."""


@dataclass
class MethylationRun:
    """What an ensemble computed, each ``(S, B, T, H)``."""

    level: torch.Tensor
    """Methylated fraction ``m_t``, t = 0..T-1."""
    retention: torch.Tensor
    """Forget gate ``f_t`` (``f_0 = 0``)."""
    target: torch.Tensor
    """Candidate ``m~_t``."""
    steps: list[torch.Tensor] | None = None
    """The levels ``m_t`` as the computation made them, one ``(S, B, H)`` tensor per step:
    nodes of the autograd graph, so that ``d m_t / d m_s`` can be taken between steps."""


class MethylationEnsemble(nn.Module):
    """``S`` independent methylation LSTMs over ``H`` sites reading ``D`` signals.

    Parameters of the module, all with a leading member axis ``S``:
    ``retention_bias`` ``q (S, H)``, ``retention_signal`` ``A (S, H, D)``,
    ``retention_self`` ``p (S, H)``, ``target_bias`` ``b (S, H)``,
    ``target_signal`` ``W (S, H, D)``, ``target_self`` ``v (S, H)``. The self weights are
    vectors: a site's gates see its own level only (diagonal recurrence).

    Parameters
    ----------
    seeds : sequence of int
        One seed per member; member s's initial parameters are drawn from ``seeds[s]``.
    n_sites, n_signals : int
        Sites H (cells of the LSTM) and signals D (inputs per step).
    """

    def __init__(self, seeds, n_sites: int, n_signals: int):
        super().__init__()
        seeds = [int(s) for s in seeds]
        if not seeds or n_sites < 1 or n_signals < 1:
            raise ValueError("need at least one seed, n_sites >= 1 and n_signals >= 1")
        self.seeds, self.n_sites, self.n_signals = seeds, n_sites, n_signals
        H, D = n_sites, n_signals
        scale = 1 / math.sqrt(D + 1)  # torch's default for a layer with D + 1 inputs

        def draw(gen, *shape):
            return (2 * torch.rand(*shape, generator=gen) - 1) * scale

        members = []
        for seed in seeds:
            gen = torch.Generator().manual_seed(seed)
            # retention bias, signal and self weights, then the target's: six fresh draws
            members.append([draw(gen, *shape) for shape in ((H,), (H, D), (H,)) * 2])
        stacked = [torch.stack(column) for column in zip(*members, strict=True)]
        names = (
            "retention_bias",
            "retention_signal",
            "retention_self",
            "target_bias",
            "target_signal",
            "target_self",
        )
        for name, value in zip(names, stacked, strict=True):
            setattr(self, name, nn.Parameter(value))

    @property
    def n_members(self) -> int:
        return len(self.seeds)

    def forward(self, x: torch.Tensor) -> MethylationRun:
        """Run every member on signals ``x``: ``(S, B, T, D)``, or ``(B, T, D)`` for all."""
        S, D = self.n_members, self.n_signals
        if x.dim() == 3:
            x = x.unsqueeze(0).expand(S, -1, -1, -1)
        if x.dim() != 4 or x.shape[0] != S or x.shape[-1] != D:
            raise ValueError(f"x must be (B, T, {D}) or ({S}, B, T, {D}), got {tuple(x.shape)}")
        # the signals' push on each gate, for every step at once: (S, B, T, H)
        keep_drive = torch.einsum("sbtd,shd->sbth", x, self.retention_signal)
        keep_drive = keep_drive + self.retention_bias[:, None, None]
        target_drive = torch.einsum("sbtd,shd->sbth", x, self.target_signal)
        target_drive = target_drive + self.target_bias[:, None, None]
        p, v = self.retention_self[:, None], self.target_self[:, None]  # (S, 1, H)
        level = torch.sigmoid(target_drive[:, :, 0])  # m_0: (S, B, H)
        levels, keeps, targets = [level], [torch.zeros_like(level)], [level]
        for t in range(1, x.shape[2]):
            keep = torch.sigmoid(keep_drive[:, :, t] + p * level)
            target = torch.sigmoid(target_drive[:, :, t] + v * level)
            level = level + (1 - keep) * (target - level)
            levels.append(level)
            keeps.append(keep)
            targets.append(target)
        return MethylationRun(
            level=torch.stack(levels, dim=2),
            retention=torch.stack(keeps, dim=2),
            target=torch.stack(targets, dim=2),
            steps=levels,
        )

    @torch.no_grad()
    def retention_rates(self, x: torch.Tensor) -> torch.Tensor:
        """Each member's per-site rate: its forget gate averaged over ``x``'s steps 1..T-1,
        ``(S, H)``."""
        return self(x).retention[:, :, 1:].mean(dim=(1, 2))


def binomial_nll(
    level: torch.Tensor, methylated: torch.Tensor, reads: torch.Tensor
) -> torch.Tensor:
    """Negative log-likelihood per read of ``methylated ~ Binomial(reads, level)``.

    Shapes broadcast; the result keeps a leading member axis when ``level`` has one more
    dimension than the counts: ``(S,)`` for ``level (S, B, T, H)`` and counts ``(B, T, H)``
    or ``(S, B, T, H)``.
    """
    level = level.clamp(EPS, 1 - EPS)
    log_lik = methylated * torch.log(level) + (reads - methylated) * torch.log1p(-level)
    dims = tuple(range(1, level.dim()))
    reads = reads.expand_as(level)
    return -log_lik.sum(dim=dims) / reads.sum(dim=dims)
