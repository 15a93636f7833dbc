"""Chapter 5: its data, models and experiments on tiny settings (shapes, reproducibility),
its figures and its explorer. The claims themselves are asserted from the values the book
build recorded (tests/chapters/test_recorded_claims.py)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from coursepkg.chapters.ch05_long_range import claims as ch5_claims
from coursepkg.chapters.ch05_long_range import experiments as ch5
from coursepkg.chapters.ch05_long_range import figures
from coursepkg.chapters.ch05_long_range.explorer import (
    draw_structure,
    structure_explorer,
    structure_summary,
)

PNG_MAGIC = b"\x89PNG"
SEEDS = (0, 1)


def drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


@pytest.fixture(scope="module")
def small():
    """Both experiments on two seeds and tiny settings, in this process."""
    return ch5.study(SEEDS, ch5.TINY, processes=1, progress=False)


def test_measured_paths_match_the_formulas():
    paths = ch5.path_exponents(ch5.BOOK)
    assert paths.claims() == {
        "ch05.path_flat": 63.0,
        "ch05.path_hierarchical": 14.0,
        "ch05.path_dilated": 7.0,
    }


# --- experiments --------------------------------------------------------------------------


def test_study_covers_every_declared_random_claim(small):
    values = {**ch5.path_exponents(ch5.TINY).claims(), **small.claims()}
    assert sorted(values) == sorted(c.id for c in ch5_claims.CLAIMS)
    for claim_id, value in small.claims().items():
        numbers, seeds = value
        assert len(numbers) == len(seeds) == len(SEEDS), claim_id
        assert all(np.isfinite(v) for v in numbers), claim_id


def test_study_shapes_and_tables(small):
    assert small.short["LSTM"].shape == (len(ch5.TINY.distances), len(SEEDS))
    assert len(ch5.accuracy_rows(small)) == len(ch5.TINY.distances)
    rows = ch5.genome_rows(small)
    assert [r["seed"] for r in rows] == list(SEEDS)
    assert all(0 <= r["hierarchical, 50 kb"] <= 1 for r in rows)


def test_experiments_are_reproducible():
    a = ch5.genome_scale_run(5, ch5.TINY)
    b = ch5.genome_scale_run(5, ch5.TINY)
    for key in ("window", "hierarchical", "flat"):
        assert a[key] == b[key]
    assert ch5.distance_run(5, ch5.TINY) == ch5.distance_run(5, ch5.TINY)


def test_timing_rows_cover_every_model_and_length():
    rows = ch5.timing_rows(ch5.TINY)
    assert len(rows) == 3 * len(ch5.TINY.timing_lengths)
    assert all(r["forward, CPU s"] >= 0 for r in rows)


# --- figures and explorer ------------------------------------------------------------------


def test_figures_draw(small):
    assert drawn(figures.plot_accuracy_by_distance(small))
    assert drawn(figures.plot_genome_scale(small))
    assert drawn(figures.plot_timing(ch5.timing_rows(ch5.TINY)))
    assert drawn(figures.plot_structure(32, 8, (1, 2, 4), {"flat": 31.0}))
    with pytest.raises(ValueError, match="divide"):
        figures.plot_structure(30, 8, (1, 2))


def test_explorer_draws_and_reports_bad_input():
    assert drawn(draw_structure(32, 4, 3))
    assert "flat 31.00" in structure_summary(32, 4, 3)
    explorer = structure_explorer()
    assert explorer.error is None and bytes(explorer.image.value).startswith(PNG_MAGIC)
    explorer.set(length=48, window=16)
    assert explorer.error is None
    explorer.set(length=16, window=16, layers=5)
    assert explorer.error is None
    explorer.set(length=80, window=2, layers=3)
    assert explorer.error is None
    with pytest.raises(ValueError, match="between"):
        structure_summary(200, 8, 3)
    with pytest.raises(ValueError, match="window"):
        structure_summary(40, 16, 3)
    with pytest.raises(ValueError, match="dilation"):
        structure_summary(40, 8, 5)
