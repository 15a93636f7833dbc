"""Simulated enhancers and promoters with a known grammar, and the features that define them.

Two classes of regulatory sequence, each ``length`` bases long, written on uniformly random
background:

* an **enhancer** (label 0) is a *cluster* of transcription-factor sites: 2 to 4 copies of
  the motifs in :data:`TF_MOTIFS`, one after another with spacers of :data:`SPACING`
  bases between them, the cluster anywhere in the sequence. Enhancers work wherever they
  are, so no position is special; they are CpG-poor (few ``CG`` planted). A share
  :data:`ENHANCER_TATA` of them carry a ``TATAAA`` at a random place, so that a TATA box
  alone is no proof of a promoter.
* a **promoter** (label 1) has its transcription start site (TSS) at a fixed position,
  ``length - TSS_FROM_END``, and (in a share :data:`TATA_SHARE` of them) a TATA box
  exactly :data:`TATA_UPSTREAM` bases upstream of it. It is CpG-rich: ``CG`` pairs are
  planted at a rate drawn per sequence (a CpG island), and it carries 0 to 3
  transcription-factor sites of its own, scattered upstream of the TATA box.

The CpG rates of the two classes overlap, and so do their site counts, so no single feature
decides the label; a classifier gathers several. :func:`features` measures every feature on
the finished strings by plain string search (so a site the background made by chance
counts too), independently of any network:

=================  ==========================================================================
feature            meaning
=================  ==========================================================================
``motif_count``    occurrences of any :data:`TF_MOTIFS` motif
``spacing``        mean gap (bases) between consecutive sites; NaN with fewer than two
``tata_count``     occurrences of ``TATAAA`` anywhere
``tata_at_tss``    1 if ``TATAAA`` sits exactly at the promoter's TATA position, else 0
``cpg_density``    ``CG`` dinucleotides per base
=================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursepkg.sequences import DNA

TF_MOTIFS = ("CACGTG", "GATAAG", "TGACTCA")
"""The transcription-factor sites of the enhancers: an E-box (bHLH factors), a GATA site and
an AP-1 site."""

TATA = "TATAAA"
"""The TATA box."""

TSS_FROM_END = 30
"""The promoter's TSS lies this many bases before the end of the sequence."""

TATA_UPSTREAM = 30
"""The TATA box starts this many bases upstream of the TSS (around -30, as in eukaryotes)."""

TATA_SHARE = 1.0
"""Share of promoters with a TATA box at the fixed position (every one, here; many real
promoters have none)."""

ENHANCER_TATA = 0.5
"""Share of enhancers with a ``TATAAA`` somewhere (at a random place)."""

ENHANCER_CPG = (0.0, 0.03)
PROMOTER_CPG = (0.01, 0.08)
"""Ranges of the per-base rate at which ``CG`` pairs are planted (drawn per sequence)."""

SPACING = (2, 16)
"""Range of the spacer between consecutive sites of an enhancer's cluster (bases)."""

FEATURES = ("motif_count", "spacing", "tata_count", "tata_at_tss", "cpg_density")
"""The features :func:`features` measures, in the order figures and tables show them."""


def tata_position(length: int) -> int:
    """Where a promoter's TATA box starts: ``length - TSS_FROM_END - TATA_UPSTREAM``."""
    return length - TSS_FROM_END - TATA_UPSTREAM


@dataclass
class RegulatorySet:
    """Simulated sequences, their labels (1 = promoter) and their measured features."""

    sequences: list[str]
    labels: np.ndarray
    """``(N,)`` int, 0 enhancer, 1 promoter."""
    features: dict[str, np.ndarray]
    """Each of :data:`FEATURES`, ``(N,)`` float."""


def _plant(seq: list[str], start: int, word: str) -> None:
    seq[start : start + len(word)] = list(word)


def _background(length: int, cpg_rate: float, rng: np.random.Generator) -> list[str]:
    seq = list(rng.choice(list(DNA), size=length))
    for i in np.flatnonzero(rng.random(length - 1) < cpg_rate):
        _plant(seq, int(i), "CG")
    return seq


def _enhancer(length: int, rng: np.random.Generator) -> str:
    seq = _background(length, rng.uniform(*ENHANCER_CPG), rng)
    if rng.random() < ENHANCER_TATA:
        _plant(seq, int(rng.integers(0, length - len(TATA) + 1)), TATA)
    sites = [TF_MOTIFS[i] for i in rng.integers(0, len(TF_MOTIFS), rng.integers(2, 5))]
    gaps = rng.integers(SPACING[0], SPACING[1] + 1, len(sites) - 1)
    span = sum(len(s) for s in sites) + int(gaps.sum())
    position = int(rng.integers(0, length - span + 1))
    for k, site in enumerate(sites):
        _plant(seq, position, site)
        position += len(site) + (int(gaps[k]) if k < len(gaps) else 0)
    return "".join(seq)


def _promoter(length: int, rng: np.random.Generator) -> str:
    seq = _background(length, rng.uniform(*PROMOTER_CPG), rng)
    for _ in range(int(rng.integers(0, 4))):  # 0 to 3 scattered sites upstream of the TATA
        site = TF_MOTIFS[int(rng.integers(0, len(TF_MOTIFS)))]
        _plant(seq, int(rng.integers(0, tata_position(length) - len(site))), site)
    if rng.random() < TATA_SHARE:
        _plant(seq, tata_position(length), TATA)
    return "".join(seq)


def _site_starts(seq: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every motif occurrence, in order of start."""
    found = []
    for motif in TF_MOTIFS:
        start = seq.find(motif)
        while start >= 0:
            found.append((start, start + len(motif)))
            start = seq.find(motif, start + 1)
    return sorted(found)


def motif_sites(sequences: list[str]) -> np.ndarray:
    """``(N, L)`` bool: True at every base covered by a transcription-factor site of
    :data:`TF_MOTIFS` (the planted ones, and any a background happens to spell)."""
    if not sequences:
        raise ValueError("motif_sites needs at least one sequence")
    length = len(sequences[0])
    if any(len(s) != length for s in sequences):
        raise ValueError("all sequences must have the same length")
    mask = np.zeros((len(sequences), length), dtype=bool)
    for n, seq in enumerate(sequences):
        for start, end in _site_starts(seq):
            mask[n, start:end] = True
    return mask


def features(sequences: list[str]) -> dict[str, np.ndarray]:
    """Every feature of :data:`FEATURES` for each sequence (module docstring), ``(N,)`` each.

    All sequences must have one length (the TATA position depends on it).
    """
    if not sequences:
        raise ValueError("features needs at least one sequence")
    length = len(sequences[0])
    if any(len(s) != length for s in sequences):
        raise ValueError("all sequences must have the same length")
    if length < TSS_FROM_END + TATA_UPSTREAM + len(TATA):
        raise ValueError(f"sequences of {length} bases are too short to hold a promoter")
    tata = tata_position(length)
    out = {name: np.zeros(len(sequences)) for name in FEATURES}
    for n, seq in enumerate(sequences):
        sites = _site_starts(seq)
        out["motif_count"][n] = len(sites)
        gaps = [b[0] - a[1] for a, b in zip(sites, sites[1:], strict=False)]
        out["spacing"][n] = np.mean(gaps) if gaps else np.nan
        out["tata_count"][n] = sum(seq.startswith(TATA, i) for i in range(length))
        out["tata_at_tss"][n] = float(seq[tata : tata + len(TATA)] == TATA)
        out["cpg_density"][n] = seq.count("CG") / length
    return out


def enhancer_promoter_dataset(n: int, length: int = 100, seed: int = 0) -> RegulatorySet:
    """``n`` sequences, half enhancers and half promoters in random order (module docstring).

    Every draw comes from ``numpy.random.default_rng(seed)``.
    """
    if n < 2:
        raise ValueError(f"need n >= 2 sequences (one of each class), got {n}")
    if length < 80:
        raise ValueError(f"length must be at least 80 bases to hold the grammar, got {length}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    sequences = [_promoter(length, rng) if y else _enhancer(length, rng) for y in labels]
    return RegulatorySet(sequences, labels.astype(np.int64), features(sequences))
