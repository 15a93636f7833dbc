"""Figures the chapters show.  Each function returns a matplotlib ``Figure``.

Figures are closed in pyplot before they are returned, so a notebook shows each one
exactly once (as the value of its cell) and nothing piles up in pyplot's memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from coursepkg.sequences import DNA

STATE_COLOURS = ("#9e9e9e", "#1f77b4", "#ff7f0e", "#2ca02c")
"""One colour per machine state s0..s3, used by every chapter-1 figure."""


def _new(nrows: int = 1, ncols: int = 1, **kwargs) -> tuple[Figure, np.ndarray]:
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, **kwargs)
    plt.close(fig)
    return fig, axes


def _letter_axis(ax, sequence: str) -> None:
    ax.set_xticks(range(len(sequence)))
    ax.set_xticklabels(list(sequence), fontfamily="monospace")
    ax.set_xlabel("position (base read at that step)")


def plot_hidden_states(
    states: np.ndarray,
    sequence: str,
    *,
    title: str = "hidden state",
    unit_labels: Sequence[str] | None = None,
    vmin: float = -1.0,
    vmax: float = 1.0,
) -> Figure:
    """Heatmap of hidden states over positions, the bases on the x axis.

    Parameters
    ----------
    states : array-like, shape ``(L, H)``
        ``states[t]`` is ``h_t``, the state after reading base ``t``.
    sequence : str
        The ``L`` bases, shown under their columns.
    unit_labels : optional, ``H`` names for the rows.
    vmin, vmax : colour range; ``(-1, 1)`` suits tanh units, ``(0, 1)`` threshold units
        (drawn white to black).
    """
    states = np.asarray(states, dtype=float)
    if states.ndim != 2 or states.shape[0] != len(sequence):
        raise ValueError(
            f"states must be (L, H) with L = len(sequence) = {len(sequence)}, got {states.shape}"
        )
    L, H = states.shape
    fig, axes = _new(figsize=(max(4.0, 0.3 * L + 2), 0.35 * H + 1.6))
    ax = axes[0, 0]
    cmap = "Greys" if vmin >= 0 else "RdBu_r"
    image = ax.imshow(states.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_yticks(range(H))
    ax.set_yticklabels(unit_labels if unit_labels is not None else [f"unit {i}" for i in range(H)])
    _letter_axis(ax, sequence)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    fig.tight_layout()
    return fig


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
    fig, axes = _new(1, 3, figsize=(9, 0.5 * H + 1.8), width_ratios=[4, H, 1])
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
        :func:`coursepkg.experiments.transition_table`).
    state_names : ``S`` labels.
    """
    table = np.asarray(table, dtype=int)
    S = table.shape[0]
    fig, axes = _new(figsize=(2.6 * S, 3.2))
    ax = axes[0, 0]
    xs = np.arange(S) * 2.6
    radius = 0.55
    for s in range(S):
        ax.add_patch(Circle((xs[s], 0), radius, facecolor=STATE_COLOURS[s % 4], alpha=0.35, lw=2))
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


def plot_losses(histories: Mapping[str, object]) -> Figure:
    """Training loss per epoch for one or more runs; values are ``History`` objects."""
    fig, axes = _new(figsize=(5.5, 3.2))
    ax = axes[0, 0]
    for label, history in histories.items():
        losses = history.train_loss
        ax.plot(range(1, len(losses) + 1), losses, marker="o", ms=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _pca(data: np.ndarray, n_components: int = 2) -> np.ndarray:
    """Project ``(N, H)`` onto its first principal components: ``(N, n_components)``."""
    centred = data - data.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:n_components].T


def plot_state_pca(
    panels: Mapping[str, tuple[np.ndarray, np.ndarray]],
    state_names: Sequence[str],
    max_points: int = 4000,
    seed: int = 0,
) -> Figure:
    """Hidden states projected on their first two principal components, coloured by state.

    Parameters
    ----------
    panels : mapping title -> ``(hidden (N, H), states (N,))``
        One scatter per entry, e.g. a trained and an untrained network.
    state_names : names of the machine states, in id order.
    max_points : at most this many points are drawn per panel (a seeded random subset).
    """
    fig, axes = _new(1, len(panels), figsize=(4.6 * len(panels), 4.0))
    rng = np.random.default_rng(seed)
    for ax, (title, (hidden, states)) in zip(axes[0], panels.items(), strict=True):
        hidden, states = np.asarray(hidden, dtype=float), np.asarray(states)
        keep = rng.permutation(len(states))[:max_points]  # random order: no state hides another
        xy = _pca(hidden)[keep]
        colours = [STATE_COLOURS[s % 4] for s in states[keep]]
        ax.scatter(*xy.T, s=6, alpha=0.5, c=colours)
        for s, name in enumerate(state_names):  # legend entries only
            ax.scatter([], [], s=6, color=STATE_COLOURS[s % 4], label=name)
        ax.set_title(title)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    axes[0, -1].legend(markerscale=3, fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def plot_contingency(tables: Mapping[str, np.ndarray], state_names: Sequence[str]) -> Figure:
    """Clusters against machine states: share of each cluster's points in each state.

    Parameters
    ----------
    tables : mapping title -> counts ``(k, S)`` (rows clusters, columns states)
    state_names : ``S`` column labels.
    """
    fig, axes = _new(1, len(tables), figsize=(4.4 * len(tables), 3.6))
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
    fig, axes = _new(
        rows,
        1,
        figsize=(max(5.0, 0.32 * L + 2.5), 1.6 + 1.9 * (rows - 1)),
        height_ratios=heights,
        sharex=True,
    )
    ax = axes[0, 0]
    ax.step(range(L), machine_states, where="mid", color="black", lw=1.5)
    ax.scatter(
        range(L), machine_states, c=[STATE_COLOURS[s % 4] for s in machine_states], s=40, zorder=3
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
    _letter_axis(axes[-1, 0], sequence)
    fig.tight_layout()
    return fig
