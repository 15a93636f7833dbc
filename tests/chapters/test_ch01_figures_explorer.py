"""Chapter 1's figures are drawn, and its explorer reacts to what the reader types."""

import io
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from coursepkg.chapters.ch01_hidden_state import figures as plots
from coursepkg.chapters.ch01_hidden_state.experiments import (
    held_out,
    state_cluster_purity,
    transition_table,
)
from coursepkg.chapters.ch01_hidden_state.explorer import (
    MAX_BASES,
    motif_explorer,
    motif_figure,
    motif_trace,
)
from coursepkg.models import ACG_STATE_NAMES, ElmanRNN, ThresholdRNN, acg_detector
from coursepkg.sequences import onehot
from coursepkg.train import History
from coursepkg.viz.figures import plot_hidden_states, plot_losses

PNG_MAGIC = b"\x89PNG"


@pytest.fixture(scope="module")
def rnn():
    torch.manual_seed(0)
    return ElmanRNN(4, 8, 1).eval()


def _drawn(fig) -> bool:
    """The figure renders to a non-empty PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


def test_hidden_state_heatmap_has_a_column_per_base():
    sequence = "TTACGA"
    _, hidden = ThresholdRNN(acg_detector())(onehot(sequence))
    fig = plot_hidden_states(hidden, sequence, vmin=0)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == list(sequence)
    assert _drawn(fig)


def test_hidden_state_heatmap_rejects_a_length_mismatch():
    with pytest.raises(ValueError, match="L = len"):
        plot_hidden_states(np.zeros((5, 3)), "ACGTAC")


def test_weight_and_machine_figures_are_drawn():
    assert _drawn(plots.plot_detector_weights(acg_detector()))
    assert _drawn(plots.plot_fsm_diagram(transition_table(), ACG_STATE_NAMES))


def test_analysis_figures_are_drawn(rnn):
    result = state_cluster_purity(rnn, held_out(0)[0][:20], k=4, restarts=2)
    panels = {"a": (result.hidden, result.states), "b": (result.hidden, result.states)}
    assert len(plots.plot_state_pca(panels, ACG_STATE_NAMES).axes) == 2
    assert _drawn(plots.plot_contingency({"a": result.table}, ACG_STATE_NAMES))
    assert _drawn(plot_losses({"run": History(train_loss=[0.7, 0.5, 0.2])}))


def test_purity_is_the_same_for_the_same_seed_and_counts_every_state(rnn):
    x = held_out(1)[0][:30]
    a = state_cluster_purity(rnn, x, k=4, seed=5, restarts=3)
    b = state_cluster_purity(rnn, x, k=4, seed=5, restarts=3)
    np.testing.assert_array_equal(a.clusters, b.clusters)
    assert a.table.sum() == 30 * x.shape[1]
    assert a.majority_share <= a.purity <= 1.0


def test_study_figures_show_every_seed():
    study = SimpleNamespace(
        regimes=((20, 0.5), (50, 0.0)),
        losses=np.random.default_rng(0).random((2, 5, 4)),
    )
    fig = plots.plot_regime_losses(study)
    containers = fig.axes[0].containers  # one errorbar per regime: median and min-max
    assert len(containers) == 2 and _drawn(fig)
    purity = SimpleNamespace(
        k=8,
        trained=np.array([0.95, 0.97, 0.99]),
        untrained=np.array([0.6, 0.65, 0.7]),
        majority_share=np.array([0.5, 0.5, 0.5]),
    )
    fig = plots.plot_purity_pairs(purity)
    assert len(fig.axes[0].lines) == 3 + 1  # one line per seed, and the floor
    assert _drawn(fig)
    assert plots.regime_name((20, 0.5)) == "short, planted"
    assert plots.regime_name((50, 0.0)) == "long, as drawn"


def test_static_figure_shows_machine_and_rnn(rnn):
    assert len(motif_figure("TTACGA").axes) == 1
    fig = motif_figure("TTACGA", rnn)
    assert len(fig.axes) == 3  # machine, RNN heatmap, and the RNN's answer on a twin axis
    assert _drawn(fig)


def test_trace_follows_the_machine(rnn):
    trace = motif_trace("ttacga", rnn)
    assert trace["sequence"] == "TTACGA"
    assert trace["machine"].tolist() == [0, 0, 1, 2, 3, 3]
    assert trace["hidden"].shape == (6, 8) and trace["probability"].shape == (6,)


def test_explorer_redraws_when_a_sequence_is_typed(rnn):
    explorer = motif_explorer(rnn, sequence="TTTT")
    assert "never reaches" in explorer.status.value
    first_image = bytes(explorer.image.value)
    explorer.controls["sequence"].value = "GGACGT"  # what typing does: the Text widget changes
    assert explorer.error is None
    assert "bound</b> at position 4" in explorer.status.value
    image = bytes(explorer.image.value)
    assert image.startswith(PNG_MAGIC) and image != first_image


def test_explorer_shows_a_clear_error_for_a_bad_letter(rnn):
    explorer = motif_explorer(rnn, sequence="ACGT")
    good_image = bytes(explorer.image.value)
    explorer.controls["sequence"].value = "ACGX"
    assert "unknown dna letter 'X' at position 3" in explorer.error
    assert "position 3" in explorer.status.value and "&#9888;" in explorer.status.value
    assert bytes(explorer.image.value) == good_image  # the last good picture stays
    explorer.controls["sequence"].value = "ACG"  # and the explorer recovers
    assert explorer.error is None


def test_explorer_explains_empty_and_too_long_input():
    explorer = motif_explorer()
    explorer.controls["sequence"].value = ""
    assert "empty" in explorer.error
    explorer.controls["sequence"].value = "A" * (MAX_BASES + 1)
    assert f"at most {MAX_BASES}" in explorer.error
