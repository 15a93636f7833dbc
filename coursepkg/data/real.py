"""Small real sequences shipped with the package, with their provenance, read with Biopython.

Every file in ``coursepkg/data/files`` is listed in :data:`SOURCES`: the record's accession,
the Debian package and path it was taken from (``apt-get download`` + ``dpkg -x`` at
maintenance time; ``coursepkg real-data --check`` regenerates them), its licence and its
SHA-256. Nothing is downloaded at run time. Sequence formats are parsed with Biopython
(``Bio.SeqIO``, ``Bio.AlignIO``), never by hand.

=================================  ==================================================
loader                             what it returns
=================================  ==================================================
:func:`phix174`                    PhiX174 genome, 5,386 bp, circular, 11 CDS (GenBank record)
:func:`ppcp1`                      Yersinia pestis plasmid pPCP1, 9,609 bp, circular, 10 CDS
:func:`arabidopsis_chloroplast`    Arabidopsis thaliana chloroplast, 154,478 bp, 85 CDS
:func:`lambda_phage`               phage lambda genome, 48,502 bp
:func:`human_mito`                 human mitochondrial genome, 16,571 bp
:func:`ecoli_promoters`            106 labelled 57-mers (53 promoters, 53 not)
:func:`splice_junctions`           3,186 labelled 60-mers (EI, IE, N)
:func:`globins`                    45 globin protein sequences
:func:`fn3_seed`                   the Pfam fn3 seed alignment
=================================  ==================================================

:func:`coding_mask` turns a record's CDS annotation into a per-base label, including genes
that wrap across the origin of a circular genome.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILES = Path(__file__).with_name("files")
"""The folder of shipped files."""

NCBI_TERMS = (
    "NCBI RefSeq record; NCBI places no restrictions on the use or distribution of "
    "GenBank/RefSeq data (https://www.ncbi.nlm.nih.gov/home/about/policies/)"
)
UCI_TERMS = "UCI Machine Learning Repository data set, licensed CC BY 4.0"


@dataclass(frozen=True)
class Source:
    """Where one shipped file comes from."""

    name: str
    file: str
    description: str
    accession: str
    package: str
    package_version: str
    path_in_package: str
    licence: str
    sha256: str
    derived: str = ""
    """How the file was made from the original, when it is not a byte-for-byte copy."""


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "phix174",
            "phix174_NC_001422.gbk.gz",
            "Coliphage phiX174, complete genome (5,386 bp, circular, single-stranded DNA)",
            "NC_001422.1",
            "python-biopython-doc",
            "1.80+dfsg-4",
            "usr/share/doc/python-biopython-doc/Tests/GFF/NC_001422.gbk.gz",
            NCBI_TERMS,
            "983ebfef35a232fef638257041e97251d149eae8aa9850bd396e63a44b76b1a3",
        ),
        Source(
            "ppcp1",
            "ppcp1_NC_005816.gb.gz",
            "Yersinia pestis biovar Microtus str. 91001 plasmid pPCP1 (9,609 bp, circular)",
            "NC_005816.1",
            "python-biopython-doc",
            "1.80+dfsg-4",
            "usr/share/doc/python-biopython-doc/Tests/GenBank/NC_005816.gb.gz",
            NCBI_TERMS,
            "c1911c82e240ce029b38721f6dd3eb6867ec5775d7853d0837548ac996691975",
        ),
        Source(
            "arabidopsis_chloroplast",
            "arabidopsis_chloroplast_NC_000932.gb.gz",
            "Arabidopsis thaliana chloroplast, complete genome (154,478 bp, circular, 85 CDS)",
            "NC_000932.1",
            "python-biopython-doc",
            "1.80+dfsg-4",
            "usr/share/doc/python-biopython-doc/Tests/GenBank/NC_000932.gb.gz",
            NCBI_TERMS,
            "db062285e2e4c9d40427b9c8199b1fda9e8ec194fb80ec02ea73705b8627383f",
        ),
        Source(
            "lambda",
            "lambda_NC_001416.fa.gz",
            "Enterobacteria phage lambda, complete genome (48,502 bp)",
            "NC_001416.1",
            "bowtie2-examples",
            "2.5.0-3",
            "usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz",
            NCBI_TERMS,
            "08fe207fcb4bbe47e80cc7469e68d1f1d8d497a836fe1c09f5a9734d2e4cd9e0",
        ),
        Source(
            "human_mito",
            "human_mito_NC_001807.fasta",
            "Homo sapiens mitochondrion, complete genome (16,571 bp)",
            "NC_001807.4",
            "r-cran-seqinr",
            "4.2-23-1",
            "usr/lib/R/site-library/seqinr/sequences/humanMito.fasta",
            NCBI_TERMS,
            "1374b201eccce2ed32014123b64108e73d4b9fffd1053dd86c18f8ea8e41308b",
            derived="copied as is; the ';' comment lines seqinr added are skipped when read",
        ),
        Source(
            "ecoli_promoters",
            "ecoli_promoters.csv",
            "E. coli promoter gene sequences: 106 labelled 57-mers (Harley, Reynolds, Towell, "
            "Shavlik and Noordewier)",
            "UCI 'Molecular Biology (Promoter Gene Sequences)'",
            "r-cran-kernlab",
            "0.9-32-1",
            "usr/lib/R/site-library/kernlab/data/promotergene.rda",
            UCI_TERMS,
            "742efc7903954a828c4e695108da2b1387c60e21d37291ea2a887e63f323c745",
            derived="R data frame 'promotergene' written as CSV: label 1 for '+', 0 for '-'",
        ),
        Source(
            "splice_junctions",
            "splice_junctions.csv.gz",
            "Primate splice-junction gene sequences: 3,186 labelled 60-mers, StatLog version "
            "(Towell, Noordewier and Shavlik; processed by Ross King)",
            "UCI 'Molecular Biology (Splice-junction Gene Sequences)'",
            "r-cran-mlbench",
            "2.1-3-1",
            "usr/lib/R/site-library/mlbench/data/DNA.rda",
            UCI_TERMS,
            "aab1f3daba0592b9990110e464a841a26e613c8a55f8f882b04e7166e1c273d3",
            derived=(
                "R data frame 'DNA' (180 indicators, A=100 C=010 G=001 T=000) decoded to "
                "60 bases; gzipped CSV of class (EI, IE, N) and sequence"
            ),
        ),
        Source(
            "globins",
            "globins45.fa",
            "45 globin protein sequences from many species (HMMER tutorial)",
            "UniProt entries (names in the FASTA headers)",
            "hmmer-doc",
            "3.3.2+dfsg-1",
            "usr/share/doc/hmmer/tutorial/globins45.fa",
            "UniProt sequences, CC BY 4.0; distributed with HMMER's tutorial",
            "f22ab65168f200b80fc7c2d6e567c9ffe88f3ebd499fa93c31631e69ae7ed64c",
        ),
        Source(
            "fn3",
            "fn3.sto",
            "Pfam seed alignment of the fibronectin type III domain (Stockholm format)",
            "PF00041.20",
            "hmmer-doc",
            "3.3.2+dfsg-1",
            "usr/share/doc/hmmer/tutorial/fn3.sto",
            "Pfam data, CC0; distributed with HMMER's tutorial",
            "239fda955c5b6836b62288ec5c20bd6d16bea48739bd0ff8ef1574ec1da5d043",
        ),
    )
}
"""Every shipped file, by name."""


def path(name: str) -> Path:
    """The shipped file of ``name`` (a key of :data:`SOURCES`), checked against its SHA-256."""
    try:
        source = SOURCES[name]
    except KeyError:
        raise ValueError(f"no shipped data set {name!r}; known: {sorted(SOURCES)}") from None
    file = FILES / source.file
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if digest != source.sha256:
        raise ValueError(f"{file} does not match its recorded SHA-256 (got {digest})")
    return file


def _text(name: str) -> io.TextIOBase:
    file = path(name)
    if file.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(file), encoding="ascii")
    return open(file, encoding="ascii")


def _genbank(name: str):
    from Bio import SeqIO

    with _text(name) as handle:
        return SeqIO.read(handle, "genbank")


def _fasta(name: str, skip_comments: bool = False) -> list:
    from Bio import SeqIO

    with _text(name) as handle:
        text = handle.read()
    if skip_comments:
        text = "\n".join(line for line in text.splitlines() if not line.startswith(";"))
    return list(SeqIO.parse(io.StringIO(text), "fasta"))


def phix174():
    """PhiX174's GenBank record (``Bio.SeqRecord``; ``.features`` holds the 11 CDS)."""
    return _genbank("phix174")


def ppcp1():
    """pPCP1's GenBank record (``Bio.SeqRecord``; 10 CDS on both strands)."""
    return _genbank("ppcp1")


def arabidopsis_chloroplast():
    """The Arabidopsis thaliana chloroplast genome's GenBank record (``Bio.SeqRecord``).

    154,478 bp, circular, 85 CDS on both strands (some split by introns, and ``rps12``
    trans-spliced). Like most plastid genomes it carries a large inverted repeat: the two
    copies, :data:`CHLOROPLAST_INVERTED_REPEATS`, are exact reverse complements of each
    other, so a test set that holds out one copy must leave out the other as well.
    """
    return _genbank("arabidopsis_chloroplast")


CHLOROPLAST_INVERTED_REPEATS = ((84170, 110434), (128214, 154478))
"""The two copies of the chloroplast's inverted repeat (IRb, IRa) as 0-based, end-exclusive
``(start, end)``: ``seq[128214:154478]`` is the reverse complement of ``seq[84170:110434]``.
The rest is the large (``0:84170``) and the small (``110434:128214``) single-copy region."""


def lambda_phage():
    """Phage lambda's genome (``Bio.SeqRecord``, 48,502 bp)."""
    (record,) = _fasta("lambda")
    return record


def human_mito():
    """The human mitochondrial genome (``Bio.SeqRecord``, 16,571 bp)."""
    (record,) = _fasta("human_mito", skip_comments=True)
    return record


def _csv(name: str) -> list[dict]:
    with _text(name) as handle:
        return list(csv.DictReader(handle))


def ecoli_promoters() -> tuple[list[str], np.ndarray]:
    """The 106 E. coli sequences (57 bases each) and their labels (1 = promoter)."""
    rows = _csv("ecoli_promoters")
    return [r["sequence"] for r in rows], np.array([int(r["label"]) for r in rows])


SPLICE_CLASSES = ("EI", "IE", "N")
"""Exon-intron boundary (donor), intron-exon boundary (acceptor), neither. The boundary is
between bases 30 and 31 (1-based) of each 60-mer."""


def splice_junctions() -> tuple[list[str], np.ndarray]:
    """The 3,186 splice-junction 60-mers and their class ids (index into SPLICE_CLASSES)."""
    rows = _csv("splice_junctions")
    return [r["sequence"] for r in rows], np.array([SPLICE_CLASSES.index(r["class"]) for r in rows])


def globins() -> list:
    """The 45 globin protein sequences (``Bio.SeqRecord`` each, id = UniProt entry name)."""
    return _fasta("globins")


def fn3_seed():
    """The Pfam fn3 seed alignment (``Bio.Align.MultipleSeqAlignment``)."""
    from Bio import AlignIO

    with _text("fn3") as handle:
        return AlignIO.read(handle, "stockholm")


def coding_mask(record, strand: int | None = None) -> np.ndarray:
    """Per-base label of a GenBank record: 1 inside a CDS, else 0; shape ``(L,)``.

    A gene that wraps across the origin of a circular genome is a join of two parts (e.g.
    ``join(3981..5386, 1..136)``); each part is marked. ``strand`` (+1 or -1) keeps only the
    genes on that strand; ``None`` keeps both.
    """
    mask = np.zeros(len(record), dtype=np.int64)
    for feature in record.features:
        if feature.type != "CDS":
            continue
        for part in feature.location.parts:
            if strand is None or part.strand == strand:
                mask[int(part.start) : int(part.end)] = 1
    return mask
