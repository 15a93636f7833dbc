"""Circular sequences: a simulated plasmid task, real circular genomes, and cutting a circle open.

A circular sequence is stored as a string read from an arbitrary first base; its last
base is followed by its first. Moving the first base (the *cut*) gives another string
for the same molecule: :func:`cut_at` opens a circle at a chosen base, and
:func:`random_cuts` opens each training circle at random places (random-rotation
augmentation). Both work on strings and label arrays together.

The simulated task, :func:`transcription_dataset`: a circle carries transcription units,
each running from a promoter (``TATAAT``) to a terminator (``TTTTTT``). A base is
*transcribed* (label 1) when the last signal read before it, going round the circle, was
a promoter. The label after the cut depends on signals before it, so it wraps around.

The real genomes, :func:`real_circle`: PhiX174 and pPCP1 with their GenBank genes
(including genes that run across the origin), labelled base by base with :func:`gc_rich`:
is the base in a GC-rich stretch, with more G and C than A and T among the ``2w + 1``
bases centred on it? The answer at a base depends on ``w`` bases on each side, and on a
circle the window wraps around the origin. :func:`genome_windows` cuts training windows
out of a (linear) genome with the labels the whole genome gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursepkg.sequences import DNA, validate

PROMOTER = "TATAAT"
"""Switches transcription on (a bacterial -10 box)."""

TERMINATOR = "TTTTTT"
"""Switches it off (the run of U that ends an intrinsic terminator's transcript)."""

GC_HALF_WIDTH = 20
"""Bases on each side of a base that :func:`gc_rich` counts (a window of 41)."""

PHIX174_GENES = {
    "NP_040703.1": "A",
    "NP_040704.1": "A*",
    "NP_040705.1": "B",
    "NP_040706.1": "K",
    "NP_040707.1": "C",
    "NP_040708.1": "D",
    "NP_040709.1": "E",
    "NP_040710.1": "J",
    "NP_040711.1": "F",
    "NP_040712.1": "G",
    "NP_040713.1": "H",
}
"""PhiX174's gene letters (Sanger et al., 1977) by protein id: the RefSeq record names
its CDS only by product."""


def _check_circle(seq: str) -> str:
    seq = validate(seq)
    if not seq:
        raise ValueError("a circle needs at least one base")
    return seq


def transcribed(seq: str, on: str = PROMOTER, off: str = TERMINATOR) -> np.ndarray:
    """``(L,)`` 0/1 labels of a circular sequence: 1 when the last signal that *ends* at or
    before each base, going back round the circle, is ``on``; 0 when it is ``off`` or when
    the circle holds neither.

    A signal that runs across the cut counts (the circle is read with its start appended).
    """
    seq = _check_circle(seq)
    L, k = len(seq), max(len(on), len(off))
    wrapped = seq + seq[: k - 1]  # signals that run across the cut end at positions < k - 1
    events = np.full(L, -1)  # 1: `on` ends here, 0: `off` ends here, -1: nothing
    for signal, value in ((on, 1), (off, 0)):
        start = wrapped.find(signal)
        while 0 <= start:
            events[(start + len(signal) - 1) % L] = value
            start = wrapped.find(signal, start + 1)
    if (events < 0).all():
        return np.zeros(L, dtype=np.int64)
    # the state entering position 0 is the last event of the whole circle
    state = int(events[np.flatnonzero(events >= 0)[-1]])
    labels = np.empty(L, dtype=np.int64)
    for t in range(L):
        if events[t] >= 0:
            state = int(events[t])
        labels[t] = state
    return labels


def transcription_circle(
    rng: np.random.Generator, length: int = 120, units: int = 2, gap: tuple[int, int] = (20, 45)
) -> str:
    """One random circle with ``units`` promoter-terminator pairs, placed anywhere (a unit
    may run across the cut), ``gap`` bases apart (inclusive range)."""
    span = units * (len(PROMOTER) + gap[1] + len(TERMINATOR))
    if length < span:
        raise ValueError(f"{units} units need a circle of at least {span} bases, got {length}")
    seq = [DNA[i] for i in rng.integers(0, 4, length)]
    # lay the units end to end with random spacing, then turn the whole circle
    cursor = int(rng.integers(0, length))
    slack = length - span
    for _ in range(units):
        cursor += int(rng.integers(0, slack // units + 1))
        g = int(rng.integers(gap[0], gap[1] + 1))
        for offset, letter in enumerate(PROMOTER + "N" * g + TERMINATOR):
            if letter != "N":
                seq[(cursor + offset) % length] = letter
        cursor += len(PROMOTER) + gap[1] + len(TERMINATOR)
    return "".join(seq)


def transcription_dataset(
    n: int, length: int = 120, units: int = 2, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """``n`` random circles (:func:`transcription_circle`) and their labels
    (:func:`transcribed`), ``(n, length)``."""
    rng = np.random.default_rng(seed)
    seqs = [transcription_circle(rng, length, units) for _ in range(n)]
    return seqs, np.stack([transcribed(s) for s in seqs])


def cut_at(seq: str, labels: np.ndarray, first: int) -> tuple[str, np.ndarray]:
    """The circle opened so that base ``first`` (of the given string) comes first.

    Base ``i`` of the result is base ``(first + i) % L`` of the input, and so is its label.
    """
    seq = _check_circle(seq)
    labels = np.asarray(labels)
    if labels.shape[0] != len(seq):
        raise ValueError(f"{len(seq)} bases but {labels.shape[0]} labels")
    first = int(first) % len(seq)
    return seq[first:] + seq[:first], np.concatenate([labels[first:], labels[:first]])


def random_cuts(
    seqs: list[str], labels: np.ndarray, copies: int, seed: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every circle opened at ``copies`` random places: random-rotation augmentation.

    Returns the ``copies * n`` strings, their labels ``(copies * n, L)`` and the first base
    of each (``(copies * n,)``, an index into the original string).
    """
    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    rng = np.random.default_rng(seed)
    out_seqs, out_labels, firsts = [], [], []
    for _ in range(copies):
        for seq, label in zip(seqs, labels, strict=True):
            first = int(rng.integers(0, len(seq)))
            cut_seq, cut_labels = cut_at(seq, label, first)
            out_seqs.append(cut_seq)
            out_labels.append(cut_labels)
            firsts.append(first)
    return out_seqs, np.stack(out_labels), np.array(firsts)


def gc_rich(seq: str, half_width: int = GC_HALF_WIDTH, circular: bool = True) -> np.ndarray:
    """``(L,)`` 0/1: 1 where the window of ``2 * half_width + 1`` bases centred on a base
    holds more G and C than A and T.

    On a circle the window wraps around the cut; on a linear sequence (``circular=False``)
    it is cut short at the ends and counts only the bases there. Ambiguous bases count
    for neither side.
    """
    seq = _check_circle(seq)
    if half_width < 0:
        raise ValueError(f"half_width must be >= 0, got {half_width}")
    codes = np.frombuffer(seq.encode("ascii"), dtype=np.uint8)
    vote = np.isin(codes, [ord("G"), ord("C")]).astype(np.int64) - np.isin(
        codes, [ord("A"), ord("T")]
    ).astype(np.int64)  # +1 for G/C, -1 for A/T, 0 for N
    L, w = len(seq), half_width
    if circular:
        padded = vote[np.arange(-w, L + w) % L]
    else:
        padded = np.concatenate([np.zeros(w, np.int64), vote, np.zeros(w, np.int64)])
    totals = np.concatenate([[0], np.cumsum(padded)])
    window = totals[2 * w + 1 :] - totals[:L]  # sum of the window centred on each base
    return (window > 0).astype(np.int64)


def genome_windows(
    seq: str, labels: np.ndarray, n: int, width: int, seed: int
) -> tuple[list[str], np.ndarray]:
    """``n`` windows of ``width`` bases from random places of a linear genome, and the
    labels the whole genome gives their bases (``(n, width)``)."""
    labels = np.asarray(labels)
    if labels.shape[0] != len(seq):
        raise ValueError(f"{len(seq)} bases but {labels.shape[0]} labels")
    if not 0 < width <= len(seq):
        raise ValueError(f"windows of {width} bases do not fit in {len(seq)}")
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(seq) - width + 1, n)
    return [seq[s : s + width] for s in starts], np.stack([labels[s : s + width] for s in starts])


@dataclass(frozen=True)
class Gene:
    """A gene of a GenBank record: its name, strand and the parts it covers (0-based,
    end-exclusive; a gene across the origin has two parts)."""

    name: str
    strand: int
    parts: tuple[tuple[int, int], ...]

    @property
    def wraps(self) -> bool:
        """Whether the gene runs across the origin of the circle."""
        return len(self.parts) > 1


@dataclass(frozen=True)
class Circle:
    """A real circular genome: its sequence, its genes and per-base labels."""

    name: str
    accession: str
    sequence: str
    genes: tuple[Gene, ...]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.sequence)


def genes_of(record) -> tuple[Gene, ...]:
    """The CDS features of a GenBank record as :class:`Gene` objects."""
    genes = []
    for i, feature in enumerate(f for f in record.features if f.type == "CDS"):
        qualifiers = feature.qualifiers
        protein = (qualifiers.get("protein_id") or [""])[0]
        names = qualifiers.get("gene") or qualifiers.get("locus_tag")
        name = PHIX174_GENES.get(protein) or (names[0] if names else f"CDS {i + 1}")
        parts = tuple((int(p.start), int(p.end)) for p in feature.location.parts)
        genes.append(Gene(str(name), int(feature.location.strand or 1), parts))
    return tuple(genes)


def real_circle(name: str, half_width: int = GC_HALF_WIDTH) -> Circle:
    """PhiX174 (``"phix174"``) or pPCP1 (``"ppcp1"``) from :mod:`coursepkg.data.real`, with
    :func:`gc_rich` labels on the circle."""
    from coursepkg.data import real

    loaders = {"phix174": real.phix174, "ppcp1": real.ppcp1}
    if name not in loaders:
        raise ValueError(f"no circular genome {name!r}; known: {sorted(loaders)}")
    record = loaders[name]()
    if record.annotations.get("topology") != "circular":
        raise ValueError(f"{name} is not annotated as circular")
    sequence = str(record.seq).upper()
    return Circle(
        name=name,
        accession=record.id,
        sequence=sequence,
        genes=genes_of(record),
        labels=gc_rich(sequence, half_width, circular=True),
    )
