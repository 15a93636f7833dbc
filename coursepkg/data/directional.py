"""Simulated DNA whose answer depends on the direction it is read in, or on the strand.

Three tasks with known ground truth, for chapter 6:

* :func:`promoter_gene_dataset`: is there a gene on this strand, read 5' to 3'? A positive
  is a TATA box, a spacer, a start codon, an open reading frame and a stop codon, in that
  order. A negative is a positive written backwards: the same parts, read the other way
  (``TATAAT`` becomes ``TAATAT``, ``ATG`` becomes ``GTA``). Reversal maps one class onto
  the other, so nothing that ignores direction can beat chance.
* :func:`site_annotation_dataset`: label every base that belongs to a site, among decoys
  that differ from the site in its first or its last base. Whether a base is in a site
  depends on bases on both sides of it.
* :func:`strand_site_dataset`: does the window hold a binding site on either strand? A
  protein that binds double-stranded DNA meets the site as ``AGATAA`` on one strand or as
  its reverse complement ``TTATCT`` on the other, so the answer is the same for a window
  and its reverse complement.

Every function returns plain strings (and labels), drawn from ``seed`` alone; labels come
from string search on the final sequence, not from what was planted.
"""

from __future__ import annotations

import numpy as np

from coursepkg.sequences import DNA, reverse_complement_str, validate

TATA_BOX = "TATAAT"
"""The promoter's -10 box (Pribnow box) of bacteria, a TATA box."""

START_CODON = "ATG"
STOP_CODONS = ("TAA", "TAG", "TGA")
SENSE_CODONS = tuple(
    a + b + c for a in DNA for b in DNA for c in DNA if a + b + c not in STOP_CODONS
)
"""The 61 codons that code for an amino acid."""

GATA_SITE = "AGATAA"
"""A GATA-factor binding site; its reverse complement is ``TTATCT`` (not a palindrome)."""


def _bases(rng: np.random.Generator, length: int) -> str:
    return "".join(DNA[i] for i in rng.integers(0, 4, length))


def _check_length(length: int, least: int, what: str) -> None:
    if not isinstance(length, (int, np.integer)) or length < least:
        raise ValueError(f"{what} needs sequences of at least {least} bases, got length={length}")


def promoter_gene(rng: np.random.Generator, length: int = 72) -> str:
    """One sequence with a gene on it, read 5' to 3'.

    ``[2..10 random bases] TATAAT [6..12 random] ATG [4..8 sense codons] stop [random]``,
    padded with random bases to ``length``.
    """
    _check_length(length, 58, "a promoter and gene")
    codons = [SENSE_CODONS[i] for i in rng.integers(0, len(SENSE_CODONS), rng.integers(4, 9))]
    gene = (
        _bases(rng, int(rng.integers(2, 11)))
        + TATA_BOX
        + _bases(rng, int(rng.integers(6, 13)))
        + START_CODON
        + "".join(codons)
        + STOP_CODONS[int(rng.integers(0, 3))]
    )
    return gene + _bases(rng, length - len(gene))


def promoter_gene_dataset(n: int, length: int = 72, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """``n`` sequences, half with a gene read 5' to 3' (label 1), half the same written
    backwards (label 0), in random order.

    Returns
    -------
    seqs : list of ``n`` strings of ``length`` bases
    labels : numpy array ``(n,)`` of 0/1
    """
    _check_length(length, 58, "a promoter and gene")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    seqs = []
    for label in labels:
        seq = promoter_gene(rng, length)
        seqs.append(seq if label == 1 else seq[::-1])
    return seqs, labels


def site_cover(seq: str, site: str) -> np.ndarray:
    """``(L,)`` 0/1: 1 at every base covered by an occurrence of ``site`` (overlaps too)."""
    seq, site = validate(seq), validate(site)
    cover = np.zeros(len(seq), dtype=np.int64)
    start = seq.find(site)
    while start >= 0:
        cover[start : start + len(site)] = 1
        start = seq.find(site, start + 1)
    return cover


def _mutate(rng: np.random.Generator, base: str) -> str:
    return [b for b in DNA if b != base][int(rng.integers(0, 3))]


def site_annotation_dataset(
    n: int, length: int = 48, site: str = TATA_BOX, sites: int = 2, decoys: int = 2, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """Sequences with ``sites`` copies of ``site`` and ``decoys`` near-copies, per-base labels.

    A decoy is the site with its first or its last base changed (each half the time), so
    the first bases of a site cannot be told from a decoy until its last base is read, and
    the last bases not until its first base is. Copies and decoys do not overlap.

    Returns
    -------
    seqs : list of ``n`` strings
    labels : numpy array ``(n, length)``, 1 where a base belongs to an occurrence of ``site``
    """
    site = validate(site)
    k = len(site)
    slots = sites + decoys
    _check_length(length, slots * (k + 1), f"{slots} sites of {k} bases")
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for _ in range(n):
        # non-overlapping starts: choose slot starts in a shorter line, then spread them out
        free = length - slots * k
        offsets = np.sort(rng.choice(free + 1, size=slots, replace=True))
        starts = offsets + k * np.arange(slots)
        kinds = rng.permutation([True] * sites + [False] * decoys)
        seq = list(_bases(rng, length))
        for start, is_site in zip(starts, kinds, strict=True):
            copy = list(site)
            if not is_site:
                end = 0 if rng.random() < 0.5 else k - 1
                copy[end] = _mutate(rng, copy[end])
            seq[start : start + k] = copy
        text = "".join(seq)
        seqs.append(text)
        labels.append(site_cover(text, site))
    return seqs, np.stack(labels)


def strand_site_dataset(
    n: int,
    length: int = 48,
    site: str = GATA_SITE,
    strands: str = "both",
    copies: int = 2,
    seed: int = 0,
) -> tuple[list[str], np.ndarray]:
    """Windows with binding sites on one strand or on either, and per-base labels.

    Each window gets ``copies`` non-overlapping copies of ``site``, each written as is
    (``strands="+"``) or, with ``strands="both"``, as is or reverse-complemented with
    equal chance. The random bases are redrawn until the window holds no other copy of
    ``site`` or of its reverse complement. A base is labelled 1 when it belongs to a copy
    on either strand, so the labels of the reverse-complemented window are the labels
    reversed.

    Returns
    -------
    seqs : list of ``n`` strings of ``length`` bases
    labels : numpy array ``(n, length)`` of 0/1
    """
    if strands not in ("+", "both"):
        raise ValueError(f"strands must be '+' or 'both', got {strands!r}")
    site = validate(site)
    k = len(site)
    _check_length(length, copies * (k + 1), f"{copies} sites of {k} bases")
    rc_site = reverse_complement_str(site)
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for _ in range(n):
        while True:
            offsets = np.sort(rng.choice(length - copies * k + 1, size=copies, replace=True))
            seq = list(_bases(rng, length))
            for start in offsets + k * np.arange(copies):
                copy = site if strands == "+" or rng.random() < 0.5 else rc_site
                seq[start : start + k] = copy
            text = "".join(seq)
            cover = site_cover(text, site) | site_cover(text, rc_site)
            if cover.sum() == copies * k:  # no extra copy made by the random bases
                break
        seqs.append(text)
        labels.append(cover)
    return seqs, np.stack(labels)
