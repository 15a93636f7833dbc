"""Circular sequences: labels that wrap around, cutting circles open, the real circles."""

import numpy as np
import pytest

from coursepkg.data.circular import (
    PROMOTER,
    TERMINATOR,
    cut_at,
    gc_rich,
    genome_windows,
    random_cuts,
    real_circle,
    transcribed,
    transcription_dataset,
)


def test_transcription_state_wraps_around_the_cut():
    seq = "AAA" + TERMINATOR + "CCCC" + PROMOTER + "GG"  # promoter last: on from the start
    labels = transcribed(seq)
    assert labels[:8].tolist() == [1] * 8 and labels[8] == 0  # off once the terminator ends
    assert labels[-3] == 1 and labels[-4] == 0  # on once the promoter has been read
    assert transcribed("ACGTACGT").tolist() == [0] * 8  # neither signal: never on
    split = PROMOTER[3:] + "CC" + TERMINATOR + "CC" + PROMOTER[:3]  # promoter across the cut
    assert transcribed(split).tolist() == [0, 0] + [1] * 8 + [0] * 6
    assert transcribed(PROMOTER + "CCCC").tolist() == [1] * 10  # on all round: no terminator


def test_labels_are_rotation_equivariant():
    seqs, labels = transcription_dataset(30, length=120, seed=4)
    assert labels.shape == (30, 120) and 0.2 < labels.mean() < 0.8
    for seq, label in zip(seqs[:10], labels[:10], strict=True):
        for first in (1, 37, 119):
            cut_seq, cut_labels = cut_at(seq, label, first)
            assert cut_seq == seq[first:] + seq[:first]
            assert (transcribed(cut_seq) == cut_labels).all()
            assert (gc_rich(cut_seq, 5) == np.roll(gc_rich(seq, 5), -first)).all()


def test_random_cuts_keep_each_label_with_its_base():
    seqs, labels = transcription_dataset(5, seed=1)
    cut_seqs, cut_labels, firsts = random_cuts(seqs, labels, copies=3, seed=2)
    assert len(cut_seqs) == 15 and cut_labels.shape == (15, 120)
    for k, first in enumerate(firsts):
        assert cut_seqs[k] == seqs[k % 5][first:] + seqs[k % 5][:first]
        assert (cut_labels[k] == np.roll(labels[k % 5], -first)).all()


def test_gc_rich_counts_a_centred_window():
    assert gc_rich("GGGAAAA", 1, circular=False).tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert gc_rich("GGGAAAA", 1, circular=True).tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert gc_rich("AGGAAAG", 1, circular=True).tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert gc_rich("AGGAAAG", 1, circular=False).tolist() == [0, 1, 1, 0, 0, 0, 0]
    seq = "ACGTTGCAGGCCNATA"
    brute = [
        int(
            sum((seq[(t + d) % 16] in "GC") - (seq[(t + d) % 16] in "AT") for d in range(-3, 4)) > 0
        )
        for t in range(16)
    ]
    assert gc_rich(seq, 3).tolist() == brute


def test_genome_windows_carry_the_whole_genomes_labels():
    rng = np.random.default_rng(0)
    seq = "".join(rng.choice(list("ACGT"), 300))  # random: every 15-mer occurs once
    labels = np.arange(300)
    windows, window_labels = genome_windows(seq, labels, 20, 15, seed=0)
    assert window_labels.shape == (20, 15)
    for window, label in zip(windows, window_labels, strict=True):
        start = seq.find(window)
        assert (label == labels[start : start + 15]).all()
    with pytest.raises(ValueError, match="do not fit"):
        genome_windows(seq, labels, 1, 400, seed=0)


def test_the_real_circles_with_genes_across_the_origin():
    phix = real_circle("phix174")
    assert len(phix) == 5386 and phix.accession == "NC_001422.1"
    assert {g.name for g in phix.genes if g.wraps} == {"A", "A*", "B"}
    assert [g.name for g in phix.genes][3:] == ["K", "C", "D", "E", "J", "F", "G", "H"]
    assert (phix.labels == gc_rich(phix.sequence, 20)).all()
    ppcp1 = real_circle("ppcp1")
    assert len(ppcp1) == 9609 and sum(g.strand < 0 for g in ppcp1.genes) == 3
    with pytest.raises(ValueError, match="no circular genome 'lambda'"):
        real_circle("lambda")


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="at least one base"):
        transcribed("")
    with pytest.raises(ValueError, match="5 bases but 4 labels"):
        cut_at("ACGTA", np.zeros(4), 1)
    with pytest.raises(ValueError, match="copies must be at least 1"):
        random_cuts(["ACGT"], np.zeros((1, 4)), 0, seed=0)
