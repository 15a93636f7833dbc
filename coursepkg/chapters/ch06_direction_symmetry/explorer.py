"""Chapter 6's explorer: open a circular genome anywhere and watch the predictions.

Pick a genome and the base where it is cut open; the network trained in the chapter reads
the opened string by the linear baseline and by the two-pass method. The figure shows the
ring in the record's coordinates (the cut as a red spoke), the bases on both sides of the
cut, and the whole opened string, whose predictions slide along with the cut.
:func:`draw_genome` draws it; the book shows it for one cut beside the explorer.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from coursepkg.chapters.ch06_direction_symmetry.experiments import (
    GENOMES,
    METHOD_LABELS,
    genome_model,
)
from coursepkg.chapters.ch06_direction_symmetry.figures import plot_cut_zoom, plot_genome_ring
from coursepkg.data.circular import Circle, cut_at, real_circle
from coursepkg.sequences import onehot
from coursepkg.train import torch_threads
from coursepkg.viz.explorer import Explorer
from coursepkg.viz.figures import new_figure
from coursepkg.viz.palette import CIRCULAR_METHODS

SHOWN = ("linear", "two_pass")
"""The methods the explorer compares."""


@lru_cache(maxsize=4)
def _circle(name: str) -> Circle:
    return real_circle(name)


@torch_threads(1)
def opened_predictions(state: dict, genome: str, cut: int) -> dict:
    """The genome opened at base ``cut`` and each method's probabilities on it.

    Returns a dict with ``circle``, ``cut``, ``truth`` (labels of the opened string) and
    ``opened`` / ``record``: ``{method: (L,) probabilities}`` in the opened string's order
    and in the record's order.

    Runs torch on one thread: this small network over a few thousand bases is many times
    slower on several threads when other processes share the cores.

    Raises
    ------
    ValueError
        For an unknown genome or a cut outside ``0 .. L-1``.
    TypeError
        When ``cut`` is not an integer.
    """
    if genome not in GENOMES:
        raise ValueError(f"genome must be one of {GENOMES}, got {genome!r}")
    if isinstance(cut, bool) or not isinstance(cut, (int, np.integer)):
        raise TypeError(f"cut must be an integer base position, got {type(cut).__name__}")
    circle = _circle(genome)
    L = len(circle)
    if not 0 <= cut < L:
        raise ValueError(f"cut must be a base of {genome}: 0 to {L - 1}, got {cut}")
    sequence, truth = cut_at(circle.sequence, circle.labels, int(cut))
    x = onehot(sequence)[None]  # (1, L, 4)
    opened, record = {}, {}
    with torch.no_grad():
        for method in SHOWN:
            p = torch.sigmoid(genome_model(state, method)(x))[0].numpy()
            opened[method] = p
            record[method] = np.roll(p, int(cut))  # base i of the opened string is base i + cut
    return {"circle": circle, "cut": int(cut), "truth": truth, "opened": opened, "record": record}


def draw_genome(state: dict, genome: str = "phix174", cut: int = 2790) -> Figure:
    """The explorer's figure for one genome and cut: the static version for the book."""
    p = opened_predictions(state, genome, cut)
    circle, colours = p["circle"], {METHOD_LABELS[m]: CIRCULAR_METHODS[m] for m in SHOWN}
    fig, axes = new_figure(2, 2, figsize=(12, 8.5), height_ratios=[3, 1])
    ring_ax = fig.add_subplot(2, 2, 1, projection="polar")
    axes[0, 0].remove()
    plot_genome_ring(
        circle,
        {METHOD_LABELS[m]: p["record"][m] for m in SHOWN},
        cut=cut,
        track_colours=colours,
        ax=ring_ax,
    )
    plot_cut_zoom(
        p["truth"],
        {METHOD_LABELS[m]: p["opened"][m] for m in SHOWN},
        track_colours=colours,
        ax=axes[0, 1],
    )
    strip = axes[1, 0]
    gs = strip.get_subplotspec().get_gridspec()
    strip.remove()
    axes[1, 1].remove()
    strip = fig.add_subplot(gs[1, :])
    L = len(circle)
    strip.fill_between(
        np.arange(L), 0, p["truth"], step="mid", color="#dddddd", label="GC-rich (truth)"
    )
    method = SHOWN[-1]
    strip.plot(
        p["opened"][method], color=CIRCULAR_METHODS[method], lw=0.8, label=METHOD_LABELS[method]
    )
    strip.set_xlim(0, L)
    strip.set_ylim(0, 1.05)
    strip.set_xlabel(f"base of the opened string (it starts at base {cut:,} of the record)")
    strip.set_ylabel("P(GC-rich)")
    strip.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def genome_summary(state: dict, genome: str = "phix174", cut: int = 2790) -> str:
    """One line: how much each method's predictions changed by opening the genome here."""
    p = opened_predictions(state, genome, cut)
    reference = opened_predictions(state, genome, 0)["record"]
    changes = {m: float(np.abs(p["record"][m] - reference[m]).max()) for m in SHOWN}
    parts = ", ".join(f"{METHOD_LABELS[m]} {changes[m]:.3f}" for m in SHOWN)
    return (
        f"Opened at base {cut:,} of {genome}: largest change of any base's prediction "
        f"against the record's own origin: {parts}."
    )


def genome_explorer(state: dict, genome: str = "phix174", cut: int = 2790) -> Explorer:
    """A slider for the cut and a menu for the genome; ``state`` is the trained network's
    weights (``GenomeRun.state``)."""
    length = len(_circle(genome))
    slider = widgets.IntSlider(
        value=cut, min=0, max=length - 1, step=1, description="cut at", continuous_update=False
    )
    menu = widgets.Dropdown(options=list(GENOMES), value=genome, description="genome")

    def on_genome(change):
        slider.max = len(_circle(change["new"])) - 1

    menu.observe(on_genome, names="value")
    return Explorer(
        lambda genome, cut: draw_genome(state, genome, cut),
        {"genome": menu, "cut": slider},
        summary=lambda genome, cut: genome_summary(state, genome, cut),
    )
