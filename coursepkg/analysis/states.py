"""Probing hidden states: do they fall into clusters that match a known machine?

``cluster_states`` groups hidden-state vectors with k-means (scipy); ``purity`` is the
fraction of vectors whose cluster's majority machine state is their own state:

    purity = (1/N) * sum_k max_s |{n in cluster k : state_n = s}|

Purity is 1 when every cluster holds one machine state only; it is at least the share
of the most common state for any clustering, which is why chapters quote it beside
the same number for an untrained network.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.cluster.vq import kmeans2


def cluster_states(states: torch.Tensor, k: int, seed: int = 0) -> np.ndarray:
    """K-means cluster ids ``(N,)`` for hidden states ``(N, H)`` (or ``(B, L, H)``, flattened)."""
    data = torch.as_tensor(states, dtype=torch.float64).reshape(-1, states.shape[-1]).numpy()
    if k < 1 or k > len(data):
        raise ValueError(f"k must be between 1 and the number of states ({len(data)}), got {k}")
    _, labels = kmeans2(data, k, seed=seed, minit="++")
    return labels


def purity(clusters: np.ndarray, truth: np.ndarray | torch.Tensor) -> float:
    """Share of points whose cluster's most common true label is their own label."""
    clusters = np.asarray(clusters).reshape(-1)
    truth = np.asarray(truth).reshape(-1)
    if clusters.shape != truth.shape:
        raise ValueError(f"clusters and truth differ in length: {clusters.shape} vs {truth.shape}")
    total = 0
    for cluster in np.unique(clusters):
        total += np.bincount(truth[clusters == cluster]).max()
    return total / len(truth)


def contingency(clusters: np.ndarray, truth: np.ndarray | torch.Tensor) -> np.ndarray:
    """Counts ``(n_clusters, n_states)``: how many points of each true state each cluster holds."""
    clusters = np.asarray(clusters).reshape(-1)
    truth = np.asarray(truth).reshape(-1)
    table = np.zeros((clusters.max() + 1, truth.max() + 1), dtype=int)
    np.add.at(table, (clusters, truth), 1)
    return table
