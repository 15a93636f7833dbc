"""Chapter 3's figures: gradient norms through time, accuracy against distance, BPTT's reach.

They follow :mod:`coursepkg.viz.figures`; models take their colours from
:data:`coursepkg.viz.palette.MODELS`, and every trained model's number is drawn with its
spread over seeds (:func:`coursepkg.viz.plot_spread`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coursepkg.viz.figures import axes_or_new, new_figure, plot_spread
from coursepkg.viz.palette import MODELS, OKABE_ITO, REFERENCE

RADIUS_COLOURS = (OKABE_ITO["sky blue"], OKABE_ITO["black"], OKABE_ITO["vermillion"])
"""One colour per spectral radius (below, at, above one)."""

MATRIX_COLOURS = {"normal": OKABE_ITO["blue"], "chain": OKABE_ITO["orange"]}
"""The normal and the non-normal recurrent matrix of the same spectral radius."""


def _steps_back(norms: np.ndarray) -> np.ndarray:
    return len(norms) - np.arange(len(norms))


def plot_gradient_norms(results, *, ax: Axes | None = None) -> Figure:
    """``||dh_T/dh_t||`` against the step count ``k = T - t`` (log scale), one colour per
    radius, linear RNN dashed, tanh RNN solid."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 4))
    for i, r in enumerate(results):
        k = _steps_back(r.tanh_norms)
        colour = RADIUS_COLOURS[i % len(RADIUS_COLOURS)]
        ax.semilogy(k, r.linear_norms, "--", color=colour, label=f"linear, rho = {r.radius:g}")
        ax.semilogy(k, r.tanh_norms, "-", color=colour, label=f"tanh, rho = {r.radius:g}")
    ax.set_xlabel("steps back, k = T - t")
    ax.set_ylabel("||dh_T / dh_t||  (spectral norm)")
    ax.set_title("Gradient norm through time")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def plot_nonnormal(pair) -> Figure:
    """A normal and a non-normal ``W_h`` of the same spectral radius: the gradient norm of the
    linear and the tanh RNN (left), and the bounds ``rho^k`` and ``||W_h||^k`` (dotted)."""
    fig, axes = new_figure(1, 2, figsize=(11, 4), sharey=True)
    for ax, r, key in zip(axes[0], pair, ("normal", "chain"), strict=True):
        k = _steps_back(r.tanh_norms)
        colour = MATRIX_COLOURS[key]
        ax.semilogy(k, r.radius**k, ":", lw=1, color=REFERENCE["bound"], label="rho^k")
        if r.norm > r.radius + 1e-9:  # drawn thin, under the curves it bounds
            ax.semilogy(k, r.norm**k, "-.", lw=1, color=REFERENCE["bound"], label="||W_h||^k")
        ax.semilogy(k, r.linear_norms, "--", lw=2.5, color=colour, label="linear RNN")
        ax.semilogy(k, r.tanh_norms, "-", lw=2, color=colour, label="tanh RNN")
        ax.set_xlabel("steps back, k = T - t")
        ax.set_title(f"{r.name}: ||W_h||_2 = {r.norm:.2f}")
        ax.legend(fontsize=8)
    axes[0, 0].set_ylabel("||dh_T / dh_t||  (spectral norm)")
    fig.tight_layout()
    return fig


def plot_accuracy_vs_distance(study, *, ax: Axes | None = None) -> Figure:
    """Held-out accuracy against distance for each model (median, min-max over seeds), the
    LSTM trained with truncated BPTT at the largest distance, and chance."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 4))
    distances = np.asarray(study.distances, dtype=float)
    for kind, label in (("rnn", "vanilla RNN"), ("lstm", "LSTM")):
        values = [study.at(kind, d) for d in study.distances]
        plot_spread(ax, distances, values, colour=MODELS[kind], label=label)
    plot_spread(
        ax,
        [distances[-1] + 1.5],
        [study.truncated],
        colour=MODELS["lstm"],
        label="LSTM, truncated BPTT",
        marker="s",
        linestyle="none",
    )
    ax.axhline(0.5, color=REFERENCE["chance"], ls=":", label="chance")
    ax.set_xlabel("distance from enhancer to prediction point (bases)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0.4, 1.03)
    ax.legend(fontsize=7, loc="lower left")
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
