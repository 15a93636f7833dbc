"""Genomes of twelve related species, simulated along a known species tree.

The true tree is fixed, ultrametric, with depth 1 (:data:`SPECIES_TREE`, Newick):

    ((((sp01,sp02),(sp03,sp04)),((sp05,sp06),sp07)),(((sp08,sp09),sp10),(sp11,sp12)))

Every species writes its genome in its own *dialect*: a second-order Markov chain, in which
the next base depends on the two before it,

    P(x_t = b | x_{t-2} x_{t-1} = c) = softmax_b(theta[c, b])      theta: (16, 4)

and the dialect evolves down the tree. The root's ``theta`` is drawn once; along a branch
of length ``l`` every entry drifts by Brownian motion,

    theta_child = theta_parent + sqrt(l) * sigma * z,     z ~ N(0, 1) entry by entry,

as the composition and the context-dependent mutation biases of real lineages drift apart
(GC content, CpG depletion, codon usage). Species that split recently still write much
alike; distant ones do not. Each species' genome is drawn from its chain, so the tree is
the only thing that links the species, and a method that reads the genomes' statistics
faithfully can rebuild it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coursepkg.sequences import DNA

SPECIES_TREE = (
    "((((sp01:0.15,sp02:0.15):0.2,(sp03:0.15,sp04:0.15):0.2):0.25,"
    "((sp05:0.15,sp06:0.15):0.2,sp07:0.35):0.25):0.4,"
    "(((sp08:0.15,sp09:0.15):0.2,sp10:0.35):0.25,(sp11:0.15,sp12:0.15):0.45):0.4);"
)
"""The true tree: twelve species, ultrametric (every tip 1.0 from the root), inner
branches of 0.2 to 0.4."""

CONTEXTS = 16
"""Two-base contexts of the chain (``AA, AC, ..., TT``)."""


@dataclass
class SpeciesGenomes:
    """The true species tree and one genome per species."""

    tree: object
    """``dendropy.Tree``, its tips labelled by species name."""
    names: list[str]
    """Species names, sorted."""
    genomes: dict[str, str]
    """Species name -> genome."""
    theta: dict[str, np.ndarray]
    """Species name -> its chain's logits ``(16, 4)``."""


def species_tree():
    """:data:`SPECIES_TREE` as a rooted ``dendropy.Tree`` (a new taxon namespace each call)."""
    import dendropy

    return dendropy.Tree.get(data=SPECIES_TREE, schema="newick", rooting="force-rooted")


def _chain(theta: np.ndarray, length: int, rng: np.random.Generator) -> str:
    """``length`` bases drawn from the second-order chain with logits ``theta``."""
    probs = np.exp(theta - theta.max(axis=1, keepdims=True))
    cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random(length)
    out = np.empty(length, dtype=np.int64)
    out[:2] = rng.integers(0, 4, 2)
    for t in range(2, length):
        row = cumulative[4 * out[t - 2] + out[t - 1]]
        out[t] = min(int(np.searchsorted(row, draws[t])), 3)
    return "".join(DNA[i] for i in out)


def simulate_species(
    genome_length: int = 8000, sigma: float = 1.0, seed: int = 0
) -> SpeciesGenomes:
    """Each species' genome, ``genome_length`` bases, on :data:`SPECIES_TREE`.

    ``sigma`` is the drift of the dialect's logits per unit of tree depth (module
    docstring). Every draw (the root's dialect, the drift, the genomes) comes from ``seed``.
    """
    if genome_length < 10:
        raise ValueError(f"genome_length must be at least 10, got {genome_length}")
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    rng = np.random.default_rng(seed)
    tree = species_tree()
    theta = {}
    for node in tree.preorder_node_iter():
        if node.parent_node is None:
            theta[id(node)] = rng.normal(0.0, 0.5, (CONTEXTS, 4))
        else:
            drift = np.sqrt(node.edge.length) * sigma * rng.normal(size=(CONTEXTS, 4))
            theta[id(node)] = theta[id(node.parent_node)] + drift
    tips = {node.taxon.label: theta[id(node)] for node in tree.leaf_node_iter()}
    names = sorted(tips)
    genomes = {name: _chain(tips[name], genome_length, rng) for name in names}
    return SpeciesGenomes(tree, names, genomes, tips)
