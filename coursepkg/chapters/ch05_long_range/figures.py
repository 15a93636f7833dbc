"""Chapter 5's figures: accuracy against distance, the 50 kb comparison seed by seed, wall
time against length, and the structure of the hierarchical and dilated models.

They follow :mod:`coursepkg.viz.figures`; models take their colours from
:data:`coursepkg.viz.palette.MODELS` (the flat 50 kb model is a GRU reader), chance from
``REFERENCE``; a number over seeds is drawn with its spread.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coursepkg.viz.figures import axes_or_new, plot_spread
from coursepkg.viz.palette import MODELS, REFERENCE

SHORT_COLOURS = {
    "vanilla RNN": MODELS["rnn"],
    "LSTM": MODELS["lstm"],
    "hierarchical RNN": MODELS["hierarchical"],
    "dilated RNN": MODELS["dilated"],
}
TIMING_COLOURS = {"flat": MODELS["gru"], "hierarchical": MODELS["hierarchical"]}
TIMING_COLOURS["dilated"] = MODELS["dilated"]


def _chance(ax: Axes) -> None:
    ax.axhline(0.5, color=REFERENCE["chance"], linestyle=":", label="chance")


def plot_accuracy_by_distance(result, *, ax: Axes | None = None) -> Figure:
    """Held-out accuracy of every model against the distance, median and min-max."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.8))
    markers = dict(zip(SHORT_COLOURS, "osD^", strict=True))
    for name, colour in SHORT_COLOURS.items():
        values = [result.at(name, d) for d in result.distances]
        plot_spread(ax, result.distances, values, colour=colour, label=name, marker=markers[name])
    _chance(ax)
    ax.set_xlabel("distance from the site to the prediction point (bases)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0.4, 1.03)
    ax.set_xticks(result.distances)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("the distal-enhancer task at chapter 3's distances")
    return fig


def plot_genome_scale(result, *, ax: Axes | None = None) -> Figure:
    """Held-out accuracy at 50 kb, one line per seed from the flat model to the
    hierarchical one (paired: the same seed's sequences)."""
    fig, ax = axes_or_new(ax, figsize=(4.5, 3.8))
    flat, hier = result.at_50kb("flat"), result.at_50kb("hierarchical")
    for f, h in zip(flat, hier, strict=True):  # the seeds are in the table beside it
        ax.plot([0, 1], [f, h], color=REFERENCE["measured"], linewidth=0.8, zorder=1)
    ax.scatter(np.zeros_like(flat), flat, color=MODELS["gru"], label="flat GRU reader", zorder=2)
    ax.scatter(
        np.ones_like(hier), hier, color=MODELS["hierarchical"], label="hierarchical", zorder=2
    )
    _chance(ax)
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["flat", "hierarchical"])
    ax.set_xlim(-0.4, 1.6)
    ax.set_ylim(0.4, 1.03)
    ax.set_ylabel("held-out accuracy at 50 kb")
    ax.legend(fontsize=7, loc="center left")
    ax.set_title("50,000 bp, enhancer 20-45 kb upstream")
    return fig


def plot_timing(rows: list[dict], *, ax: Axes | None = None) -> Figure:
    """Forward-pass CPU time against sequence length, one line per model (log-log)."""
    fig, ax = axes_or_new(ax, figsize=(5.5, 3.6))
    for name, colour in TIMING_COLOURS.items():
        mine = [r for r in rows if r["model"] == name]
        ax.plot(
            [r["length (bases)"] for r in mine],
            [r["forward, CPU s"] for r in mine],
            marker="o",
            color=colour,
            label=name,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sequence length (bases)")
    ax.set_ylabel("one forward pass, CPU s (1 thread)")
    ax.legend(fontsize=8)
    ax.set_title("time to read a batch of sequences")
    return fig


def _arc(ax: Axes, a: float, b: float, y: float, height: float, colour: str) -> None:
    """A link from position ``a`` to ``b`` drawn as an arch over row ``y``."""
    xs = np.linspace(a, b, 12)
    ax.plot(xs, y + height * np.sin(np.pi * (xs - a) / (b - a)), color=colour, linewidth=0.8)


def plot_structure(
    length: int,
    window: int,
    dilations: tuple[int, ...],
    paths: dict[str, float] | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """The links a hierarchical and a dilated RNN make over ``length`` positions.

    Bottom: positions cut into windows of ``window``; each window's last position feeds the
    high RNN (arrows along the top of the band). Above: one row per dilated layer, with the
    links of that layer's recurrence that end at the last position (``L-1``, ``L-1-d``,
    ``L-1-2d``, ...). ``paths`` (measured path lengths) go into the title.
    """
    if length < 2 or length > 512:
        raise ValueError(f"length must be between 2 and 512 to be drawn, got {length}")
    if window < 1 or length % window:
        raise ValueError(f"the window ({window}) must divide the length ({length})")
    if not dilations or min(dilations) < 1:
        raise ValueError(f"dilations must be positive integers, got {dilations}")
    fig, ax = axes_or_new(ax, figsize=(9, 1.2 + 0.5 * len(dilations)))
    pos = np.arange(length)
    # the hierarchy: windows as bands, summaries linked along the top
    for start in range(0, length, window):
        ax.axvspan(
            start - 0.5,
            start + window - 0.5,
            ymin=0,
            ymax=0.12,
            color=MODELS["hierarchical"],
            alpha=0.15 if (start // window) % 2 else 0.3,
        )
    ends = np.arange(window - 1, length, window)
    ax.scatter(
        ends,
        np.zeros(len(ends)),
        marker="s",
        s=16,
        color=MODELS["hierarchical"],
        zorder=4,
        label=f"hierarchical: windows of {window}, high RNN over their ends",
    )
    for a in ends[:-1]:
        _arc(ax, a, a + window, 0, 0.35, MODELS["hierarchical"])
    ax.scatter(pos, np.zeros(length), s=4, color=REFERENCE["measured"], zorder=3)
    # the dilated layers
    last = length - 1
    for k, d in enumerate(dilations, start=1):
        chain = np.arange(last, -1, -d)[::-1]
        ax.scatter(pos, np.full(length, k), s=4, color=REFERENCE["measured"], zorder=3)
        ax.scatter(chain, np.full(len(chain), k), s=9, color=MODELS["dilated"], zorder=4)
        for a in chain[:-1]:
            _arc(ax, a, a + d, k, 0.4 * min(1.0, d / 8) + 0.1, MODELS["dilated"])
        ax.text(length + 0.5, k, f"d = {d}", fontsize=7, va="center")
    ax.scatter(
        [],
        [],
        s=9,
        color=MODELS["dilated"],
        label="dilated: each layer's links into the last position",
    )
    ax.set_yticks([0, *range(1, len(dilations) + 1)])
    ax.set_yticklabels(["bases", *[f"layer {k}" for k in range(1, len(dilations) + 1)]], fontsize=7)
    ax.set_xlabel("position")
    ax.set_xlim(-1, length + 6)
    ax.set_ylim(-0.8, len(dilations) + 0.8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, -0.25), ncol=2)
    title = f"L = {length}"
    if paths:
        title += ": measured path lengths " + ", ".join(f"{k} {v:.0f}" for k, v in paths.items())
    ax.set_title(title, fontsize=9)
    return fig
