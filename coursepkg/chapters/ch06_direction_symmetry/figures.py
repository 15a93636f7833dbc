"""Chapter 6's figures: reversed input, what each direction has read, strands, circles.

They follow :mod:`coursepkg.viz.figures`; colours come from the palettes
:data:`~coursepkg.viz.palette.DIRECTIONS`, :data:`~coursepkg.viz.palette.STRAND_TRAINING`,
:data:`~coursepkg.viz.palette.CIRCULAR_METHODS` and :data:`~coursepkg.viz.palette.STRANDS`.
Every trained model's number is drawn as its median over seeds with min-max bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from coursepkg.viz.figures import axes_or_new, letter_axis, new_figure
from coursepkg.viz.palette import (
    CIRCULAR_METHODS,
    DIRECTIONS,
    REFERENCE,
    STRAND_TRAINING,
    STRANDS,
)


def _median_bar(ax: Axes, x: float, values: Sequence[float], colour: str, label: str | None):
    """A bar at the median of ``values`` with a min-max error bar."""
    values = np.asarray(values, dtype=float)
    median = float(np.median(values))
    ax.bar(x, median, width=0.38, color=colour, label=label)
    ax.errorbar(
        x,
        median,
        yerr=[[median - values.min()], [values.max() - median]],
        color="black",
        capsize=3,
        lw=1,
    )


def plot_reversal(
    runs: Mapping[str, Sequence], task_names: Mapping[str, str], *, ax=None
) -> Figure:
    """Held-out accuracy of forward LSTMs on input as given and reversed, per task.

    ``runs[task]`` is a list of ``ReversalRun`` (one per seed); the dotted tick is the share
    of the commonest class.
    """
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.6))
    for i, rs in enumerate(runs.values()):
        first = i == 0
        _median_bar(
            ax,
            i - 0.2,
            [r.forward_accuracy for r in rs],
            DIRECTIONS["forward"],
            "input as given (5'→3')" if first else None,
        )
        _median_bar(
            ax,
            i + 0.2,
            [r.reversed_accuracy for r in rs],
            DIRECTIONS["backward"],
            "input reversed" if first else None,
        )
        ax.hlines(
            rs[0].chance,
            i - 0.45,
            i + 0.45,
            colors=REFERENCE["chance"],
            linestyles=":",
            label="commonest class" if first else None,
        )
    ax.set_xticks(range(len(runs)))
    ax.set_xticklabels([task_names[t] for t in runs], fontsize=9)
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"A forward LSTM read backwards (median, min–max over {len(rs)} seeds)")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_alignment(alignment) -> Figure:
    """Which bases each half of a bidirectional LSTM's state has read, at every position.

    ``alignment.forward[t, s]`` (and ``backward``) is True when the state at position t
    depends on base s, as measured by autograd.
    """
    sequence = alignment.sequence
    L = len(sequence)
    fig, axes = new_figure(1, 2, figsize=(10, 4.6), sharey=True)
    panels = (
        ("forward", alignment.forward, "forward half: has read $x_0 .. x_t$"),
        ("backward", alignment.backward, "backward half: has read $x_t .. x_{L-1}$"),
    )
    for ax, (key, read, title) in zip(axes[0], panels, strict=True):
        cmap = ListedColormap(["#ffffff", DIRECTIONS[key]])
        ax.imshow(read.astype(float), cmap=cmap, vmin=0, vmax=1, aspect="equal")
        ax.set_xticks(np.arange(-0.5, L), minor=True)
        ax.set_yticks(np.arange(-0.5, L), minor=True)
        ax.grid(which="minor", color="#dddddd", lw=0.5)
        ax.tick_params(which="minor", length=0)
        letter_axis(ax, sequence)
        ax.set_xlabel("base s of the sequence")
        ax.set_title(title, fontsize=10)
    axes[0, 0].set_yticks(range(L))
    axes[0, 0].set_yticklabels([f"t = {t}" for t in range(L)], fontsize=7)
    axes[0, 0].set_ylabel("state at position t")
    fig.suptitle("Coloured: the state at t depends on base s (measured with autograd)")
    fig.tight_layout()
    return fig


def plot_direction_accuracy(runs: Sequence, labels: Mapping[str, str], *, ax=None) -> Figure:
    """Per-base accuracy of the forward, backward and bidirectional LSTMs on the site task."""
    fig, ax = axes_or_new(ax, figsize=(5.5, 3.4))
    for i, key in enumerate(labels):
        _median_bar(ax, i, [r.accuracy[key] for r in runs], DIRECTIONS[key], None)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(list(labels.values()))
    lows = [min(r.accuracy[k] for r in runs) for k in labels]
    ax.set_ylim(max(0.0, min(lows) - 0.1), 1.0)
    ax.set_ylabel("per-base accuracy (held out)")
    ax.set_title(f"Labelling the bases of a site (median, min–max over {len(runs)} seeds)")
    fig.tight_layout()
    return fig


def plot_site_example(run, labels: Mapping[str, str]) -> Figure:
    """One held-out sequence: the bases inside a site shaded, and each direction's
    probability that a base is inside one."""
    sequence = run.example
    L = len(sequence)
    fig, ax = axes_or_new(None, figsize=(max(6.0, 0.22 * L + 1.5), 3.2))
    inside = np.asarray(run.example_labels, dtype=bool)
    for t in np.flatnonzero(inside):
        ax.axvspan(t - 0.5, t + 0.5, color="#eeeeee", lw=0)
    for key, label in labels.items():
        ax.plot(
            range(L), run.example_probability[key], "o-", ms=3, color=DIRECTIONS[key], label=label
        )
    ax.axhline(0.5, color=REFERENCE["chance"], ls=":", lw=1)
    letter_axis(ax, sequence)
    ax.set_ylabel("P(base is in a site)")
    ax.set_ylim(-0.05, 1.3)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_title("One held-out sequence (grey: bases of TATAAT sites)")
    ax.legend(fontsize=8, loc="upper center", ncol=3, frameon=False)
    fig.tight_layout()
    return fig


def plot_strands(runs: Sequence, labels: Mapping[str, str]) -> Figure:
    """Disagreement between strands and accuracy, for each way of training."""
    fig, axes = new_figure(1, 2, figsize=(10, 3.6))
    for ax, what, ylabel in (
        (axes[0, 0], "disagreement", "share of site bases whose label\nchanges with the strand"),
        (axes[0, 1], "accuracy", "per-base accuracy, sites on either strand"),
    ):
        for i, key in enumerate(labels):
            _median_bar(ax, i, [getattr(r, what)[key] for r in runs], STRAND_TRAINING[key], None)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels([label.replace(" (", "\n(") for label in labels.values()], fontsize=8)
        ax.set_ylabel(ylabel)
    axes[0, 1].set_ylim(0.8, 1.0)
    fig.suptitle(f"Trained on sites from one strand (median, min–max over {len(runs)} seeds)")
    fig.tight_layout()
    return fig


def plot_accuracy_from_cut(
    runs: Sequence, labels: Mapping[str, str], near: int, *, ax=None
) -> Figure:
    """Per-base accuracy against the distance from the cut, for each circular method: the
    median over seeds as a line, min-max as a band."""
    fig, ax = axes_or_new(ax, figsize=(7, 3.6))
    for key, label in labels.items():
        curves = np.stack([r.scores[key].by_position for r in runs])  # (seeds, L)
        x = np.arange(curves.shape[1])
        colour = CIRCULAR_METHODS[key]
        ax.fill_between(x, curves.min(0), curves.max(0), color=colour, alpha=0.25, lw=0)
        ax.plot(x, np.median(curves, axis=0), color=colour, label=label)
    ax.axvspan(-0.5, near - 0.5, color="#f2f2f2", zorder=0, label=f"first {near} bases")
    ax.set_xlabel("position in the opened circle (0 = first base after the cut)")
    ax.set_ylabel("per-base accuracy (held out)")
    ax.set_title(f"Simulated circles (median and min–max over {len(runs)} seeds)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_genome_ring(
    circle,
    tracks: Mapping[str, np.ndarray],
    *,
    cut: int | None = None,
    track_colours: Mapping[str, str] | None = None,
    ax=None,
) -> Figure:
    """A circular genome: its genes as arcs (outside), and inside them rings for the true
    labels and each model's predicted probability (from the centre outwards, in that order),
    base 0 of the record at the top, clockwise.

    Parameters
    ----------
    circle : ``coursepkg.data.circular.Circle``
    tracks : mapping name -> ``(L,)`` probabilities in the record's coordinates
    cut : optional base where the genome was opened for the predictions (a red spoke)
    """
    L = len(circle)
    if ax is None:
        fig, axes = new_figure(1, 1, figsize=(6.2, 6.2), subplot_kw={"projection": "polar"})
        ax = axes[0, 0]
    fig = ax.figure
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    theta = 2 * np.pi * np.arange(L + 1) / L  # polar axes now run clockwise from the top
    rings = {"GC-rich (truth)": circle.labels, **tracks}
    inner = 1.0
    for i, (name, values) in enumerate(rings.items()):
        r0 = inner + i * 0.32
        values = np.asarray(values, dtype=float)
        ax.pcolormesh(
            theta,
            [r0, r0 + 0.26],
            values[None, :],
            cmap="Greys" if i == 0 else _cmap(track_colours, name),
            vmin=0,
            vmax=1,
            shading="flat",
        )
    outer = inner + len(rings) * 0.32 + 0.1
    ax.text(
        0.5,
        0.5,
        "rings, centre outwards:\n" + "\n".join(rings),
        transform=ax.transAxes,
        fontsize=7,
        ha="center",
        va="center",
    )
    for gene in circle.genes:
        colour = STRANDS["+" if gene.strand >= 0 else "-"]
        for start, end in gene.parts:
            arc = 2 * np.pi * np.arange(start, end + 1) / L
            ax.plot(arc, np.full_like(arc, outer), color=colour, lw=5, solid_capstyle="butt")
        start, end = gene.parts[0][0], gene.parts[-1][1]
        middle = (start + ((end - start) % L) / 2) % L
        ax.text(
            2 * np.pi * middle / L, outer + 0.3, gene.name, fontsize=7, ha="center", va="center"
        )
    ax.plot([0, 0], [inner - 0.05, outer + 0.5], color="black", lw=1)
    if cut is not None:
        spoke = [inner - 0.05, outer + 0.5]
        ax.plot([2 * np.pi * cut / L] * 2, spoke, color="#cf222e", lw=1.5, ls="--")
    for colour, strand in ((STRANDS["+"], "+ strand"), (STRANDS["-"], "− strand")):
        ax.plot([], [], color=colour, lw=5, label=f"gene on the {strand}")
    ax.set_ylim(0, outer + 0.6)
    ax.set_xticks(2 * np.pi * np.arange(0, L, 1000) / L)
    ax.set_xticklabels(["origin"] + [f"{k:,}" for k in range(1000, L, 1000)], fontsize=7)
    ax.set_yticks([])
    ax.grid(False)
    ax.spines["polar"].set_visible(False)
    ax.set_title(f"{circle.name} ({circle.accession}, {L:,} bp)", fontsize=10)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(-0.1, -0.1))
    return fig


def _cmap(colours: Mapping[str, str] | None, name: str):
    from matplotlib.colors import LinearSegmentedColormap

    colour = (colours or {}).get(name, "#000000")
    return LinearSegmentedColormap.from_list(f"white-{name}", ["#ffffff", colour])


def plot_cut_zoom(
    truth: np.ndarray,
    tracks: Mapping[str, np.ndarray],
    *,
    width: int = 60,
    track_colours: Mapping[str, str] | None = None,
    ax=None,
) -> Figure:
    """The bases on both sides of the cut: the last ``width`` bases of the opened genome,
    then its first ``width``, with the truth shaded and each track's probability.

    ``truth`` and ``tracks`` are in the opened genome's order (base 0 just after the cut).
    """
    fig, ax = axes_or_new(ax, figsize=(7, 3))
    L = len(truth)
    order = np.r_[np.arange(L - width, L), np.arange(width)]
    x = np.arange(-width, width)
    for t, value in zip(x, np.asarray(truth)[order], strict=True):
        if value:
            ax.axvspan(t - 0.5, t + 0.5, color="#e6e6e6", lw=0)
    for name, values in tracks.items():
        colour = (track_colours or {}).get(name)
        ax.plot(x, np.asarray(values)[order], color=colour, lw=1.8, label=name)
    ax.axvline(-0.5, color="#cf222e", ls="--", lw=1.5, label="cut")
    ax.axhline(0.5, color=REFERENCE["chance"], ls=":", lw=1)
    ax.set_xlabel("bases from the cut (negative: end of the opened genome)")
    ax.set_ylabel("P(GC-rich)")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("Around the cut (grey: GC-rich in truth)", fontsize=10)
    fig.tight_layout()
    return fig
