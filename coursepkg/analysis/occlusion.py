"""Which positions a classifier's output depends on: single-position occlusion.

Occlusion hides one base at a time and watches the output move. For a one-hot sequence
``x`` of shape ``(L, 4)`` and a model ``f`` that maps ``(B, L, 4)`` to ``(B,)`` logits,
hiding base ``t`` means replacing its row by the all-zero row (an ``N``: no base at all):

    x^(t)   = x with row t set to (0, 0, 0, 0)
    o_t     = f(x^(t)) - f(x)                       t = 0 .. L-1

A large ``|o_t|`` marks a base the output depends on. It is the one-row cousin of in
silico mutagenesis, which tries each of the three other bases at ``t`` instead of none.

:func:`occlusion_profile` does all ``L`` occlusions of all ``B`` sequences in one batched
call (``B * L`` copies, in chunks); :func:`top_k_hits` asks how many of the ``k``
positions with the largest ``|o_t|`` fall on marked sites (such as planted motifs).
"""

from __future__ import annotations

import numpy as np
import torch


@torch.no_grad()
def occlusion_profile(model, x: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    """``o[b, t] = f(x_b with row t zeroed) - f(x_b)``, shape ``(B, L)``.

    Parameters
    ----------
    model : a module mapping ``(B, L, 4)`` to ``(B,)`` logits (put it in ``eval()`` mode).
    x : ``(B, L, 4)`` one-hot sequences.
    chunk : how many occluded copies go through the model at once.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 3 or x.shape[-1] != 4 or x.shape[1] < 1:
        raise ValueError(f"expected one-hot DNA of shape (B, L, 4), got {tuple(x.shape)}")
    if not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be a positive int, got {chunk!r}")
    x = x.float()
    b, length, _ = x.shape
    base = model(x)  # (B,)
    # copy b*L + t is sequence b with row t zeroed
    keep = 1.0 - torch.eye(length, dtype=x.dtype)  # (L, L): row t is 0 at t
    copies = (x[:, None, :, :] * keep[None, :, :, None]).reshape(b * length, length, 4)
    out = torch.cat([model(copies[i : i + chunk]) for i in range(0, len(copies), chunk)])
    return out.reshape(b, length) - base[:, None]


def top_k_hits(profile: np.ndarray, sites: np.ndarray, k: int) -> np.ndarray:
    """Share of each row's ``k`` largest ``|o_t|`` that fall on a site, ``(B,)`` in [0, 1].

    Parameters
    ----------
    profile : ``(B, L)`` occlusion profiles (:func:`occlusion_profile`).
    sites : ``(B, L)`` bool, True where a position belongs to a marked site.
    k : positions to take per row, ``1 <= k <= L``.

    Ties are broken by position (the earlier first), so the answer is deterministic.
    """
    profile = np.asarray(profile, dtype=float)
    sites = np.asarray(sites, dtype=bool)
    if profile.ndim != 2 or sites.shape != profile.shape:
        raise ValueError(
            f"need profile and sites of one shape (B, L), got {profile.shape} and {sites.shape}"
        )
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= profile.shape[1]:
        raise ValueError(f"k must be an int in [1, {profile.shape[1]}], got {k!r}")
    top = np.argsort(-np.abs(profile), axis=1, kind="stable")[:, :k]
    return np.take_along_axis(sites, top, axis=1).mean(axis=1)
