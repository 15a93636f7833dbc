"""Which units of a network track which feature of the input: correlations, unit by unit.

Given the values of ``U`` units on ``N`` sequences (say, a classifier's summary vector) and
a feature measured on the same sequences (a motif count, a CpG density), the Pearson
correlation of unit ``j`` with the feature is

    r_j = cov(a_j, f) / (std(a_j) std(f))        a_j = (a_1j .. a_Nj),  f = (f_1 .. f_N)

and the *best unit* is the one with the largest ``|r_j|``. Taking the best of ``U`` units
favours chance: even units that track nothing have a best ``|r|`` around
``sqrt(2 log U / N)``. So the number means something only beside the same number for a
control with the same units and the same sequences, such as the same network before
training.
"""

from __future__ import annotations

import numpy as np


def unit_correlations(activity: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson ``r`` of every unit with the feature, ``(U,)``.

    Parameters
    ----------
    activity : ``(N, U)``, unit values on ``N`` sequences.
    feature : ``(N,)``, the feature on the same sequences; NaN entries (a feature that is
        undefined for some sequences) are left out with their rows.

    A unit (or feature) that does not vary gets ``r = 0``: it tracks nothing.
    """
    activity = np.asarray(activity, dtype=float)
    feature = np.asarray(feature, dtype=float)
    if activity.ndim != 2 or feature.shape != (activity.shape[0],):
        raise ValueError(
            f"need activity (N, U) and feature (N,), got {activity.shape} and {feature.shape}"
        )
    keep = ~np.isnan(feature)
    if keep.sum() < 3:
        raise ValueError(f"need at least 3 sequences with a defined feature, got {keep.sum()}")
    a = activity[keep] - activity[keep].mean(0)
    f = feature[keep] - feature[keep].mean()
    scale = np.sqrt((a**2).sum(0) * (f**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * f[:, None]).sum(0) / scale
    return np.where(scale > 0, r, 0.0)


def best_unit(activity: np.ndarray, feature: np.ndarray) -> tuple[int, float]:
    """``(j, r_j)`` of the unit with the largest ``|r|`` (:func:`unit_correlations`)."""
    r = unit_correlations(activity, feature)
    j = int(np.argmax(np.abs(r)))
    return j, float(r[j])
