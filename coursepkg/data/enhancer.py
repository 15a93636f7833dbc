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


# --- the same task at genome scale ------------------------------------------------------


def _matches(tokens: torch.Tensor, motif: torch.Tensor) -> torch.Tensor:
    """``(n, L)`` bool: True at each position where ``motif`` (``(k,)`` tokens) starts."""
    n, L = tokens.shape
    k = motif.numel()
    hit = torch.ones(n, max(L - k + 1, 0), dtype=torch.bool)
    for j in range(k):
        hit &= tokens[:, j : L - k + 1 + j] == motif[j]
    return torch.nn.functional.pad(hit, (0, L - hit.shape[1]))


def long_enhancer_tokens(
    n: int,
    length: int,
    distance: int | torch.Tensor,
    seed: int = 0,
    enhancer: str = ENHANCER,
    decoy: str = DECOY,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The distal-enhancer task at any length, as base indices (0-3 for ``ACGT``).

    The same task as :func:`distal_enhancer_dataset`, built for sequences of tens of
    kilobases: ``n`` random sequences of ``length`` bases, each holding one 6-base site
    whose last base is ``distance`` bases before the last position,

        position   0 ........ s-1 | s .. s+5 | ... distance bases ... | L-1
        content    random         | site     | random               | predict here

    with ``s = length - 6 - distance``. A random 50 kb sequence holds each 6-mer about
    twelve times, so the background is drawn at once and every chance copy of either
    motif is redrawn (vectorised) until the site is the only one. Index tokens (one byte a
    base) take a sixteenth of the memory of one-hot float rows (16 bytes a base);
    :func:`tokens_onehot` turns a batch of them into one-hot input.

    Parameters
    ----------
    distance : int or torch.Tensor ``(n,)``
        One distance for every sequence, or one per sequence.

    Returns
    -------
    tokens : torch.Tensor, ``(n, length)`` uint8 in 0..3
    y : torch.Tensor, ``(n,)`` float 0/1 (1 = enhancer), half of each in random order
    """
    enhancer, decoy = validate(enhancer), validate(decoy)
    if len(enhancer) != len(decoy):
        raise ValueError(
            f"enhancer and decoy must have the same length, got {enhancer!r}, {decoy!r}"
        )
    k = len(enhancer)
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    distance = torch.as_tensor(distance, dtype=torch.long)
    if distance.dim() == 0:
        distance = distance.expand(n)
    if distance.shape != (n,):
        raise ValueError(
            f"distance must be an int or have shape ({n},), got shape {tuple(distance.shape)}"
        )
    if int(distance.min()) < 0 or length < k + int(distance.max()):
        raise ValueError(
            f"need 0 <= distance and length >= {k} + distance, got length {length}, "
            f"distances {int(distance.min())}..{int(distance.max())}"
        )
    gen = torch.Generator().manual_seed(seed)
    y = (torch.randperm(n, generator=gen) % 2).float()
    motifs = [torch.tensor([DNA.index(b) for b in m], dtype=torch.uint8) for m in (enhancer, decoy)]
    tokens = torch.randint(0, 4, (n, length), generator=gen, dtype=torch.uint8)
    start = length - k - distance  # (n,)
    rows = torch.arange(n)
    columns = start[:, None] + torch.arange(k)  # (n, k)
    site = torch.where(y[:, None] == 1, motifs[0], motifs[1])  # (n, k)
    tokens[rows[:, None], columns] = site
    in_site = torch.zeros(n, length, dtype=torch.bool)
    in_site[rows[:, None], columns] = True
    return _redraw_copies(tokens, motifs, in_site, gen), y


def _redraw_copies(
    tokens: torch.Tensor, motifs: list[torch.Tensor], keep: torch.Tensor, gen: torch.Generator
) -> torch.Tensor:
    """Redraw (in place) every base of every copy of a motif that is not all in ``keep``
    (``(n, L)`` bool), until no such copy is left."""
    length, k = tokens.shape[1], motifs[0].numel()
    while True:
        hits = torch.zeros_like(keep)
        for motif in motifs:
            hits |= _matches(tokens, motif)
        covered = torch.ones_like(hits)  # copies lying wholly in ``keep`` stay
        for j in range(k):
            covered &= torch.nn.functional.pad(keep[:, j:], (0, j), value=False)
        hits &= ~covered
        if not hits.any():
            return tokens
        redraw = torch.zeros_like(hits)
        for j in range(k):
            redraw |= torch.nn.functional.pad(hits, (j, 0))[:, :length]
        redraw &= ~keep
        tokens[redraw] = torch.randint(0, 4, (int(redraw.sum()),), generator=gen, dtype=torch.uint8)


def background_tokens(
    n: int, length: int, seed: int = 0, enhancer: str = ENHANCER, decoy: str = DECOY
) -> torch.Tensor:
    """``(n, length)`` uint8 random bases holding no copy of either motif: the stretches
    between sites (the windows of a long sequence that carry no evidence)."""
    if n < 1 or length < 1:
        raise ValueError(f"n and length must be positive, got {n}, {length}")
    gen = torch.Generator().manual_seed(seed)
    motifs = [
        torch.tensor([DNA.index(b) for b in validate(m)], dtype=torch.uint8)
        for m in (enhancer, decoy)
    ]
    tokens = torch.randint(0, 4, (n, length), generator=gen, dtype=torch.uint8)
    return _redraw_copies(tokens, motifs, torch.zeros(n, length, dtype=torch.bool), gen)


def tokens_onehot(tokens: torch.Tensor) -> torch.Tensor:
    """``(..., L)`` base indices 0..3 -> ``(..., L, 4)`` float32 one-hot (``ACGT`` order)."""
    if tokens.dtype not in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        raise TypeError(f"tokens must be an integer tensor, got {tokens.dtype}")
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) > 3):
        raise ValueError("tokens must be base indices in 0..3 (A, C, G, T)")
    return torch.nn.functional.one_hot(tokens.long(), 4).float()
