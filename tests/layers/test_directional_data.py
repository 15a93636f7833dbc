"""Simulated data whose answer depends on the reading direction or the strand."""

import numpy as np
import pytest

from coursepkg.data.directional import (
    GATA_SITE,
    SENSE_CODONS,
    STOP_CODONS,
    TATA_BOX,
    promoter_gene,
    promoter_gene_dataset,
    site_annotation_dataset,
    site_cover,
    strand_site_dataset,
)
from coursepkg.sequences import reverse_complement_str


def _has_gene(seq: str) -> bool:
    """A TATA box at 2..10, then 6..12 bases, ATG, 4..8 sense codons and a stop codon."""
    for box in range(2, 11):
        if seq[box : box + 6] != TATA_BOX:
            continue
        for start in range(box + 12, box + 19):
            if seq[start : start + 3] != "ATG":
                continue
            codons = [seq[i : i + 3] for i in range(start + 3, start + 30, 3)]
            for n in range(4, 9):
                if all(c in SENSE_CODONS for c in codons[:n]) and codons[n] in STOP_CODONS:
                    return True
    return False


def test_a_gene_is_a_tata_box_then_an_open_reading_frame_read_5_to_3():
    rng = np.random.default_rng(0)
    genes = [promoter_gene(rng, 72) for _ in range(50)]
    assert {len(g) for g in genes} == {72}
    assert all(_has_gene(g) for g in genes)
    assert not any(_has_gene(g[::-1]) for g in genes)


def test_negatives_are_positives_written_backwards():
    seqs, labels = promoter_gene_dataset(200, seed=3)
    assert labels.sum() == 100 and {len(s) for s in seqs} == {72}
    for seq, label in zip(seqs, labels, strict=True):
        assert _has_gene(seq if label else seq[::-1])
    same_seed = promoter_gene_dataset(200, seed=3)
    assert same_seed[0] == seqs and (same_seed[1] == labels).all()


def test_site_labels_come_from_string_search_and_decoys_differ_at_an_end():
    seqs, labels = site_annotation_dataset(100, length=48, seed=1)
    assert labels.shape == (100, 48)
    for seq, label in zip(seqs, labels, strict=True):
        assert (label == site_cover(seq, TATA_BOX)).all()
        assert label.sum() >= 2 * len(TATA_BOX)
    assert site_cover("TATAATAAT", "TAAT").tolist() == [0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_strand_sites_on_one_strand_or_both_and_labels_follow_the_other_strand():
    plus, labels = strand_site_dataset(200, strands="+", seed=2)
    assert all(GATA_SITE in s and reverse_complement_str(GATA_SITE) not in s for s in plus)
    assert (labels.sum(1) == 2 * len(GATA_SITE)).all()
    both, both_labels = strand_site_dataset(400, strands="both", seed=2)
    rc_site = reverse_complement_str(GATA_SITE)
    assert any(rc_site in s for s in both) and any(GATA_SITE in s for s in both)
    for seq, label in zip(both[:50], both_labels[:50], strict=True):
        other = reverse_complement_str(seq)
        assert ((site_cover(other, GATA_SITE) | site_cover(other, rc_site)) == label[::-1]).all()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="strands must be"):
        strand_site_dataset(2, strands="-")
    with pytest.raises(ValueError, match="at least 58 bases"):
        promoter_gene_dataset(2, length=40)
    with pytest.raises(ValueError, match="unknown dna letter 'X'"):
        site_annotation_dataset(2, site="TAXA")
