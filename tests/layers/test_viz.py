"""The figure, palette, table and explorer conventions that every chapter follows."""

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from coursepkg.viz import Explorer, Table, axes_or_new, colour, new_figure, plot_spread, spread
from coursepkg.viz.figures import plot_hidden_states, plot_losses, plot_pca_by_label
from coursepkg.viz.palette import PALETTES

PNG_MAGIC = b"\x89PNG"


def _drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


def test_new_figures_are_closed_in_pyplot():
    before = plt.get_fignums()
    fig, axes = new_figure(2, 3)
    assert axes.shape == (2, 3) and plt.get_fignums() == before
    assert _drawn(fig)


def test_plot_functions_draw_into_a_given_axes():
    fig, axes = new_figure(1, 2)
    returned = plot_losses({"run": type("H", (), {"train_loss": [0.5, 0.2]})()}, ax=axes[0, 1])
    assert returned is fig and axes[0, 1].get_xlabel() == "epoch"
    fig2, ax = axes_or_new(None)
    assert ax.figure is fig2


def test_spread_shows_the_median_and_the_range():
    assert spread([0.9, 0.95, 1.0]) == "0.950 (0.900\u20131.000)"
    fig, ax = axes_or_new(None)
    plot_spread(ax, [1, 2], [[0.5, 0.6, 0.7], [0.8, 0.9, 0.95]], colour="#000000", label="m")
    (line,) = ax.get_lines()[:1]
    np.testing.assert_allclose(line.get_ydata(), [0.6, 0.9])
    assert "3 seeds" in ax.get_legend_handles_labels()[1][0]


def test_palettes_name_their_colours_and_reject_unknown_keys():
    assert colour("models", "lstm") == PALETTES["models"]["lstm"]
    with pytest.raises(ValueError, match="add it to coursepkg/viz/palette.py"):
        colour("models", "transformer")
    with pytest.raises(ValueError, match="no palette"):
        colour("moods", "happy")
    models = PALETTES["models"]
    assert len(set(models.values())) == len(models), "two model families share a colour"


def test_tables_align_numbers_with_fixed_decimals():
    table = Table([{"model": "rnn", "acc": 0.5, "n": 1000}, {"model": "lstm", "acc": 1.0, "n": 5}])
    assert table.cells() == [["rnn", "0.500", "1,000"], ["lstm", "1.000", "5"]]
    page = table._repr_html_()
    assert '<td class="num">0.500</td>' in page and '<td class="text">rnn</td>' in page
    assert repr(table).splitlines()[1].endswith("1,000")
    with pytest.raises(ValueError, match="do not have the columns"):
        Table([{"a": 1}, {"b": 2}])


def test_generic_figures_check_their_input():
    assert _drawn(plot_hidden_states(np.zeros((4, 2)), "ACGT"))
    with pytest.raises(ValueError, match="L = len"):
        plot_hidden_states(np.zeros((5, 3)), "ACGTAC")
    panels = {"a": (np.random.default_rng(0).normal(size=(30, 3)), np.arange(30) % 2)}
    assert _drawn(plot_pca_by_label(panels, ["even", "odd"], ["#000000", "#999999"]))


def _draw(n: int) -> Figure:
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    fig, ax = axes_or_new(None)
    ax.plot(range(n))
    return fig


def test_explorer_redraws_on_change_and_reports_bad_input():
    explorer = Explorer(_draw, {"n": widgets.IntText(value=3)}, summary=lambda n: f"n = {n}")
    first = bytes(explorer.image.value)
    assert first.startswith(PNG_MAGIC) and explorer.status.value == "n = 3"
    explorer.set(n=5)
    assert bytes(explorer.image.value) != first and explorer.error is None
    good = bytes(explorer.image.value)
    explorer.set(n=0)
    assert "at least 1" in explorer.error and "&#9888;" in explorer.status.value
    assert bytes(explorer.image.value) == good  # the last good figure stays
    with pytest.raises(ValueError, match="no control named"):
        explorer.set(m=1)
