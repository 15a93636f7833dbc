"""Does a protein sequence belong to a family? Two established answers.

* :class:`ProfileHMM`: a profile hidden Markov model built from the family's alignment with
  HMMER (through ``pyhmmer``), the tool Pfam uses to decide family membership. A sequence's
  **bit score** is ``log2`` of how much likelier it is under the profile than under a
  background of random residues (HMMER's Forward score, with its corrections for biased
  composition); Pfam calls a sequence a member of fn3 when it scores at least the family's
  gathering threshold.
* :func:`nearest_identity`: the share of identical residues between a sequence and its
  closest member, from a global alignment (Biopython's ``PairwiseAligner``, BLOSUM62). A
  designed sequence that is 95 % identical to a training sequence is a copy, not a design.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coursepkg.sequences import PROTEIN


def _clean(seq: str) -> str:
    seq = seq.upper()
    bad = sorted(set(seq) - set(PROTEIN) - set("XBZJUO"))
    if bad:
        raise ValueError(f"not a protein sequence: unexpected letters {bad} in {seq[:30]!r}")
    return seq


class ProfileHMM:
    """A profile HMM of a family, built with HMMER's ``hmmbuild`` defaults.

    Parameters
    ----------
    names, rows : the aligned sequences of the family (gaps ``-`` or ``.``), all of the same
        length.
    name : the model's name.
    """

    def __init__(self, names: Sequence[str], rows: Sequence[str], name: str = "family"):
        import pyhmmer

        if len(names) != len(rows) or not rows:
            raise ValueError(f"need one name per aligned row, got {len(names)} and {len(rows)}")
        if len({len(r) for r in rows}) != 1:
            raise ValueError("aligned rows must all have the same length")
        self.alphabet = pyhmmer.easel.Alphabet.amino()
        sequences = [
            pyhmmer.easel.TextSequence(name=n.encode(), sequence=r.replace(".", "-").upper())
            for n, r in zip(names, rows, strict=True)
        ]
        msa = pyhmmer.easel.TextMSA(name=name.encode(), sequences=sequences)
        builder = pyhmmer.plan7.Builder(self.alphabet)
        background = pyhmmer.plan7.Background(self.alphabet)
        self.hmm, _, _ = builder.build_msa(msa.digitize(self.alphabet), background)
        self.length = self.hmm.M
        """Number of match states (the length of the family's consensus)."""

    def scores(self, sequences: Sequence[str]) -> np.ndarray:
        """The bit score of each sequence against the profile: ``(N,)``.

        Every sequence is scored: HMMER's fast filters, which normally drop hopeless
        sequences before the full computation, are switched off, so controls get their
        (low, often negative) score instead of none. An empty sequence scores ``-inf``.
        """
        import pyhmmer

        digital = []
        names = []
        for i, seq in enumerate(sequences):
            if not seq:
                continue
            names.append(f"s{i}")
            text = pyhmmer.easel.TextSequence(name=names[-1].encode(), sequence=_clean(seq))
            digital.append(text.digitize(self.alphabet))
        out = np.full(len(sequences), -np.inf)
        if not digital:
            return out
        block = pyhmmer.easel.DigitalSequenceBlock(self.alphabet, digital)
        pipeline = pyhmmer.plan7.Pipeline(
            self.alphabet, bias_filter=False, F1=1.0, F2=1.0, F3=1.0, E=1e300, domE=1e300
        )
        hits = pipeline.search_hmm(self.hmm, block)
        for hit in hits:
            name = hit.name.decode() if isinstance(hit.name, bytes) else hit.name
            out[int(name[1:])] = hit.score
        return out


def nearest_identity(queries: Sequence[str], members: Sequence[str]) -> np.ndarray:
    """For each query, its identity to its nearest member: ``(N,)`` in [0, 1].

    The nearest member is the one with the best global alignment score (BLOSUM62, gap
    opening -10, extension -0.5: the usual protein settings), as a search would rank it;
    the identity is the number of identical aligned residues in that alignment over the
    shorter sequence's length. An empty query gets 0.
    """
    from Bio import Align

    aligner = Align.PairwiseAligner()
    aligner.mode = "global"
    aligner.substitution_matrix = Align.substitution_matrices.load("BLOSUM62")
    aligner.open_gap_score, aligner.extend_gap_score = -10.0, -0.5
    members = [_clean(m) for m in members]
    if not members:
        raise ValueError("nearest_identity needs at least one member")
    out = np.zeros(len(queries))
    for i, query in enumerate(queries):
        if not query:
            continue
        query = _clean(query)
        nearest = max(members, key=lambda member: aligner.score(query, member))
        counts = aligner.align(query, nearest)[0].counts()
        out[i] = counts.identities / min(len(query), len(nearest))
    return out
