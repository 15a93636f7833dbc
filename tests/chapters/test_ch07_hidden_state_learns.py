"""Chapter 7: its experiments return what the notebook and the claims read, its figures are
drawn and its explorer reacts (tiny settings, so the numbers here are not the claims';
those are asserted from the values the build recorded)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from coursepkg.chapters.ch07_hidden_state_learns import claims, figures
from coursepkg.chapters.ch07_hidden_state_learns import experiments as ch7
from coursepkg.chapters.ch07_hidden_state_learns.explorer import draw_unit, unit_explorer
from coursepkg.data.regulatory import TATA, features, tata_position

PNG_MAGIC = b"\x89PNG"

TINY = ch7.Settings(
    n_seeds=2,
    length=80,
    n_train=64,
    n_test=64,
    hidden=4,
    filters=4,
    epochs=1,
    family_hidden=8,
    family_epochs=1,
    genome_train=400,
    genome_test=800,
    species_hidden=8,
    species_epochs=1,
)


def _drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


@pytest.fixture(scope="module")
def study():
    return ch7.run([0, 1], TINY, processes=1)


def test_every_claim_is_measured_once_per_seed(study):
    measured = study.claims()
    assert set(measured) == {c.id for c in claims.CLAIMS}
    for values, seeds in measured.values():
        assert seeds == [0, 1] and len(values) == 2
        assert all(np.isfinite(values))


def test_a_seed_gives_the_same_numbers_twice(study):
    again = ch7.regulatory_run(0, TINY)
    first = study.regulatory[0]
    assert again.accuracy == first.accuracy
    for feature in ch7.FEATURE_CLASS:
        np.testing.assert_array_equal(
            again.correlations[feature]["trained"], first.correlations[feature]["trained"]
        )
    assert ch7.species_run(1, TINY).rf == study.species[1].rf


def test_units_are_correlated_within_one_class_and_the_control_is_untouched(study):
    run = study.regulatory[0]
    for feature in ch7.FEATURE_CLASS:
        for network in ch7.NETWORKS:
            r = run.correlations[feature][network]
            assert r.shape == (2 * TINY.hidden,) and np.all(np.abs(r) <= 1)
    # the untrained control keeps its initial weights: its logit shift is that of a net
    # that never saw a TATA box as evidence, and its parameters differ from the trained one
    trained = dict(run.model.named_parameters())
    assert any(
        not np.allclose(p.detach(), trained[n].detach())
        for n, p in run.untrained.named_parameters()
    )


def test_occlusion_and_ablation_are_measured_against_their_controls(study):
    run = study.regulatory[0]
    assert set(run.occlusion) == set(ch7.OCCLUDED) == {"enhancers", "promoters"}
    for kind in ch7.OCCLUDED:
        assert set(run.occlusion[kind]) == {"trained", "untrained", "shuffled sites"}
        assert all(0 <= v <= 1 for v in run.occlusion[kind].values())
    assert 0 <= run.on_signal("trained") <= 1
    enhancer, promoter = run.examples["enhancers"], run.examples["promoters"]
    for example in (enhancer, promoter):
        assert len(example["sequence"]) == TINY.length
        assert example["sites"].shape == example["trained"].shape == (TINY.length,)
    # an enhancer's signal is its motif sites, a promoter's the TATA box at its position
    assert enhancer["sites"].tolist() == [
        any(s <= t < e for s, e in _sites(enhancer["sequence"])) for t in range(TINY.length)
    ]
    at = tata_position(TINY.length)
    assert np.flatnonzero(promoter["sites"]).tolist() == list(range(at, at + len(TATA)))
    assert promoter["sequence"][at : at + len(TATA)] == TATA
    assert set(run.ablation) == {"top", "random"}
    assert all(-1 <= v <= 1 for v in run.ablation.values())
    # every tree method was scored, NJ included
    assert set(study.species[0].rf) == set(ch7.TREE_METHODS)


def _sites(seq):
    from coursepkg.data.regulatory import TF_MOTIFS

    return [(i, i + len(m)) for m in TF_MOTIFS for i in range(len(seq)) if seq.startswith(m, i)]


def test_the_tata_probe_moves_the_box_and_nothing_else():
    seqs = ["ACGT" * 20, "TTGCA" * 16]
    there, elsewhere = ch7.tata_probe(seqs, seed=3)
    at = tata_position(80)
    for seq, a, b in zip(seqs, there, elsewhere, strict=True):
        assert a[at : at + len(TATA)] == TATA and len(a) == len(b) == len(seq)
        where = b.find(TATA)
        assert where >= 0 and abs(where - at) >= 10
        assert a[:at] == seq[:at] and a[at + len(TATA) :] == seq[at + len(TATA) :]


def test_column_divergence_rejects_an_unknown_read(study):
    from coursepkg.analysis.conservation import AlignedFamily
    from coursepkg.data import real
    from coursepkg.models.residue_lm import ResidueLM

    family = AlignedFamily.from_biopython(real.fn3_seed())
    columns, _ = family.conservation()
    with pytest.raises(ValueError, match="read must be one of"):
        ch7.column_divergence(ResidueLM(4), family, columns, "during")
    run = study.family[0]
    assert run.conservation.shape == run.divergence[("trained", "after")].shape


def test_tables_show_spreads(study):
    for table in (
        ch7.correlation_table(study.regulatory),
        ch7.family_table(study.family),
        ch7.tree_table(study.species),
        ch7.attribution_table(study.regulatory),
        ch7.ablation_table(study.regulatory),
    ):
        assert table and all("(" in str(v) for row in table for v in list(row.values())[1:])


def test_figures_are_drawn(study):
    run = study.regulatory[0]
    keep = run.test_labels == 0
    values = features(run.test_sequences)["motif_count"]
    assert _drawn(figures.plot_grammar(run.test_sequences[:4], run.test_labels[:4], tata_at=20))
    assert _drawn(
        figures.plot_unit_correlations(
            study.regulatory, list(ch7.FEATURE_CLASS), ch7.FEATURE_LABELS
        )
    )
    assert _drawn(figures.plot_best_unit(run, "motif_count", values, "motifs", keep))
    assert _drawn(figures.plot_probe(study.regulatory))
    assert _drawn(figures.plot_occlusion(run, study.regulatory))
    assert _drawn(figures.plot_divergence(study.family[0], study.family))
    assert _drawn(figures.plot_trees(study.species[0]))
    assert _drawn(figures.plot_tree_distances(study.species, ch7.TREE_METHODS))


def test_the_explorer_redraws_and_names_bad_input(study):
    run = study.regulatory[0]
    assert _drawn(draw_unit(run))
    explorer = unit_explorer(run)
    assert explorer.error is None and bytes(explorer.image.value).startswith(PNG_MAGIC)
    explorer.set(index=3, feature="cpg_density", network="untrained")
    assert explorer.error is None and "P(promoter)" in explorer.status.value
    with pytest.raises(ValueError, match="held-out sequence"):
        draw_unit(run, index=10_000)
    with pytest.raises(ValueError, match="feature must be one of"):
        draw_unit(run, feature="gc")
