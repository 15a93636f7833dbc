"""Plausible wrong implementations of ``species_mean_states``, ``state_distances`` and
``upgma_newick``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    Mistake(
        "mean of per-sequence means instead of pooled positions",
        "        sums[name] = sums.get(name, 0) + h.sum(dim=0)\n"
        "        counts[name] = counts.get(name, 0) + h.shape[0]\n",
        "        sums[name] = sums.get(name, 0) + h.mean(dim=0)\n"
        "        counts[name] = counts.get(name, 0) + 1\n",
        blames=("species_mean_states",),
        forbidden=("h.sum(", "h.shape[0]", "torch.cat"),
    ),
    Mistake(
        "names in order of first appearance, not sorted",
        "names = sorted(sums)",
        "names = list(sums)",
        blames=("species_mean_states",),
        forbidden=("sorted(sums)",),
    ),
    Mistake(
        "squared distances",
        "return (diff**2).sum(dim=-1).sqrt()",
        "return (diff**2).sum(dim=-1)",
        blames=("state_distances",),
        forbidden=(".sqrt()", "torch.sqrt", "np.sqrt"),
    ),
    Mistake(
        "unweighted average linkage (WPGMA) instead of UPGMA",
        "merged = (size[i] * dist[i, k] + size[j] * dist[j, k]) / (size[i] + size[j])",
        "merged = (dist[i, k] + dist[j, k]) / 2",
        blames=("upgma_newick",),
        forbidden=("size[i] *", "size[i] + size[j]"),
    ),
    Mistake(
        "heights at the full merge distance instead of half",
        "h = dist[i, j] / 2  # ultrametric: the pair meets halfway",
        "h = dist[i, j]",
        blames=("upgma_newick",),
        forbidden=("/ 2", "halfway", "half the"),
    ),
    Mistake(
        "branch lengths left out",
        'text[i] = f"({text[i]}:{length(h - height[i])},{text[j]}:{length(h - height[j])})"',
        'text[i] = f"({text[i]},{text[j]})"',
        blames=("upgma_newick",),
        forbidden=("h - height",),
    ),
    Mistake(
        "a node's height written as its branch length",
        'text[i] = f"({text[i]}:{length(h - height[i])},{text[j]}:{length(h - height[j])})"',
        'text[i] = f"({text[i]}:{length(h)},{text[j]}:{length(h)})"',
        blames=("upgma_newick",),
        forbidden=("h - height",),
    ),
]
