"""Chapter 3's explorer: move the spectral radius, watch the gradient norm through time.

Widgets need a running kernel (Jupyter, Colab); the book shows a static figure beside it.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from coursepkg.experiments.gradients import gradient_decay
from coursepkg.plots_gradients import plot_gradient_norms


def draw_gradient_norms(radius: float, hidden: int = 32, length: int = 60):
    """The figure the explorer shows for one spectral radius (also usable without widgets)."""
    (result,) = gradient_decay((radius,), hidden=hidden, length=length)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    plot_gradient_norms([result], ax=ax)
    ax.set_title(
        f"rho = {radius:.2f}: fitted rate linear {result.linear_rate:+.3f}, "
        f"tanh {result.tanh_rate:+.3f}, log(rho) {result.predicted:+.3f}"
    )
    return fig


def gradient_explorer() -> widgets.Widget:
    """A slider for the spectral radius of W_h and the gradient-norm curve it gives."""
    slider = widgets.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05, description="radius")
    out = widgets.Output()

    def update(change=None):
        with out:
            out.clear_output(wait=True)
            fig = draw_gradient_norms(slider.value)
            plt.show(fig)

    slider.observe(update, names="value")
    update()
    return widgets.VBox([slider, out])
