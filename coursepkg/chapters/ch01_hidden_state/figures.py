"""Chapter 1's figures: the detector's weights, its machine, clusters and traces of states.

They follow :mod:`coursepkg.viz.figures` (each returns a ``Figure``); machine states take
their colours from :data:`coursepkg.viz.palette.MACHINE_STATES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from coursepkg.sequences import DNA
from coursepkg.viz.figures import (
    axes_or_new,
    letter_axis,
    new_figure,
    plot_pca_by_label,
    plot_spread,
)
from coursepkg.viz.palette import MACHINE_STATES, MODELS, REFERENCE, TRAINING_REGIMES


def plot_detector_weights(weights: Mapping, unit_names: Sequence[str] | None = None) -> Figure:
    """The weights of a threshold detector as three annotated panels: ``W_x``, ``W_h``, ``b``.

    ``weights`` is a dict as returned by :func:`coursepkg.models.acg_detector`:
    ``W_x (H, 4)``, ``W_h (H, H)``, ``b (H,)``.
    """
    W_x = np.asarray(weights["W_x"], dtype=float)
    W_h = np.asarray(weights["W_h"], dtype=float)
    b = np.asarray(weights["b"], dtype=float)[:, None]
    H = W_x.shape[0]
    names = list(unit_names) if unit_names is not None else [f"h{i + 1}" for i in range(H)]
    fig, axes = new_figure(1, 3, figsize=(9, 0.5 * H + 1.8), width_ratios=[4, H, 1])
    panels = [
        (W_x, "W_x  (input -> unit)", list(DNA)),
        (W_h, "W_h  (unit -> unit)", names),
        (b, "b", [""]),
    ]
    for ax, (matrix, title, columns) in zip(axes[0], panels, strict=True):
        ax.imshow(matrix, cmap="RdBu_r", vmin=-2.5, vmax=2.5)
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=10)
        ax.set_xticks(range(len(columns)))
        ax.set_xticklabels(columns)
        ax.set_yticks(range(H))
        ax.set_yticklabels(names)
        ax.set_title(title, fontsize=10)
    axes[0, 1].set_xlabel(r"from unit ($h_{t-1}$)")
    axes[0, 0].set_xlabel(r"base read ($x_t$)")
    fig.tight_layout()
    return fig


def plot_fsm_diagram(table: np.ndarray, state_names: Sequence[str]) -> Figure:
    """The machine as a diagram: one circle per state, one arrow per transition.

    Parameters
    ----------
    table : array-like, shape ``(S, 4)``
        ``table[s, a]`` is the next state from ``s`` on base ``DNA[a]`` (see
        :func:`coursepkg.chapters.ch01_hidden_state.experiments.transition_table`).
    state_names : ``S`` labels.
    """
    table = np.asarray(table, dtype=int)
    S = table.shape[0]
    fig, axes = new_figure(figsize=(2.6 * S, 3.2))
    ax = axes[0, 0]
    xs = np.arange(S) * 2.6
    radius = 0.55
    for s in range(S):
        ax.add_patch(Circle((xs[s], 0), radius, facecolor=MACHINE_STATES[s % 4], alpha=0.35, lw=2))
        label = state_names[s].replace(": ", "\n")
        ax.text(xs[s], 0, label, ha="center", va="center", fontsize=9)
    for s in range(S):
        for target in np.unique(table[s]):
            letters = ",".join(DNA[a] for a in range(4) if table[s, a] == target)
            _draw_transition(ax, xs, s, int(target), letters, radius)
    ax.set_xlim(xs[0] - 1.2, xs[-1] + 1.2)
    ax.set_ylim(-2.2, 2.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("the machine read off the weights: state --base--> next state")
    fig.tight_layout()
    return fig


def _draw_transition(ax, xs, source: int, target: int, letters: str, radius: float) -> None:
    """One labelled arrow: a loop above a state, a straight arrow to the next state on the
    right, and an arc (below the row for arrows going back, above for long jumps ahead)."""
    style = {"arrowstyle": "-|>", "mutation_scale": 12, "lw": 1.2}
    if source == target:
        x = xs[source]
        start, end = (x - 0.3, radius - 0.05), (x + 0.3, radius - 0.05)
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle="arc3,rad=-1.6", **style))
        ax.text(x, radius + 0.6, letters, ha="center", va="bottom", fontsize=9)
        return
    if target == source + 1:
        ax.add_patch(FancyArrowPatch((xs[source] + radius, 0), (xs[target] - radius, 0), **style))
        ax.text((xs[source] + xs[target]) / 2, 0.1, letters, ha="center", va="bottom", fontsize=9)
        return
    # matplotlib's arc3 puts the apex at the midpoint + rad/2 * (dy, -dx); rad < 0 bends
    # a leftward arrow downwards and a rightward one upwards.
    y = radius if target > source else -radius
    rad = -0.35
    ax.add_patch(
        FancyArrowPatch(
            (xs[source], y), (xs[target], y), connectionstyle=f"arc3,rad={rad}", **style
        )
    )
    apex = y - rad / 2 * (xs[target] - xs[source])
    ax.text(
        (xs[source] + xs[target]) / 2,
        apex,
        letters,
        ha="center",
        va="center",
        fontsize=9,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
    )


def plot_state_pca(
    panels: Mapping[str, tuple[np.ndarray, np.ndarray]],
    state_names: Sequence[str],
    max_points: int = 4000,
    seed: int = 0,
) -> Figure:
    """Hidden states on their first two principal components, coloured by machine state.

    ``panels`` maps a title to ``(hidden (N, H), machine states (N,))``, e.g. a trained and
    an untrained network.
    """
    colours = [MACHINE_STATES[s % len(MACHINE_STATES)] for s in range(len(state_names))]
    return plot_pca_by_label(panels, state_names, colours, max_points=max_points, seed=seed)


def plot_contingency(tables: Mapping[str, np.ndarray], state_names: Sequence[str]) -> Figure:
    """Clusters against machine states: share of each cluster's points in each state.

    Parameters
    ----------
    tables : mapping title -> counts ``(k, S)`` (rows clusters, columns states)
    state_names : ``S`` column labels.
    """
    fig, axes = new_figure(1, len(tables), figsize=(4.4 * len(tables), 3.6))
    for ax, (title, table) in zip(axes[0], tables.items(), strict=True):
        table = np.asarray(table, dtype=float)
        shares = table / np.maximum(table.sum(axis=1, keepdims=True), 1)
        ax.imshow(shares, cmap="Greens", vmin=0, vmax=1, aspect="auto")
        for (i, j), value in np.ndenumerate(shares):
            colour = "white" if value > 0.6 else "black"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9, color=colour)
        ax.set_xticks(range(len(state_names)))
        ax.set_xticklabels([name.split(":")[0] for name in state_names])
        ax.set_yticks(range(table.shape[0]))
        ax.set_yticklabels([f"cluster {i} (n={int(n)})" for i, n in enumerate(table.sum(axis=1))])
        ax.set_xlabel("machine state")
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_motif_trace(
    sequence: str,
    machine_states: np.ndarray,
    rnn_states: np.ndarray | None = None,
    rnn_probability: np.ndarray | None = None,
    state_names: Sequence[str] = ("s0", "s1", "s2", "s3"),
) -> Figure:
    """How the hidden state moves as a sequence is read: the machine above, a trained RNN below.

    Parameters
    ----------
    sequence : str, ``L`` bases.
    machine_states : ``(L,)`` machine state ids after each base.
    rnn_states : optional ``(L, H)`` hidden states of a trained RNN on the same sequence.
    rnn_probability : optional ``(L,)``: the RNN's probability that the motif has occurred.
    """
    machine_states = np.asarray(machine_states, dtype=int)
    L = len(sequence)
    rows = 1 if rnn_states is None else 2
    heights = [1.0] if rows == 1 else [1.0, 1.6]
    fig, axes = new_figure(
        rows,
        1,
        figsize=(max(5.0, 0.32 * L + 2.5), 1.6 + 1.9 * (rows - 1)),
        height_ratios=heights,
        sharex=True,
    )
    ax = axes[0, 0]
    ax.step(range(L), machine_states, where="mid", color="black", lw=1.5)
    ax.scatter(
        range(L), machine_states, c=[MACHINE_STATES[s % 4] for s in machine_states], s=40, zorder=3
    )
    ax.set_yticks(range(len(state_names)))
    ax.set_yticklabels(state_names, fontsize=8)
    ax.set_ylim(-0.5, len(state_names) - 0.5)
    ax.set_title("hand-built machine: its state after each base")
    if rnn_states is not None:
        rnn_states = np.asarray(rnn_states, dtype=float)
        ax2 = axes[1, 0]
        ax2.imshow(rnn_states.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
        ax2.set_yticks(range(rnn_states.shape[1]))
        ax2.set_yticklabels([f"unit {i}" for i in range(rnn_states.shape[1])], fontsize=7)
        title = "trained RNN: hidden state after each base"
        if rnn_probability is not None:
            probability = np.asarray(rnn_probability, dtype=float)
            twin = ax2.twinx()
            twin.plot(range(L), probability, color="black", lw=2, label="P(ACG seen)")
            twin.set_ylim(-0.05, 1.05)
            twin.set_ylabel("P(seen)")
            title += " (line: its answer)"
        ax2.set_title(title)
    letter_axis(axes[-1, 0], sequence)
    fig.tight_layout()
    return fig


def regime_name(regime: tuple[int, float]) -> str:
    """The palette key of a training regime ``(length, plant)``: ``"short, planted"``, ..."""
    length, plant = regime
    return f"{'short' if length <= 20 else 'long'}, {'planted' if plant > 0 else 'as drawn'}"


def plot_regime_losses(study, *, ax=None) -> Figure:
    """Training loss per epoch of every regime: median and min-max over seeds."""
    fig, ax = axes_or_new(ax, figsize=(6.5, 3.8))
    epochs = np.arange(1, study.losses.shape[2] + 1)
    for r, regime in enumerate(study.regimes):
        length, plant = regime
        plot_spread(
            ax,
            epochs,
            study.losses[r].T,  # (epochs, seeds)
            colour=TRAINING_REGIMES[regime_name(regime)],
            label=f"{length} bases, {plant:.0%} planted",
            marker=".",
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_purity_pairs(purity_study, *, ax=None) -> Figure:
    """Cluster purity of every seed's network before and after training, joined by a line."""
    fig, ax = axes_or_new(ax, figsize=(4.8, 3.8))
    for before, after in zip(purity_study.untrained, purity_study.trained, strict=True):
        ax.plot([0, 1], [before, after], "-", color=REFERENCE["measured"], lw=0.8, zorder=1)
    n = len(purity_study.trained)
    ax.scatter(np.zeros(n), purity_study.untrained, color=MODELS["untrained"], zorder=2)
    ax.scatter(np.ones(n), purity_study.trained, color=MODELS["rnn"], zorder=2)
    floor = float(np.median(purity_study.majority_share))
    ax.axhline(floor, color=REFERENCE["chance"], ls=":", label="share of the commonest state")
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["untrained", "trained"])
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylim(0.4, 1.02)
    ax.set_ylabel(f"cluster purity (k = {purity_study.k})")
    ax.set_title(f"every seed ({n}), paired")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig
