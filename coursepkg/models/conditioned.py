"""Next-step RNNs that differ only in what their initial state may read, trained as one ensemble.

Chapter 2 compares four choices of ``h_0``. Here they are one architecture: every member
has the same initial-state network and the same recurrence, and a fixed *mask* decides
what the initial-state network is allowed to see before the time course starts::

    q        = mask_m * [1, onehot(cell type), z]      the member's knowledge before t = 0
    h_0      = tanh(V tanh(U q))                        no biases, so q = 0 gives h_0 = 0
    h_t      = tanh(W_h h_{t-1} + W_x x_t + b)
    x_hat_t+1 = x_t + W_out h_t + b_out                 a change from x_t

==========  ======================  ============================================
view        what ``q`` holds        so ``h_0`` is
==========  ======================  ============================================
``zero``    nothing                 0, for every sequence
``shared``  the constant 1          one learned vector, shared by every sequence
``type``    1 and the cell type     a learned vector per cell type
``omics``   1 and covariates ``z``  a learned function (a small MLP) of ``z``
==========  ======================  ============================================

Every parameter has the member as its first axis, so :func:`coursepkg.train.fit_ensemble`
trains all views for several seeds at once, each member exactly as if alone.

Shapes: ``x (M, B, T, G)``, ``q (M, B, Q)`` with ``Q = 1 + K + P`` (from
:func:`condition_features`), predictions ``(M, B, T, G)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

VIEWS = ("zero", "shared", "type", "omics")
"""What the initial-state network of a member may read (see the module docstring)."""


def condition_features(cell_type: torch.Tensor, z: torch.Tensor, n_types: int) -> torch.Tensor:
    """Everything known before a time course starts, as one vector per sequence.

    Returns ``(B, 1 + K + P)``: a constant 1, the one-hot cell type (``K = n_types``), and
    the covariates ``z (B, P)``. A member's mask keeps the part its view may read.
    """
    if cell_type.dim() != 1 or z.dim() != 2 or z.shape[0] != cell_type.shape[0]:
        raise ValueError(
            f"cell_type must be (B,) and z (B, P) with the same B, got "
            f"{tuple(cell_type.shape)} and {tuple(z.shape)}"
        )
    if cell_type.dtype not in (torch.int32, torch.int64):
        raise TypeError(f"cell types must be integers, got {cell_type.dtype}")
    if len(cell_type) and (cell_type.min() < 0 or cell_type.max() >= n_types):
        raise ValueError(f"cell types must lie in 0..{n_types - 1}")
    one = torch.ones(len(cell_type), 1, dtype=z.dtype)
    types = nn.functional.one_hot(cell_type.long(), n_types).to(z.dtype)
    return torch.cat([one, types, z], dim=1)


def view_mask(view: str, n_types: int, n_omics: int) -> torch.Tensor:
    """The 0/1 mask ``(1 + K + P,)`` of what a member with this ``view`` may read."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    parts = {
        "zero": (0, 0, 0),
        "shared": (1, 0, 0),
        "type": (1, 1, 0),
        "omics": (1, 0, 1),
    }[view]
    return torch.cat(
        [
            torch.full((1,), float(parts[0])),
            torch.full((n_types,), float(parts[1])),
            torch.full((n_omics,), float(parts[2])),
        ]
    )


class ConditioningEnsemble(nn.Module):
    """``M`` next-step RNNs (see the module docstring), member ``m`` with view ``views[m]``.

    Parameters
    ----------
    views : sequence of str
        One of :data:`VIEWS` per member.
    seeds : sequence of int
        One seed per member for its initial weights (uniform in ``±1/sqrt(fan_in)``, as
        torch initialises ``nn.Linear`` and ``nn.RNN``). Members with the same seed start
        from the same weights whatever their view, so a comparison of views is paired.
    n_genes, n_types, n_omics : int
        ``G``, ``K``, ``P``.
    hidden : int
        ``H``, units of the hidden state.
    width : int
        Units of the initial-state network's middle layer.
    """

    def __init__(
        self,
        views: Sequence[str],
        seeds: Sequence[int],
        n_genes: int,
        n_types: int,
        n_omics: int,
        hidden: int = 32,
        width: int = 32,
    ) -> None:
        super().__init__()
        views, seeds = list(views), [int(s) for s in seeds]
        if not views or len(views) != len(seeds):
            raise ValueError(f"give one seed per view: {len(views)} views, {len(seeds)} seeds")
        self.views = tuple(views)
        self.n_genes, self.n_types, self.n_omics, self.hidden = n_genes, n_types, n_omics, hidden
        Q = 1 + n_types + n_omics
        self.register_buffer("mask", torch.stack([view_mask(v, n_types, n_omics) for v in views]))
        shapes = {
            "U": ((width, Q), Q),
            "V": ((hidden, width), width),
            "W_x": ((hidden, n_genes), hidden),
            "W_h": ((hidden, hidden), hidden),
            "b": ((hidden,), hidden),
            "W_out": ((n_genes, hidden), hidden),
            "b_out": ((n_genes,), hidden),
        }
        draws = [_uniform_init(seed, shapes) for seed in seeds]
        for name in shapes:
            self.register_parameter(name, nn.Parameter(torch.stack([d[name] for d in draws])))

    @property
    def n_members(self) -> int:
        return len(self.views)

    def initial_state(self, q: torch.Tensor) -> torch.Tensor:
        """``h_0 (M, B, H)`` from condition features ``q (M, B, Q)``, each member masked."""
        q = q * self.mask[:, None, :]
        middle = torch.tanh(torch.bmm(q, self.U.transpose(1, 2)))  # (M, B, width)
        return torch.tanh(torch.bmm(middle, self.V.transpose(1, 2)))  # (M, B, H)

    def forward(self, x: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Predictions ``(M, B, T, G)``: entry ``t`` predicts ``x_{t+1}`` from ``x_0..x_t``."""
        M, G = self.n_members, self.n_genes
        if x.dim() != 4 or x.shape[0] != M or x.shape[-1] != G:
            raise ValueError(f"x must be (M, B, T, G) = ({M}, B, T, {G}), got {tuple(x.shape)}")
        if q.shape != (M, x.shape[1], self.mask.shape[1]):
            raise ValueError(
                f"q must be (M, B, Q) = ({M}, {x.shape[1]}, {self.mask.shape[1]}), "
                f"got {tuple(q.shape)}"
            )
        h = self.initial_state(q)
        drive = torch.einsum("mbtg,mhg->mbth", x, self.W_x) + self.b[:, None, None, :]
        W_h_T = self.W_h.transpose(1, 2)
        states = []
        for drive_t in drive.unbind(dim=2):  # one backward node for every step
            h = torch.tanh(torch.baddbmm(drive_t, h, W_h_T))  # drive_t + h W_h^T: (M, B, H)
            states.append(h)
        states = torch.stack(states, dim=2)  # (M, B, T, H)
        change = torch.einsum("mbth,mgh->mbtg", states, self.W_out) + self.b_out[:, None, None, :]
        return x + change


def _uniform_init(seed: int, shapes: dict) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return {
        name: (2 * torch.rand(shape, generator=gen) - 1) / math.sqrt(fan)
        for name, (shape, fan) in shapes.items()
    }
