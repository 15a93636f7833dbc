"""Simulated DNA-methylation time courses: sites with their own maintenance rates.

At a CpG site the methylated fraction of a cell population changes as cells divide and
enzymes act. Maintenance methylation (DNMT1 copying the mark onto the new strand after
replication) keeps part of the old level; de novo methylation and active demethylation
(DNMT3A/B, TET enzymes), whose activity depends on the cell's signals, pull the level
towards a target. One step of a time course (a sampling interval) is modelled as

    m_{t,j} = r_j * m_{t-1,j} + (1 - r_j) * target_{t,j},
    target_{t,j} = sigmoid(a_j . x_t + b_j),

site by site: ``r_j`` in (0, 1) is site j's *maintenance rate* (the share of its level it
keeps from one step to the next; its memory lasts about ``1 / (1 - r_j)`` steps), ``x_t``
``(D,)`` are the signals at step t (a treatment switched on and off, enzyme activities),
and ``a_j``, ``b_j`` say how site j's target level responds to them. Each population
starts at the target of its first input, as cells that had been living in that condition.

What is measured is bisulfite sequencing: at each site and time ``n`` reads cover the
site (``n ~ 1 + Poisson(coverage)``) and ``k ~ Binomial(n, m_{t,j})`` of them show a
methylated C. The task of chapter 4 is to recover every site's ``r_j`` from ``x`` and the
read counts alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class MethylationData:
    """Time courses of ``N`` populations over ``T`` steps at ``H`` sites."""

    x: torch.Tensor
    """Signals ``(N, T, D)``; row t drives step t (row 0 sets the starting level)."""
    level: torch.Tensor
    """True methylated fraction ``m_t`` ``(N, T, H)``, in [0, 1]."""
    reads: torch.Tensor
    """Reads covering each site ``(N, T, H)``."""
    methylated: torch.Tensor
    """Reads showing methylation ``(N, T, H)``."""

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def observed(self) -> torch.Tensor:
        """Measured fraction ``methylated / reads`` ``(N, T, H)``."""
        return self.methylated / self.reads


@dataclass
class MethylationSimulator:
    """The generative model above; its site parameters are drawn once from ``seed``.

    Parameters
    ----------
    n_sites, n_signals : int
        Sites H and signals D.
    length : int
        Steps T of a time course.
    rate_range : (float, float)
        Maintenance rates ``r_j`` are uniform in this range.
    switch : float
        Probability that a signal jumps to a new level at a step.
    coverage : float
        Mean reads per site and step (minus one).
    """

    n_sites: int = 12
    n_signals: int = 2
    length: int = 40
    rate_range: tuple[float, float] = (0.3, 0.95)
    switch: float = 0.12
    coverage: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.n_sites, self.n_signals) < 1 or self.length < 2:
            raise ValueError("n_sites and n_signals must be >= 1 and length >= 2")
        low, high = self.rate_range
        if not 0 <= low <= high < 1:
            raise ValueError(f"rate_range must lie in [0, 1), got {self.rate_range}")
        rng = np.random.default_rng(self.seed)
        self.rates = rng.uniform(low, high, self.n_sites)  # r_j
        self.weights = rng.normal(0.0, 1.5, (self.n_sites, self.n_signals))  # a_j
        self.bias = rng.normal(0.0, 1.0, self.n_sites)  # b_j

    def targets(self, x: np.ndarray) -> np.ndarray:
        """``sigmoid(a_j . x_t + b_j)`` for signals ``(..., D)``: ``(..., H)``."""
        return 1.0 / (1.0 + np.exp(-(x @ self.weights.T + self.bias)))

    def signals(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, T, D)`` piecewise-constant signals: at each step a signal keeps its level
        or, with probability ``switch``, jumps to a new one drawn from N(0, 1)."""
        levels = rng.normal(0.0, 1.0, (n, self.length, self.n_signals))
        jumps = rng.random((n, self.length, self.n_signals)) < self.switch
        jumps[:, 0] = True
        # index of the last jump at or before each step, per population and signal
        steps = np.arange(self.length)[None, :, None]
        last = np.maximum.accumulate(np.where(jumps, steps, 0), axis=1)
        return np.take_along_axis(levels, last, axis=1)

    def sample(self, n: int, seed: int) -> MethylationData:
        """``n`` time courses, reproducible from ``seed``."""
        if n < 1:
            raise ValueError(f"n must be positive, got {n}")
        rng = np.random.default_rng(seed)
        x = self.signals(n, rng)
        target = self.targets(x)  # (n, T, H)
        level = np.empty_like(target)
        level[:, 0] = target[:, 0]
        for t in range(1, self.length):
            level[:, t] = self.rates * level[:, t - 1] + (1 - self.rates) * target[:, t]
        reads = 1 + rng.poisson(self.coverage, level.shape)
        methylated = rng.binomial(reads, level)
        return MethylationData(
            x=torch.tensor(x, dtype=torch.float32),
            level=torch.tensor(level, dtype=torch.float32),
            reads=torch.tensor(reads, dtype=torch.float32),
            methylated=torch.tensor(methylated, dtype=torch.float32),
        )
