"""Figures of chapter 2: predicted against true expression trajectories, per cell type."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from coursepkg.experiments.conditioning import LABELS, predicted_trajectory


def first_of_type(data, cell_type: int) -> int:
    """Index of the first held-out trajectory of ``cell_type``."""
    return int(np.flatnonzero(data.cell_type.numpy() == cell_type)[0])


def plot_trajectories(runs: dict, data, gene: int = 0, inits=("zero", "embedding", "mlp")):
    """One panel per cell type: the true (noise-free) trajectory of one held-out cell, the
    measurements, and each model's one-step-ahead predictions for one gene."""
    types = sorted(set(data.cell_type.tolist()))
    fig, axes = plt.subplots(1, len(types), figsize=(3.2 * len(types), 3), sharey=True)
    for ax, k in zip(np.atleast_1d(axes), types, strict=True):
        i = first_of_type(data, k)
        T = data.x.shape[1]
        ax.plot(range(T), data.truth[i, :, gene], "k-", lw=2, label="truth")
        ax.plot(range(T), data.x[i, :, gene], "k.", label="measured")
        for init in inits:
            pred = predicted_trajectory(runs[init], data, i)[:, gene]
            ax.plot(range(1, T), pred, "o--", ms=3, label=LABELS[init])
        ax.set_title(f"cell type {k}")
        ax.set_xlabel("time point")
    np.atleast_1d(axes)[0].set_ylabel(f"expression of gene {gene}")
    np.atleast_1d(axes)[-1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_step_errors(runs: dict):
    """Held-out squared error of each model at every step."""
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for init, run in runs.items():
        ax.plot(range(1, len(run.errors) + 1), run.errors.numpy(), "o-", label=LABELS[init])
    ax.set_xlabel("predicted time point")
    ax.set_ylabel("MSE against the truth")
    ax.legend(fontsize=8)
    return fig
