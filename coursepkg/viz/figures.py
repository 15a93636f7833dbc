"""The figure convention of the course, and the figures more than one chapter draws.

Every plotting function, here and in a chapter's ``figures.py``:

* is called ``plot_<what>(data..., *, ax=None, ...)`` and returns a matplotlib ``Figure``;
* draws into ``ax`` when one is given (so figures can be composed) and otherwise makes its
  own figure with :func:`new_figure`;
* takes its colours from :mod:`coursepkg.viz.palette`, labels every axis, and shows the
  spread over seeds (:func:`plot_spread`) wherever it plots a trained model's number.

:func:`new_figure` closes the figure in pyplot before returning it, so a notebook cell that
ends with a plotting call shows the figure exactly once, as the cell's value, and nothing
piles up in pyplot's memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs) -> tuple[Figure, np.ndarray]:
    """A new figure and its axes as a ``(nrows, ncols)`` array, closed in pyplot."""
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, **kwargs)
    plt.close(fig)
    return fig, axes


def axes_or_new(ax: Axes | None, **kwargs) -> tuple[Figure, Axes]:
    """``(ax.figure, ax)`` when an Axes is given, else a new one-panel figure."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = new_figure(**kwargs)
    return fig, axes[0, 0]


def plot_spread(
    ax: Axes,
    x: Sequence[float],
    values: Sequence[Sequence[float]],
    *,
    colour: str,
    label: str,
    marker: str = "o",
    linestyle: str = "-",
) -> None:
    """A trained model's number over seeds: the median as a line, min-max as error bars.

    ``values[i]`` holds every seed's value at ``x[i]``.
    """
    x = np.asarray(x, dtype=float)
    per_x = [np.asarray(v, dtype=float) for v in values]
    median = np.array([np.median(v) for v in per_x])
    low = median - np.array([v.min() for v in per_x])
    high = np.array([v.max() for v in per_x]) - median
    ax.errorbar(
        x,
        median,
        yerr=[low, high],
        color=colour,
        marker=marker,
        linestyle=linestyle,
        capsize=3,
        label=f"{label} (median, min\u2013max over {min(len(v) for v in per_x)} seeds)",
    )


def plot_hidden_states(
    states: np.ndarray,
    sequence: str,
    *,
    title: str = "hidden state",
    unit_labels: Sequence[str] | None = None,
    vmin: float = -1.0,
    vmax: float = 1.0,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of hidden states over positions, the bases under their columns.

    Parameters
    ----------
    states : array-like, shape ``(L, H)``
        ``states[t]`` is ``h_t``, the state after reading base ``t``.
    sequence : str
        The ``L`` bases, shown under their columns.
    unit_labels : optional, ``H`` names for the rows.
    vmin, vmax : colour range; ``(-1, 1)`` suits tanh units, ``(0, 1)`` threshold units
        (drawn white to black).
    """
    states = np.asarray(states, dtype=float)
    if states.ndim != 2 or states.shape[0] != len(sequence):
        raise ValueError(
            f"states must be (L, H) with L = len(sequence) = {len(sequence)}, got {states.shape}"
        )
    L, H = states.shape
    fig, ax = axes_or_new(ax, figsize=(max(4.0, 0.3 * L + 2), 0.35 * H + 1.6))
    cmap = "Greys" if vmin >= 0 else "RdBu_r"
    image = ax.imshow(states.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_yticks(range(H))
    ax.set_yticklabels(unit_labels if unit_labels is not None else [f"unit {i}" for i in range(H)])
    letter_axis(ax, sequence)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="activation")
    fig.tight_layout()
    return fig


def letter_axis(ax: Axes, sequence: str) -> None:
    """Label the x axis with the bases of ``sequence``, one tick per position."""
    ax.set_xticks(range(len(sequence)))
    ax.set_xticklabels(list(sequence), fontfamily="monospace")
    ax.set_xlabel("position (base read at that step)")


def plot_losses(
    histories: Mapping[str, object],
    *,
    ylabel: str = "training loss (cross-entropy)",
    colours: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Training loss per epoch for one or more runs; values are ``train.History`` objects."""
    fig, ax = axes_or_new(ax, figsize=(5.5, 3.2))
    for label, history in histories.items():
        losses = history.train_loss
        colour = None if colours is None else colours.get(label)
        ax.plot(range(1, len(losses) + 1), losses, marker="o", ms=3, label=label, color=colour)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def pca(data: np.ndarray, n_components: int = 2) -> np.ndarray:
    """Project ``(N, H)`` onto its first principal components: ``(N, n_components)``."""
    data = np.asarray(data, dtype=float)
    centred = data - data.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:n_components].T


def plot_pca_by_label(
    panels: Mapping[str, tuple[np.ndarray, np.ndarray]],
    label_names: Sequence[str],
    label_colours: Sequence[str],
    *,
    max_points: int = 4000,
    seed: int = 0,
) -> Figure:
    """Vectors (e.g. hidden states) on their first two principal components, coloured by label.

    Parameters
    ----------
    panels : mapping title -> ``(vectors (N, H), labels (N,) ints)``
        One scatter per entry, e.g. a trained and an untrained network.
    label_names, label_colours : the name and colour of each label id.
    max_points : at most this many points are drawn per panel (a seeded random subset, in
        random order so that no label hides another).
    """
    fig, axes = new_figure(1, len(panels), figsize=(4.6 * len(panels), 4.0))
    rng = np.random.default_rng(seed)
    for ax, (title, (vectors, labels)) in zip(axes[0], panels.items(), strict=True):
        labels = np.asarray(labels)
        keep = rng.permutation(len(labels))[:max_points]
        xy = pca(vectors)[keep]
        ax.scatter(*xy.T, s=6, alpha=0.5, c=[label_colours[s] for s in labels[keep]])
        for s, name in enumerate(label_names):  # legend entries only
            ax.scatter([], [], s=6, color=label_colours[s], label=name)
        ax.set_title(title)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    axes[0, -1].legend(markerscale=3, fontsize=8, loc="best")
    fig.tight_layout()
    return fig
