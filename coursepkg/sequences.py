"""Sequence alphabets and the one-hot encoding every chapter uses.

Conventions (docs/DESIGN.md, "Conventions"):

* DNA channels are ordered ``A, C, G, T``.  Because ``A<->T`` and ``C<->G`` sit at
  mirrored positions, the complement of a one-hot row is the row read backwards
  (a flip of the channel axis), and the reverse complement of a sequence is a flip of
  both the length and the channel axes. :data:`COMPLEMENT` states the pairing; code
  that complements one-hot channels derives the permutation from it and from
  :data:`DNA` (see :mod:`coursepkg.models.strand`), so it does not depend on the order
  silently.
* ``N`` and the other IUPAC ambiguity codes become an all-zero row: "no information".
  A reverse complement keeps such rows all-zero.
* Protein channels are the 20 standard residues in ``ACDEFGHIKLMNPQRSTVWY`` order.
* Tensors are batch-first: one sequence is ``(L, C)``, a batch is ``(B, L, C)``.

Strings are reverse-complemented with Biopython (:func:`reverse_complement_str`). The
one-hot reverse complement and the rotation of a circular sequence are exercises
(``ex07_directionality``, ``ex08_circular``), so this module does not provide them.
"""

from __future__ import annotations

import torch

DNA = "ACGT"
"""DNA alphabet in channel order. The complement of channel ``k`` is channel ``3 - k``."""

PROTEIN = "ACDEFGHIKLMNPQRSTVWY"
"""The 20 standard amino acids in channel order."""

COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}
"""Watson-Crick pairing of the four DNA bases."""

DNA_AMBIGUOUS = "NRYSWKMBDHV"
"""IUPAC codes that encode to an all-zero row (the model is told nothing)."""

PROTEIN_AMBIGUOUS = "XBZJUO"
"""Non-standard or ambiguous residues that encode to an all-zero row."""

_ALPHABETS = {
    "dna": (DNA, DNA_AMBIGUOUS),
    "protein": (PROTEIN, PROTEIN_AMBIGUOUS),
}


def _alphabet(name: str) -> tuple[str, str]:
    try:
        return _ALPHABETS[name]
    except KeyError:
        raise ValueError(
            f"unknown alphabet {name!r}; expected one of {sorted(_ALPHABETS)}"
        ) from None


def validate(seq: str, alphabet: str = "dna") -> str:
    """Return ``seq`` in upper case, or raise a ``ValueError`` naming the first bad letter.

    >>> validate("acgN")
    'ACGN'
    >>> validate("ACXG")
    Traceback (most recent call last):
    ...
    ValueError: unknown dna letter 'X' at position 2 of 'ACXG' (expected one of ACGT or NRYSWKMBDHV)
    """
    if not isinstance(seq, str):
        raise TypeError(f"expected a sequence as str, got {type(seq).__name__}")
    letters, ambiguous = _alphabet(alphabet)
    upper = seq.upper()
    allowed = set(letters) | set(ambiguous)
    for position, letter in enumerate(upper):
        if letter not in allowed:
            shown = seq if len(seq) <= 40 else seq[:37] + "..."
            raise ValueError(
                f"unknown {alphabet} letter {seq[position]!r} at position {position} of "
                f"{shown!r} (expected one of {letters} or {ambiguous})"
            )
    return upper


def onehot(seq: str, alphabet: str = "dna", dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """One-hot encode a sequence.

    Parameters
    ----------
    seq : str
        Letters of ``alphabet`` (case-insensitive); ambiguity codes give zero rows.
    alphabet : {"dna", "protein"}

    Returns
    -------
    torch.Tensor, shape ``(L, C)``
        ``C = 4`` for DNA (``ACGT``), ``C = 20`` for protein.
    """
    seq = validate(seq, alphabet)
    letters, _ = _alphabet(alphabet)
    if not seq:
        return torch.zeros(0, len(letters), dtype=dtype)
    codes = torch.frombuffer(bytearray(seq.encode("ascii")), dtype=torch.uint8).long()
    return _lookup_table(letters, dtype)[codes]


def _lookup_table(letters: str, dtype: torch.dtype) -> torch.Tensor:
    """A ``(256, C)`` table: row ``ord(letter)`` is that letter's one-hot row, others zero."""
    table = torch.zeros(256, len(letters), dtype=dtype)
    for channel, letter in enumerate(letters):
        table[ord(letter), channel] = 1
    return table


def onehot_batch(seqs: list[str], alphabet: str = "dna") -> torch.Tensor:
    """Encode sequences of equal length as a ``(B, L, C)`` batch."""
    lengths = {len(s) for s in seqs}
    if len(lengths) > 1:
        raise ValueError(
            f"sequences must have one length to form a batch, got lengths {sorted(lengths)}"
        )
    return torch.stack([onehot(s, alphabet) for s in seqs])


def decode(x: torch.Tensor, alphabet: str = "dna") -> str:
    """Turn a ``(L, C)`` one-hot tensor back into letters; all-zero rows become ``N``/``X``."""
    letters, ambiguous = _alphabet(alphabet)
    x = check_onehot(x, channels=len(letters), batched=False)
    unknown = ambiguous[0]
    rows = []
    for row in x:
        rows.append(letters[int(row.argmax())] if row.sum() > 0 else unknown)
    return "".join(rows)


def check_onehot(x: torch.Tensor, channels: int = 4, batched: bool | None = None) -> torch.Tensor:
    """Check that ``x`` is ``(L, C)`` or ``(B, L, C)`` with ``C == channels``; return it.

    ``batched=True`` demands 3 dimensions, ``False`` demands 2, ``None`` accepts either.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
    allowed = {True: (3,), False: (2,), None: (2, 3)}[batched]
    if x.dim() not in allowed:
        want = " or ".join({2: "(L, C)", 3: "(B, L, C)"}[d] for d in allowed)
        raise ValueError(f"expected a tensor of shape {want}, got shape {tuple(x.shape)}")
    if x.shape[-1] != channels:
        raise ValueError(
            f"expected {channels} channels in the last axis, got shape {tuple(x.shape)}"
            " (tensors are batch-first: (B, L, C))"
        )
    return x


def reverse_complement_str(seq: str) -> str:
    """Reverse complement of a DNA string, with Biopython (upper case; ``N`` stays ``N``,
    and the other IUPAC codes map to their complements, e.g. ``R`` to ``Y``).

    >>> reverse_complement_str("AACGTN")
    'NACGTT'
    """
    from Bio.Seq import reverse_complement

    return reverse_complement(validate(seq))


def random_dna(length: int, generator: torch.Generator | None = None) -> str:
    """A uniformly random DNA string of ``length`` bases."""
    if length < 0:
        raise ValueError(f"length must be non-negative, got {length}")
    idx = torch.randint(0, 4, (length,), generator=generator)
    return "".join(DNA[i] for i in idx.tolist())
