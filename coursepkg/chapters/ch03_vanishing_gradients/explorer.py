"""Chapter 3's explorer: move the spectral radius, watch the gradient norm through time.

:func:`draw_gradient_norms` draws the explorer's figure; the book shows it for one radius.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from coursepkg.chapters.ch03_vanishing_gradients.experiments import BOOK, gradient_decay
from coursepkg.chapters.ch03_vanishing_gradients.figures import plot_gradient_norms
from coursepkg.viz.explorer import Explorer


def draw_gradient_norms(radius: float, seed: int = 0) -> Figure:
    """The figure the explorer shows for one spectral radius (also usable without widgets)."""
    if not 0 < radius <= 3:
        raise ValueError(f"the spectral radius must be in (0, 3], got {radius}")
    (result,) = gradient_decay(seed, BOOK, radii=(radius,))
    fig = plot_gradient_norms([result])
    fig.axes[0].set_title(
        f"rho = {radius:.2f}: fitted rate linear {result.linear_rate:+.3f}, "
        f"tanh {result.tanh_rate:+.3f}, log(rho) {result.log_radius:+.3f}"
    )
    return fig


def gradient_explorer(seed: int = 0) -> Explorer:
    """A slider for the spectral radius of W_h and the gradient-norm curves it gives."""
    slider = widgets.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05, description="radius")
    return Explorer(lambda radius: draw_gradient_norms(radius, seed), {"radius": slider})
