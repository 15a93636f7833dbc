"""Chapter 1's explorer: type a DNA sequence and watch the machine (and a trained RNN) read it.

:func:`motif_figure` draws the explorer's figure for one sequence; the book shows it for a
fixed sequence beside the explorer (:mod:`coursepkg.viz.explorer`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from coursepkg.chapters.ch01_hidden_state.experiments import fsm_states
from coursepkg.chapters.ch01_hidden_state.figures import plot_motif_trace
from coursepkg.models.threshold import ACG_STATE_NAMES
from coursepkg.sequences import onehot
from coursepkg.viz.explorer import Explorer

MAX_BASES = 80
"""The longest sequence the explorer draws (longer ones would not fit on a screen)."""

EXAMPLE = "TTACAGACGTTACGA"
"""The sequence shown when the explorer opens, and the one the book's static figure uses."""


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
    trace = motif_trace(sequence, model)
    return plot_motif_trace(
        trace["sequence"],
        trace["machine"],
        trace.get("hidden"),
        trace.get("probability"),
        state_names=ACG_STATE_NAMES,
    )


def motif_summary(sequence: str, model: torch.nn.Module | None = None) -> str:
    """One sentence about where the machine (and the RNN) first say "seen"."""
    trace = motif_trace(sequence, model)
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


def motif_explorer(model: torch.nn.Module | None = None, sequence: str = EXAMPLE) -> Explorer:
    """Type a DNA sequence and watch the ACG machine and, if given, a trained RNN read it."""
    text = widgets.Text(
        value=sequence,
        description="DNA:",
        placeholder="type bases, e.g. TTACGTA",
        layout=widgets.Layout(width="95%"),
    )
    return Explorer(
        lambda sequence: motif_figure(sequence, model),
        {"sequence": text},
        summary=lambda sequence: motif_summary(sequence, model),
    )
