"""Chapter 7's figures: the regulatory grammar, what units track, state divergence along an
alignment, and species trees.

They follow :mod:`coursepkg.viz.figures`. Colours: the trained network is the LSTM of
:data:`~coursepkg.viz.palette.MODELS`, its control the untrained grey, the k-mer tree the
non-recurrent baseline; sequence elements come from
:data:`~coursepkg.viz.palette.REGULATORY`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coursepkg.data.regulatory import TATA, TF_MOTIFS
from coursepkg.viz.figures import axes_or_new, new_figure, plot_spread
from coursepkg.viz.palette import MODELS, REFERENCE, REGULATORY

NETWORK_COLOURS = {
    "trained": MODELS["lstm"],
    "untrained": MODELS["untrained"],
    "trained, NJ": MODELS["lstm"],  # the same states, joined by neighbour joining
    "k-mer": MODELS["baseline"],
}
TREE_LABELS = {
    "trained": "trained LSTM\n(UPGMA)",
    "trained, NJ": "trained LSTM\n(NJ)",
    "untrained": "untrained LSTM\n(UPGMA)",
    "k-mer": "k-mer\n(UPGMA)",
}


def _occurrences(seq: str, word: str) -> list[int]:
    return [i for i in range(len(seq) - len(word) + 1) if seq.startswith(word, i)]


def draw_elements(ax: Axes, seq: str, y: float, height: float = 0.6) -> None:
    """Draw one sequence as a line at height ``y`` with its motif sites, TATA boxes and CpG
    dinucleotides as coloured marks."""
    ax.plot([0, len(seq)], [y, y], color=REFERENCE["measured"], lw=0.8)
    for motif in TF_MOTIFS:
        for i in _occurrences(seq, motif):
            ax.add_patch(
                Rectangle((i, y - height / 2), len(motif), height, color=REGULATORY["motif"])
            )
    for i in _occurrences(seq, TATA):
        ax.add_patch(Rectangle((i, y - height / 2), len(TATA), height, color=REGULATORY["TATA"]))
    for i in _occurrences(seq, "CG"):
        ax.plot([i + 1, i + 1], [y - height / 3, y + height / 3], color=REGULATORY["CpG"], lw=1.5)


def _element_legend(ax: Axes) -> None:
    handles = [
        Rectangle((0, 0), 1, 1, color=REGULATORY["motif"], label="TF site"),
        Rectangle((0, 0), 1, 1, color=REGULATORY["TATA"], label="TATA box"),
        Rectangle((0, 0), 1, 1, color=REGULATORY["CpG"], label="CpG"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


def plot_grammar(
    sequences: Sequence[str], labels: Sequence[int], *, tata_at: int, ax: Axes | None = None
) -> Figure:
    """A few sequences, enhancers and promoters, with the elements that define them."""
    fig, ax = axes_or_new(ax, figsize=(9, 0.45 * len(sequences) + 1.2))
    if len(labels) != len(sequences):
        raise ValueError(f"{len(sequences)} sequences but {len(labels)} labels")
    for row, seq in enumerate(sequences):
        draw_elements(ax, seq, -row)
    ax.axvline(tata_at, color=REGULATORY["TATA"], ls=":", lw=1)
    ax.set_yticks(-np.arange(len(sequences)))
    ax.set_yticklabels(["promoter" if y else "enhancer" for y in labels])
    for tick, y in zip(ax.get_yticklabels(), labels, strict=True):
        tick.set_color(REGULATORY["promoter" if y else "enhancer"])
    ax.set_xlim(0, len(sequences[0]))
    ax.set_ylim(-len(sequences) + 0.4, 0.6)
    ax.set_xlabel("position (bases); dotted: the promoters' TATA position")
    ax.set_title("simulated enhancers and promoters")
    _element_legend(ax)
    fig.tight_layout()
    return fig


def plot_unit_correlations(runs, features: Sequence[str], labels: dict) -> Figure:
    """Best unit's ``|r|`` with each feature, trained and untrained, median and min-max
    over seeds."""
    fig, axes = new_figure(figsize=(8, 3.6))
    ax = axes[0, 0]
    x = np.arange(len(features))
    for offset, network in ((-0.12, "trained"), (0.12, "untrained")):
        plot_spread(
            ax,
            x + offset,
            [[r.best(f, network) for r in runs] for f in features],
            colour=NETWORK_COLOURS[network],
            label=f"{network} network",
            linestyle="none",
        )
    ax.set_xticks(x)
    ax.set_xticklabels([labels[f] for f in features], rotation=15, ha="right")
    ax.set_ylabel("best unit's |r| with the feature")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title("what the units of the classifier track")
    fig.tight_layout()
    return fig


def plot_best_unit(run, feature: str, values: np.ndarray, label: str, keep: np.ndarray) -> Figure:
    """The best unit's value against the feature, trained (left) and untrained (right),
    on the held-out sequences of one class (``keep``)."""
    import torch

    from coursepkg.sequences import onehot_batch

    x = onehot_batch([s for s, k in zip(run.test_sequences, keep, strict=True) if k])
    fig, axes = new_figure(1, 2, figsize=(8, 3.2), sharex=True)
    for ax, network in zip(axes[0], ("trained", "untrained"), strict=True):
        net = run.model if network == "trained" else run.untrained
        j = run.best_unit(feature, network)
        with torch.no_grad():
            unit = net.summary(x)[:, j].numpy()
        jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(unit))
        discrete = np.allclose(values[keep], np.round(values[keep]))
        ax.scatter(
            values[keep] + (jitter if discrete else 0),
            unit,
            s=8,
            alpha=0.6,
            color=NETWORK_COLOURS[network],
        )
        r = run.correlations[feature][network][j]
        ax.set_title(f"{network}: unit {j}, r = {r:+.2f}")
        ax.set_xlabel(label)
        ax.set_ylabel("unit's mean activity")
    fig.tight_layout()
    return fig


def plot_probe(runs) -> Figure:
    """Change of the logit when a TATA box moves to the promoters' position, every seed."""
    fig, ax = axes_or_new(None, figsize=(5, 3.2))
    for k, network in enumerate(("trained", "untrained")):
        values = [r.probe_shift[network] for r in runs]
        ax.scatter(
            np.full(len(values), k) + np.linspace(-0.1, 0.1, len(values)),
            values,
            color=NETWORK_COLOURS[network],
            label=f"{network} (each seed; line: median)",
        )
        ax.plot([k - 0.2, k + 0.2], [np.median(values)] * 2, color=NETWORK_COLOURS[network])
    ax.axhline(0, color=REFERENCE["chance"], ls=":")
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["trained", "untrained"])
    ax.set_ylabel("logit change: box at TATA position\nminus box elsewhere")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_occlusion(run, runs) -> Figure:
    """Left: the occlusion profile ``o_t`` of one held-out enhancer (motif sites shaded) and
    one held-out promoter (the TATA box at its position shaded), trained and untrained.
    Right: every seed, the share of top-k positions on the enhancers' motif sites against
    the share on the promoters' TATA box, trained and untrained, with the shuffled-site
    level of each axis."""
    fig, axes = new_figure(2, 2, figsize=(11, 5.6), gridspec_kw={"width_ratios": [3, 1.6]})
    shade = {"enhancers": REGULATORY["motif"], "promoters": REGULATORY["TATA"]}
    what = {"enhancers": "planted motif sites", "promoters": "TATA box at its position"}
    for ax, kind in zip(axes[:, 0], ("enhancers", "promoters"), strict=True):
        example = run.examples[kind]
        sites = np.asarray(example["sites"])
        for t in np.flatnonzero(sites):
            ax.axvspan(t - 0.5, t + 0.5, color=shade[kind], alpha=0.18, lw=0)
        positions = np.arange(len(sites))
        for network in ("untrained", "trained"):
            ax.plot(
                positions,
                example[network],
                color=NETWORK_COLOURS[network],
                lw=1.2,
                label=f"{network} network",
            )
        ax.axhline(0, color=REFERENCE["chance"], ls=":")
        ax.set_xlabel(f"position t (shaded: {what[kind]})")
        ax.set_ylabel("logit change when\nbase t is hidden (o_t)")
        ax.set_title(f"one held-out {kind[:-1]} (seed {run.seed})")
        ax.legend(fontsize=8)
    gs = axes[0, 1].get_gridspec()
    axes[0, 1].remove()
    axes[1, 1].remove()
    ax = fig.add_subplot(gs[:, 1])
    for network in ("untrained", "trained"):
        ax.scatter(
            [r.occlusion["enhancers"][network] for r in runs],
            [r.occlusion["promoters"][network] for r in runs],
            color=NETWORK_COLOURS[network],
            label=f"{network} network",
        )
    ax.axvline(
        np.median([r.occlusion["enhancers"]["shuffled sites"] for r in runs]),
        color=REFERENCE["chance"],
        ls=":",
        label="shuffled sites (median)",
    )
    ax.axhline(
        np.median([r.occlusion["promoters"]["shuffled sites"] for r in runs]),
        color=REFERENCE["chance"],
        ls=":",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("enhancers: share of top-k\npositions on a motif site")
    ax.set_ylabel("promoters: share of top-k positions on the TATA box")
    ax.set_title("every seed")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_divergence(run, runs) -> Figure:
    """Left: state divergence against conservation, column by column, for one seed (before
    and after reading the residue, trained and untrained). Right: the rank correlation on
    every seed."""
    fig, axes = new_figure(1, 3, figsize=(12, 3.6))
    for ax, read in zip(axes[0, :2], ("after", "before"), strict=True):
        for network in ("untrained", "trained"):
            ax.scatter(
                run.conservation,
                run.divergence[(network, read)],
                s=10,
                alpha=0.7,
                color=NETWORK_COLOURS[network],
                label=f"{network}: rho = {run.spearman(network, read):+.2f}",
            )
        ax.set_xlabel("column conservation (1 - H / log 20)")
        ax.set_ylabel("state divergence (relative)")
        ax.set_title(f"states {read} reading the residue (seed {run.seed})")
        ax.legend(fontsize=8)
    ax = axes[0, 2]
    for k, (network, read) in enumerate(
        [
            ("trained", "after"),
            ("untrained", "after"),
            ("trained", "before"),
            ("untrained", "before"),
        ]
    ):
        values = [r.spearman(network, read) for r in runs]
        ax.scatter(
            np.full(len(values), k) + np.linspace(-0.1, 0.1, len(values)),
            values,
            color=NETWORK_COLOURS[network],
        )
    ax.axhline(0, color=REFERENCE["chance"], ls=":")
    ax.set_xticks(range(4))
    ax.set_xticklabels(
        ["trained\nafter", "untrained\nafter", "trained\nbefore", "untrained\nbefore"]
    )
    ax.set_ylabel("Spearman(conservation, divergence)")
    ax.set_title("every seed")
    fig.tight_layout()
    return fig


def _tree_layout(tree):
    """``(x, y)`` of every node of a dendropy tree: x the distance from the root, tips at
    y = 0, 1, ... in the tree's order, inner nodes at the mean y of their children."""
    pos, row = {}, 0
    for node in tree.postorder_node_iter():
        if node.is_leaf():
            y, row = row, row + 1
        else:
            y = float(np.mean([pos[id(c)][1] for c in node.child_nodes()]))
        pos[id(node)] = (None, y)
    for node in tree.preorder_node_iter():
        parent = node.parent_node
        x = 0.0 if parent is None else pos[id(parent)][0] + (node.edge.length or 0.0)
        pos[id(node)] = (x, pos[id(node)][1])
    return pos


def draw_tree(tree, ax: Axes, colour: str, title: str) -> None:
    """A rooted dendropy tree as a rectangular cladogram with its branch lengths."""
    pos = _tree_layout(tree)
    for node in tree.preorder_node_iter():
        x, y = pos[id(node)]
        if node.parent_node is not None:
            px, _ = pos[id(node.parent_node)]
            ax.plot([px, x], [y, y], color=colour, lw=1.5)
        if not node.is_leaf():
            ys = [pos[id(c)][1] for c in node.child_nodes()]
            ax.plot([x, x], [min(ys), max(ys)], color=colour, lw=1.5)
        else:
            ax.text(x, y, " " + node.taxon.label, va="center", fontsize=8)
    ax.set_yticks([])
    ax.set_xlabel("distance from the root")
    ax.set_title(title)
    ax.margins(x=0.2)


def plot_trees(run) -> Figure:
    """The true species tree beside the trees rebuilt by the trained network, the
    untrained one and the k-mer baseline (one seed)."""
    import dendropy

    fig, axes = new_figure(1, 4, figsize=(13, 3.6))
    true_tree = dendropy.Tree.get(data=run.true_tree, schema="newick")
    draw_tree(true_tree, axes[0, 0], REFERENCE["truth"], "true tree")
    for ax, method in zip(axes[0, 1:], ("trained", "untrained", "k-mer"), strict=True):
        tree = dendropy.Tree.get(data=run.trees[method], schema="newick")
        draw_tree(tree, ax, NETWORK_COLOURS[method], f"{method}: RF/max = {run.rf[method]:.2f}")
    fig.tight_layout()
    return fig


def plot_tree_distances(runs, methods: Sequence[str]) -> Figure:
    """Normalised RF distance of each method's tree to the true tree, every seed."""
    fig, ax = axes_or_new(None, figsize=(6, 3.4))
    for k, method in enumerate(methods):
        values = [r.rf[method] for r in runs]
        ax.scatter(
            np.full(len(values), k) + np.linspace(-0.12, 0.12, len(values)),
            values,
            color=NETWORK_COLOURS[method],
        )
        ax.plot([k - 0.2, k + 0.2], [np.median(values)] * 2, color=NETWORK_COLOURS[method])
    ax.set_xticks(range(len(methods)))
    ax.set_xticklabels([TREE_LABELS.get(m, m) for m in methods], fontsize=8)
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("RF / max (0 = true topology)")
    ax.set_title("rebuilt trees, every seed (line: median)")
    fig.tight_layout()
    return fig
