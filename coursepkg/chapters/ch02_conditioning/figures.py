"""Chapter 2's figures: held-out error step by step over seeds, and predicted trajectories.

They follow :mod:`coursepkg.viz.figures`; each view of ``h_0`` keeps its colour from
:data:`coursepkg.viz.palette.INITIAL_STATES` in every figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coursepkg.chapters.ch02_conditioning.experiments import LABELS, ConditioningResult
from coursepkg.viz.figures import axes_or_new, new_figure, plot_spread
from coursepkg.viz.palette import INITIAL_STATES, REFERENCE


def first_of_type(result: ConditioningResult, cell_type: int, which: int = 0, seed: int = 0) -> int:
    """Index of the ``which``-th held-out trajectory of ``cell_type`` in seed number ``seed``."""
    data = result.tests[seed]
    found = np.flatnonzero(data.cell_type.numpy() == cell_type)
    if which >= len(found):
        raise ValueError(f"there are {len(found)} held-out cells of type {cell_type}")
    return int(found[which])


def plot_cell(
    result: ConditioningResult,
    index: int,
    gene: int = 0,
    seed: int = 0,
    *,
    ax: Axes | None = None,
) -> Figure:
    """One held-out trajectory of seed number ``seed``: truth, measurements, every view's
    next-step predictions."""
    if not 0 <= seed < len(result.seeds):
        raise ValueError(f"seed number must be in 0..{len(result.seeds) - 1}, got {seed}")
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.5))
    data = result.tests[seed]
    T = data.x.shape[1]
    ax.plot(
        range(T), data.truth[index, :, gene], "-", lw=2, color=REFERENCE["truth"], label="truth"
    )
    ax.plot(range(T), data.x[index, :, gene], ".", color=REFERENCE["measured"], label="measured")
    for v, view in enumerate(result.views):
        predicted = result.predictions[seed, v, index, :, gene]
        ax.plot(range(1, T), predicted, "o--", ms=3, color=INITIAL_STATES[view], label=LABELS[view])
    ax.set_xlabel("time point")
    ax.set_ylabel(f"expression of gene {gene}")
    return fig


def plot_trajectories(result: ConditioningResult, gene: int = 0, seed: int = 0) -> Figure:
    """One panel per cell type: its first held-out cell in seed number ``seed``'s world."""
    types = sorted(set(result.tests[seed].cell_type.tolist()))
    fig, axes = new_figure(1, len(types), figsize=(3.2 * len(types), 3.2), sharey=True)
    for ax, k in zip(axes[0], types, strict=True):
        plot_cell(result, first_of_type(result, k, seed=seed), gene, seed, ax=ax)
        ax.set_title(f"cell type {k}")
    for ax in axes[0, 1:]:
        ax.set_ylabel("")
    axes[0, -1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_step_errors(result: ConditioningResult, *, ax: Axes | None = None) -> Figure:
    """Held-out squared error of each view at every step: median and min-max over seeds."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.8))
    steps = np.arange(1, result.errors.shape[2] + 1)
    for v, view in enumerate(result.views):
        per_step = result.errors[:, v, :].T  # (T-1, S): every seed's value at each step
        plot_spread(ax, steps, per_step, colour=INITIAL_STATES[view], label=LABELS[view])
    ax.set_xlabel("predicted time point")
    ax.set_ylabel("MSE against the truth")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
