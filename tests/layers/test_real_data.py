"""The shipped real sequences: provenance, checksums, lengths and annotations."""

import hashlib

import numpy as np
import pytest

from coursepkg.data import real


def test_every_shipped_file_has_provenance_and_every_source_a_file():
    shipped = {p.name for p in real.FILES.iterdir() if p.is_file()}
    assert shipped == {s.file for s in real.SOURCES.values()}
    for source in real.SOURCES.values():
        digest = hashlib.sha256((real.FILES / source.file).read_bytes()).hexdigest()
        assert digest == source.sha256, source.file
        assert source.accession and source.package and source.licence and source.path_in_package


def test_circular_genomes_and_their_genes():
    phix = real.phix174()
    assert (len(phix), phix.annotations["topology"], phix.id) == (5386, "circular", "NC_001422.1")
    genes = [f for f in phix.features if f.type == "CDS"]
    assert len(genes) == 11
    wrapping = [g for g in genes if len(g.location.parts) == 2]
    assert len(wrapping) == 3  # genes A, A* and B run across the origin
    mask = real.coding_mask(phix)
    assert mask.shape == (5386,) and mask[0] == 1 and mask[-1] == 1
    ppcp1 = real.ppcp1()
    assert (len(ppcp1), ppcp1.annotations["topology"]) == (9609, "circular")
    assert sum(f.type == "CDS" for f in ppcp1.features) == 10
    # three genes on the minus strand; the last two share one base
    assert real.coding_mask(ppcp1, strand=-1).sum() == 1074 + 300 + 273 - 1


def test_linear_genomes():
    assert len(real.lambda_phage()) == 48502
    mito = real.human_mito()
    assert len(mito) == 16571 and set(str(mito.seq)) <= set("ACGTN")


def test_labelled_sets():
    seqs, labels = real.ecoli_promoters()
    assert len(seqs) == 106 and {len(s) for s in seqs} == {57} and labels.sum() == 53
    seqs, labels = real.splice_junctions()
    assert len(seqs) == 3186 and {len(s) for s in seqs} == {60}
    assert np.bincount(labels).tolist() == [767, 765, 1654]
    donors = [s for s, c in zip(seqs, labels, strict=True) if c == 0]
    assert np.mean([s[30:32] == "GT" for s in donors]) > 0.95  # the intron starts with GT


def test_proteins():
    globins = real.globins()
    assert len(globins) == 45
    fn3 = real.fn3_seed()
    assert len(fn3) > 50 and fn3.get_alignment_length() > 50


def test_unknown_or_altered_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="no shipped data set 'ecoli'"):
        real.path("ecoli")
    (tmp_path / "globins45.fa").write_text(">x\nAAA\n")
    monkeypatch.setattr(real, "FILES", tmp_path)
    with pytest.raises(ValueError, match="does not match its recorded SHA-256"):
        real.globins()


def test_the_chloroplast_and_its_inverted_repeat():
    from coursepkg.sequences import reverse_complement_str

    record = real.arabidopsis_chloroplast()
    assert (len(record), record.id, record.annotations["topology"]) == (
        154478,
        "NC_000932.1",
        "circular",
    )
    assert sum(f.type == "CDS" for f in record.features) == 85
    seq = str(record.seq)
    (b0, b1), (a0, a1) = real.CHLOROPLAST_INVERTED_REPEATS
    assert b1 - b0 == a1 - a0 == 26264
    assert seq[a0:a1] == reverse_complement_str(seq[b0:b1])
    # the copies are maximal: one more base on either side no longer matches (IRa ends at
    # the end of the record, so the base after it is the first one of the circle)
    assert seq[a0 - 1] != reverse_complement_str(seq[b1])
    assert seq[0] != reverse_complement_str(seq[b0 - 1])
