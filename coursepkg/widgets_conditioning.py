"""Chapter 2's explorer: pick a cell type and a held-out cell, watch the predictions.

Widgets need a running kernel (Jupyter, Colab); the book shows a static figure beside it.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from coursepkg.experiments.conditioning import LABELS, predicted_trajectory


def draw_cell(runs: dict, data, cell_type: int, which: int = 0, gene: int = 0):
    """Truth, measurements and every model's predictions for one held-out cell."""
    i = int(np.flatnonzero(data.cell_type.numpy() == cell_type)[which])
    T = data.x.shape[1]
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    ax.plot(range(T), data.truth[i, :, gene], "k-", lw=2, label="truth")
    ax.plot(range(T), data.x[i, :, gene], "k.", label="measured")
    for init, run in runs.items():
        ax.plot(
            range(1, T),
            predicted_trajectory(run, data, i)[:, gene],
            "o--",
            ms=3,
            label=LABELS[init],
        )
    ax.set_title(f"cell type {cell_type}, held-out cell {which}, gene {gene}")
    ax.set_xlabel("time point")
    ax.legend(fontsize=7)
    return fig


def conditioning_explorer(runs: dict, data) -> widgets.Widget:
    """Drop-downs for cell type and gene, a slider for the cell; redraws :func:`draw_cell`."""
    types = sorted(set(data.cell_type.tolist()))
    cell_type = widgets.Dropdown(options=types, value=types[0], description="cell type")
    gene = widgets.Dropdown(options=list(range(data.x.shape[2])), value=0, description="gene")
    which = widgets.IntSlider(value=0, min=0, max=20, description="cell")
    out = widgets.Output()

    def update(change=None):
        with out:
            out.clear_output(wait=True)
            plt.show(draw_cell(runs, data, cell_type.value, which.value, gene.value))

    for w in (cell_type, gene, which):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([cell_type, gene, which]), out])
