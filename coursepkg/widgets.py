"""Interactive explorers (ipywidgets), each with a static figure that teaches the same thing.

Widgets need a running kernel (Jupyter, Colab); the static book shows the figure that the
same code draws for a fixed input, next to the explorer.
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from coursepkg.experiments.hidden_state import fsm_states
from coursepkg.models.threshold import ACG_STATE_NAMES
from coursepkg.plots import plot_motif_trace
from coursepkg.sequences import onehot

MAX_BASES = 80
"""The longest sequence the explorer draws (longer ones would not fit on a screen)."""

EXAMPLE = "TTACAGACGTTACGA"
"""The sequence shown when an explorer opens, and the one the book's static figure uses."""


def motif_trace(sequence: str, model: torch.nn.Module | None = None) -> dict:
    """The machine's and (optionally) a trained RNN's response to one sequence.

    Parameters
    ----------
    sequence : str
        DNA letters (``ACGT``, case-insensitive; ``N`` and other ambiguity codes allowed).
    model : optional ``ElmanRNN``-like module with ``states(x)`` ``(1, L, H)`` and
        ``forward(x)`` logits ``(1, L, 1)``.

    Returns
    -------
    dict with ``sequence`` (upper case), ``machine`` ``(L,)`` state ids, and with a model
    ``hidden`` ``(L, H)`` and ``probability`` ``(L,)``.

    Raises
    ------
    ValueError
        For an empty sequence, one longer than :data:`MAX_BASES`, or an unknown letter
        (the message names it and its position).
    TypeError
        When ``sequence`` is not a string.
    """
    if not isinstance(sequence, str):
        raise TypeError(f"expected the sequence as str, got {type(sequence).__name__}")
    sequence = sequence.strip()
    if not sequence:
        raise ValueError("the sequence is empty: type at least one base (A, C, G or T)")
    x = onehot(sequence).unsqueeze(0)  # (1, L, 4); ValueError on a bad letter
    if x.shape[1] > MAX_BASES:
        raise ValueError(
            f"the sequence has {x.shape[1]} bases; the explorer draws at most {MAX_BASES}"
        )
    trace = {"sequence": sequence.upper(), "machine": fsm_states(x)[0].numpy()}
    if model is not None:
        with torch.no_grad():
            trace["hidden"] = model.states(x)[0].numpy()
            trace["probability"] = torch.sigmoid(model(x)[0, :, 0]).numpy()
    return trace


def motif_figure(sequence: str = EXAMPLE, model: torch.nn.Module | None = None) -> Figure:
    """The figure the explorer draws for ``sequence``: the static version for the book."""
    return _draw(motif_trace(sequence, model))


def _draw(trace: dict) -> Figure:
    return plot_motif_trace(
        trace["sequence"],
        trace["machine"],
        trace.get("hidden"),
        trace.get("probability"),
        state_names=ACG_STATE_NAMES,
    )


def _summary(trace: dict) -> str:
    """One sentence about where the machine (and the RNN) first say "seen"."""
    bound = np.flatnonzero(trace["machine"] == 3)
    if len(bound):
        text = f"The machine enters <b>bound</b> at position {bound[0]} and stays there."
    else:
        text = "The machine never reaches <b>bound</b>: there is no ACG in this sequence."
    if "probability" in trace:
        said = np.flatnonzero(trace["probability"] > 0.5)
        where = f"from position {said[0]}" if len(said) else "nowhere"
        text += f" The trained RNN says 'seen' {where}."
    return text


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


class MotifExplorer(widgets.VBox):
    """Type a DNA sequence and watch the hidden state move.

    Attributes
    ----------
    text : ipywidgets.Text
        Where the reader types; every change redraws.
    status : ipywidgets.HTML
        A one-line summary, or the error message for input that is not DNA.
    image : ipywidgets.Image
        The figure of :func:`motif_figure` for the current sequence, as PNG.
    trace : dict or None
        The last successful :func:`motif_trace`.
    error : str or None
        The last error message (None after a sequence that worked).
    """

    def __init__(self, model: torch.nn.Module | None = None, sequence: str = EXAMPLE):
        self.model = model
        self.trace: dict | None = None
        self.error: str | None = None
        self.text = widgets.Text(
            value=sequence,
            description="DNA:",
            placeholder="type bases, e.g. TTACGTA",
            layout=widgets.Layout(width="95%"),
        )
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        super().__init__([self.text, self.status, self.image])
        self.text.observe(self._on_change, names="value")
        self.update(sequence)

    def _on_change(self, change: dict) -> None:
        self.update(change["new"])

    def update(self, sequence: str) -> None:
        """Redraw for ``sequence``; bad input shows its error message instead of a figure."""
        try:
            trace = motif_trace(sequence, self.model)
        except ValueError as err:
            self.error = str(err)
            self.status.value = (
                f'<span style="color:#cf222e">&#9888; {html.escape(self.error)}</span>'
            )
            return
        self.trace, self.error = trace, None
        self.status.value = _summary(trace)
        self.image.value = _png(_draw(trace))


def motif_explorer(model: torch.nn.Module | None = None, sequence: str = EXAMPLE) -> MotifExplorer:
    """An explorer of the ACG machine and, if given, a trained RNN (see :class:`MotifExplorer`)."""
    return MotifExplorer(model, sequence)
