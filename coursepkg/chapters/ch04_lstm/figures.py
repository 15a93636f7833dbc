"""Chapter 4's figures: gates along a sequence, the gradient highway, the forget gate on
chromatin tracks, and the methylation LSTM's fit.

They follow :mod:`coursepkg.viz.figures`. Gates and the cell state take their colours from
:data:`coursepkg.viz.palette.GATES`, open chromatin from ``ACCESSIBILITY``, the models
from ``MODELS``; a number over seeds is drawn with its spread.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coursepkg.analysis.gates import GateRecorder
from coursepkg.data.chromatin import BIN_BP
from coursepkg.models.lstm import GATES, edit_forget_gate
from coursepkg.viz.figures import axes_or_new, letter_axis, new_figure, plot_spread
from coursepkg.viz.palette import (
    ACCESSIBILITY,
    FORGET_SETTINGS,
    MODELS,
    REFERENCE,
)
from coursepkg.viz.palette import GATES as GATE_COLOURS

GATE_SYMBOLS = {"input": "i", "forget": "f", "candidate": "g", "output": "o"}


def plot_gates(record, sequence: str, index: int = 0) -> Figure:
    """Every gate and the cell state of one sequence, units by positions (heatmaps).

    Sigmoid gates are drawn on [0, 1], the candidate and the cell state on a symmetric
    range around 0.
    """
    rows = [*GATES, "cell"]
    H = record.h.shape[-1]
    fig, axes = new_figure(
        len(rows),
        1,
        figsize=(max(6.0, 0.22 * len(sequence) + 2), 1.0 + 0.9 * len(rows) * max(1, H / 6)),
        sharex=True,
    )
    for ax, name in zip(axes[:, 0], rows, strict=True):
        values = (record.c if name == "cell" else record[name])[index].detach().numpy().T  # (H, T)
        if name in ("candidate", "cell"):
            bound = max(1.0, float(np.abs(values).max())) if name == "cell" else 1.0
            image = ax.imshow(values, aspect="auto", cmap="RdBu_r", vmin=-bound, vmax=bound)
        else:
            image = ax.imshow(values, aspect="auto", cmap="viridis", vmin=0, vmax=1)
        label = "c (cell state)" if name == "cell" else f"{GATE_SYMBOLS[name]} ({name})"
        ax.set_ylabel(label, color=GATE_COLOURS[name], fontsize=9)
        ax.set_yticks(range(H))
        ax.set_yticklabels([f"{j}" for j in range(H)], fontsize=6)
        fig.colorbar(image, ax=ax, fraction=0.02, pad=0.01)
    letter_axis(axes[-1, 0], sequence)
    axes[0, 0].set_title("gate values by unit (rows) and position (columns)")
    fig.tight_layout()
    return fig


def _band(ax: Axes, k: np.ndarray, curves: list[np.ndarray], colour: str, label: str, style: str):
    """Median over seeds as a line, min-max over seeds as a band."""
    stacked = np.stack(curves)
    ax.fill_between(k, stacked.min(0), stacked.max(0), color=colour, alpha=0.15, lw=0)
    ax.semilogy(k, np.median(stacked, 0), style, color=colour, label=label)


def plot_highway(results, *, ax: Axes | None = None) -> Figure:
    """``||dc_T/dc_t||`` of the LSTM and ``||dh_T/dh_t||`` of the tanh RNN against steps back.

    One curve per model and forget bias: the median over seeds, with the min-max band;
    solid lines are full derivatives, dashed lines the cell path alone (products of
    forget gates).
    """
    fig, ax = axes_or_new(ax, figsize=(7, 4.2))
    T = len(results[0].rnn)
    k = T - np.arange(T)
    n = len(results)
    _band(ax, k, [r.rnn for r in results], MODELS["rnn"], "tanh RNN, ||dh_T/dh_t||", "-")
    for bias in results[0].cell:
        mean_f = np.median([r.mean_forget[bias] for r in results])
        alpha_label = (
            f"forget bias {bias:+g} (mean f = {mean_f:.2f})"
            if bias
            else (f"default forget bias (mean f = {mean_f:.2f})")
        )
        colour = FORGET_SETTINGS[f"bias {bias:+g}" if bias else "bias 0"]
        _band(
            ax,
            k,
            [r.cell[bias] for r in results],
            colour,
            f"LSTM {alpha_label}, ||dc_T/dc_t||",
            "-",
        )
        _band(
            ax,
            k,
            [r.highway[bias] for r in results],
            colour,
            "   its cell path only: product of f",
            "--",
        )
    ax.set_xlabel("steps back, k = T - t")
    ax.set_ylabel("gradient norm (spectral)")
    ax.set_title(f"Gradient through time: median and range over {n} seeds (one sequence each)")
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def _shade_open(ax: Axes, is_open: np.ndarray, kb: np.ndarray) -> None:
    """Light bands behind the open regions of one track."""
    edges = np.flatnonzero(np.diff(np.r_[0, is_open.astype(int), 0]))
    width = kb[1] - kb[0] if len(kb) > 1 else BIN_BP / 1000
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        ax.axvspan(
            kb[start] - width / 2,
            kb[stop - 1] + width / 2,
            color=ACCESSIBILITY["open"],
            alpha=0.35,
            lw=0,
        )


def plot_track(model, tracks, index: int = 0, shift: float = 0.0) -> Figure:
    """One held-out track read by the trained LSTM (its forget-gate bias moved by ``shift``).

    Top: reads per 50-bp bin, open regions shaded. Middle: motif hits, the true count and
    the model's output. Bottom: the forget gate and the cell state.
    """
    if not 0 <= index < len(tracks):
        raise ValueError(f"track must be between 0 and {len(tracks) - 1}, got {index}")
    lstm = edit_forget_gate(model.lstm, shift=shift) if shift else model.lstm
    tagger = model.with_lstm(lstm) if shift else model
    x = tracks.x[index : index + 1]
    with torch.no_grad():
        record = GateRecorder(lstm)(x)
        output = tagger(x)[0].numpy()
    T = x.shape[1]
    kb = np.arange(T) * BIN_BP / 1000
    is_open = tracks.open[index].numpy()
    fig, axes = new_figure(3, 1, figsize=(8, 6), sharex=True)
    top, mid, bottom = axes[:, 0]
    for ax in (top, mid, bottom):
        _shade_open(ax, is_open, kb)
    top.bar(kb, tracks.counts[index].numpy(), width=BIN_BP / 1000, color=REFERENCE["measured"])
    top.set_ylabel("reads per bin")
    top.set_title("open chromatin shaded")
    hits = kb[tracks.motif[index].numpy()]
    mid.plot(hits, np.full(len(hits), -0.4), "|", color=REFERENCE["truth"], ms=8, label="motif hit")
    mid.step(kb, tracks.y[index].numpy(), where="mid", color=REFERENCE["truth"], label="true count")
    mid.plot(kb, output, color=MODELS["lstm"], label="LSTM output")
    mid.set_ylabel("motifs in this\nopen region")
    mid.legend(fontsize=7, loc="upper right", ncol=3)
    forget = record["forget"][0].numpy()
    cell = record.c[0].numpy()
    for j in range(forget.shape[1]):
        bottom.plot(
            kb,
            forget[:, j],
            color=GATE_COLOURS["forget"],
            label="forget gate f" if j == 0 else None,
        )
        bottom.plot(
            kb, cell[:, j], color=GATE_COLOURS["cell"], label="cell state c" if j == 0 else None
        )
    bottom.set_ylabel("f and c")
    bottom.set_xlabel("position along the track (kb)")
    bottom.legend(fontsize=7, loc="upper right", ncol=2)
    fig.tight_layout()
    return fig


def plot_boundary_profiles(runs, offsets) -> Figure:
    """Mean forget gate around exits from and entries into open regions, one line per seed."""
    fig, axes = new_figure(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, field, title in (
        (axes[0, 0], "exit_profile", "leaving an open region"),
        (axes[0, 1], "entry_profile", "entering an open region"),
    ):
        profiles = np.stack([getattr(r, field) for r in runs])
        for profile in profiles:
            ax.plot(offsets, profile, color=FORGET_SETTINGS["trained"], alpha=0.35, lw=1)
        ax.plot(
            offsets,
            np.median(profiles, 0),
            "o-",
            ms=3,
            color=FORGET_SETTINGS["trained"],
            label=f"median of {len(runs)} seeds (thin: each seed)",
        )
        ax.axvline(-0.5, color=REFERENCE["bound"], ls="--", lw=1)
        ax.set_title(title)
        ax.set_xlabel("bins from the boundary (0 = first bin after it)")
    axes[0, 0].set_ylabel("mean forget gate f")
    axes[0, 0].set_ylim(0, 1.02)
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def plot_clamp_accuracy(runs, *, ax: Axes | None = None) -> Figure:
    """Accuracy on open bins of the trained LSTM, with its forget gate clamped, and of
    answering 0 everywhere: median and min-max over seeds."""
    fig, ax = axes_or_new(ax, figsize=(6, 3.4))
    settings = [
        ("trained", "trained", FORGET_SETTINGS["trained"]),
        ("forget clamped at 1", "clamped at 1", FORGET_SETTINGS["clamped at 1"]),
        ("forget clamped at 0", "clamped at 0", FORGET_SETTINGS["clamped at 0"]),
        ("always 0", "always 0 (no model)", MODELS["baseline"]),
    ]
    for i, (key, label, colour) in enumerate(settings):
        plot_spread(
            ax, [i], [[r.accuracy[key] for r in runs]], colour=colour, label=label, linestyle="none"
        )
    ax.set_xticks(range(len(settings)))
    ax.set_xticklabels([label for _, label, _ in settings], fontsize=8)
    ax.set_ylabel("accuracy on open bins")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def plot_methylation_fit(fit, member: int = 0, course: int = 0) -> Figure:
    """Left: one time course at the slowest, a middle and the fastest site of one seed:
    measured fractions, true level and the fitted LSTM's cell state. Right: learned against
    true per-site rates, every seed."""
    fig, axes = new_figure(1, 2, figsize=(10, 3.8))
    left, right = axes[0]
    data, sim = fit.data[member], fit.simulators[member]
    with torch.no_grad():
        level = fit.model(fit.signals()).level[member, course].numpy()
    order = np.argsort(sim.rates)
    steps = np.arange(data.x.shape[1])
    for j, colour in zip(
        (order[-1], order[len(order) // 2], order[0]),
        ("#0072B2", "#009E73", "#D55E00"),
        strict=True,
    ):
        label = f"site {j}, rate {sim.rates[j]:.2f}"
        left.plot(steps, data.observed[course, :, j], ".", color=colour, alpha=0.5)
        left.plot(steps, data.level[course, :, j], "-", color=colour, lw=1, label=f"{label}: truth")
        left.plot(steps, level[:, j], "--", color=colour, lw=1.5, label="   fitted cell state")
    left.set_xlabel("step of the time course")
    left.set_ylabel("methylated fraction")
    left.set_ylim(-0.02, 1.02)
    left.set_title(f"seed {fit.seeds[member]}, time course {course} (dots: measured)")
    left.legend(fontsize=6, loc="best")
    for s, seed in enumerate(fit.seeds):
        right.plot(
            fit.true_rates[s],
            fit.learned_rates[s],
            "o",
            ms=4,
            alpha=0.7,
            label=f"seed {seed}: r = {fit.correlation[s]:.3f}",
        )
    low, high = fit.true_rates.min() - 0.05, fit.true_rates.max() + 0.05
    right.plot(
        [low, high], [low, high], "--", color=REFERENCE["bound"], lw=1, label="learned = true"
    )
    right.set_xlabel("true maintenance rate of the site")
    right.set_ylabel("learned rate (mean forget gate)")
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig
