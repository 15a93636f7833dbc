"""The distal-enhancer task: a label set by a motif far upstream of the prediction point.

Each sequence is ``flank`` random bases, then a 6-base site, then ``distance`` random
bases; the prediction point is the last base. The site holds either the *enhancer*
motif (label 1) or a *decoy* motif (label 0), so the answer is in the sequence exactly
``distance`` bases before the point where it is asked for:

    position   0 .. flank-1 | flank .. flank+5 | ... distance bases ... | L-1
    content    random       | enhancer / decoy  | random               | predict here

The random bases never contain either motif (they are redrawn until they do not), so
the site is the only evidence and a model that remembers it is exactly right; one that
forgets it is at chance (0.5, the classes are balanced).
"""

from __future__ import annotations

import torch

from coursepkg.sequences import DNA, onehot_batch, validate

ENHANCER = "CACGTG"
"""The label-1 motif (an E-box, a site bound by basic helix-loop-helix factors)."""

DECOY = "GATAAG"
"""The label-0 motif (a GATA site): same length, no base in common position by position."""


def _random_bases(length: int, gen: torch.Generator, letters: str = DNA) -> str:
    idx = torch.randint(0, len(letters), (length,), generator=gen).tolist()
    return "".join(letters[i] for i in idx)


def distal_enhancer_dataset(
    n: int,
    distance: int,
    seed: int = 0,
    flank: int = 4,
    enhancer: str = ENHANCER,
    decoy: str = DECOY,
    background: str = DNA,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` sequences whose label is decided ``distance`` bases before the last position.

    Parameters
    ----------
    n : int
        Number of sequences (half of each label, in random order).
    distance : int
        Bases between the end of the site and the prediction point (the last base);
        the last base of the site is at position ``L - 1 - distance``.
    flank : int
        Random bases before the site.

    Returns
    -------
    x : torch.Tensor, ``(n, L, 4)`` one-hot with ``L = flank + 6 + distance``
    y : torch.Tensor, ``(n,)`` float 0/1
    """
    enhancer, decoy = validate(enhancer), validate(decoy)
    if len(enhancer) != len(decoy):
        raise ValueError(
            f"enhancer and decoy must have the same length, got {enhancer!r}, {decoy!r}"
        )
    if distance < 0 or flank < 0:
        raise ValueError(f"distance and flank must be >= 0, got {distance}, {flank}")
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    gen = torch.Generator().manual_seed(seed)
    y = (torch.randperm(n, generator=gen) % 2).float()
    seqs = []
    for label in y.tolist():
        site = enhancer if label == 1 else decoy
        while True:
            seq = (
                _random_bases(flank, gen, background)
                + site
                + _random_bases(distance, gen, background)
            )
            # exactly one site: no other copy of either motif anywhere
            if seq.count(enhancer) + seq.count(decoy) == 1:
                break
        seqs.append(seq)
    return onehot_batch(seqs), y
