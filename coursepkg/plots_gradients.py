"""Figures of chapter 3: gradient norms through time and accuracy against distance."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_gradient_norms(results, ax=None):
    """``log ||dh_T/dh_t||`` against the step count ``k = T - t``, one line per radius,
    linear RNN dashed, tanh RNN solid."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for i, r in enumerate(results):
        k = len(r.tanh_norms) - np.arange(len(r.tanh_norms))
        colour = f"C{i}"
        ax.semilogy(k, r.linear_norms, "--", color=colour, label=f"linear, rho = {r.radius:g}")
        ax.semilogy(k, r.tanh_norms, "-", color=colour, label=f"tanh, rho = {r.radius:g}")
    ax.set_xlabel("steps back, k = T - t")
    ax.set_ylabel("||dh_T / dh_t||  (spectral norm)")
    ax.set_title("Gradient norm through time")
    ax.legend(fontsize=8, ncol=2)
    return ax


def plot_accuracy_vs_distance(table, ax=None):
    """Held-out accuracy against distance for each model, with chance marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    distances = [row["distance"] for row in table]
    for kind, label in (("rnn", "vanilla RNN"), ("lstm", "LSTM")):
        ax.plot(distances, [row[kind] for row in table], "o-", label=label)
    ax.axhline(0.5, color="grey", ls=":", label="chance")
    ax.set_xlabel("distance from enhancer to prediction point (bases)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0.4, 1.02)
    ax.legend()
    return ax


def plot_gradient_reach(truncation_result, ax=None):
    """``||d logit / d x_t||`` along the sequence under truncated BPTT."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3))
    reach = truncation_result.reach
    ax.bar(np.arange(len(reach)), reach, color="C1")
    ax.axvline(
        len(reach) - truncation_result.truncation - 0.5,
        color="k",
        ls="--",
        label=f"truncation horizon (k = {truncation_result.truncation})",
    )
    ax.set_xlabel("position in the sequence (prediction at the last one)")
    ax.set_ylabel("||d logit / d x_t||")
    ax.legend()
    return ax
