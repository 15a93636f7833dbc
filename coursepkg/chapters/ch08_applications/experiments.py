"""Chapter 8's experiments: gene finding, protein design and evolution on real sequences.

**Gene finding.** One seed (:func:`gene_finder_run`) trains a frame tagger
(:class:`~coursepkg.models.frame_tagger.FrameTagger`) on three quarters of the Arabidopsis
chloroplast's unique sequence and scores it on the held-out quarter, block by block, and
on another genome (Yersinia's plasmid pPCP1), beside the classic open-reading-frame rule
fitted on the same training blocks. :func:`gene_finding` runs a block of seeds.

**Protein design and evolution.** One seed (:func:`protein_run`) trains a next-residue
model (:class:`~coursepkg.models.residue_lm.ResidueLM`) on most of the Pfam fn3 seed,
samples new sequences and judges them with a profile HMM built from the same members,
beside shuffled and random controls, and compares what the model expects at each column
of the alignment with the column's conservation. :func:`protein_study` runs a block.
"""

from __future__ import annotations

import copy
import ctypes
import sys
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr

from coursepkg.analysis.conservation import AlignedFamily, mean_pairwise_distance
from coursepkg.analysis.gene_finding import (
    SiteScores,
    f1_score,
    held_out_blocks,
    roc_auc,
    runs,
    scan_genome,
    site_scores,
    sites,
)
from coursepkg.analysis.homology import ProfileHMM, nearest_identity
from coursepkg.data import real
from coursepkg.data.genes import (
    frame_positions,
    frames_to_bases,
    gene_labels,
    orf_calls,
    orf_lengths,
    six_frames,
)
from coursepkg.models.frame_tagger import FrameTagger
from coursepkg.models.residue_lm import IGNORE, ResidueLM, encode_family
from coursepkg.seeds import derive, map_seeds
from coursepkg.sequences import PROTEIN
from coursepkg.train import fit, torch_threads
from coursepkg.viz.tables import spread

UNIQUE_END = real.CHLOROPLAST_INVERTED_REPEATS[1][0]
"""The chloroplast genome is used up to the second copy of its inverted repeat (IRa), so
that no sequence is both in training and in testing."""

BLOCK = 8_000
"""Bases per block; blocks are dealt round-robin into :data:`FOLDS` folds."""

FOLDS = 4
"""One fold is held out (chosen by the seed), the other three train."""

WINDOW, STRIDE = 200, 100
"""Training examples: windows of 200 codons of one frame, every 100 codons."""

SETTINGS = dict(
    hidden_size=32, embedding_size=16, forget_bias=3.0, epochs=8, batch_size=32, lr=1e-2
)
"""The settings of the book (and of ``claims.measure``)."""

POS_WEIGHT = (1.0, 20.0, 20.0)
"""Weights of the positive class for coding, start and stop: starts and stops are rare."""

ORF_THRESHOLDS = tuple(range(30, 301, 10))
"""Minimum ORF lengths (codons) the baseline chooses from, on the training blocks."""


def keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse rather than hand it back to the system.

    Training frees and re-allocates the same large buffers at every step; by default glibc
    returns blocks above 128 KiB to the system and takes them back at the next step, page
    by page, which here cost a fifth of the chapter's CPU time in page faults. Raising the
    two thresholds (to glibc's maximum for ``mmap``) keeps them in the process. Elsewhere
    than Linux with glibc this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    libc.mallopt(m_mmap_threshold, 32 * 2**20)
    libc.mallopt(m_trim_threshold, 2**30)


@dataclass(frozen=True)
class Gene:
    """An annotated CDS: its name, strand and the ``(start, end)`` of each part."""

    name: str
    strand: int
    parts: tuple


@dataclass(frozen=True)
class Genome:
    """A genome's sequence, its annotated genes and their labels."""

    name: str
    seq: str
    labels: object = field(repr=False)  # coursepkg.data.genes.GeneLabels
    genes: tuple = field(repr=False)
    starts: frozenset = field(repr=False)
    stops: frozenset = field(repr=False)


GENOMES = {
    "chloroplast": real.arabidopsis_chloroplast,
    "pPCP1": real.ppcp1,
    "phiX174": real.phix174,
}
"""The annotated genomes a gene finder can be scored on, by name."""


def load_genome(name: str) -> Genome:
    """``"chloroplast"`` (Arabidopsis), ``"pPCP1"`` (Yersinia plasmid) or ``"phiX174"``."""
    if name not in GENOMES:
        raise ValueError(f"unknown genome {name!r}; choose one of {sorted(GENOMES)}")
    record = GENOMES[name]()
    seq = str(record.seq).upper()
    labels = gene_labels(record)
    genes = tuple(
        Gene(
            feature.qualifiers.get("gene", feature.qualifiers.get("locus_tag", ["?"]))[0],
            feature.location.parts[0].strand,
            tuple((int(p.start), int(p.end)) for p in feature.location.parts),
        )
        for feature in record.features
        if feature.type == "CDS"
    )
    return Genome(
        name,
        seq,
        labels,
        genes,
        frozenset(sites(labels.start > 0, len(seq))),
        frozenset(sites(labels.stop > 0, len(seq))),
    )


def training_windows(genome: Genome, train: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Every window of :data:`WINDOW` codons (one frame, step :data:`STRIDE`) whose bases all
    lie in ``train``: codon ids ``(N, WINDOW)`` and targets ``(N, WINDOW, 3)``."""
    codons = six_frames(genome.seq)
    targets = genome.labels.targets()
    inside = train[frame_positions(len(genome.seq))].all(-1)  # (6, n): codon fully in train
    xs, ys = [], []
    for f in range(6):
        for start in range(0, codons.shape[1] - WINDOW + 1, STRIDE):
            if inside[f, start : start + WINDOW].all():
                xs.append(codons[f, start : start + WINDOW])
                ys.append(targets[f, start : start + WINDOW])
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


def tag_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of the three tags, starts and stops up-weighted (:data:`POS_WEIGHT`)."""
    return F.binary_cross_entropy_with_logits(
        logits, targets, pos_weight=torch.tensor(POS_WEIGHT, dtype=logits.dtype)
    )


@dataclass
class Scores:
    """How a gene finder does on some sequence: per base and per site."""

    auc: float
    f1: float
    starts: SiteScores
    stops: SiteScores


def _orf_track(seq: str) -> np.ndarray:
    """The ORF baseline's per-base score: the longest ORF (codons) covering each base."""
    return frames_to_bases(orf_lengths(seq), len(seq))


def choose_orf_threshold(genome: Genome, train: np.ndarray) -> int:
    """The minimum ORF length (from :data:`ORF_THRESHOLDS`) with the best per-base F1 on
    the training blocks: the baseline is fitted on the same data as the network."""
    track = _orf_track(genome.seq)
    coding = genome.labels.coding
    best = max(ORF_THRESHOLDS, key=lambda t: f1_score(coding[train], track[train] >= t))
    return int(best)


SITES = ("starts", "stops")


def _sites_within(found: set, start: int, end: int) -> set:
    """The sites whose whole codon lies in ``start .. end - 1`` (a minus-strand site's
    position is the codon's highest base)."""
    lowest = {1: 0, -1: 2}
    return {(s, p) for s, p in found if start <= p - lowest[s] and p - lowest[s] + 2 < end}


@dataclass
class PieceTracks:
    """A gene finder's output on one piece of a genome, beside the annotation (for figures).

    Positions in ``genes``, ``annotated`` and ``called`` are those of the whole genome;
    ``network``, ``orf`` and ``coding`` run over the piece, ``start .. end - 1``.
    """

    genome: str
    start: int
    end: int
    coding: np.ndarray
    network: np.ndarray
    orf: np.ndarray
    orf_min: int
    genes: list
    annotated: dict
    called: dict
    orf_called: dict


def read_piece(model, genome: Genome, start: int, end: int, orf_min: int) -> PieceTracks:
    """Run the network and the ORF rule on ``genome.seq[start:end]`` read on its own (no
    context from outside the piece) and collect what they call beside the annotation."""
    if not 0 <= start < end <= len(genome.seq) or end - start < 3:
        raise ValueError(
            f"a piece must satisfy 0 <= start < end <= {len(genome.seq)} and hold a codon, "
            f"got {start}..{end}"
        )
    seq = genome.seq[start:end]
    scan = scan_genome(model, seq)
    orf_start, orf_stop = orf_calls(seq, orf_min)
    genes = [g for g in genome.genes if any(a < end and b > start for a, b in g.parts)]
    return PieceTracks(
        genome.name,
        start,
        end,
        genome.labels.coding[start:end],
        scan.coding,
        _orf_track(seq),
        orf_min,
        genes,
        {kind: _sites_within(getattr(genome, kind), start, end) for kind in SITES},
        {
            kind: sites(scan.codon[..., channel] > 0.5, len(seq), offset=start)
            for kind, channel in zip(SITES, (1, 2), strict=True)
        },
        {
            kind: sites(marks, len(seq), offset=start)
            for kind, marks in zip(SITES, (orf_start, orf_stop), strict=True)
        },
    )


def score_pieces(pieces: list[PieceTracks]) -> tuple[Scores, Scores]:
    """The network's and the ORF rule's scores, pooled over pieces."""
    y = np.concatenate([p.coding for p in pieces])
    net = np.concatenate([p.network for p in pieces])
    orf = np.concatenate([p.orf for p in pieces])
    orf_min = pieces[0].orf_min

    def pooled(calls: str, kind: str) -> SiteScores:
        total = SiteScores(0, 0, 0)
        for p in pieces:
            total = total + site_scores(p.annotated[kind], getattr(p, calls)[kind])
        return total

    network = Scores(
        roc_auc(y, net),
        f1_score(y, net > 0.5),
        pooled("called", "starts"),
        pooled("called", "stops"),
    )
    rule = Scores(
        roc_auc(y, orf),
        f1_score(y, orf >= orf_min),
        pooled("orf_called", "starts"),
        pooled("orf_called", "stops"),
    )
    return network, rule


@dataclass
class GeneFinderRun:
    """One seed: the trained model, its held-out fold, and every score."""

    seed: int
    fold: int
    model: FrameTagger
    orf_min: int
    held_out: Scores
    held_out_orf: Scores
    transfer: Scores
    transfer_orf: Scores
    pieces: list
    n_windows: int
    train_loss: list


def gene_finder_run(seed: int, **settings) -> GeneFinderRun:
    """Train a frame tagger on three folds of the chloroplast and score it (one seed).

    The seed chooses the held-out fold (``derive(seed, "fold")``), the initial weights and
    the batch order. Scores: on the held-out fold, each block read alone; on pPCP1, the
    whole plasmid read as one linear sequence.
    """
    settings = {**SETTINGS, **settings}
    keep_freed_memory()
    with torch_threads(1):
        genome = load_genome("chloroplast")
        fold = derive(seed, "fold") % FOLDS
        length = len(genome.seq)
        unique = np.arange(length) < UNIQUE_END
        test = unique & held_out_blocks(length, BLOCK, FOLDS, fold)
        train = unique & ~test
        x, y = training_windows(genome, train)
        torch.manual_seed(derive(seed, "init"))
        model = FrameTagger(
            settings["hidden_size"], settings["embedding_size"], settings["forget_bias"]
        )
        history = fit(
            model,
            x,
            y,
            tag_loss,
            epochs=settings["epochs"],
            batch_size=settings["batch_size"],
            lr=settings["lr"],
            seed=derive(seed, "batches"),
            progress=False,
        )
        orf_min = choose_orf_threshold(genome, train)
        pieces = [read_piece(model, genome, a, b, orf_min) for a, b in runs(test)]
        held, held_orf = score_pieces(pieces)
        plasmid = load_genome("pPCP1")
        transfer, transfer_orf = score_pieces(
            [read_piece(model, plasmid, 0, len(plasmid.seq), orf_min)]
        )
    return GeneFinderRun(
        seed,
        fold,
        model,
        orf_min,
        held,
        held_orf,
        transfer,
        transfer_orf,
        pieces,
        len(x),
        history.train_loss,
    )


@dataclass
class GeneFinding:
    """A block of seeds of :func:`gene_finder_run`."""

    runs: list[GeneFinderRun]

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.runs]

    def values(self, what: str) -> list[float]:
        """One number per seed, e.g. ``"held_out.auc"`` or ``"transfer_orf.starts.f1"``."""
        out = []
        for run in self.runs:
            value = run
            for part in what.split("."):
                value = getattr(value, part)
            out.append(float(value))
        return out

    def paired(self, what: str, baseline: str) -> list[float]:
        """``what - baseline`` seed by seed (e.g. network minus ORF rule on the same fold)."""
        return [a - b for a, b in zip(self.values(what), self.values(baseline), strict=True)]


GENE_METRICS = (
    ("auc", "per-base AUC"),
    ("f1", "per-base F1"),
    ("starts.recall", "start recall"),
    ("starts.precision", "start precision"),
    ("stops.recall", "stop recall"),
    ("stops.precision", "stop precision"),
)
"""The scores the chapter's table shows, and their names."""


def gene_table(study: GeneFinding) -> list[dict]:
    """One row per score and genome: the network and the ORF rule, median (min-max)."""
    rows = []
    for where, rule, name in (
        ("held_out", "held_out_orf", "chloroplast, held out"),
        ("transfer", "transfer_orf", "pPCP1"),
    ):
        for metric, label in GENE_METRICS:
            rows.append(
                {
                    "genome": name,
                    "score": label,
                    "network": spread(study.values(f"{where}.{metric}")),
                    "ORF rule": spread(study.values(f"{rule}.{metric}")),
                }
            )
    return rows


def typical_run(study: GeneFinding) -> GeneFinderRun:
    """The seed whose held-out AUC is the median of the block (the lower one of the middle
    two for an even count): the run the chapter draws, neither the best nor the worst."""
    order = np.argsort(study.values("held_out.auc"), kind="stable")
    return study.runs[int(order[(len(order) - 1) // 2])]


def richest_piece(run: GeneFinderRun) -> int:
    """The index of the held-out piece with the most annotated start and stop codons (the
    one the chapter draws)."""
    counts = [sum(len(p.annotated[k]) for k in SITES) for p in run.pieces]
    return int(np.argmax(counts))


def gene_finding(seeds: list[int], processes: int = 2, **settings) -> GeneFinding:
    """:func:`gene_finder_run` for every seed, on ``processes`` cores."""
    return GeneFinding(map_seeds(gene_finder_run, seeds, processes=processes, **settings))


# --- protein design and evolution: a next-residue model of the fn3 family ---------------

FAMILY_SETTINGS = dict(
    hidden_size=64, epochs=30, batch_size=16, lr=1e-2, held_out=20, n_samples=64, temperature=1.0
)
"""The settings of the book (and of ``claims.measure``) for the fn3 family."""

GATHERING_THRESHOLD = 24.5
"""Pfam's gathering threshold for fn3 (bits, ``#=GF GA`` of the seed alignment): a sequence
scoring at least this much is called a member of the family."""

MAX_LENGTH = 150
"""Samples are cut at 150 residues (fn3 domains in the seed have 75 to 98)."""


def next_residue_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats per residue) over positions with a target."""
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE
    )


def composition_log_probs(train: list[str], sequences: list[str]) -> list[np.ndarray]:
    """``log p(a)`` of every residue under the family's composition (a model with no
    context; add-one counts from ``train``), NaN at unknown residues."""
    counts = np.ones(len(PROTEIN))
    for seq in train:
        for residue in seq:
            if residue in PROTEIN:
                counts[PROTEIN.index(residue)] += 1
    logp = np.log(counts / counts.sum())
    return [
        np.array([logp[PROTEIN.index(r)] if r in PROTEIN else np.nan for r in seq])
        for seq in sequences
    ]


def shuffled(sequences: list[str], seed: int) -> list[str]:
    """Each sequence with its residues in a random order (same length and composition)."""
    rng = np.random.default_rng(seed)
    return ["".join(rng.permutation(list(s))) for s in sequences]


def random_residues(train: list[str], lengths: list[int], seed: int) -> list[str]:
    """Sequences of the given lengths drawn residue by residue from the family's composition."""
    counts = np.array([sum(s.count(a) for s in train) for a in PROTEIN], dtype=float)
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list(PROTEIN), size=n, p=counts / counts.sum())) for n in lengths]


@dataclass
class ProteinRun:
    """One seed of the fn3 experiments: model, samples, their scores and the controls."""

    seed: int
    model: ResidueLM
    untrained: ResidueLM
    train: list
    test: list
    held_out_nats: float
    composition_nats: float
    samples: list
    bits: dict
    identity: dict
    conservation: np.ndarray
    lm_column_logp: np.ndarray
    composition_column_logp: np.ndarray
    divergence: dict
    hmm_length: int

    def above_threshold(self, kind: str) -> float:
        """Share of ``kind``'s sequences scoring at least :data:`GATHERING_THRESHOLD`."""
        return float(np.mean(self.bits[kind] >= GATHERING_THRESHOLD))

    def spearman(self, what: str) -> float:
        """Rank correlation of column conservation with ``"lm"`` or ``"composition"``
        log-probabilities, or with the ``"trained"`` / ``"untrained"`` state divergence."""
        values = {
            "lm": self.lm_column_logp,
            "composition": self.composition_column_logp,
            "trained": self.divergence["trained"],
            "untrained": self.divergence["untrained"],
        }[what]
        return float(spearmanr(self.conservation, values)[0])


def state_divergence(
    model: ResidueLM, family: AlignedFamily, members: list[int], columns: np.ndarray
) -> np.ndarray:
    """Per column: mean distance between the hidden states of the members' residues there
    (the state right after reading the residue), over the mean distance between the states
    of any two residues of the family."""
    x, _ = encode_family([family.sequences[m] for m in members])
    with torch.no_grad():
        states = model.states(x).numpy()  # (B, T, H); row t has read residue t (1-based)
    per_residue = [states[k, 1 : len(family.sequences[m]) + 1] for k, m in enumerate(members)]
    pooled = np.concatenate(per_residue)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(pooled), (2, 4000))
    typical = np.linalg.norm(pooled[a] - pooled[b], axis=-1).mean()
    by_column = family.column_values(per_residue, members, columns)
    return np.array([mean_pairwise_distance(v) / typical for v in by_column])


def protein_run(seed: int, **settings) -> ProteinRun:
    """Train a next-residue model on most of the fn3 seed and measure it (one seed).

    The seed picks the held-out members (``derive(seed, "split")``), the initial weights,
    the batch order, the samples and the controls. The profile HMM and the conservation of
    each column come from the training members only, so nothing about a held-out member
    is used to judge it.
    """
    settings = {**FAMILY_SETTINGS, **settings}
    keep_freed_memory()
    with torch_threads(1):
        family = AlignedFamily.from_biopython(real.fn3_seed())
        order = np.random.default_rng(derive(seed, "split")).permutation(len(family.sequences))
        test = sorted(order[: settings["held_out"]].tolist())
        train = sorted(order[settings["held_out"] :].tolist())
        train_seqs = [family.sequences[i] for i in train]
        test_seqs = [family.sequences[i] for i in test]
        torch.manual_seed(derive(seed, "init"))
        model = ResidueLM(settings["hidden_size"])
        untrained = copy.deepcopy(model)
        x, y = encode_family(train_seqs)
        fit(
            model,
            x,
            y,
            next_residue_loss,
            epochs=settings["epochs"],
            batch_size=settings["batch_size"],
            lr=settings["lr"],
            seed=derive(seed, "batches"),
            progress=False,
        )
        x_test, y_test = encode_family(test_seqs)
        with torch.no_grad():
            held_out_nats = next_residue_loss(model(x_test), y_test).item()
        comp_test = composition_log_probs(train_seqs, test_seqs)
        composition_nats = -float(np.nanmean(np.concatenate(comp_test)))

        generator = torch.Generator().manual_seed(derive(seed, "sample"))
        samples = model.sample(
            settings["n_samples"], MAX_LENGTH, settings["temperature"], generator
        )
        controls = {
            "samples": samples,
            "shuffled": shuffled(samples, derive(seed, "shuffle")),
            "random": random_residues(
                train_seqs, [len(s) for s in samples], derive(seed, "random")
            ),
            "held-out members": test_seqs,
        }
        training = family.subset(train)
        hmm = ProfileHMM(training.names, training.rows, name="fn3-train")
        bits = {kind: hmm.scores(seqs) for kind, seqs in controls.items()}
        identity = {
            "samples": nearest_identity(samples, train_seqs),
            "held-out members": nearest_identity(test_seqs, train_seqs),
        }

        columns, conservation = training.conservation()
        lm_logp = [v.numpy() for v in model.log_probs(test_seqs)]
        lm_columns = family.column_values(lm_logp, test, columns)
        comp_columns = family.column_values(comp_test, test, columns)
        enough = np.array([len(v) >= 5 for v in lm_columns])
        members = sorted(train + test)
        divergence = {
            name: state_divergence(net, family, members, columns[enough])
            for name, net in (("trained", model), ("untrained", untrained))
        }
    return ProteinRun(
        seed,
        model,
        untrained,
        train,
        test,
        held_out_nats,
        composition_nats,
        samples,
        bits,
        identity,
        conservation[enough],
        np.array([v.mean() for v, ok in zip(lm_columns, enough, strict=True) if ok]),
        np.array([v.mean() for v, ok in zip(comp_columns, enough, strict=True) if ok]),
        divergence,
        hmm.length,
    )


@dataclass
class ProteinStudy:
    """A block of seeds of :func:`protein_run`."""

    runs: list[ProteinRun]

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.runs]


def protein_table(study: ProteinStudy) -> list[dict]:
    """One row per seed: held-out cross-entropy of the LSTM and of the composition, and the
    samples' number and median length."""
    return [
        {
            "seed": r.seed,
            "LSTM (nats/residue)": r.held_out_nats,
            "composition (nats/residue)": r.composition_nats,
            "samples": len(r.samples),
            "median length": float(np.median([len(s) for s in r.samples])),
        }
        for r in study.runs
    ]


def protein_study(seeds: list[int], processes: int = 2, **settings) -> ProteinStudy:
    """:func:`protein_run` for every seed, on ``processes`` cores."""
    return ProteinStudy(map_seeds(protein_run, seeds, processes=processes, **settings))
