"""Figures, tables and explorers: one convention for each, shared by every chapter.

* :mod:`coursepkg.viz.figures`: plotting functions return a ``Figure`` and accept ``ax=``;
* :mod:`coursepkg.viz.palette`: one colour per concept (bases, models, ...) across the book;
* :mod:`coursepkg.viz.tables`: :class:`Table`, numbers aligned, spread over seeds;
* :mod:`coursepkg.viz.explorer`: :class:`Explorer`, controls that redraw a figure.
"""

from coursepkg.viz.explorer import Explorer
from coursepkg.viz.figures import axes_or_new, new_figure, plot_spread
from coursepkg.viz.palette import colour
from coursepkg.viz.tables import Table, spread

__all__ = ["Explorer", "Table", "axes_or_new", "colour", "new_figure", "plot_spread", "spread"]
