"""Chapter 8's explorer: slide a trained gene finder along a genome.

:func:`draw_window` draws the explorer's figure for one window of one genome (the book
shows it for the whole pPCP1 plasmid, which the network never saw in training).
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from coursepkg.chapters.ch08_applications.experiments import GENOMES, load_genome, read_piece
from coursepkg.chapters.ch08_applications.figures import plot_genome_window
from coursepkg.viz.explorer import Explorer

MAX_WINDOW = 20_000
"""The widest window drawn, in bases (a wider one would be unreadable)."""

_GENOMES: dict = {}


def _genome(name: str):
    if name not in _GENOMES:
        _GENOMES[name] = load_genome(name)
    return _GENOMES[name]


def draw_window(model, orf_min: int, genome: str, start: int, width: int) -> Figure:
    """Genes, coding probability and called sites on ``genome[start : start + width]``.

    The window is read on its own, as the held-out blocks were: the network sees no
    sequence outside it.
    """
    if genome not in GENOMES:
        raise ValueError(f"unknown genome {genome!r}; choose one of {sorted(GENOMES)}")
    g = _genome(genome)
    if not 300 <= width <= MAX_WINDOW:
        raise ValueError(f"the window must be 300 to {MAX_WINDOW:,} bases wide, got {width:,}")
    if not 0 <= start < len(g.seq):
        raise ValueError(f"start must lie in 0 .. {len(g.seq) - 1:,} for {genome}, got {start:,}")
    end = min(start + width, len(g.seq))
    if end - start < 300:
        start = max(0, end - 300)
    return plot_genome_window(read_piece(model, g, start, end, orf_min))


def gene_explorer(model, orf_min: int) -> Explorer:
    """A genome to choose, a slider for the window's start and one for its width."""
    controls = {
        "genome": widgets.Dropdown(options=list(GENOMES), value="pPCP1", description="genome"),
        "start": widgets.IntSlider(
            value=0,
            min=0,
            max=150_000,
            step=500,
            description="start (bp)",
            continuous_update=False,
        ),
        "width": widgets.IntSlider(
            value=9_000,
            min=1_000,
            max=MAX_WINDOW,
            step=500,
            description="width (bp)",
            continuous_update=False,
        ),
    }

    def fit_slider(change: dict) -> None:  # a shorter genome has fewer places to start
        controls["start"].max = max(0, len(_genome(change["new"]).seq) - 300)

    controls["genome"].observe(fit_slider, names="value")
    fit_slider({"new": controls["genome"].value})

    def draw(genome: str, start: int, width: int) -> Figure:
        return draw_window(model, orf_min, genome, start, width)

    return Explorer(draw, controls)
