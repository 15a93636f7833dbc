"""Measuring a gene finder against a genome's annotation.

* :func:`scan_genome` runs a :class:`~coursepkg.models.frame_tagger.FrameTagger` over the
  six frames of a sequence and returns its probabilities per codon and per base;
* :func:`roc_auc` and :func:`f1_score` score a per-base prediction of coding positions;
* :func:`sites` and :func:`site_scores` score called start or stop codons against the
  annotated ones, site for site (a call one codon off is a miss);
* :func:`held_out_blocks` splits a genome into interleaved blocks for training and testing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import rankdata

from coursepkg.data.genes import FRAMES, frame_positions, frames_to_bases, six_frames


@dataclass(frozen=True)
class GenomeScan:
    """A frame tagger's output on one sequence.

    Attributes
    ----------
    codon : ``(6, n, 3)`` probabilities per codon of each frame (coding, start, stop).
    coding : ``(L,)`` probability that a base is coding: the largest coding probability
        among the codons that cover it, one per frame.
    """

    codon: np.ndarray
    coding: np.ndarray


@torch.no_grad()
def scan_genome(model: torch.nn.Module, seq: str) -> GenomeScan:
    """Run ``model`` over the six frames of ``seq`` (one batch of six) and collect its tags."""
    codons = torch.from_numpy(six_frames(seq))  # (6, n)
    was_training = model.training
    model.eval()
    probs = torch.sigmoid(model(codons)).numpy()  # (6, n, 3)
    model.train(was_training)
    return GenomeScan(probs, frames_to_bases(probs[..., 0], len(seq)))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the probability that a random positive outscores a random
    negative (ties count one half), from the ranks of the scores (Mann-Whitney U)."""
    labels = np.asarray(labels).astype(bool).ravel()
    scores = np.asarray(scores, dtype=float).ravel()
    if labels.shape != scores.shape:
        raise ValueError(f"labels {labels.shape} and scores {scores.shape} differ in shape")
    positives, negatives = labels.sum(), (~labels).sum()
    if positives == 0 or negatives == 0:
        raise ValueError("the AUC needs both positive and negative labels")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def f1_score(labels: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of a yes/no prediction: ``2 TP / (2 TP + FP + FN)`` (0 when nothing is positive)."""
    labels = np.asarray(labels).astype(bool).ravel()
    predicted = np.asarray(predicted).astype(bool).ravel()
    if labels.shape != predicted.shape:
        raise ValueError(f"labels {labels.shape} and predictions {predicted.shape} differ")
    tp = np.sum(labels & predicted)
    denominator = 2 * tp + np.sum(~labels & predicted) + np.sum(labels & ~predicted)
    return float(2 * tp / denominator) if denominator else 0.0


def sites(marks: np.ndarray, length: int, offset: int = 0) -> set[tuple[int, int]]:
    """Marked codons of the six frames as ``(strand, position)`` pairs.

    ``marks`` is a ``(6, n)`` bool array over the codons of a sequence of ``length`` bases;
    a codon's position is that of its first base in reading order (the A of a plus-strand
    ``ATG``, the last base of a minus-strand one), plus ``offset``, so that sites found in a
    piece of a genome can be compared with the whole genome's annotation.
    """
    marks = np.asarray(marks).astype(bool)
    positions = frame_positions(length)
    if marks.shape != positions.shape[:2]:
        raise ValueError(f"expected marks of shape {positions.shape[:2]}, got {marks.shape}")
    rows, codons = np.nonzero(marks)
    return {
        (FRAMES[r].strand, int(positions[r, i, 0]) + offset)
        for r, i in zip(rows.tolist(), codons.tolist(), strict=True)
    }


@dataclass(frozen=True)
class SiteScores:
    """Called sites against annotated ones, site for site."""

    annotated: int
    called: int
    found: int

    @property
    def recall(self) -> float:
        return self.found / self.annotated if self.annotated else float("nan")

    @property
    def precision(self) -> float:
        return self.found / self.called if self.called else 0.0

    @property
    def f1(self) -> float:
        total = self.annotated + self.called
        return 2 * self.found / total if total else float("nan")

    def __add__(self, other: SiteScores) -> SiteScores:
        return SiteScores(
            self.annotated + other.annotated, self.called + other.called, self.found + other.found
        )


def site_scores(annotated: set, called: set) -> SiteScores:
    """Compare called sites with annotated ones, both sets of ``(strand, position)``.

    A site is found only when a call has its exact strand and position: one codon off is
    a miss.
    """
    return SiteScores(len(annotated), len(called), len(set(annotated) & set(called)))


def held_out_blocks(length: int, block: int, folds: int, fold: int) -> np.ndarray:
    """A ``(length,)`` bool mask of the bases in fold ``fold``: the genome is cut into
    blocks of ``block`` bases, and block ``k`` belongs to fold ``k % folds``."""
    if not 0 <= fold < folds:
        raise ValueError(f"fold must be in 0 .. {folds - 1}, got {fold}")
    if block < 1:
        raise ValueError(f"block must be at least 1 base, got {block}")
    return (np.arange(length) // block) % folds == fold


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The ``(start, end)`` (end excluded) of every run of True in a 1-d bool mask."""
    mask = np.asarray(mask).astype(np.int8)
    edges = np.diff(np.concatenate([[0], mask, [0]]))
    starts, ends = np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist()
    return list(zip(starts, ends, strict=True))
