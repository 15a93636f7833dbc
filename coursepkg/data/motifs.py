"""Simulated DNA with a known answer: has a motif occurred yet?

Ground truth comes from plain string search, independent of any network, so a
network's per-position output can be checked against it exactly.
"""

from __future__ import annotations

import torch

from coursepkg.sequences import DNA, onehot_batch, validate


def motif_seen(seq: str, motif: str) -> torch.Tensor:
    """Labels ``(L,)``: 1.0 at position t when ``motif`` ends at or before t in ``seq``."""
    seq = validate(seq)
    motif = validate(motif)
    if not motif:
        raise ValueError("motif must not be empty")
    first = seq.find(motif)
    labels = torch.zeros(len(seq))
    if first >= 0:
        labels[first + len(motif) - 1 :] = 1.0
    return labels


def random_sequences(n: int, length: int, seed: int) -> list[str]:
    """``n`` uniformly random DNA strings of ``length`` bases, reproducible from ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, 4, (n, length), generator=gen)
    return ["".join(DNA[i] for i in row) for row in idx.tolist()]


def motif_dataset(
    n: int, length: int, motif: str = "ACG", seed: int = 0, plant: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Random sequences with per-position "motif seen yet" labels.

    With ``plant > 0`` that fraction of the sequences gets a copy of ``motif`` written at
    a uniformly random place, so that short training sequences contain enough positives.
    Labels always come from string search, whatever was planted.

    Returns
    -------
    x : (n, length, 4) one-hot
    y : (n, length) 0/1 labels from :func:`motif_seen`
    seqs : the n strings
    """
    motif = validate(motif)
    if not 0.0 <= plant <= 1.0:
        raise ValueError(f"plant must be a fraction in [0, 1], got {plant}")
    if plant > 0 and len(motif) > length:
        raise ValueError(f"cannot plant a motif of {len(motif)} bases in sequences of {length}")
    seqs = random_sequences(n, length, seed)
    gen = torch.Generator().manual_seed(seed + 1)
    chosen = torch.rand(n, generator=gen) < plant
    starts = torch.randint(0, length - len(motif) + 1, (n,), generator=gen)
    for i in torch.nonzero(chosen).flatten().tolist():
        s = int(starts[i])
        seqs[i] = seqs[i][:s] + motif + seqs[i][s + len(motif) :]
    x = onehot_batch(seqs)
    y = torch.stack([motif_seen(s, motif) for s in seqs])
    return x, y, seqs
