"""Chapter 3's figures: gradient norms through time, accuracy against distance, BPTT's reach.

They follow :mod:`coursepkg.viz.figures`; models take their colours from
:data:`coursepkg.viz.palette.MODELS`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coursepkg.viz.figures import axes_or_new
from coursepkg.viz.palette import MODELS, OKABE_ITO, REFERENCE

RADIUS_COLOURS = (OKABE_ITO["sky blue"], OKABE_ITO["black"], OKABE_ITO["vermillion"])
"""One colour per spectral radius (below, at, above one)."""


def plot_gradient_norms(results, *, ax: Axes | None = None) -> Figure:
    """``||dh_T/dh_t||`` against the step count ``k = T - t`` (log scale), one colour per
    radius, linear RNN dashed, tanh RNN solid."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 4))
    for i, r in enumerate(results):
        k = len(r.tanh_norms) - np.arange(len(r.tanh_norms))
        colour = RADIUS_COLOURS[i % len(RADIUS_COLOURS)]
        ax.semilogy(k, r.linear_norms, "--", color=colour, label=f"linear, rho = {r.radius:g}")
        ax.semilogy(k, r.tanh_norms, "-", color=colour, label=f"tanh, rho = {r.radius:g}")
    ax.set_xlabel("steps back, k = T - t")
    ax.set_ylabel("||dh_T / dh_t||  (spectral norm)")
    ax.set_title("Gradient norm through time")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def plot_accuracy_vs_distance(table, *, ax: Axes | None = None) -> Figure:
    """Held-out accuracy against distance for each model, with chance marked."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 4))
    distances = [row["distance"] for row in table]
    for kind, label in (("rnn", "vanilla RNN"), ("lstm", "LSTM")):
        ax.plot(distances, [row[kind] for row in table], "o-", color=MODELS[kind], label=label)
    ax.axhline(0.5, color=REFERENCE["chance"], ls=":", label="chance")
    ax.set_xlabel("distance from enhancer to prediction point (bases)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0.4, 1.02)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_gradient_reach(truncation_result, *, ax: Axes | None = None) -> Figure:
    """``||d logit / d x_t||`` along the sequence under truncated BPTT."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 3))
    reach = truncation_result.reach
    ax.bar(np.arange(len(reach)), reach, color=MODELS["lstm"])
    ax.axvline(
        len(reach) - truncation_result.truncation - 0.5,
        color=REFERENCE["bound"],
        ls="--",
        label=f"truncation horizon (k = {truncation_result.truncation})",
    )
    ax.set_xlabel("position in the sequence (prediction at the last one)")
    ax.set_ylabel("||d logit / d x_t||")
    ax.legend()
    fig.tight_layout()
    return fig
