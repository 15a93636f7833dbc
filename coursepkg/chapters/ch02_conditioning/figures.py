"""Chapter 2's figures: held-out error step by step, and predicted against true trajectories.

They follow :mod:`coursepkg.viz.figures`; each choice of ``h_0`` keeps its colour from
:data:`coursepkg.viz.palette.INITIAL_STATES` in every figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coursepkg.chapters.ch02_conditioning.experiments import LABELS, predicted_trajectory
from coursepkg.viz.figures import axes_or_new, new_figure
from coursepkg.viz.palette import INITIAL_STATES, REFERENCE


def first_of_type(data, cell_type: int, which: int = 0) -> int:
    """Index of the ``which``-th held-out trajectory of ``cell_type``."""
    found = np.flatnonzero(data.cell_type.numpy() == cell_type)
    if which >= len(found):
        raise ValueError(f"there are {len(found)} held-out cells of type {cell_type}")
    return int(found[which])


def plot_cell(runs: dict, data, index: int, gene: int = 0, *, ax: Axes | None = None) -> Figure:
    """One held-out trajectory: truth, measurements and every model's next-step predictions."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.5))
    T = data.x.shape[1]
    ax.plot(
        range(T), data.truth[index, :, gene], "-", lw=2, color=REFERENCE["truth"], label="truth"
    )
    ax.plot(range(T), data.x[index, :, gene], ".", color=REFERENCE["measured"], label="measured")
    for init, run in runs.items():
        pred = predicted_trajectory(run, data, index)[:, gene]
        ax.plot(range(1, T), pred, "o--", ms=3, color=INITIAL_STATES[init], label=LABELS[init])
    ax.set_xlabel("time point")
    ax.set_ylabel(f"expression of gene {gene}")
    return fig


def plot_trajectories(runs: dict, data, gene: int = 0) -> Figure:
    """One panel per cell type: its first held-out cell, as :func:`plot_cell` draws it."""
    types = sorted(set(data.cell_type.tolist()))
    fig, axes = new_figure(1, len(types), figsize=(3.2 * len(types), 3.2), sharey=True)
    for ax, k in zip(axes[0], types, strict=True):
        plot_cell(runs, data, first_of_type(data, k), gene, ax=ax)
        ax.set_title(f"cell type {k}")
    for ax in axes[0, 1:]:
        ax.set_ylabel("")
    axes[0, -1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_step_errors(runs: dict, *, ax: Axes | None = None) -> Figure:
    """Held-out squared error of each model at every step."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.5))
    for init, run in runs.items():
        steps = range(1, len(run.errors) + 1)
        ax.plot(steps, run.errors.numpy(), "o-", color=INITIAL_STATES[init], label=LABELS[init])
    ax.set_xlabel("predicted time point")
    ax.set_ylabel("MSE against the truth")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
