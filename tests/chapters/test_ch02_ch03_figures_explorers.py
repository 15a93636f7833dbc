"""Chapters 2 and 3: their figures are drawn and their explorers react (small, fast inputs)."""

import dataclasses
import io
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from coursepkg.chapters.ch02_conditioning import experiments as ch2
from coursepkg.chapters.ch02_conditioning.explorer import conditioning_explorer, draw_cell
from coursepkg.chapters.ch02_conditioning.figures import plot_step_errors, plot_trajectories
from coursepkg.chapters.ch03_vanishing_gradients import experiments as ch3
from coursepkg.chapters.ch03_vanishing_gradients.explorer import (
    draw_gradient_norms,
    gradient_explorer,
)
from coursepkg.chapters.ch03_vanishing_gradients.figures import (
    plot_accuracy_vs_distance,
    plot_gradient_norms,
    plot_gradient_reach,
    plot_nonnormal,
)
from coursepkg.viz.palette import INITIAL_STATES

PNG_MAGIC = b"\x89PNG"


def _drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


@pytest.fixture(scope="module")
def conditioning():
    """The four views of chapter 2, two seeds, trained for one epoch on a few trajectories."""
    settings = dataclasses.replace(ch2.BOOK, n_train=40, n_test=40, hidden=8, epochs=1)
    return ch2.compare_initial_states([0, 1], settings)


def test_chapter_2_figures_keep_one_colour_per_view(conditioning):
    errors = plot_step_errors(conditioning)
    trajectories = plot_trajectories(conditioning, seed=1)
    assert _drawn(errors) and _drawn(trajectories)
    for fig in (errors, trajectories):
        handles, labels = fig.axes[-1].get_legend_handles_labels()
        for view, label in ch2.LABELS.items():
            found = [h for h, text in zip(handles, labels, strict=True) if text.startswith(label)]
            assert found, label
            colour = found[0][0].get_color() if isinstance(found[0], tuple) else None
            colour = colour or found[0].get_color()
            assert colour.lower() == INITIAL_STATES[view].lower(), label
    assert len(errors.axes[0].containers) == 4  # an error bar (spread over seeds) per view


def test_chapter_2_explorer_redraws_and_explains_a_missing_cell(conditioning):
    explorer = conditioning_explorer(conditioning)
    first = bytes(explorer.image.value)
    explorer.set(gene=1)
    assert explorer.error is None and bytes(explorer.image.value) != first
    explorer.set(seed=1)
    assert explorer.error is None
    explorer.set(which=20)  # there are only about 10 held-out cells of each type
    assert "held-out cells of type" in explorer.error
    assert _drawn(draw_cell(conditioning, cell_type=1, which=0, gene=1, seed=1))


def test_chapter_3_figures_and_explorer():
    settings = dataclasses.replace(ch3.BOOK, hidden_decay=8, length_decay=20)
    decay = ch3.gradient_decay(0, settings, radii=(0.9, 1.1))
    assert _drawn(plot_gradient_norms(decay))
    fig = plot_nonnormal(ch3.nonnormal_growth(0, settings))
    assert len(fig.axes) == 2 and _drawn(fig)
    study = SimpleNamespace(
        distances=(5, 60),
        truncated=np.array([0.5, 0.6, 0.7]),
        at=lambda kind, d: np.array([0.9, 1.0, 1.0]) if kind == "lstm" else np.array([0.5] * 3),
    )
    fig = plot_accuracy_vs_distance(study)
    assert len(fig.axes[0].containers) == 3 and _drawn(fig)
    assert _drawn(plot_gradient_reach(ch3.truncation_horizon(0, settings)))
    explorer = gradient_explorer()
    first = bytes(explorer.image.value)
    explorer.set(radius=1.3)
    assert explorer.error is None and bytes(explorer.image.value) != first
    with pytest.raises(ValueError, match="spectral radius"):
        draw_gradient_norms(-1.0)
