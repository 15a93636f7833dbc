"""Hidden suite for ex10_phylogeny (instructors only; never shipped to students).

Self-contained: the references are written out below (pooled means with numpy, distances
with numpy, UPGMA with ``scipy.cluster.hierarchy.linkage(method="average")``, whose
cophenetic distances are the path lengths of the UPGMA tree), on inputs drawn here from a
hidden seed. A tree is read on this side by DendroPy (``read_tree`` of the public check,
which bounds the string's length and nesting first) and compared by its groups of species
(Robinson-Foulds distance 0 between rooted trees) and the path lengths between species.
Each test grades one function on inputs made here.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import squareform

from coursepkg.practice.ex10_phylogeny import (
    SECTION,
    Tree,
    as_array,
    diagnose_distances,
    diagnose_means,
    diagnose_tree,
    read_tree,
)

SEED = 1007010  # hidden seed
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fail(message: str) -> None:
    """Fail the test with ``message`` as the student's feedback (shown as it is)."""
    raise AssertionError(message)


def report(problem, lead: str) -> None:
    if problem is not None:
        hint = f"\nWhat to look at: {problem.hints[0]}" if problem.hints else ""
        fail("\n".join([lead, *problem.lines()]) + hint)


# --- species_mean_states ----------------------------------------------------------------------


def pooled(states: list[np.ndarray], species: list[str]) -> tuple[list[str], np.ndarray]:
    names = sorted(set(species))
    rows = []
    for name in names:
        mine = [s for s, n in zip(states, species, strict=True) if n == name]
        rows.append(np.concatenate(mine, axis=0).mean(axis=0))
    return names, np.stack(rows)


def mean_of_means(states, species) -> np.ndarray:
    names = sorted(set(species))
    return np.stack(
        [
            np.mean([s.mean(axis=0) for s, n in zip(states, species, strict=True) if n == name], 0)
            for name in names
        ]
    )


def random_case(gen: np.random.Generator, S: int, n: int, H: int, lengths=(1, 40), scale=1.0):
    """n sequences of S species (each species at least one, shuffled), states (L_i, H)."""
    names = [f"sp{LETTERS[k]}{int(gen.integers(10, 99))}" for k in range(S)]
    names = [str(name) for name in gen.permutation(names)]
    species = names + [str(gen.choice(names)) for _ in range(n - S)]
    species = [species[i] for i in gen.permutation(n)]
    states = [
        scale * gen.normal(size=(int(gen.integers(*lengths)), H)) + gen.normal(size=H)
        for _ in range(n)
    ]
    return states, species


def assert_means(submission, states, species, what: str) -> None:
    submission.require_own("species_mean_states")
    got = submission.call("species_mean_states", [torch.tensor(s) for s in states], list(species))
    names, want = pooled(states, species)
    if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], (list, tuple)):
        theirs = [str(n) for n in got[0]]
        if sorted(theirs) == names and theirs != names:  # graded in test_names_are_sorted...
            means = as_array(got[1], "species_mean_states (means)")
            if means.ndim == 2 and len(means) == len(names):
                got = (names, means[[theirs.index(n) for n in names]])
    problem = diagnose_means(got, names, want, f"{what} (hidden)")
    if problem is None:
        return
    lead = "species_mean_states differs from the pooled means of the species."
    if isinstance(got, (tuple, list)) and len(got) == 2 and list(got[0]) == names:
        means = as_array(got[1], "species_mean_states")
        if means.shape == want.shape and np.allclose(means, mean_of_means(states, species)):
            fail(
                f"{lead}\nyour rows are the means of each sequence's mean: a short sequence "
                "weighs as much as a long one, but every position should count once\n"
                + "\n".join(problem.lines()[1:])
            )
    report(problem, lead)


@pytest.mark.grade(
    points=2,
    hint="names lists each species once, in sorted order, and row s of means belongs to names[s].",
)
def test_names_are_sorted_and_unique(submission):
    gen = np.random.default_rng(SEED)
    for S, n in ((3, 7), (6, 6), (5, 15)):
        states, species = random_case(gen, S, n, H=3, lengths=(2, 6))
        submission.require_own("species_mean_states")
        got = submission.call(
            "species_mean_states", [torch.tensor(s) for s in states], list(species)
        )
        want_names, want = pooled(states, species)
        problem = diagnose_means(got, want_names, want, f"{n} sequences of {S} species (hidden)")
        if problem is not None and problem.property.startswith(("names", "species_mean_states")):
            report(problem, "species_mean_states: the names")


@pytest.mark.grade(
    points=3,
    hint=f"Each row is the mean over every position of that species' sequences, pooled "
    f"({SECTION}).",
)
def test_means_pool_every_position(submission):
    gen = np.random.default_rng(SEED + 1)
    for S, n, H in ((2, 5, 4), (4, 12, 8), (7, 20, 16)):
        states, species = random_case(gen, S, n, H)
        assert_means(submission, states, species, f"{n} sequences of {S} species, H = {H}")


@pytest.mark.grade(
    points=1,
    hint="Sequences of one position, a species with a single sequence, a single hidden unit, "
    "large values: the same pooled mean.",
)
def test_means_of_extreme_inputs(submission):
    gen = np.random.default_rng(SEED + 2)
    cases = [
        ([np.array([[2.0]]), np.array([[4.0], [4.0], [4.0]])], ["z", "z"], "H = 1"),
        random_case(gen, 3, 3, 5, lengths=(1, 2)) + ("one position per sequence",),
        random_case(gen, 2, 6, 3, lengths=(1, 300)) + ("lengths from 1 to 300",),
        random_case(gen, 3, 8, 4, scale=1e6) + ("states near 1e6",),
    ]
    for states, species, what in cases:
        assert_means(submission, states, species, what)


# --- state_distances --------------------------------------------------------------------------


def euclidean(means: np.ndarray) -> np.ndarray:
    return np.sqrt(((means[:, None, :] - means[None, :, :]) ** 2).sum(-1))


def assert_distances(submission, means: np.ndarray, what: str) -> None:
    submission.require_own("state_distances")
    got = submission.call("state_distances", torch.tensor(means))
    problem = diagnose_distances(got, euclidean(means), f"{what} (hidden)")
    report(problem, f"state_distances on {what}")


@pytest.mark.grade(
    points=2, hint=f"Entry (a, b) is the straight-line distance between rows a and b ({SECTION})."
)
def test_distances_match_euclid(submission):
    gen = np.random.default_rng(SEED + 10)
    for S, H in ((2, 1), (5, 8), (12, 32)):
        assert_distances(submission, gen.normal(size=(S, H)), f"random means, S = {S}, H = {H}")


@pytest.mark.grade(
    points=1,
    hint="Two equal rows are at distance 0, the matrix is symmetric, and a distance has the "
    "units of the states.",
)
def test_distances_of_special_means(submission):
    gen = np.random.default_rng(SEED + 11)
    row = gen.normal(size=6)
    cases = [
        (np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]), "points at (0, 0), (3, 4), (6, 8)"),
        (np.stack([row, row, row + 1.0]), "two identical rows"),
        (1e3 + gen.normal(size=(4, 3)), "means near 1000"),
        (1e-4 * gen.normal(size=(4, 3)), "means near 0"),
    ]
    for means, what in cases:
        assert_distances(submission, means, what)


# --- upgma_newick -----------------------------------------------------------------------------


def upgma_reference(dist: np.ndarray, names: list[str], method: str = "average") -> Tree:
    """The UPGMA tree (``method="average"``) as read_tree describes trees: its groups and
    its path lengths (the cophenetic distances, twice the heights of the common ancestors)."""
    S = len(names)
    Z = linkage(squareform(dist, checks=False), method=method)
    members = [frozenset([n]) for n in names]
    height = np.zeros(S)
    patristic = np.zeros((S, S))
    for a, b, d, _ in Z:
        left, right = members[int(a)], members[int(b)]
        for x in left:
            for y in right:
                i, j = names.index(x), names.index(y)
                patristic[i, j] = patristic[j, i] = d
        members.append(left | right)
    clades = frozenset(m for m in members if len(m) > 1)
    height[:] = Z[-1, 2] / 2 if S > 1 else 0.0
    return Tree(tuple(names), clades, patristic, height, 0)


def random_tree_distances(gen: np.random.Generator, S: int) -> np.ndarray:
    """Distances of points in a few dimensions, plus noise: no two pairs tie."""
    points = gen.normal(size=(S, 3)) * gen.uniform(0.5, 3.0, size=3)
    dist = euclidean(points) + gen.uniform(0, 0.05, size=(S, S))
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 0.0)
    return dist


def names_for(gen: np.random.Generator, S: int) -> list[str]:
    pool = [f"{LETTERS[k]}{k}_x" if k % 3 == 0 else f"{LETTERS[k].lower()}{k}" for k in range(S)]
    return [pool[i] for i in gen.permutation(S)]  # not in sorted order


def student_tree(submission, dist: np.ndarray, names: list[str]):
    submission.require_own("upgma_newick")
    return submission.call("upgma_newick", torch.tensor(dist), list(names))


def assert_tree(submission, dist, names, what: str, groups: bool = True) -> None:
    want = upgma_reference(dist, names)
    text = student_tree(submission, dist, names)
    got = read_tree(text, names)
    lead = f"upgma_newick on {what} (hidden)"
    if not groups and isinstance(got, Tree) and not got.missing:
        want = Tree(want.names, got.clades, want.patristic, want.depth, 0)  # ties: any grouping
    problem = diagnose_tree(text, want, f"{what} (hidden)")
    if problem is None:
        return
    if isinstance(got, Tree) and not got.missing and len(names) > 2:
        wpgma = upgma_reference(dist, names, method="weighted")
        if (
            not np.allclose(wpgma.patristic, want.patristic)
            and got.clades == wpgma.clades
            and np.allclose(got.patristic, wpgma.patristic, rtol=1e-5)
        ):
            fail(
                f"{lead}\nyour tree is the tree of WPGMA, in which each cluster counts once "
                "in the average whatever its size; UPGMA averages over pairs of species\n"
                + "\n".join(problem.lines()[1:])
            )
    report(problem, lead)


@pytest.mark.grade(
    points=1,
    hint="A Newick string such as ((A:1.5,B:1.5):0.75,C:2.25); with every species once and a "
    "length on every branch but the root's.",
)
def test_newick_is_readable_with_lengths(submission):
    gen = np.random.default_rng(SEED + 20)
    for S in (3, 6):
        names = names_for(gen, S)
        text = student_tree(submission, random_tree_distances(gen, S), names)
        got = read_tree(text, names)
        if not isinstance(got, Tree):
            report(got, f"upgma_newick on {S} species (hidden): the string cannot be read")
        elif got.missing:
            fail(
                f"upgma_newick on {S} species (hidden): every branch has a length "
                f"(name:length); {got.missing} branches have none\ngot:      {text[:200]}"
            )


@pytest.mark.grade(
    points=3,
    hint=f"The groups of UPGMA: join the closest clusters, then average over pairs of species "
    f"({SECTION}).",
)
def test_groups_match_upgma(submission):
    gen = np.random.default_rng(SEED + 30)
    for S in (4, 7, 12):
        names = names_for(gen, S)
        dist = random_tree_distances(gen, S)
        want = upgma_reference(dist, names)
        text = student_tree(submission, dist, names)
        got = read_tree(text, names)
        if not isinstance(got, Tree):
            report(got, f"upgma_newick on {S} species (hidden): the string cannot be read")
        elif got.clades != want.clades:
            assert_tree(submission, dist, names, f"{S} species")  # explains the groups


@pytest.mark.grade(
    points=3,
    hint="The path between two species through the tree is as long as the distance at which "
    f"UPGMA joined them ({SECTION}).",
)
def test_path_lengths_match_upgma(submission):
    gen = np.random.default_rng(SEED + 40)
    for S in (3, 5, 9, 15):
        assert_tree(submission, random_tree_distances(gen, S), names_for(gen, S), f"{S} species")


@pytest.mark.grade(
    points=2,
    hint="Two species, species at distance 0, all distances equal, large distances: the same "
    "rules, with no special case.",
)
def test_tree_of_extreme_distances(submission):
    gen = np.random.default_rng(SEED + 50)
    equal = np.full((5, 5), 2.0)
    np.fill_diagonal(equal, 0.0)
    twins = random_tree_distances(gen, 4)
    twins[0, 1] = twins[1, 0] = 0.0
    cases = [
        (np.array([[0.0, 0.7], [0.7, 0.0]]), ["only", "two"], "two species", True),
        (twins, names_for(gen, 4), "4 species, two at distance 0", True),
        (equal, names_for(gen, 5), "5 species all at distance 2", False),
        (1e4 * random_tree_distances(gen, 6), names_for(gen, 6), "distances near 1e4", True),
    ]
    for dist, names, what, groups in cases:
        assert_tree(submission, dist, names, what, groups=groups)
