"""Probing hidden states: do they fall into clusters that match a known machine?

``cluster_states`` groups hidden-state vectors with k-means (scikit-learn's ``KMeans``),
started ``restarts`` times from different k-means++ draws; the run with the lowest
distortion (sum of squared distances to the centres) is kept, so the answer is the
clustering k-means is after, not whichever local optimum one start happened to reach.
``purity`` is the fraction of vectors whose cluster's majority machine state is their own
state:

    purity = (1/N) * sum_k max_s |{n in cluster k : state_n = s}|

Purity is 1 when every cluster holds one machine state only; it is at least the share
of the most common state for any clustering, which is why chapters quote it beside
the same number for an untrained network, clustered the same way.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from coursepkg.seeds import derive


def cluster_states(states: torch.Tensor, k: int, seed: int = 0, restarts: int = 10) -> np.ndarray:
    """K-means cluster ids ``(N,)`` for hidden states ``(N, H)`` (or ``(B, L, H)``, flattened).

    All ``restarts`` starts draw their k-means++ centres from ``derive(seed, "kmeans")``;
    the labels of the start with the lowest distortion are returned. One thread, so the
    result does not depend on the machine's number of cores.
    """
    data = torch.as_tensor(states, dtype=torch.float64).reshape(-1, states.shape[-1]).numpy()
    if k < 1 or k > len(data):
        raise ValueError(f"k must be between 1 and the number of states ({len(data)}), got {k}")
    if restarts < 1:
        raise ValueError(f"restarts must be >= 1, got {restarts}")
    kmeans = KMeans(n_clusters=k, n_init=restarts, random_state=derive(seed, "kmeans"))
    with threadpool_limits(1):
        return kmeans.fit_predict(data)


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
