"""Reading frames, ORFs and gene labels (coursepkg.data.genes) and how a gene finder is
scored (coursepkg.analysis.gene_finding)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from Bio.Seq import Seq
from Bio.SeqFeature import CompoundLocation, FeatureLocation, SeqFeature
from Bio.SeqRecord import SeqRecord

from coursepkg.analysis.gene_finding import (
    f1_score,
    held_out_blocks,
    roc_auc,
    runs,
    scan_genome,
    site_scores,
    sites,
)
from coursepkg.data import genes, real
from coursepkg.models.frame_tagger import FrameTagger
from coursepkg.sequences import reverse_complement_str


def random_dna(n: int, seed: int = 0) -> str:
    return "".join(np.random.default_rng(seed).choice(list("ACGT"), n))


def test_codon_ids_follow_the_acgt_order():
    assert genes.codon_id("AAA") == 0 and genes.codon_id("TTT") == 63
    assert genes.codon_id("ATG") == 14 and genes.codon_id("ANG") == genes.UNKNOWN_CODON
    with pytest.raises(ValueError, match="three bases"):
        genes.codon_id("AT")


@pytest.mark.parametrize("length", [3, 10, 11, 12, 101])
def test_six_frames_read_the_bases_frame_positions_name(length):
    seq = random_dna(length, seed=length)
    codons = genes.six_frames(seq)
    positions = genes.frame_positions(length)
    assert codons.shape == (6, (length - 2) // 3) == positions.shape[:2]
    for f, frame in enumerate(genes.FRAMES):
        for i in range(codons.shape[1]):
            bases = "".join(seq[p] for p in positions[f, i])
            if frame.strand == -1:
                bases = bases.translate(str.maketrans("ACGT", "TGCA"))
            assert codons[f, i] == genes.codon_id(bases)


def test_the_minus_frames_are_the_plus_frames_of_the_reverse_complement():
    seq = random_dna(50, seed=1)
    codons, rc = genes.six_frames(seq), genes.six_frames(reverse_complement_str(seq))
    np.testing.assert_array_equal(codons[3:], rc[:3])
    np.testing.assert_array_equal(codons[:3], rc[3:])


def test_ambiguous_bases_give_the_unknown_codon():
    codons = genes.six_frames("ATGNAACC")
    assert codons[0, 0] == 14 and codons[0, 1] == genes.UNKNOWN_CODON


def test_orf_lengths_count_codons_between_stops():
    seq = "ATG" + "AAA" * 4 + "TAA" + "CCC" + "GG"  # frame +0: ATG AAA AAA AAA AAA TAA CCC
    lengths = genes.orf_lengths(seq)
    assert lengths[0].tolist() == [5, 5, 5, 5, 5, 0, 1]


def test_orf_calls_find_the_first_atg_and_the_stop_of_long_orfs():
    seq = "CC" + "ATG" + "GCA" * 40 + "TAG" + "CC"  # frame +2
    starts, stops = genes.orf_calls(seq, min_codons=30)
    row = genes.FRAMES.index(genes.Frame(1, 2))
    assert np.argwhere(starts).tolist() == [[row, 0]]
    assert np.argwhere(stops).tolist() == [[row, 41]]
    assert not genes.orf_calls(seq, min_codons=50)[0].any()  # the ORF has 42 codons
    with pytest.raises(ValueError, match="min_codons"):
        genes.orf_calls(seq, 0)


def test_frames_to_bases_takes_the_largest_value_over_the_covering_codons():
    length = 9
    values = np.zeros((6, genes.n_codons(length)))
    values[0, 1] = 0.9  # frame +0, codon 1: bases 3, 4, 5
    values[3, 0] = 0.4  # frame -0, codon 0: bases 8, 7, 6
    out = genes.frames_to_bases(values, length)
    assert out.tolist() == [0, 0, 0, 0.9, 0.9, 0.9, 0.4, 0.4, 0.4]
    with pytest.raises(ValueError, match="shape"):
        genes.frames_to_bases(values[:3], length)


def _record(seq: str, features: list) -> SeqRecord:
    record = SeqRecord(Seq(seq), id="toy")
    record.features = [SeqFeature(loc, type="CDS") for loc in features]
    return record


def test_gene_labels_mark_codons_starts_and_stops_on_both_strands():
    plus = "ATG" + "GCA" * 5 + "TAA"  # 21 bases
    minus = reverse_complement_str("ATG" + "CCG" * 4 + "TGA")  # 18 bases
    seq = "GG" + plus + "GGGG" + minus + "GG"
    a, b = 2, 2 + len(plus)
    c, d = b + 4, b + 4 + len(minus)
    record = _record(seq, [FeatureLocation(a, b, strand=1), FeatureLocation(c, d, strand=-1)])
    labels = genes.gene_labels(record)
    assert labels.coding.tolist() == [int(a <= i < b or c <= i < d) for i in range(len(seq))]
    assert sites(labels.start > 0, len(seq)) == {(1, a), (-1, d - 1)}
    assert sites(labels.stop > 0, len(seq)) == {(1, b - 3), (-1, c + 2)}
    assert labels.in_frame.sum() == len(plus) // 3 + len(minus) // 3
    assert labels.targets().shape == (6, genes.n_codons(len(seq)), 3)


def test_a_codon_split_by_an_intron_is_not_an_in_frame_codon():
    seq = "ATGGC" + "GTAAGTTTTTTAG" + "AGCATAA" + "GG"  # exon1 ATGGC | intron | exon2 AGCATAA
    exon1, exon2 = FeatureLocation(0, 5, strand=1), FeatureLocation(18, 25, strand=1)
    labels = genes.gene_labels(_record(seq, [CompoundLocation([exon1, exon2])]))
    # transcript ATG GCA GCA TAA: GCA spans the intron, the other three codons do not
    assert labels.in_frame.sum() == 3
    assert sites(labels.stop > 0, len(seq)) == {(1, 22)}


def test_the_chloroplast_annotation_reads_as_genes():
    record = real.arabidopsis_chloroplast()
    seq = str(record.seq)
    labels = genes.gene_labels(record)
    codons = genes.six_frames(seq)
    triplets = (a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT")
    names = {genes.codon_id(t): t for t in triplets}
    starts = {names[c] for c in codons[labels.start > 0]}
    stops = {names[c] for c in codons[labels.stop > 0]}
    assert starts <= {"ATG", "GTG", "ACG"} and stops == set(genes.STOP_CODONS)
    stop_ids = [genes.codon_id(c) for c in genes.STOP_CODONS]
    in_gene_stops = np.isin(codons, stop_ids) & (labels.in_frame > 0) & (labels.stop == 0)
    assert not in_gene_stops.any()  # no stop codon inside any gene's own frame
    covered = genes.frames_to_bases(labels.in_frame, len(seq)) > 0
    assert np.mean(covered == (labels.coding > 0)) > 0.999


def test_auc_and_f1():
    y = np.array([0, 0, 1, 1])
    assert roc_auc(y, [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert roc_auc(y, [0.4, 0.3, 0.2, 0.1]) == 0.0
    assert roc_auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert roc_auc(y, [0.1, 0.35, 0.3, 0.4]) == 0.75
    assert f1_score(y, [0, 1, 1, 1]) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="both"):
        roc_auc([1, 1], [0.2, 0.3])


def test_sites_are_compared_exactly():
    found = site_scores({(1, 10), (-1, 40), (1, 70)}, {(1, 10), (1, 13), (-1, 40)})
    assert (found.annotated, found.called, found.found) == (3, 3, 2)
    assert found.recall == found.precision == found.f1 == pytest.approx(2 / 3)
    total = found + site_scores({(1, 5)}, set())
    assert (total.annotated, total.found, total.precision) == (4, 2, 2 / 3)


def test_blocks_and_runs():
    mask = held_out_blocks(20, block=4, folds=3, fold=1)
    assert mask.astype(int).tolist() == [0] * 4 + [1] * 4 + [0] * 8 + [1] * 4
    assert runs(mask) == [(4, 8), (16, 20)]
    with pytest.raises(ValueError, match="fold"):
        held_out_blocks(20, 4, 3, 3)


def test_the_gene_finder_reads_both_strands_alike():
    torch.manual_seed(0)
    model = FrameTagger(hidden_size=8, embedding_size=4)
    seq = random_dna(301, seed=3)
    forward = scan_genome(model, seq).coding
    backward = scan_genome(model, reverse_complement_str(seq)).coding
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-6)


def test_the_gene_finder_checks_its_input():
    model = FrameTagger(hidden_size=4, embedding_size=2, forget_bias=2.0)
    assert torch.all(model.lstm.bias_ih_l0[4:8] == 2.0)
    assert model(torch.zeros(2, 5, dtype=torch.long)).shape == (2, 5, 3)
    with pytest.raises(ValueError, match=r"\(B, n\)"):
        model(torch.zeros(5, dtype=torch.long))
    with pytest.raises(TypeError, match="int64"):
        model(torch.zeros(1, 5))
    with pytest.raises(ValueError, match="0 .. 64"):
        model(torch.full((1, 2), 65))
