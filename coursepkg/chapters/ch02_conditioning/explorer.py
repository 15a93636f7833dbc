"""Chapter 2's explorer: pick a seed's world, a cell type, a held-out cell and a gene.

:func:`draw_cell` draws the explorer's figure; the book shows it for one fixed choice.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from coursepkg.chapters.ch02_conditioning.experiments import ConditioningResult
from coursepkg.chapters.ch02_conditioning.figures import first_of_type, plot_cell
from coursepkg.viz.explorer import Explorer


def draw_cell(
    result: ConditioningResult, cell_type: int, which: int = 0, gene: int = 0, seed: int = 0
) -> Figure:
    """Truth, measurements and every view's predictions for one held-out cell."""
    index = first_of_type(result, cell_type, which, seed)
    fig = plot_cell(result, index, gene, seed)
    ax = fig.axes[0]
    ax.set_title(
        f"seed {result.seeds[seed]}: cell type {cell_type}, held-out cell {which}, gene {gene}"
    )
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def conditioning_explorer(result: ConditioningResult) -> Explorer:
    """Drop-downs for seed, cell type and gene, a slider for the cell; redraws :func:`draw_cell`."""
    data = result.tests[0]
    types = sorted(set(data.cell_type.tolist()))
    controls = {
        "seed": widgets.Dropdown(
            options=[(str(s), i) for i, s in enumerate(result.seeds)], value=0, description="seed"
        ),
        "cell_type": widgets.Dropdown(options=types, value=types[0], description="cell type"),
        "gene": widgets.Dropdown(options=list(range(data.x.shape[2])), value=0, description="gene"),
        "which": widgets.IntSlider(value=0, min=0, max=20, description="cell"),
    }
    return Explorer(
        lambda seed, cell_type, gene, which: draw_cell(result, cell_type, which, gene, seed),
        controls,
    )
