"""Public check for ex10_phylogeny: species-mean hidden states, their distances, a UPGMA tree.

The public inputs are written out below (:data:`STATES` and :data:`SPECIES`, the five-species
matrix :data:`FIVE_SPECIES`); what the solution gives on them is *stored*
(``expected/ex10_phylogeny.json``, written by ``coursepkg exercises``), because the package
holds no implementation of the exercise.

A tree is compared as a tree, not as a string: :func:`read_tree` parses a Newick string with
DendroPy (after bounding its length and nesting) into its groups of species (the leaf sets
of its inner nodes) and the lengths of the paths between species, and :func:`diagnose_tree`
says which property failed. The hidden suite uses the same reading and diagnosis, so a
student reads the same words in both places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from coursepkg.practice import Problem, PublicCheck, expected, format_numbers

FUNCTIONS = ("species_mean_states", "state_distances", "upgma_newick")

SECTION = 'chapter 7, "Rebuilding the species tree"'

SPECIES = ["mouse", "human", "mouse", "chicken", "human"]
"""The species of the five public sequences of :data:`STATES` (not in sorted order)."""

STATES = [
    [[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]],
    [[1.0, 0.0], [1.0, 2.0]],
    [[10.0, 0.0]],
    [[0.0, 5.0], [2.0, 5.0]],
    [[3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0]],
]
"""Hidden states (L_i, H = 2) of five public sequences, one per entry of :data:`SPECIES`."""

FIVE_SPECIES = [
    [0.0, 17.0, 21.0, 31.0, 23.0],
    [17.0, 0.0, 30.0, 34.0, 21.0],
    [21.0, 30.0, 0.0, 28.0, 39.0],
    [31.0, 34.0, 28.0, 0.0, 43.0],
    [23.0, 21.0, 39.0, 43.0, 0.0],
]
"""Distances between five species ``A`` .. ``E``, a classic textbook example of UPGMA."""

FIVE_NAMES = ["A", "B", "C", "D", "E"]


def states() -> list[torch.Tensor]:
    """The public states as float64 tensors."""
    return [torch.tensor(s, dtype=torch.float64) for s in STATES]


def as_array(value, what: str) -> np.ndarray:
    """The student's result as a float64 array (a tensor, an array or nested lists)."""
    if not isinstance(value, (torch.Tensor, np.ndarray, list, tuple)):
        raise TypeError(f"{what} must return a tensor, got {type(value).__name__}")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


# --- species_mean_states ----------------------------------------------------------------------


def diagnose_means(got, want_names: list[str], want: np.ndarray, example: str) -> Problem | None:
    """None when ``got`` is ``(want_names, want)``, else the property that failed."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Problem(
            "species_mean_states returns a pair (names, means)",
            example,
            "a tuple of two",
            type(got).__name__,
        )
    names, means = got
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        return Problem(
            "names is a list of the species' names (strings)", example, str(want_names), str(names)
        )
    names = list(names)
    if sorted(names) != want_names:
        return Problem("names holds each species once", example, str(want_names), str(names))
    if names != want_names:
        return Problem(
            "names are sorted (Python's sorted), and row s of means belongs to names[s]",
            example,
            str(want_names),
            str(names),
            hints=("The order of first appearance is not the sorted order.",),
        )
    means = as_array(means, "species_mean_states (means)")
    if means.shape != want.shape:
        return Problem(
            "means has one row per species and one column per hidden unit: (S, H)",
            example,
            f"shape {want.shape}",
            f"shape {means.shape}",
        )
    scale = max(float(np.abs(want).max()), 1.0)
    close = np.isclose(means, want, rtol=1e-5, atol=1e-7 * scale).all(axis=1)
    if close.all():
        return None
    s = int(np.flatnonzero(~close)[0])
    return Problem(
        f"row {s} ({want_names[s]}) is the mean state over every position of that "
        "species' sequences, pooled",
        example,
        format_numbers(want[s]),
        format_numbers(means[s]),
        hints=(
            f"Every position counts once, whichever sequence it is in ({SECTION}).",
            "A sequence with twice as many positions contributes twice as many states to "
            "its species' mean.",
        ),
    )


# --- state_distances --------------------------------------------------------------------------


def diagnose_distances(got, want: np.ndarray, example: str) -> Problem | None:
    """None when ``got`` is the Euclidean distance matrix ``want``, else why not."""
    got = as_array(got, "state_distances")
    if got.shape != want.shape:
        return Problem(
            "state_distances returns an (S, S) matrix",
            example,
            f"shape {want.shape}",
            f"shape {got.shape}",
        )
    scale = max(float(np.abs(want).max()), 1.0)
    if np.allclose(got, want, rtol=1e-5, atol=1e-9 * scale):
        return None
    a, b = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
    shown = (format_numbers(want), format_numbers(got)) if len(want) <= 4 else ("", "")
    where = f"entry ({a}, {b}): expected {want[a, b]:.6g}, got {got[a, b]:.6g}"
    if np.allclose(got, want**2, rtol=1e-6, atol=1e-9 * scale**2):
        return Problem(
            "entry (a, b) is the Euclidean distance between rows a and b of means; yours are "
            "its squares",
            example,
            shown[0] or where,
            shown[1],
            hints=(f"A distance has the units of the states themselves ({SECTION}).",),
        )
    return Problem(
        "entry (a, b) is the Euclidean distance between rows a and b of means",
        example,
        shown[0] or where,
        shown[1],
        hints=(
            f"The straight-line distance between two points in H dimensions ({SECTION}).",
            "The diagonal is 0 and the matrix is symmetric; every other entry compares two "
            "different rows.",
        ),
    )


# --- reading a tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """A rooted tree over ``names``, as the grader compares trees."""

    names: tuple[str, ...]
    clades: frozenset[frozenset[str]]
    """The leaf sets of the inner nodes of more than one species (the root's included)."""
    patristic: np.ndarray
    """(S, S): the length of the path through the tree between species a and b."""
    depth: np.ndarray
    """(S,): the length of the path from the root to each species."""
    missing: int
    """Branches (other than the root's) that have no length."""


def read_tree(text, names: list[str]) -> Tree | Problem:
    """Parse the Newick string ``text`` over the species ``names``: a :class:`Tree`, or a
    :class:`Problem` that says why it cannot be read."""
    import dendropy

    names = [str(n) for n in names]
    if not isinstance(text, str):
        return Problem("upgma_newick returns a string", "", "a Newick string", type(text).__name__)
    if len(text) > 200 * len(names) + 1000:
        return Problem(f"the tree of {len(names)} species is far too long ({len(text)} characters)")
    depth = level = 0
    for char in text:
        level += (char == "(") - (char == ")")
        depth = max(depth, level)
    if depth > len(names):
        return Problem(
            f"a tree of {len(names)} species has at most {len(names)} levels of parentheses; "
            f"yours has {depth}"
        )
    if not text.strip().endswith(";"):
        return Problem("a Newick string ends with ';'", "", "...;", f"...{text.strip()[-20:]!r}")
    try:
        trees = dendropy.TreeList.get(
            data=text, schema="newick", preserve_underscores=True, rooting="force-rooted"
        )
    except Exception as error:  # noqa: BLE001 - any parse error is the string's problem
        return Problem(
            "the string is not valid Newick", "", "", f"{text[:120]!r}: {str(error)[:200]}"
        )
    if len(trees) != 1:
        return Problem(f"the string holds one tree, ended by one ';' (it holds {len(trees)})")
    tree = trees[0]
    leaves = [leaf.taxon.label if leaf.taxon else "" for leaf in tree.leaf_node_iter()]
    if sorted(leaves) != sorted(names):
        missing = sorted(set(names) - set(leaves))
        unknown = sorted(set(leaves) - set(names))
        return Problem(
            "each species is a leaf of the tree, labelled with its name, once",
            "",
            f"leaves {sorted(names)}",
            f"leaves {sorted(leaves)}"
            + (f" (missing {missing})" if missing else "")
            + (f" (not a species: {unknown})" if unknown else ""),
        )
    index = {name: i for i, name in enumerate(names)}
    S = len(names)
    below: dict = {}
    clades = set()
    for node in tree.postorder_node_iter():
        if node.is_leaf():
            below[node] = frozenset([node.taxon.label])
        else:
            below[node] = frozenset().union(*(below[c] for c in node.child_node_iter()))
            if len(below[node]) > 1:
                clades.add(below[node])
    missing = 0
    height = {}  # from the root
    for node in tree.preorder_node_iter():
        if node.parent_node is None:
            height[node] = 0.0
            continue
        length = node.edge.length
        if length is None:
            missing += 1
            length = np.nan
        height[node] = height[node.parent_node] + float(length)
    depth = np.empty(S)
    ancestors = {}
    for leaf in tree.leaf_node_iter():
        depth[index[leaf.taxon.label]] = height[leaf]
        chain, node = [], leaf
        while node is not None:
            chain.append(node)
            node = node.parent_node
        ancestors[leaf.taxon.label] = chain
    patristic = np.zeros((S, S))
    for a in names:
        for b in names:
            if a < b:
                common = set(ancestors[b])
                meet = next(n for n in ancestors[a] if n in common)
                d = depth[index[a]] + depth[index[b]] - 2 * height[meet]
                patristic[index[a], index[b]] = patristic[index[b], index[a]] = d
    return Tree(tuple(names), frozenset(clades), patristic, depth, missing)


def _group(clade: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(clade)) + "}"


def diagnose_tree(text, want: Tree, example: str) -> Problem | None:
    """None when the Newick string ``text`` writes the tree ``want`` (the same groups, the
    same path lengths between species), else the property that failed."""
    got = read_tree(text, list(want.names))
    if isinstance(got, Problem):
        return Problem(got.property, example, got.expected, got.got, got.hints)
    if got.missing:
        return Problem(
            "every branch has a length (name:length, and (...):length for a group); only the "
            "root may go without",
            example,
            "",
            f"{got.missing} branches without a length: {text[:120]}",
            hints=(
                f"The lengths are what make the tree say how far apart species are ({SECTION}).",
            ),
        )
    if got.clades != want.clades:
        lost = sorted((c for c in want.clades - got.clades), key=len)
        extra = sorted((c for c in got.clades - want.clades), key=len)
        return Problem(
            "the tree groups the species as UPGMA does",
            example,
            "a group " + _group(lost[0]) if lost else "",
            ("a group " + _group(extra[0])) if extra else "the group is missing",
            hints=(
                f"Join the closest two clusters each time, and after each join recompute the "
                f"distances from the new cluster to the others ({SECTION}).",
                "The distance from a new cluster to another is an average over pairs of "
                "species, one on each side: a cluster of three species weighs three times "
                "as much as a single species.",
            ),
        )
    scale = max(float(np.abs(want.patristic).max()), 1e-12)
    tol = dict(rtol=1e-5, atol=1e-6 * scale)
    if not np.allclose(got.depth, got.depth.max(), **tol):
        far, near = int(np.argmax(got.depth)), int(np.argmin(got.depth))
        return Problem(
            "the tree is ultrametric: every species is as far from the root as any other",
            example,
            f"{want.names[far]} and {want.names[near]} at the same distance from the root",
            f"{want.names[far]} at {got.depth[far]:.6g}, {want.names[near]} at "
            f"{got.depth[near]:.6g}",
            hints=(
                f"A branch spans the heights of its two ends: a group's branch is shorter "
                f"than its species' own branches would be ({SECTION}).",
            ),
        )
    if np.allclose(got.patristic, want.patristic, **tol):
        return None
    a, b = np.unravel_index(np.argmax(np.abs(got.patristic - want.patristic)), want.patristic.shape)
    pair = f"the path between {want.names[a]} and {want.names[b]}"
    if np.allclose(got.patristic, 2 * want.patristic, **tol):
        return Problem(
            "the path between two species through the tree is as long as the distance at "
            "which UPGMA joined them; yours are twice as long",
            example,
            f"{pair}: {want.patristic[a, b]:.6g}",
            f"{pair}: {got.patristic[a, b]:.6g}",
            hints=(
                f"The path from one species to the other goes up to their common ancestor "
                f"and down again: how high must the ancestor sit? ({SECTION})",
            ),
        )
    return Problem(
        "the path between two species through the tree is as long as the distance at which "
        "UPGMA joined them",
        example,
        f"{pair}: {want.patristic[a, b]:.6g}",
        f"{pair}: {got.patristic[a, b]:.6g}",
        hints=(
            f"The groups are right, the heights are not: after a join, the distance from the "
            f"new cluster to another is an average over pairs of species ({SECTION}).",
            "A cluster of three species weighs three times as much as a single species in "
            "that average.",
        ),
    )


# --- the checks -------------------------------------------------------------------------------


def expected_values(species_mean_states, state_distances, upgma_newick) -> dict:
    """What the solution gives on the public inputs (stored; see the module docstring)."""
    names, means = species_mean_states(states(), SPECIES)
    means = as_array(means, "species_mean_states")
    return {
        "names": list(names),
        "means": means.tolist(),
        "distances": as_array(state_distances(torch.tensor(means)), "state_distances").tolist(),
        "five_species_tree": upgma_newick(torch.tensor(FIVE_SPECIES), FIVE_NAMES),
    }


def _check_means(species_mean_states) -> Problem | None:
    stored = expected.load("ex10_phylogeny")
    example = "the public STATES and SPECIES (coursepkg.practice.ex10_phylogeny)"
    got = species_mean_states(states(), list(SPECIES))
    return diagnose_means(got, stored["names"], np.array(stored["means"]), example)


def _check_distances(state_distances) -> Problem | None:
    stored = expected.load("ex10_phylogeny")
    means = torch.tensor(stored["means"], dtype=torch.float64)
    example = f"means = {format_numbers(stored['means'])}"
    return diagnose_distances(state_distances(means), np.array(stored["distances"]), example)


def _check_one_point(state_distances) -> Problem | None:
    means = torch.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=torch.float64)
    want = np.array([[0.0, 5.0], [5.0, 0.0]])
    return diagnose_distances(state_distances(means), want, "means = [[0, 0], [3, 4]]")


def _check_tree(upgma_newick, dist, names: list[str], want_text: str, example: str):
    want = read_tree(want_text, names)
    assert isinstance(want, Tree), want
    return diagnose_tree(
        upgma_newick(torch.tensor(dist, dtype=torch.float64), names), want, example
    )


def checks(species_mean_states, state_distances, upgma_newick) -> PublicCheck:
    """Run the public checks on the student's three functions (prints nothing)."""
    checks = PublicCheck("ex10_phylogeny")
    checks.check(
        "species_mean_states of five sequences of three species",
        lambda: _check_means(species_mean_states),
    )
    checks.check(
        "state_distances of two points at distance 5", lambda: _check_one_point(state_distances)
    )
    checks.check(
        "state_distances of the three species' means", lambda: _check_distances(state_distances)
    )
    checks.check(
        "upgma_newick of two species at distance 3",
        lambda: _check_tree(
            upgma_newick, [[0.0, 3.0], [3.0, 0.0]], ["x", "y"], "(x:1.5,y:1.5);", "two species"
        ),
    )
    checks.check(
        "upgma_newick of the five species A .. E (FIVE_SPECIES)",
        lambda: _check_tree(
            upgma_newick,
            FIVE_SPECIES,
            FIVE_NAMES,
            expected.load("ex10_phylogeny")["five_species_tree"],
            "the five species of FIVE_SPECIES",
        ),
    )
    return checks


def run(species_mean_states, state_distances, upgma_newick) -> None:
    """Run the public checks on the student's three functions and print the report."""
    checks(species_mean_states, state_distances, upgma_newick).report()
