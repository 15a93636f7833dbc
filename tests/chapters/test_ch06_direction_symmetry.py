"""Chapter 6: its experiments run and return what the claims read, measure() and the notebook
record every claim, the figures are drawn and the explorer reacts (small, fast inputs; the
claims themselves are asserted from the values the build recorded)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from coursepkg import claims
from coursepkg.chapters.ch06_direction_symmetry import claims as ch6_claims
from coursepkg.chapters.ch06_direction_symmetry import experiments as ch6
from coursepkg.chapters.ch06_direction_symmetry import figures
from coursepkg.chapters.ch06_direction_symmetry.explorer import (
    draw_genome,
    genome_explorer,
    opened_predictions,
)
from coursepkg.data.circular import real_circle
from coursepkg.models.circular import CircularLSTM
from coursepkg.viz.palette import CIRCULAR_METHODS, DIRECTIONS, STRAND_TRAINING

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "book" / "06_direction_symmetry.ipynb"
PNG_MAGIC = b"\x89PNG"


def _drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


# --- small runs of every experiment -------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    """One seed of each experiment, trained briefly (the shapes, not the numbers, matter)."""
    return {
        "reversal": [ch6.reversal_run(s, "promoter") for s in (0, 1)],
        "directions": [ch6.direction_run(s, epochs=1) for s in (0, 1)],
        "strands": [ch6.strand_run(s, epochs=2) for s in (0, 1)],
        "circles": [ch6.circular_run(s, epochs=1) for s in (0, 1)],
        "genomes": [ch6.genome_run(s, epochs=1, n_cuts=2) for s in (0, 1)],
    }


def test_experiments_return_what_the_claims_read(small):
    for run in small["reversal"]:
        assert 0 <= run.reversed_accuracy <= 1 and run.chance == 0.5
    for run in small["directions"]:
        assert set(run.accuracy) == {"forward", "backward", "both"}
        assert run.example_probability["both"].shape == (len(run.example),)
    for run in small["strands"]:
        assert set(run.disagreement) == set(ch6.STRAND_ROWS)
        assert run.disagreement["symmetric"] == 0.0  # by construction, whatever the training
    for run in small["circles"]:
        assert run.scores["linear"].by_position.shape == (120,)
    for run in small["genomes"]:
        assert set(run.scores) == set(ch6.GENOMES)
        for scores in run.scores.values():
            assert scores["two_pass"].equivariance < 1e-3  # even untrained: the circle closes
    tables = [
        ch6.reversal_table({"promoter": small["reversal"]}),
        ch6.strand_table(small["strands"]),
        ch6.circular_table(small["circles"]),
        ch6.genome_table(small["genomes"]),
    ]
    assert [len(t) for t in tables] == [1, 3, 3, 6]


def test_alignment_measures_the_two_triangles():
    alignment = ch6.measured_alignment("ACGTAC")
    assert alignment.mismatches == 0
    alignment.backward[0, 5] = False  # a backward half that had not read the last base
    assert alignment.mismatches == 1


def test_claim_helpers_give_one_value_per_seed(small):
    assert len(ch6_claims.reversal_drop(small["reversal"])) == 2
    assert ch6_claims.strand_disagreement(small["strands"], "symmetric") == [0.0, 0.0]
    assert len(ch6_claims.circle_origin_gain(small["circles"])) == 2
    values = ch6_claims.genome_circular_equivariance(small["genomes"])
    assert all(v < 1e-3 for v in values)


def test_measure_returns_every_claim_over_the_block(monkeypatch, small):
    """measure() runs the same experiments as the notebook, on the seeds it is given."""
    calls = []

    def fake(name):
        def run(seed_list, *args):
            calls.append((name, list(seed_list), args))
            pool = small[name]
            return [pool[i % len(pool)] for i in range(len(seed_list))]

        return run

    monkeypatch.setattr(ch6, "reversal", lambda s, task: fake("reversal")(s, task))
    for name in ("directions", "strands", "circles", "genomes"):
        monkeypatch.setattr(ch6, name, fake(name))
    measured = ch6_claims.measure(1000)
    assert set(measured) == {c.id for c in ch6_claims.CLAIMS}
    assert all(seeds == list(range(1000, 1005)) for _, seeds, _ in calls)
    assert ("reversal", list(range(1000, 1005)), ("splice",)) in calls
    for claim in ch6_claims.CLAIMS:
        value = measured[claim.id]
        m = (
            claims.measurement(claim.id, *value)
            if claim.random
            else claims.measurement(claim.id, value)
        )
        assert len(m.values) == (5 if claim.random else 1)


def test_the_notebook_records_every_claim_once():
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    recorded = re.findall(r'record\("(ch06\.[a-z0-9_]+)"', code)
    assert sorted(recorded) == sorted(c.id for c in ch6_claims.CLAIMS)
    assert "ch6.seeds()" in code  # the book's block, as measure() uses ch6.seeds(base)


def test_recorded_claims_hold():
    """The values the last build of the book recorded (skipped before the first build)."""
    path = ROOT / "_build" / "claims" / "ch06.json"
    if not path.exists():
        pytest.skip("the book has not been built here yet")
    saved = json.loads(path.read_text())["claims"]
    for claim in ch6_claims.CLAIMS:
        assert claim.id in saved, f"{claim.id} was not measured by the build"
        assert claims.saved_measurement(claim.id, saved[claim.id]).passed, claim.id


# --- figures and explorer -----------------------------------------------------------------------


def test_figures_draw_with_the_chapters_palettes(small):
    reversal = figures.plot_reversal({"promoter": small["reversal"]}, ch6.TASKS)
    bars = [p.get_facecolor() for p in reversal.axes[0].patches]
    assert len(bars) == 2
    directions = figures.plot_direction_accuracy(small["directions"], ch6.DIRECTION_LABELS)
    colours = {tuple(p.get_facecolor()) for p in directions.axes[0].patches}
    from matplotlib.colors import to_rgba

    assert colours == {to_rgba(DIRECTIONS[k]) for k in ("forward", "backward", "both")}
    strands = figures.plot_strands(small["strands"], ch6.STRAND_ROWS)
    assert {tuple(p.get_facecolor()) for p in strands.axes[0].patches} == {
        to_rgba(c) for c in STRAND_TRAINING.values()
    }
    cut = figures.plot_accuracy_from_cut(small["circles"], ch6.METHOD_LABELS, ch6.NEAR_SIM)
    lines = {line.get_label(): line.get_color() for line in cut.axes[0].get_lines()}
    for method, label in ch6.METHOD_LABELS.items():
        assert lines[label].lower() == CIRCULAR_METHODS[method].lower()
    for fig in (
        reversal,
        directions,
        strands,
        cut,
        figures.plot_alignment(ch6.measured_alignment("ACGTAC")),
        figures.plot_site_example(small["directions"][0], ch6.DIRECTION_LABELS),
    ):
        assert _drawn(fig)


@pytest.fixture(scope="module")
def state():
    torch.manual_seed(0)
    return CircularLSTM("linear", **ch6.GENOME_MODEL).state_dict()


def test_ring_shows_every_gene(state):
    phix = real_circle("phix174")
    fig = figures.plot_genome_ring(phix, {"model": np.zeros(len(phix))}, cut=100)
    names = {t.get_text() for t in fig.axes[0].texts}
    assert {g.name for g in phix.genes} <= names
    assert _drawn(fig)


def test_opened_predictions_move_with_the_cut(state):
    here = opened_predictions(state, "ppcp1", 0)
    there = opened_predictions(state, "ppcp1", 4000)
    assert np.allclose(here["record"]["two_pass"], there["record"]["two_pass"], atol=1e-5)
    assert np.allclose(
        np.roll(there["opened"]["two_pass"], 4000), here["opened"]["two_pass"], atol=1e-5
    )
    assert not np.allclose(here["record"]["linear"], there["record"]["linear"], atol=1e-5)


def test_explorer_redraws_and_names_a_bad_cut(state):
    explorer = genome_explorer(state, cut=100)
    first = bytes(explorer.image.value)
    explorer.set(cut=3000)
    assert explorer.error is None and bytes(explorer.image.value) != first
    assert "largest change" in explorer.status.value
    explorer.set(genome="ppcp1")
    explorer.set(cut=9000)
    assert explorer.error is None
    with pytest.raises(ValueError, match="cut must be a base of phix174: 0 to 5385"):
        opened_predictions(state, "phix174", 6000)
    with pytest.raises(TypeError, match="cut must be an integer"):
        opened_predictions(state, "phix174", 1.5)
    with pytest.raises(ValueError, match="genome must be one of"):
        draw_genome(state, "lambda", 0)
