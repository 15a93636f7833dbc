"""Data: simulators with known ground truth, and small real sequences with provenance."""

from coursepkg.data.motifs import motif_dataset, motif_seen, random_sequences

__all__ = ["motif_dataset", "motif_seen", "random_sequences"]
