"""Species trees rebuilt from what a model has read, and how far they are from the truth.

:func:`rebuild_species_tree` runs a next-nucleotide model over each species' genome,
summarises the species by its hidden states, and clusters the summaries by average linkage
(UPGMA, ``scipy.cluster.hierarchy.linkage(method="average")`` on Euclidean distances);
:func:`kmer_tree` does the same from k-mer frequencies, the classic alignment-free
baseline. :func:`tree_from_profiles` also offers neighbour joining (``method="nj"``,
Biopython's ``DistanceTreeConstructor.nj``) on the same Euclidean distances: it does not
assume that every lineage changed at one rate, as average linkage does, and its tree is
unrooted. :func:`robinson_foulds` counts the splits on which two trees disagree.

The Robinson-Foulds distance of two unrooted trees on the same ``n`` tips is the number of
bipartitions (splits made by cutting one inner edge) found in one tree and not in the
other. It is 0 for the same topology and at most ``2 (n - 3)``; divided by that maximum it
is between 0 and 1, and a random tree sits near 1.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
from scipy.cluster.hierarchy import linkage, to_tree

from coursepkg.sequences import DNA, onehot


def _genome_windows(genome: str, window: int) -> torch.Tensor:
    """The genome cut into consecutive windows of ``window`` bases, one-hot ``(N, window, 4)``
    (a short tail is dropped)."""
    n = len(genome) // window
    if n < 1:
        raise ValueError(f"a genome of {len(genome)} bases holds no window of {window}")
    return onehot(genome[: n * window]).reshape(n, window, 4)


def _average_linkage_tree(profiles: np.ndarray, names: list[str], namespace=None):
    """A rooted ``dendropy.Tree`` from average-linkage clustering of the rows of
    ``profiles`` ``(S, F)`` (tip ``i`` is ``names[i]``; heights are half the merge
    distances, so the tree is ultrametric)."""
    import dendropy

    namespace = namespace if namespace is not None else dendropy.TaxonNamespace(names)
    root = to_tree(linkage(profiles, method="average", metric="euclidean"))
    tree = dendropy.Tree(taxon_namespace=namespace)

    def build(cluster, node) -> None:
        for child in (cluster.get_left(), cluster.get_right()):
            sub = node.new_child()
            sub.edge.length = (cluster.dist - child.dist) / 2
            if child.is_leaf():
                sub.taxon = namespace.require_taxon(label=names[child.id])
            else:
                build(child, sub)

    build(root, tree.seed_node)
    return tree


def _nj_tree(profiles: np.ndarray, names: list[str], namespace=None):
    """An unrooted ``dendropy.Tree`` by neighbour joining on the Euclidean distances
    between the rows of ``profiles`` ``(S, F)`` (Biopython's ``DistanceTreeConstructor``)."""
    import io

    import dendropy
    from Bio import Phylo
    from Bio.Phylo.TreeConstruction import DistanceMatrix, DistanceTreeConstructor

    d = np.linalg.norm(profiles[:, None, :] - profiles[None, :, :], axis=-1)
    lower = [[float(d[i, j]) for j in range(i + 1)] for i in range(len(names))]
    tree = DistanceTreeConstructor().nj(DistanceMatrix(list(names), lower))
    text = io.StringIO()
    Phylo.write(tree, text, "newick")
    namespace = namespace if namespace is not None else dendropy.TaxonNamespace(names)
    return dendropy.Tree.get(
        data=text.getvalue(), schema="newick", taxon_namespace=namespace, rooting="force-unrooted"
    )


TREE_BUILDERS = ("average", "nj")
"""How :func:`tree_from_profiles` joins species: average linkage (UPGMA) or neighbour
joining."""


def tree_from_profiles(profiles: np.ndarray, names: list[str], method="average", namespace=None):
    """A ``dendropy.Tree`` whose tip ``i`` is ``names[i]``, from the rows of ``profiles``
    ``(S, F)`` (one summary vector per species), by ``method`` in :data:`TREE_BUILDERS`."""
    profiles = np.asarray(profiles, dtype=float)
    if profiles.ndim != 2 or profiles.shape[0] != len(names) or len(names) < 3:
        raise ValueError(
            f"need profiles (S, F) with S = len(names) >= 3, got {profiles.shape} "
            f"for {len(names)} names"
        )
    if method == "average":
        return _average_linkage_tree(profiles, list(names), namespace)
    if method == "nj":
        return _nj_tree(profiles, list(names), namespace)
    raise ValueError(f"method must be one of {TREE_BUILDERS}, got {method!r}")


@torch.no_grad()
def species_summaries(model, genomes: dict[str, str], window: int = 100):
    """``(names, summaries)``: the species in sorted order and, for each, the mean of the
    model's hidden states over every position of every window of ``window`` bases,
    ``(S, H)``. ``model`` is any module with ``states(x (B, L, 4)) -> (B, L, H)``."""
    if len(genomes) < 3:
        raise ValueError(f"need at least 3 species to build a tree, got {len(genomes)}")
    names = sorted(genomes)
    summaries = []
    for name in names:
        states = model.states(_genome_windows(genomes[name], window))  # (N, window, H)
        summaries.append(states.reshape(-1, states.shape[-1]).mean(0).double().numpy())
    return names, np.stack(summaries)


def rebuild_species_tree(
    model, genomes: dict[str, str], window: int = 100, namespace=None, method="average"
):
    """The species tree read from a model's hidden states, as a ``dendropy.Tree``.

    Each genome is cut into windows of ``window`` bases, read by ``model.states`` (any
    module with ``states(x (B, L, 4)) -> (B, L, H)``), and the species is summarised by
    the mean of its states over every position of every window
    (:func:`species_summaries`). Species whose summaries lie close together are joined
    first (average linkage on Euclidean distances, or ``method="nj"``).
    ``namespace`` (a ``dendropy.TaxonNamespace``) lets the tree be compared with another
    on the same taxa.
    """
    names, summaries = species_summaries(model, genomes, window)
    return tree_from_profiles(summaries, names, method, namespace)


def kmer_profile(sequence: str, k: int) -> np.ndarray:
    """Frequencies of the ``4**k`` k-mers (``AA..A`` to ``TT..T``, in ``ACGT`` order) of
    ``sequence``, counted at every position, ``(4**k,)`` summing to 1."""
    if k < 1 or len(sequence) < k:
        raise ValueError(f"need 1 <= k <= len(sequence), got k={k} for {len(sequence)} bases")
    index = {"".join(w): i for i, w in enumerate(itertools.product(DNA, repeat=k))}
    counts = np.zeros(len(index))
    for t in range(len(sequence) - k + 1):
        i = index.get(sequence[t : t + k])
        if i is not None:
            counts[i] += 1
    return counts / counts.sum()


def kmer_tree(genomes: dict[str, str], k: int = 3, namespace=None):
    """The alignment-free baseline: average linkage on the genomes' k-mer frequencies
    (:func:`kmer_profile`), as a ``dendropy.Tree``."""
    if len(genomes) < 3:
        raise ValueError(f"need at least 3 species to build a tree, got {len(genomes)}")
    names = sorted(genomes)
    profiles = np.stack([kmer_profile(genomes[n], k) for n in names])
    return _average_linkage_tree(profiles, names, namespace)


def robinson_foulds(tree, reference) -> tuple[int, float]:
    """``(RF, RF / 2(n - 3))`` between two trees on the same taxa, both read as unrooted."""
    from dendropy.calculate import treecompare

    if tree.taxon_namespace is not reference.taxon_namespace:
        raise ValueError("the trees must share one dendropy.TaxonNamespace to be compared")
    a, b = tree.clone(depth=1), reference.clone(depth=1)
    for t in (a, b):
        t.is_rooted = False
        t.encode_bipartitions()
    rf = int(treecompare.symmetric_difference(a, b))
    n = len(reference.leaf_nodes())
    return rf, rf / (2 * (n - 3))
