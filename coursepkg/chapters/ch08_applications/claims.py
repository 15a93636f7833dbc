"""Chapter 8's claims, and :func:`measure`, which re-measures them on a block of seeds."""

from __future__ import annotations

from coursepkg.claims import Claim

N_SEEDS = 5
"""Seeds per block, in the book and in :func:`measure`."""

CLAIMS = [
    # --- gene finding -------------------------------------------------------------------
    Claim(
        "ch08.genes_held_out_auc",
        "Reading the chloroplast codon by codon, the network tells coding from non-coding "
        "bases in held-out parts of the genome.",
        "per-base AUC on the held-out blocks",
        ">=",
        0.95,
        over="median",
    ),
    Claim(
        "ch08.genes_beats_orf_rule",
        "On held-out parts of the genome it does better than the open-reading-frame rule "
        "fitted on the same training blocks.",
        "per-base AUC, network minus ORF rule, same held-out blocks",
        ">=",
        0.01,
        over="median",
    ),
    Claim(
        "ch08.genes_stop_sites",
        "It puts a fair share of gene ends on the exact stop codon.",
        "recall of annotated stop codons (exact codon), held-out blocks",
        ">=",
        0.3,
        over="median",
    ),
    Claim(
        "ch08.genes_start_sites",
        "Exact start codons are found less reliably than coding positions.",
        "start-codon F1 minus per-base coding F1, held-out blocks",
        "<=",
        -0.1,
        over="every",
    ),
    Claim(
        "ch08.genes_transfer_auc",
        "On another genome, a Yersinia plasmid, it still ranks coding bases well above chance.",
        "per-base AUC on pPCP1",
        ">=",
        0.85,
        over="median",
    ),
    Claim(
        "ch08.genes_transfer_no_gain",
        "But there it is no better than the ORF rule: what it learned beyond ORFs is partly "
        "the chloroplast's own.",
        "per-base AUC on pPCP1, network minus ORF rule",
        "<=",
        0.0,
        over="median",
    ),
    # --- protein design -----------------------------------------------------------------
    Claim(
        "ch08.lm_predicts_held_out",
        "A next-residue LSTM trained on 78 fn3 domains predicts held-out members better than "
        "the family's composition does.",
        "cross-entropy on held-out members, composition minus LSTM (nats per residue)",
        ">=",
        0.1,
        over="every",
    ),
    Claim(
        "ch08.samples_recognised",
        "A share of its samples pass Pfam's gathering threshold against the family's profile HMM.",
        "share of samples scoring at least 24.5 bits",
        ">=",
        0.05,
        over="median",
    ),
    Claim(
        "ch08.samples_beat_shuffled",
        "Sample by sample, the order of the residues is what the profile recognises: the same "
        "residues shuffled score far lower.",
        "median over samples of (sample - its shuffle) bit score",
        ">=",
        10.0,
        over="median",
        fmt=".1f",
    ),
    Claim(
        "ch08.samples_not_copies",
        "The samples are not copies of training members: they are no closer to their nearest "
        "training member than held-out real members are.",
        "median identity to the nearest training member, samples minus held-out members",
        "<=",
        0.1,
        over="every",
    ),
    # --- evolution ----------------------------------------------------------------------
    Claim(
        "ch08.lm_tracks_conservation",
        "Where evolution conserved a column, the model is confident about held-out members' "
        "residues.",
        "Spearman correlation of column conservation and mean log P(residue), held-out",
        ">=",
        0.5,
        over="median",
    ),
    Claim(
        "ch08.lm_beyond_composition",
        "That is more than residue frequencies: the family's composition tracks conservation "
        "far less.",
        "Spearman correlation, LSTM minus composition",
        ">=",
        0.2,
        over="every",
    ),
    Claim(
        "ch08.divergence_needs_control",
        "Hidden states of residues in one column differ less where the column is conserved, "
        "but an untrained network shows this even more strongly: on real homologs the "
        "divergence mostly measures whether the residues are the same.",
        "Spearman(conservation, state divergence), untrained minus trained",
        "<=",
        -0.15,
        over="every",
    ),
]


def gene_values(study) -> dict:
    """The gene-finding claims' values from a :class:`~.experiments.GeneFinding`."""
    seeds = study.seeds
    return {
        "ch08.genes_held_out_auc": (study.values("held_out.auc"), seeds),
        "ch08.genes_beats_orf_rule": (study.paired("held_out.auc", "held_out_orf.auc"), seeds),
        "ch08.genes_stop_sites": (study.values("held_out.stops.recall"), seeds),
        "ch08.genes_start_sites": (study.paired("held_out.starts.f1", "held_out.f1"), seeds),
        "ch08.genes_transfer_auc": (study.values("transfer.auc"), seeds),
        "ch08.genes_transfer_no_gain": (study.paired("transfer.auc", "transfer_orf.auc"), seeds),
    }


def protein_values(study) -> dict:
    """The protein claims' values from a :class:`~.experiments.ProteinStudy`."""
    import numpy as np

    runs, seeds = study.runs, study.seeds

    def paired_bits(r) -> float:
        keep = np.isfinite(r.bits["samples"]) & np.isfinite(r.bits["shuffled"])
        return float(np.median(r.bits["samples"][keep] - r.bits["shuffled"][keep]))

    return {
        "ch08.lm_predicts_held_out": ([r.composition_nats - r.held_out_nats for r in runs], seeds),
        "ch08.samples_recognised": ([r.above_threshold("samples") for r in runs], seeds),
        "ch08.samples_beat_shuffled": ([paired_bits(r) for r in runs], seeds),
        "ch08.samples_not_copies": (
            [
                float(np.median(r.identity["samples"]) - np.median(r.identity["held-out members"]))
                for r in runs
            ],
            seeds,
        ),
        "ch08.lm_tracks_conservation": ([r.spearman("lm") for r in runs], seeds),
        "ch08.lm_beyond_composition": (
            [r.spearman("lm") - r.spearman("composition") for r in runs],
            seeds,
        ),
        "ch08.divergence_needs_control": (
            [r.spearman("untrained") - r.spearman("trained") for r in runs],
            seeds,
        ),
    }


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch08_applications import experiments as ex
    from coursepkg.seeds import block

    seeds = block(N_SEEDS, base=seed_base)
    return {**gene_values(ex.gene_finding(seeds)), **protein_values(ex.protein_study(seeds))}
