"""Chapter 2's explorer: pick a cell type, a held-out cell and a gene; see every model predict.

:func:`draw_cell` draws the explorer's figure; the book shows it for one fixed choice.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from coursepkg.chapters.ch02_conditioning.figures import first_of_type, plot_cell
from coursepkg.viz.explorer import Explorer


def draw_cell(runs: dict, data, cell_type: int, which: int = 0, gene: int = 0) -> Figure:
    """Truth, measurements and every model's predictions for one held-out cell."""
    fig = plot_cell(runs, data, first_of_type(data, cell_type, which), gene)
    ax = fig.axes[0]
    ax.set_title(f"cell type {cell_type}, held-out cell {which}, gene {gene}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def conditioning_explorer(runs: dict, data) -> Explorer:
    """Drop-downs for cell type and gene, a slider for the cell; redraws :func:`draw_cell`."""
    types = sorted(set(data.cell_type.tolist()))
    controls = {
        "cell_type": widgets.Dropdown(options=types, value=types[0], description="cell type"),
        "gene": widgets.Dropdown(options=list(range(data.x.shape[2])), value=0, description="gene"),
        "which": widgets.IntSlider(value=0, min=0, max=20, description="cell"),
    }
    return Explorer(
        lambda cell_type, gene, which: draw_cell(runs, data, cell_type, which, gene), controls
    )
