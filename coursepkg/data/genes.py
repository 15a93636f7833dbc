"""Genes on a genome: reading frames, codons, open reading frames and annotation labels.

A protein-coding gene is read three bases at a time, from its start codon to a stop codon,
on one strand. A genome can hold a gene in any of **six reading frames**: three phases on
the plus strand and three on the minus strand, which is read on the reverse complement.
This module turns a sequence into the codons of each frame, and a GenBank annotation into
labels on those codons, so that a model can read a genome frame by frame as gene finders do.

Positions are 0-based indices into the plus strand. For a sequence of length ``L``, frame
``(strand, phase)`` has codons ``i = 0 .. n - 1`` with ``n = (L - 2) // 3`` (the same for
every frame, so that the six frames stack into one ``(6, n)`` array; the last codon of a
frame can go unread). Codon ``i`` covers the bases

* strand +1: ``phase + 3i, phase + 3i + 1, phase + 3i + 2``;
* strand -1: ``L - 1 - (phase + 3i)``, then one and two positions lower (read on the
  reverse complement, so each base is complemented).

A codon's id is ``16 b1 + 4 b2 + b3`` with bases indexed in ``ACGT`` order (0 .. 63), or
:data:`UNKNOWN_CODON` (64) when a base is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursepkg.sequences import DNA, validate

UNKNOWN_CODON = 64
"""The id of a codon with an ambiguous base (``N`` ...); ids 0 .. 63 are real codons."""

N_CODON_IDS = 65
"""How many codon ids there are (64 codons and the unknown one)."""

STOP_CODONS = ("TAA", "TAG", "TGA")
"""Stop codons of the standard genetic code (and of plastids and most bacteria)."""

START_CODONS = ("ATG",)
"""The start codon a simple ORF caller looks for (alternative starts GTG, TTG are rare)."""


@dataclass(frozen=True)
class Frame:
    """One of the six reading frames: ``strand`` +1 or -1, ``phase`` 0, 1 or 2."""

    strand: int
    phase: int

    def __str__(self) -> str:
        return f"{'+' if self.strand == 1 else '-'}{self.phase}"


FRAMES: tuple[Frame, ...] = tuple(Frame(s, p) for s in (1, -1) for p in range(3))
"""The six frames in the order of the rows of every ``(6, n)`` array: +0, +1, +2, -0, -1, -2."""


def codon_id(codon: str) -> int:
    """The id of a three-letter codon (``codon_id("ATG") == 14``)."""
    codon = validate(codon)
    if len(codon) != 3:
        raise ValueError(f"a codon has three bases, got {codon!r}")
    if any(b not in DNA for b in codon):
        return UNKNOWN_CODON
    a, b, c = (DNA.index(x) for x in codon)
    return 16 * a + 4 * b + c


def n_codons(length: int) -> int:
    """Codons per frame for a sequence of ``length`` bases: ``(length - 2) // 3``."""
    if length < 3:
        raise ValueError(f"a sequence needs at least 3 bases to hold a codon, got {length}")
    return (length - 2) // 3


def frame_positions(length: int) -> np.ndarray:
    """Plus-strand positions of every base of every codon: ``(6, n, 3)``, in reading order."""
    n = n_codons(length)
    out = np.empty((6, n, 3), dtype=np.int64)
    offsets = 3 * np.arange(n)[:, None] + np.arange(3)[None, :]  # (n, 3)
    for f, frame in enumerate(FRAMES):
        read = frame.phase + offsets  # positions on the strand being read
        out[f] = read if frame.strand == 1 else length - 1 - read
    return out


def _base_indices(seq: str) -> np.ndarray:
    """ACGT index of each base, -1 for an ambiguous one: ``(L,)``."""
    seq = validate(seq)
    table = np.full(256, -1, dtype=np.int64)
    for i, base in enumerate(DNA):
        table[ord(base)] = i
    return table[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]


def six_frames(seq: str) -> np.ndarray:
    """The codon ids of the six frames of ``seq``: ``(6, n)`` int64, rows in :data:`FRAMES` order.

    >>> six_frames("ATGAAA")[:, 0].tolist()  # first codon: ATG, TGA, GAA; TTT, TTC, TCA
    [14, 56, 32, 63, 61, 52]
    """
    bases = _base_indices(seq)
    positions = frame_positions(len(bases))  # (6, n, 3)
    read = bases[positions]  # (6, n, 3)
    minus = np.array([frame.strand == -1 for frame in FRAMES])
    read = np.where(minus[:, None, None] & (read >= 0), 3 - read, read)  # complement
    ids = 16 * read[..., 0] + 4 * read[..., 1] + read[..., 2]
    return np.where((read < 0).any(-1), UNKNOWN_CODON, ids)


def frames_to_bases(values: np.ndarray, length: int, reduce: str = "max") -> np.ndarray:
    """Per-base values from per-codon values of the six frames: ``(6, n) -> (length,)``.

    Each base takes the largest (``reduce="max"``) value among the codons that cover it
    (one per frame, fewer at the ends); a base no codon covers gets ``-inf``.
    """
    values = np.asarray(values, dtype=float)
    n = n_codons(length)
    if values.shape != (6, n):
        raise ValueError(f"expected per-codon values of shape (6, {n}), got {values.shape}")
    if reduce != "max":
        raise ValueError(f"reduce must be 'max', got {reduce!r}")
    out = np.full(length, -np.inf)
    positions = frame_positions(length)
    spread = np.broadcast_to(values[..., None], positions.shape)
    np.maximum.at(out, positions.reshape(-1), spread.reshape(-1))
    return out


def orf_lengths(seq: str) -> np.ndarray:
    """Open-reading-frame length of every codon of the six frames: ``(6, n)`` codons.

    An open reading frame (ORF) here is a stretch of codons without a stop codon. Each codon
    gets the length, in codons, of the stop-free stretch it belongs to (a stop codon itself
    gets 0). Long ORFs are rare by chance (a random codon is a stop with probability about
    3/64), so ORF length alone is a classic first gene finder.
    """
    codons = six_frames(seq)
    stops = np.isin(codons, [codon_id(c) for c in STOP_CODONS])
    out = np.zeros(codons.shape, dtype=np.int64)
    for f in range(6):
        run = np.cumsum(stops[f])  # id of the stretch each codon is in
        sizes = np.bincount(run, weights=~stops[f]).astype(np.int64)
        out[f] = np.where(stops[f], 0, sizes[run])
    return out


def orf_calls(seq: str, min_codons: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop codons of every ORF of at least ``min_codons`` codons: two ``(6, n)``
    bool arrays.

    The classic rule: in each frame, an ORF runs from the first ``ATG`` after a stop codon
    to the next stop codon; if it has at least ``min_codons`` codons (start to stop, the
    stop included), its ``ATG`` is called a start and its stop a stop. An ORF that runs off
    the end of the sequence is called only at the end it has.
    """
    if min_codons < 1:
        raise ValueError(f"min_codons must be at least 1, got {min_codons}")
    codons = six_frames(seq)
    stop_ids = [codon_id(c) for c in STOP_CODONS]
    start_ids = [codon_id(c) for c in START_CODONS]
    starts = np.zeros(codons.shape, dtype=bool)
    stops = np.zeros(codons.shape, dtype=bool)
    n = codons.shape[1]
    for f in range(6):
        first_start = None
        for i in range(n):
            c = codons[f, i]
            if c in stop_ids:
                if first_start is not None and i - first_start + 1 >= min_codons:
                    starts[f, first_start] = stops[f, i] = True
                first_start = None
            elif c in start_ids and first_start is None:
                first_start = i
    return starts, stops


@dataclass(frozen=True)
class GeneLabels:
    """A genome's CDS annotation as labels, per base and per codon of the six frames.

    Attributes
    ----------
    coding : ``(L,)`` int, 1 where a base lies inside a CDS (either strand).
    in_frame : ``(6, n)`` float, 1 where a frame's codon is a codon of an annotated gene,
        read in that gene's frame and strand (a codon split by an intron is left out).
    start, stop : ``(6, n)`` float, 1 at the first / last codon of each annotated gene.
    """

    coding: np.ndarray
    in_frame: np.ndarray
    start: np.ndarray
    stop: np.ndarray

    def targets(self) -> np.ndarray:
        """The three labels a frame tagger learns, stacked: ``(6, n, 3)``."""
        return np.stack([self.in_frame, self.start, self.stop], axis=-1)


def _codon_slot(q0: int, strand: int, length: int) -> tuple[int, int]:
    """Frame row and codon index of the codon whose first base (reading order) is ``q0``."""
    read = q0 if strand == 1 else length - 1 - q0
    phase = read % 3
    row = FRAMES.index(Frame(strand, phase))
    return row, (read - phase) // 3


def gene_labels(record) -> GeneLabels:
    """Labels from a GenBank record's CDS features (``Bio.SeqRecord``).

    Each CDS is walked base by base in its transcript order (introns skipped, genes that
    wrap the origin of a circular genome followed across it); every complete codon whose
    three bases are consecutive on one strand is marked in its frame, and the gene's first
    and last codons are marked as its start and stop.
    """
    from coursepkg.data.real import coding_mask

    length = len(record)
    n = n_codons(length)
    in_frame = np.zeros((6, n), dtype=np.float32)
    start = np.zeros((6, n), dtype=np.float32)
    stop = np.zeros((6, n), dtype=np.float32)
    for feature in record.features:
        if feature.type != "CDS":
            continue
        positions, strands = [], []
        for part in feature.location.parts:
            span = list(part)  # biological (transcript) order
            positions.extend(int(p) for p in span)
            strands.extend([part.strand] * len(span))
        offset = int(feature.qualifiers.get("codon_start", ["1"])[0]) - 1
        codons = []
        for j in range(offset, len(positions) - 2, 3):
            q, s = positions[j : j + 3], strands[j : j + 3]
            consecutive = s[0] == s[1] == s[2] and q[1] - q[0] == s[0] and q[2] - q[1] == s[0]
            codons.append(_codon_slot(q[0], s[0], length) if consecutive else None)
        for slot in codons:
            if slot is not None and slot[1] < n:
                in_frame[slot] = 1.0
        if codons and codons[0] is not None and codons[0][1] < n and offset == 0:
            start[codons[0]] = 1.0
        if codons and codons[-1] is not None and codons[-1][1] < n:
            stop[codons[-1]] = 1.0
    return GeneLabels(coding_mask(record), in_frame, start, stop)
