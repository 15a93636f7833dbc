"""Analysis of trained networks: hidden-state probing, gradients, attribution, phylogeny."""

from coursepkg.analysis.states import cluster_states, contingency, purity

__all__ = ["cluster_states", "contingency", "purity"]
