"""Conservation along a protein family's alignment, and per-residue values mapped onto it.

A column of a multiple alignment holds the residues that evolution put at one site of the
family. Where a substitution would break the fold or the function, purifying selection
removes it, and the column stays nearly the same in every member; where nothing depends
on the residue, the column drifts. The **conservation** of a column is

    C = 1 - H / log(20),     H = - sum_a p_a log p_a

with ``p_a`` the share of residue ``a`` among the column's residues (gaps left out): 1 for
a column of one residue, 0 for one where all 20 are equally common.

:class:`AlignedFamily` keeps the alignment with, for every aligned residue, its index in
its ungapped sequence, so that anything computed per residue of the raw sequences (a
model's log-probability, a hidden state) can be collected column by column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coursepkg.sequences import PROTEIN

GAPS = "-."


class AlignedFamily:
    """An alignment of ``N`` sequences over ``C`` columns.

    Parameters
    ----------
    names, rows : aligned sequences (gaps ``-`` or ``.``), all of length ``C``.

    Attributes
    ----------
    sequences : the ``N`` ungapped sequences, upper case.
    residue_index : ``(N, C)`` int, the index of the aligned residue in its ungapped
        sequence, -1 at a gap.
    """

    def __init__(self, names: Sequence[str], rows: Sequence[str]):
        if len(names) != len(rows) or not rows:
            raise ValueError(f"need one name per aligned row, got {len(names)} and {len(rows)}")
        if len({len(r) for r in rows}) != 1:
            raise ValueError("aligned rows must all have the same length")
        self.names = list(names)
        self.rows = [r.upper() for r in rows]
        grid = np.array([list(r) for r in self.rows])  # (N, C)
        self.occupied = ~np.isin(grid, list(GAPS))
        self.residue_index = np.where(self.occupied, np.cumsum(self.occupied, axis=1) - 1, -1)
        self.grid = grid
        self.sequences = ["".join(r for r in row if r not in GAPS) for row in self.rows]

    @classmethod
    def from_biopython(cls, alignment) -> AlignedFamily:
        """From a ``Bio.Align.MultipleSeqAlignment`` (e.g. :func:`coursepkg.data.real.fn3_seed`)."""
        return cls([r.id for r in alignment], [str(r.seq) for r in alignment])

    def subset(self, members: Sequence[int]) -> AlignedFamily:
        """The alignment of some members only (columns kept as they are)."""
        return AlignedFamily([self.names[i] for i in members], [self.rows[i] for i in members])

    def conservation(self, min_occupancy: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """``(columns, C)``: the columns where at least ``min_occupancy`` of the members have
        a residue, and each one's conservation (module docstring)."""
        columns, values = [], []
        for c in range(self.grid.shape[1]):
            present = self.occupied[:, c]
            if present.mean() < min_occupancy:
                continue
            residues = self.grid[present, c]
            counts = np.array([np.sum(residues == a) for a in PROTEIN], dtype=float)
            if counts.sum() == 0:
                continue
            p = counts[counts > 0] / counts.sum()
            columns.append(c)
            values.append(1.0 + float((p * np.log(p)).sum()) / np.log(len(PROTEIN)))
        return np.array(columns, dtype=np.int64), np.array(values)

    def column_values(
        self, per_residue: Sequence[np.ndarray], members: Sequence[int], columns: np.ndarray
    ) -> list[np.ndarray]:
        """Collect per-residue values column by column.

        ``per_residue[k]`` holds one value (or vector) per residue of the ungapped sequence
        of member ``members[k]``; the result has, for each column in ``columns``, the values
        of the members that have a residue there (NaN values dropped).
        """
        if len(per_residue) != len(members):
            raise ValueError(f"{len(per_residue)} value arrays for {len(members)} members")
        out = []
        for c in columns:
            found = []
            for values, m in zip(per_residue, members, strict=True):
                i = self.residue_index[m, c]
                if i >= 0 and not np.any(np.isnan(values[i])):
                    found.append(values[i])
            out.append(np.array(found))
        return out


def mean_pairwise_distance(vectors: np.ndarray) -> float:
    """Mean Euclidean distance over all pairs of rows of ``(k, H)`` (NaN for fewer than 2)."""
    vectors = np.asarray(vectors, dtype=float)
    k = len(vectors)
    if k < 2:
        return float("nan")
    distances = np.linalg.norm(vectors[:, None] - vectors[None], axis=-1)
    return float(distances.sum() / (k * (k - 1)))
