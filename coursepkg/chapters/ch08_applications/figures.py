"""Chapter 8's figures: a genome with its genes and the gene finder's calls, the scores of
designed proteins against their family, and what a family model expects along the
alignment.

They follow :mod:`coursepkg.viz.figures`. Colours: the network is the bidirectional LSTM of
:data:`~coursepkg.viz.palette.MODELS`, the ORF rule the non-recurrent baseline, strands
and sites their own palettes, protein sequences :data:`~coursepkg.viz.palette.SEQUENCE_SOURCES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coursepkg.viz.figures import axes_or_new, new_figure, plot_spread
from coursepkg.viz.palette import MODELS, REFERENCE, SEQUENCE_SOURCES, SITES, STRANDS

NETWORK = MODELS["bidirectional"]
RULE = MODELS["baseline"]


def _gene_lane(ax: Axes, tracks, label_genes: bool = True) -> None:
    """Annotated genes as boxes: plus strand above the line, minus strand below."""
    start, end = tracks.start, tracks.end
    for gene in tracks.genes:
        y = 0.15 if gene.strand == 1 else -0.85
        colour = STRANDS["+" if gene.strand == 1 else "-"]
        for a, b in gene.parts:
            a, b = max(a, start), min(b, end)
            if a < b:
                ax.add_patch(Rectangle((a, y), b - a, 0.7, color=colour, alpha=0.8, lw=0))
        first = max(min(a for a, _ in gene.parts), start)
        last = min(max(b for _, b in gene.parts), end)
        if label_genes and last - first > 0.04 * (end - start):
            ax.text(
                (first + last) / 2,
                y + 0.35,
                gene.name,
                ha="center",
                va="center",
                fontsize=7,
                color="white",
                fontstyle="italic",
            )
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylim(-1, 1)
    ax.set_yticks([0.5, -0.5])
    ax.set_yticklabels(["+ strand", "- strand"])
    ax.set_ylabel("annotated\ngenes")


def _site_lane(ax: Axes, tracks) -> None:
    """Annotated start and stop codons (tall ticks) and the network's calls (dots)."""
    for row, kind in enumerate(("starts", "stops")):
        colour = SITES[kind[:-1]]
        y = 1 - row
        annotated = sorted(p for _, p in tracks.annotated[kind])
        called = sorted(p for _, p in tracks.called[kind])
        ax.vlines(annotated, y - 0.35, y + 0.35, color=colour, lw=2, label=f"annotated {kind}")
        ax.plot(
            called,
            [y] * len(called),
            "o",
            ms=5,
            mfc="white",
            mec=colour,
            label=f"network's {kind} (p > 0.5)",
        )
    ax.set_ylim(-0.6, 1.6)
    ax.set_yticks([1, 0])
    ax.set_yticklabels(["starts", "stops"])
    ax.set_ylabel("sites")


def plot_genome_window(tracks, *, title: str | None = None) -> Figure:
    """One piece of a genome: its genes, the per-base coding probability of the network
    against the ORF rule, and the start and stop codons, annotated and called.

    ``tracks`` is a :class:`~coursepkg.chapters.ch08_applications.experiments.PieceTracks`.
    """
    fig, axes = new_figure(
        3, 1, figsize=(10, 5.2), sharex=True, gridspec_kw={"height_ratios": [1, 1.6, 0.9]}
    )
    genes_ax, prob_ax, site_ax = axes[:, 0]
    x = np.arange(tracks.start, tracks.end)
    _gene_lane(genes_ax, tracks)
    prob_ax.fill_between(
        x,
        0,
        tracks.coding,
        step="mid",
        color=REFERENCE["measured"],
        alpha=0.25,
        lw=0,
        label="annotated coding",
    )
    prob_ax.plot(x, tracks.network, color=NETWORK, lw=1, label="network: P(coding)")
    prob_ax.plot(
        x,
        np.clip(tracks.orf / (2 * tracks.orf_min), 0, 1),
        color=RULE,
        lw=0.8,
        ls="--",
        label=f"ORF rule: longest ORF / {2 * tracks.orf_min} codons (call at 0.5)",
    )
    prob_ax.axhline(0.5, color=REFERENCE["chance"], ls=":", lw=0.8)
    prob_ax.set_ylim(-0.02, 1.02)
    prob_ax.set_ylabel("coding score")
    prob_ax.legend(fontsize=7, loc="lower left", ncol=3, framealpha=0.9)
    _site_lane(site_ax, tracks)
    site_ax.set_xlabel(f"position in the {tracks.genome} genome (bp)")
    site_ax.set_xlim(tracks.start, tracks.end)
    genes_ax.set_title(title or f"{tracks.genome}, bases {tracks.start:,} to {tracks.end:,}")
    handles, labels = site_ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, ncol=4, loc="lower center")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def plot_gene_scores(study, *, ax: Axes | None = None) -> Figure:
    """The network against the ORF rule, on the held-out chloroplast and on pPCP1: per-base
    AUC and F1, start and stop F1, each the median and min-max over seeds."""
    fig, axes = new_figure(1, 2, figsize=(10, 3.6), sharey=True)
    metrics = (("auc", "per-base AUC"), ("f1", "per-base F1"), ("starts.f1", "start F1"))
    metrics = metrics + (("stops.f1", "stop F1"),)
    x = np.arange(len(metrics))
    for ax_, (where, rule, title) in zip(
        axes[0],
        (
            ("held_out", "held_out_orf", "chloroplast, held-out blocks"),
            ("transfer", "transfer_orf", "pPCP1 (another genome)"),
        ),
        strict=True,
    ):
        for offset, source, colour, label in (
            (-0.08, where, NETWORK, "network"),
            (0.08, rule, RULE, "ORF rule"),
        ):
            values = [study.values(f"{source}.{m}") for m, _ in metrics]
            plot_spread(ax_, x + offset, values, colour=colour, label=label, linestyle="none")
        ax_.set_xticks(x)
        ax_.set_xticklabels([name for _, name in metrics])
        ax_.set_title(title)
        ax_.set_ylim(0, 1.02)
        ax_.grid(axis="y", alpha=0.3)
    axes[0, 0].set_ylabel("score")
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def plot_family_scores(study, threshold: float) -> Figure:
    """Left: profile-HMM bit scores of every kind of sequence (all seeds pooled), with the
    gathering threshold. Right: the share at or above it, median and min-max over seeds."""
    fig, axes = new_figure(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.6, 1]})
    left, right = axes[0]
    kinds = list(SEQUENCE_SOURCES)
    pooled = {k: np.concatenate([r.bits[k] for r in study.runs]) for k in kinds}
    finite = np.concatenate([v[np.isfinite(v)] for v in pooled.values()])
    bins = np.linspace(finite.min() - 1, finite.max() + 1, 45)
    for kind in kinds:
        values = pooled[kind][np.isfinite(pooled[kind])]
        left.hist(
            values,
            bins=bins,
            density=True,
            histtype="step",
            lw=1.6,
            color=SEQUENCE_SOURCES[kind],
            label=kind,
        )
    left.axvline(
        threshold, color=REFERENCE["bound"], ls="--", lw=1, label="Pfam gathering threshold"
    )
    left.set_xlabel("bit score against the fn3 profile HMM")
    left.set_ylabel("density (all seeds pooled)")
    left.legend(fontsize=7)
    shares = [[r.above_threshold(k) for r in study.runs] for k in kinds]
    for i, kind in enumerate(kinds):
        plot_spread(
            right, [i], [shares[i]], colour=SEQUENCE_SOURCES[kind], label=kind, linestyle="none"
        )
    right.set_xticks(range(len(kinds)))
    right.set_xticklabels(kinds, rotation=20, fontsize=8)
    right.set_ylabel(f"share scoring ≥ {threshold:g} bits")
    right.set_ylim(-0.03, 1.03)
    right.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_identity(study) -> Figure:
    """Identity of each designed sequence, and of each held-out member, to its nearest
    training member (all seeds pooled)."""
    fig, ax = axes_or_new(None, figsize=(6, 3.4))
    bins = np.linspace(0, 1, 41)
    for kind in ("samples", "held-out members"):
        values = np.concatenate([r.identity[kind] for r in study.runs])
        ax.hist(
            values,
            bins=bins,
            density=True,
            histtype="step",
            lw=1.6,
            color=SEQUENCE_SOURCES[kind],
            label=kind,
        )
    ax.set_xlabel("identity to the nearest training member")
    ax.set_ylabel("density (all seeds pooled)")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_conservation(run, study) -> Figure:
    """Left: for each alignment column, its conservation against the mean log-probability
    the model (and the composition) gives the held-out members' residues there (one seed).
    Right: the rank correlations of every seed."""
    fig, axes = new_figure(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.4, 1]})
    left, right = axes[0]
    left.scatter(
        run.conservation,
        run.lm_column_logp,
        s=14,
        color=MODELS["lstm"],
        label=f"next-residue LSTM (rho = {run.spearman('lm'):.2f})",
    )
    left.scatter(
        run.conservation,
        run.composition_column_logp,
        s=14,
        marker="x",
        color=RULE,
        label=f"family composition (rho = {run.spearman('composition'):.2f})",
    )
    left.set_xlabel("conservation of the column (1 - entropy / log 20)")
    left.set_ylabel("mean log P(residue), held-out members")
    left.set_title(f"seed {run.seed}")
    left.legend(fontsize=7)
    names = (
        ("lm", "LSTM log P", MODELS["lstm"]),
        ("composition", "composition log P", RULE),
        ("trained", "state divergence,\ntrained", MODELS["lstm"]),
        ("untrained", "state divergence,\nuntrained", MODELS["untrained"]),
    )
    for i, (what, label, colour) in enumerate(names):
        values = [r.spearman(what) for r in study.runs]
        plot_spread(right, [i], [values], colour=colour, label=label, linestyle="none")
    right.axhline(0, color=REFERENCE["chance"], ls=":", lw=0.8)
    right.set_xticks(range(len(names)))
    right.set_xticklabels([n[1] for n in names], fontsize=7)
    right.set_ylabel("rank correlation with conservation")
    right.set_ylim(-1, 1)
    right.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_lengths(samples: Mapping[str, Sequence[str]], *, ax: Axes | None = None) -> Figure:
    """Lengths of sequences of each kind (e.g. designed and real)."""
    fig, ax = axes_or_new(ax, figsize=(5, 3))
    for kind, seqs in samples.items():
        ax.hist(
            [len(s) for s in seqs],
            bins=30,
            histtype="step",
            lw=1.5,
            color=SEQUENCE_SOURCES[kind],
            label=kind,
        )
    ax.set_xlabel("length (residues)")
    ax.set_ylabel("sequences")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
