"""Chapter 4's explorer: move the trained LSTM's forget-gate bias and watch it read a track.

:func:`draw_forget_shift` draws the explorer's figure; the book shows it for a fixed choice.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from coursepkg.chapters.ch04_lstm.experiments import open_accuracy
from coursepkg.chapters.ch04_lstm.figures import plot_track
from coursepkg.models.lstm import edit_forget_gate
from coursepkg.viz.explorer import Explorer

SHIFT_RANGE = (-8.0, 8.0)
"""How far the explorer lets the forget gate's bias move."""


def _check_shift(shift: float) -> None:
    low, high = SHIFT_RANGE
    if not low <= shift <= high:
        raise ValueError(
            f"the forget-gate bias shift must be between {low:g} and {high:g}, got {shift}"
        )


def draw_forget_shift(model, tracks, shift: float = 0.0, track: int = 0) -> Figure:
    """One held-out track read by ``model`` with its forget-gate bias moved by ``shift``."""
    _check_shift(shift)
    fig = plot_track(model, tracks, track, shift=shift)
    fig.axes[0].set_title(
        f"track {track}: forget-gate bias moved by {shift:+.1f} (open chromatin shaded)"
    )
    return fig


def shift_summary(model, tracks, shift: float = 0.0) -> str:
    """Accuracy on the open bins of every held-out track at this shift, as one line."""
    _check_shift(shift)
    moved = model.with_lstm(edit_forget_gate(model.lstm, shift=shift))
    return (
        f"forget-gate bias {shift:+.1f}: accuracy on open bins of {len(tracks)} held-out tracks "
        f"{open_accuracy(moved, tracks):.3f} (trained: {open_accuracy(model, tracks):.3f})"
    )


def forget_explorer(model, tracks) -> Explorer:
    """A slider for the forget-gate bias shift and one for the track; redraws the track."""
    controls = {
        "shift": widgets.FloatSlider(
            value=0.0, min=SHIFT_RANGE[0], max=SHIFT_RANGE[1], step=0.5, description="bias shift"
        ),
        "track": widgets.IntSlider(value=0, min=0, max=len(tracks) - 1, description="track"),
    }
    return Explorer(
        lambda shift, track: draw_forget_shift(model, tracks, shift, track),
        controls,
        summary=lambda shift, track: shift_summary(model, tracks, shift),
    )
