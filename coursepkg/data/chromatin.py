"""Simulated ATAC-seq-like accessibility tracks, with the open and closed regions known.

A track is a stretch of genome cut into bins of :data:`BIN_BP` bases. It alternates
between *closed* chromatin (nucleosome-covered, few transposase insertions) and *open*
regions (accessible, many insertions), with lengths drawn from log-normal distributions
close to what ATAC-seq shows in mammalian cells: peaks of a few hundred bases, closed
stretches of one to a few kilobases::

    open region      length ~ LogNormal(log 500 bp, 0.4), kept within 200-1,200 bp
    closed stretch   length ~ LogNormal(log 1,750 bp, 0.5), kept within 500-6,000 bp

The reads falling in a bin are overdispersed counts, as sequencing counts are: a
gamma-Poisson (negative binomial) with mean ``open_mean`` in open bins and
``closed_mean`` in closed bins, and ``dispersion`` r (variance ``mu + mu^2 / r``). So a
single bin can mislead: an open bin may read 1 and a closed bin 6; only the run of bins
tells the state.

Independently of accessibility, a transcription-factor motif occurs in a bin with
probability ``motif_rate`` (a hit of a motif scanner). A motif matters only where the
chromatin is open, so the task asks, at every bin::

    y_t = number of motif hits in open bins of the current open region, up to bin t
          (0 in closed chromatin)

Answering needs memory inside an open region (the count so far) and forgetting at its end
(the next region starts again from zero): what the LSTM's forget gate is for.

The model reads two channels per bin, ``(B, T, 2)``: ``log1p(count) / 2.5`` (about 1 in
open bins and 0.3 or less in closed ones) and the motif hit (0 or 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

BIN_BP = 50
"""Bases per bin of a track."""

OPEN_BP = (500.0, 0.4, 200, 1200)
"""Open regions: median length, log-normal sigma, shortest and longest (bases)."""

CLOSED_BP = (1750.0, 0.5, 500, 6000)
"""Closed stretches: median length, log-normal sigma, shortest and longest (bases)."""

COUNT_SCALE = 2.5
"""The count channel is ``log1p(count) / COUNT_SCALE``."""


@dataclass
class ChromatinTracks:
    """Simulated tracks and their ground truth, all ``(N, T)`` except ``x``."""

    x: torch.Tensor
    """Model input ``(N, T, 2)``: scaled ``log1p(count)`` and motif hit."""
    y: torch.Tensor
    """Target ``(N, T)``: motif hits so far in the current open region (0 when closed)."""
    counts: torch.Tensor
    """Reads per bin ``(N, T)``, long."""
    open: torch.Tensor
    """True accessibility ``(N, T)``, bool."""
    motif: torch.Tensor
    """Motif hits ``(N, T)``, bool."""

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def exits(self) -> torch.Tensor:
        """``(N, T)`` bool: the first closed bin after an open region."""
        out = torch.zeros_like(self.open)
        out[:, 1:] = self.open[:, :-1] & ~self.open[:, 1:]
        return out

    @property
    def entries(self) -> torch.Tensor:
        """``(N, T)`` bool: the first bin of an open region (not at position 0)."""
        out = torch.zeros_like(self.open)
        out[:, 1:] = ~self.open[:, :-1] & self.open[:, 1:]
        return out


def _lengths(rng: np.random.Generator, spec: tuple, size: int) -> np.ndarray:
    median, sigma, low, high = spec
    bp = np.clip(rng.lognormal(np.log(median), sigma, size), low, high)
    return np.maximum(1, np.rint(bp / BIN_BP)).astype(int)


def accessibility(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, length)`` bool: open (True) and closed bins, starting at a random phase."""
    is_open = np.zeros((n, length), dtype=bool)
    for track in is_open:
        # enough segments to fill the track: each closed+open pair is at least 14 bins
        pairs = length // 14 + 2
        closed = _lengths(rng, CLOSED_BP, pairs)
        opened = _lengths(rng, OPEN_BP, pairs)
        t = -int(rng.integers(0, closed[0] + opened[0]))  # start somewhere in the pattern
        for c, o in zip(closed, opened, strict=True):
            t += c
            if t >= length:
                break
            track[max(t, 0) : t + o] = True
            t += o
    return is_open


def motif_counts_in_region(is_open: np.ndarray, motif: np.ndarray) -> np.ndarray:
    """The target: motif hits in open bins of the current open region, up to each bin.

    ``total[t]`` counts hits in open bins up to ``t``; subtracting its value just before the
    region started leaves the hits of this region; closed bins get 0.
    """
    hits = np.cumsum(is_open & motif, axis=1)
    before = np.where(is_open, 0, hits)  # at a closed bin: everything counted so far
    before = np.maximum.accumulate(before, axis=1)  # carried into the next open region
    return np.where(is_open, hits - before, 0)


def simulate_tracks(
    n: int,
    length: int = 240,
    seed: int = 0,
    *,
    open_mean: float = 15.0,
    closed_mean: float = 0.5,
    dispersion: float = 4.0,
    motif_rate: float = 0.15,
) -> ChromatinTracks:
    """``n`` tracks of ``length`` bins (50 bp each), reproducible from ``seed``.

    Parameters
    ----------
    open_mean, closed_mean : float
        Mean reads per bin in open and closed chromatin.
    dispersion : float
        Negative-binomial ``r``: smaller means noisier counts.
    motif_rate : float
        Probability of a motif hit in any bin.
    """
    if n < 1 or length < 1:
        raise ValueError(f"n and length must be positive, got n={n}, length={length}")
    if not (open_mean > 0 and closed_mean > 0 and dispersion > 0):
        raise ValueError("open_mean, closed_mean and dispersion must be positive")
    if not 0 <= motif_rate <= 1:
        raise ValueError(f"motif_rate must be a probability, got {motif_rate}")
    rng = np.random.default_rng(seed)
    is_open = accessibility(n, length, rng)
    mean = np.where(is_open, open_mean, closed_mean)
    counts = rng.poisson(rng.gamma(dispersion, mean / dispersion))  # negative binomial
    motif = rng.random((n, length)) < motif_rate
    target = motif_counts_in_region(is_open, motif)
    x = np.stack([np.log1p(counts) / COUNT_SCALE, motif], axis=-1)
    return ChromatinTracks(
        x=torch.tensor(x, dtype=torch.float32),
        y=torch.tensor(target, dtype=torch.float32),
        counts=torch.tensor(counts),
        open=torch.tensor(is_open),
        motif=torch.tensor(motif),
    )
