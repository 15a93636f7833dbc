"""Chapter 7's explorer: one held-out sequence and, base by base, the unit that tracks a
feature best.

:func:`draw_unit` is the static figure (the book shows it with the defaults);
:func:`unit_explorer` puts it behind a slider (which sequence) and two menus (which
feature's best unit; trained or untrained network).
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from coursepkg.chapters.ch07_hidden_state_learns.experiments import (
    FEATURE_CLASS,
    FEATURE_LABELS,
    NETWORKS,
)
from coursepkg.chapters.ch07_hidden_state_learns.figures import (
    NETWORK_COLOURS,
    _element_legend,
    draw_elements,
)
from coursepkg.data.regulatory import features, tata_position
from coursepkg.sequences import onehot
from coursepkg.viz.explorer import Explorer
from coursepkg.viz.figures import new_figure
from coursepkg.viz.palette import REFERENCE, REGULATORY


def _check(run, index: int, feature: str, network: str) -> None:
    if not isinstance(index, int | np.integer) or not 0 <= index < len(run.test_sequences):
        raise ValueError(
            f"index must be a held-out sequence, 0 .. {len(run.test_sequences) - 1}; got {index!r}"
        )
    if feature not in FEATURE_CLASS:
        raise ValueError(f"feature must be one of {sorted(FEATURE_CLASS)}, got {feature!r}")
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {NETWORKS}, got {network!r}")


@torch.no_grad()
def unit_trace(run, index: int, feature: str, network: str = "trained"):
    """``(unit, activity (L,), P(promoter))``: the best unit for ``feature`` of the chosen
    network, its activity at every position of held-out sequence ``index``, and the
    network's probability that the sequence is a promoter."""
    _check(run, index, feature, network)
    net = run.model if network == "trained" else run.untrained
    x = onehot(run.test_sequences[index])[None]
    unit = run.best_unit(feature, network)
    activity = net.states(x)[0, :, unit].numpy()
    return unit, activity, float(torch.sigmoid(net(x))[0])


def draw_unit(
    run, index: int = 0, feature: str = "motif_count", network: str = "trained"
) -> Figure:
    """The sequence's elements above the chosen unit's activity, base by base."""
    unit, activity, _ = unit_trace(run, index, feature, network)
    seq = run.test_sequences[index]
    fig, axes = new_figure(2, 1, figsize=(9, 4), sharex=True, height_ratios=(1, 2.5))
    top, bottom = axes[:, 0]
    draw_elements(top, seq, 0)
    top.axvline(tata_position(len(seq)), color=REGULATORY["TATA"], ls=":", lw=1)
    top.set_yticks([])
    top.set_ylim(-0.6, 0.6)
    kind = "promoter" if run.test_labels[index] else "enhancer"
    top.set_title(f"held-out sequence {index}: {kind}", color=REGULATORY[kind])
    _element_legend(top)
    bottom.plot(np.arange(len(seq)) + 0.5, activity, color=NETWORK_COLOURS[network])
    bottom.axhline(
        activity.mean(),
        color=REFERENCE["bound"],
        ls="--",
        lw=1,
        label="mean (what the classifier reads)",
    )
    half = "forward" if unit < run.model.hidden_size else "backward"
    bottom.set_ylabel(f"unit {unit} ({half} half)")
    bottom.set_xlabel("position (bases)")
    bottom.set_xlim(0, len(seq))
    bottom.set_title(f"{network} network: the unit that best tracks {FEATURE_LABELS[feature]}")
    bottom.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def summary_line(run, index: int, feature: str, network: str) -> str:
    """One line: the sequence's features and the network's verdict."""
    _, activity, p = unit_trace(run, index, feature, network)
    f = features([run.test_sequences[index]])
    return (
        f"motifs {int(f['motif_count'][0])}, TATA boxes {int(f['tata_count'][0])}, "
        f"CpG per base {f['cpg_density'][0]:.3f}; {network} network: P(promoter) = {p:.2f}, "
        f"unit mean {activity.mean():+.3f}"
    )


def unit_explorer(run) -> Explorer:
    """The explorer: sequence slider, feature and network menus."""
    import ipywidgets as widgets

    controls = {
        "index": widgets.IntSlider(
            value=0, min=0, max=len(run.test_sequences) - 1, description="sequence"
        ),
        "feature": widgets.Dropdown(
            options=[(FEATURE_LABELS[f], f) for f in FEATURE_CLASS],
            value="motif_count",
            description="feature",
        ),
        "network": widgets.ToggleButtons(options=list(NETWORKS), value="trained"),
    }
    return Explorer(
        lambda index, feature, network: draw_unit(run, index, feature, network),
        controls,
        summary=lambda index, feature, network: summary_line(run, index, feature, network),
    )
