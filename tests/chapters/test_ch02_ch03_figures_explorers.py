"""Chapters 2 and 3: their figures are drawn and their explorers react (small, fast inputs)."""

import io

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
)
from coursepkg.viz.palette import INITIAL_STATES

PNG_MAGIC = b"\x89PNG"


def _drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


@pytest.fixture(scope="module")
def conditioning():
    """The four chapter-2 models, trained for one epoch on a few trajectories."""
    return ch2.compare_initial_states(n_train=40, n_test=40, seed=0, epochs=1)


def test_chapter_2_figures_keep_one_colour_per_model(conditioning):
    runs, test = conditioning
    errors = plot_step_errors(runs)
    trajectories = plot_trajectories(runs, test)
    assert _drawn(errors) and _drawn(trajectories)
    for fig in (errors, trajectories):
        lines = {line.get_label(): line.get_color() for line in fig.axes[0].get_lines()}
        for init, label in ch2.LABELS.items():
            assert lines[label].lower() == INITIAL_STATES[init].lower(), label


def test_chapter_2_explorer_redraws_and_explains_a_missing_cell(conditioning):
    runs, test = conditioning
    explorer = conditioning_explorer(runs, test)
    first = bytes(explorer.image.value)
    explorer.set(gene=1)
    assert explorer.error is None and bytes(explorer.image.value) != first
    explorer.set(which=20)  # there are only about 10 held-out cells of each type
    assert "held-out cells of type" in explorer.error
    assert _drawn(draw_cell(runs, test, cell_type=1, which=0, gene=1))


def test_chapter_3_figures_and_explorer():
    decay = ch3.gradient_decay(radii=(0.9, 1.1), hidden=8, length=20)
    assert _drawn(plot_gradient_norms(decay))
    table = [{"distance": 5, "rnn": 0.9, "lstm": 1.0}, {"distance": 60, "rnn": 0.5, "lstm": 0.9}]
    assert _drawn(plot_accuracy_vs_distance(table))
    explorer = gradient_explorer()
    first = bytes(explorer.image.value)
    explorer.set(radius=1.3)
    assert explorer.error is None and bytes(explorer.image.value) != first
    with pytest.raises(ValueError, match="spectral radius"):
        draw_gradient_norms(-1.0)
