"""Chapter 5's explorer: choose a length, a window and a stack of dilations, and see how
the models link the positions and how long their shortest paths are (measured).

:func:`draw_structure` draws the explorer's figure; the book shows it for a fixed choice.
The path lengths are measured on the models themselves
(:func:`experiments.measured_path`: every recurrent weight set to ``eps I``, the gradient
of the output with respect to the first base read in base ``eps``).
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from coursepkg.chapters.ch05_long_range.experiments import measured_path
from coursepkg.chapters.ch05_long_range.figures import plot_structure
from coursepkg.models.dilated import DilatedClassifier
from coursepkg.models.hierarchical import HierarchicalClassifier
from coursepkg.models.last_state import LastStateClassifier
from coursepkg.viz.explorer import Explorer

MAX_LENGTH = 96
"""Longest sequence the explorer measures: the flat path's gradient is ``eps^(L-1)``,
which must stay above the smallest float64 (``1e-308``) at ``eps = 1e-3``."""


def dilation_stack(layers: int) -> tuple[int, ...]:
    """``(1, 2, 4, ..., 2^(layers-1))``."""
    if not 1 <= layers <= 6:
        raise ValueError(f"layers must be between 1 and 6, got {layers}")
    return tuple(2**k for k in range(layers))


def measured_paths(length: int, window: int, layers: int) -> dict[str, float]:
    """Measured path lengths of the flat, hierarchical and dilated vanilla RNNs."""
    if not 2 <= length <= MAX_LENGTH:
        raise ValueError(f"length must be between 2 and {MAX_LENGTH}, got {length}")
    dilations = dilation_stack(layers)
    if length % max(dilations):
        raise ValueError(
            f"length {length} is not a multiple of the largest dilation {max(dilations)}"
        )
    hierarchical = HierarchicalClassifier(window, low_hidden=4, high_hidden=4, cell="rnn")
    hierarchical.windows(length)  # a ValueError when the window does not divide the length
    return {
        "flat": measured_path(LastStateClassifier("rnn", 4, 4), length),
        "hierarchical": measured_path(hierarchical, length),
        "dilated": measured_path(DilatedClassifier(dilations, hidden_size=4), length),
    }


def draw_structure(length: int = 64, window: int = 8, layers: int = 5) -> Figure:
    """The explorer's figure: both models' links over ``length`` positions, with the
    measured path lengths in the title."""
    paths = measured_paths(length, window, layers)
    return plot_structure(length, window, dilation_stack(layers), paths)


def structure_summary(length: int = 64, window: int = 8, layers: int = 5) -> str:
    paths = measured_paths(length, window, layers)
    return f"L = {length}, windows of {window}, dilations {dilation_stack(layers)}: " + ", ".join(
        f"{name} {steps:.2f} steps" for name, steps in paths.items()
    )


def structure_explorer() -> Explorer:
    """Sliders for the length, the window and the number of dilated layers."""
    controls = {
        "length": widgets.IntSlider(value=64, min=16, max=MAX_LENGTH, step=16, description="L"),
        "window": widgets.Dropdown(options=[2, 4, 8, 16], value=8, description="window"),
        "layers": widgets.IntSlider(value=5, min=1, max=5, description="dilated layers"),
    }
    return Explorer(draw_structure, controls, summary=structure_summary)
