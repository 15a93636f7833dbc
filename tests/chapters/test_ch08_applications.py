"""Chapter 8: its experiments return what the notebook and the claims read, its figures are
drawn and its explorer reacts (short training, so the numbers here are not the claims';
those are asserted from the values the build recorded)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from coursepkg.chapters.ch08_applications import claims, figures
from coursepkg.chapters.ch08_applications import experiments as ch8
from coursepkg.chapters.ch08_applications.explorer import draw_window, gene_explorer
from coursepkg.viz.palette import MODELS

PNG_MAGIC = b"\x89PNG"


def _drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


@pytest.fixture(scope="module")
def genes():
    """Two seeds of the gene finder, one epoch each."""
    return ch8.gene_finding([0, 1], processes=1, epochs=1)


@pytest.fixture(scope="module")
def proteins():
    """Two seeds of the fn3 model, a few epochs and samples each."""
    return ch8.protein_study([0, 1], processes=1, epochs=3, n_samples=8)


def test_held_out_blocks_never_train_and_the_inverted_repeat_is_left_out(genes):
    for run in genes.runs:
        assert run.fold == ch8.derive(run.seed, "fold") % ch8.FOLDS
        for piece in run.pieces:
            assert piece.end <= ch8.UNIQUE_END
            assert (piece.start // ch8.BLOCK) % ch8.FOLDS == run.fold
        assert run.orf_min in ch8.ORF_THRESHOLDS


def test_gene_scores_are_scores(genes):
    for what in ("held_out.auc", "held_out_orf.auc", "transfer.f1", "held_out.stops.recall"):
        values = genes.values(what)
        assert len(values) == 2 and all(0 <= v <= 1 for v in values)
    assert genes.paired("held_out.auc", "held_out_orf.auc") == [
        a - b
        for a, b in zip(genes.values("held_out.auc"), genes.values("held_out_orf.auc"), strict=True)
    ]
    table = ch8.gene_table(genes)
    assert len(table) == 2 * len(ch8.GENE_METRICS) and "(" in table[0]["network"]


def test_the_orf_rule_does_not_depend_on_the_seed_beyond_its_fold(genes):
    a, b = genes.runs
    if a.fold == b.fold:
        assert a.held_out_orf == b.held_out_orf
    assert a.transfer_orf.auc == b.transfer_orf.auc  # pPCP1 is scored whole by both


def test_gene_figures_and_explorer(genes):
    run = genes.runs[0]
    window = figures.plot_genome_window(run.pieces[ch8.richest_piece(run)])
    assert _drawn(window)
    lines = {line.get_label(): line.get_color() for line in window.axes[1].get_lines()}
    assert lines["network: P(coding)"] == MODELS["bidirectional"]
    assert _drawn(figures.plot_gene_scores(genes))
    explorer = gene_explorer(run.model, run.orf_min)
    first = bytes(explorer.image.value)
    explorer.set(genome="phiX174")
    assert explorer.error is None and bytes(explorer.image.value) != first
    assert explorer.controls["start"].max == 5386 - 300
    explorer.set(width=100_000)  # the slider allows less; a caller might not
    with pytest.raises(ValueError, match="wide"):
        draw_window(run.model, run.orf_min, "pPCP1", 0, 100_000)
    with pytest.raises(ValueError, match="unknown genome"):
        draw_window(run.model, run.orf_min, "E. coli", 0, 1000)


def test_protein_runs_hold_out_members_and_score_every_kind(proteins):
    for run in proteins.runs:
        assert len(run.test) == ch8.FAMILY_SETTINGS["held_out"]
        assert not set(run.test) & set(run.train)
        assert set(run.bits) == {"samples", "shuffled", "random", "held-out members"}
        assert len(run.bits["samples"]) == len(run.samples) == 8
        assert len(run.conservation) == len(run.lm_column_logp) == len(run.divergence["trained"])
        assert 0 <= run.above_threshold("held-out members") <= 1
    assert proteins.runs[0].test != proteins.runs[1].test  # the seed picks the held-out members


def test_protein_figures(proteins):
    assert _drawn(figures.plot_family_scores(proteins, ch8.GATHERING_THRESHOLD))
    assert _drawn(figures.plot_identity(proteins))
    assert _drawn(figures.plot_conservation(proteins.runs[0], proteins))


def test_shuffles_and_random_controls_keep_what_they_should():
    samples = ["ACDEFG", "KKLL"]
    shuffled = ch8.shuffled(samples, seed=0)
    assert [sorted(s) for s in shuffled] == [sorted(s) for s in samples]
    random = ch8.random_residues(["AAAC"], [5, 3], seed=0)
    assert [len(s) for s in random] == [5, 3] and set("".join(random)) <= {"A", "C"}


def test_every_claim_is_measured(genes, proteins):
    measured = {**claims.gene_values(genes), **claims.protein_values(proteins)}
    assert set(measured) == {c.id for c in claims.CLAIMS}
    for values, seeds in measured.values():
        assert len(values) == len(seeds) == 2 and np.all(np.isfinite(values))


def test_the_drawn_seed_is_the_median_one(genes, proteins):
    aucs = genes.values("held_out.auc")
    assert ch8.typical_run(genes).held_out.auc == sorted(aucs)[(len(aucs) - 1) // 2]
    rows = ch8.protein_table(proteins)
    assert [r["seed"] for r in rows] == proteins.seeds
    assert all(r["samples"] == 8 for r in rows)
