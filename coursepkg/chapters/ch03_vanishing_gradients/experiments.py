"""Chapter 3, "Vanishing gradients and BPTT": the experiments behind its claims.

* :func:`gradient_decay` measures ``||dh_T/dh_t||`` through time for RNNs whose recurrent
  matrix has a chosen spectral radius, with and without the tanh, and fits the decay rate.
* :func:`distal_accuracy` trains a vanilla RNN and an LSTM (fused torch modules) on the
  distal-enhancer task at several distances and measures held-out accuracy.
* :func:`truncation_horizon` measures how far back truncated BPTT sends gradient, and
  what an LSTM trained that way learns.

Every function takes its seeds as arguments and gives the same numbers on every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from coursepkg.analysis.gradients import (
    decay_rate,
    gradient_horizon,
    input_gradient_reach,
    jacobian_norms,
    predicted_rate,
    recurrent_matrix,
)
from coursepkg.data.enhancer import distal_enhancer_dataset
from coursepkg.models.last_state import LastStateClassifier
from coursepkg.sequences import onehot, random_dna
from coursepkg.train import fit, seed_everything, torch_threads

RADII = (0.9, 1.0, 1.1)
"""Spectral radii of the recurrent matrices compared in the chapter."""

DISTANCES = (5, 15, 30, 60)
"""Distances (bases between the enhancer site and the prediction point) of the task."""

LSTM_FORGET_BIAS = 6.0
"""Initial forget-gate bias of the chapter's LSTM: ``sigmoid(6) = 0.9975``, a memory of
hundreds of steps at the start of training (the "chrono" idea of Tallec and Ollivier,
2018: set the forget gate to the time scale of the task). Torch's default initialisation
gives ``f`` near 0.5, a memory of a few steps."""


@dataclass
class DecayResult:
    """Gradient norms through time for one spectral radius."""

    radius: float
    linear_norms: np.ndarray
    """``||dh_T/dh_t||`` for the linear RNN, indexed by t = 0..T-1."""
    tanh_norms: np.ndarray
    """The same for the tanh RNN with the same weights and input."""
    linear_rate: float
    tanh_rate: float

    @property
    def predicted(self) -> float:
        """``log(radius)``: the rate the spectral radius predicts."""
        return predicted_rate(self.radius)


def random_rnn(hidden: int, radius: float, inputs: int = 4, seed: int = 0):
    """Weights ``(W_h, W_x, b)`` in float64: ``W_h = radius * Q`` (Q random orthogonal),
    ``W_x`` Gaussian with standard deviation 0.5, ``b = 0``."""
    W_h = recurrent_matrix(hidden, radius, seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    W_x = 0.5 * torch.randn(hidden, inputs, generator=gen, dtype=torch.float64)
    return W_h, W_x, torch.zeros(hidden, dtype=torch.float64)


def gradient_decay(
    radii: tuple[float, ...] = RADII, hidden: int = 32, length: int = 60, seed: int = 0
) -> list[DecayResult]:
    """Measure ``||dh_T/dh_t||`` for t = 0..T-1 on one random DNA sequence of ``length`` bases.

    For each radius the same orthogonal direction ``Q`` is scaled to that radius, so the
    networks differ only in ``rho``. The linear RNN has ``dh_T/dh_t = W_h^{T-t}`` and
    ``||W_h^k|| = rho^k`` exactly, so its fitted rate is ``log(rho)``; the tanh RNN
    multiplies each step by ``diag(1 - h_s^2)``, whose norm is at most 1, so its norms
    fall at least as fast: every backward step changes ``log ||dh_T/dh_t||`` by at most
    ``log(rho)``, and so does the least-squares slope (a weighted mean of those steps).
    """
    gen = torch.Generator().manual_seed(seed + 7)
    x = onehot(random_dna(length, generator=gen), dtype=torch.float64)  # (T, 4)
    with torch_threads(1):
        results = [_decay_one(radius, hidden, x, seed) for radius in radii]
    return results


def _decay_one(radius: float, hidden: int, x: torch.Tensor, seed: int) -> DecayResult:
    W_h, W_x, b = random_rnn(hidden, radius, seed=seed)
    h0 = torch.zeros(hidden, dtype=torch.float64)
    lin = jacobian_norms(W_h, W_x, b, x, h0, linear=True).numpy()
    tanh = jacobian_norms(W_h, W_x, b, x, h0).numpy()
    return DecayResult(radius, lin, tanh, decay_rate(lin), decay_rate(tanh))


def rate_table(results: list[DecayResult]) -> list[dict]:
    """One row per radius: predicted ``log(rho)`` and the two fitted rates."""
    return [
        {
            "spectral radius": r.radius,
            "log(rho) (predicted)": round(r.predicted, 4),
            "linear RNN, fitted": round(r.linear_rate, 4),
            "tanh RNN, fitted": round(r.tanh_rate, 4),
        }
        for r in results
    ]


def linear_rate_error(results: list[DecayResult]) -> float:
    """``max |fitted linear rate - log(rho)|`` over the radii."""
    return max(abs(r.linear_rate - r.predicted) for r in results)


def tanh_rate_excess(results: list[DecayResult]) -> float:
    """``max (fitted tanh rate - log(rho))``: never above 0 when the bound holds."""
    return max(r.tanh_rate - r.predicted for r in results)


@dataclass
class DistalRun:
    kind: str
    distance: int
    accuracy: float
    seconds: float
    model: LastStateClassifier


def train_distal(
    kind: str,
    distance: int,
    *,
    hidden: int = 32,
    n: int = 600,
    epochs: int = 8,
    lr: float = 0.005,
    truncation: int | None = None,
    seed: int = 0,
    data_seed: int = 1,
) -> DistalRun:
    """Train ``LastStateClassifier(kind)`` on the distal-enhancer task at ``distance``.

    Training: ``n`` sequences (seed ``data_seed``), Adam, binary cross-entropy, gradient
    clipping at 1; the weights with the best loss on 400 validation sequences (seed
    ``data_seed + 1``) are kept. Accuracy is measured on 1000 held-out sequences (seed
    ``data_seed + 2``); chance is 0.5.
    """
    x, y = distal_enhancer_dataset(n, distance, seed=data_seed)
    xv, yv = distal_enhancer_dataset(400, distance, seed=data_seed + 1)
    xt, yt = distal_enhancer_dataset(1000, distance, seed=data_seed + 2)
    with torch_threads(1):
        seed_everything(seed)
        forget_bias = LSTM_FORGET_BIAS if kind == "lstm" else None
        model = LastStateClassifier(kind, 4, hidden, truncation=truncation, forget_bias=forget_bias)
        start = time.perf_counter()
        fit(
            model,
            x,
            y,
            F.binary_cross_entropy_with_logits,
            epochs=epochs,
            batch_size=32,
            lr=lr,
            seed=seed,
            val=(xv, yv),
            progress=False,
            desc=f"{kind}, distance {distance}",
        )
        seconds = time.perf_counter() - start
        with torch.no_grad():
            accuracy = float(((model(xt) > 0).float() == yt).float().mean())
    return DistalRun(kind, distance, accuracy, seconds, model)


def distal_accuracy(
    distances: tuple[int, ...] = DISTANCES, kinds: tuple[str, ...] = ("rnn", "lstm"), seed: int = 0
) -> list[DistalRun]:
    """:func:`train_distal` for every kind and distance (same data for both kinds)."""
    return [train_distal(kind, d, seed=seed) for d in distances for kind in kinds]


def accuracy_table(runs: list[DistalRun]) -> list[dict]:
    """Rows ``{"distance": d, "rnn": acc, "lstm": acc}``."""
    rows: dict[int, dict] = {}
    for run in runs:
        rows.setdefault(run.distance, {"distance": run.distance})[run.kind] = round(run.accuracy, 3)
    return [rows[d] for d in sorted(rows)]


def accuracy_of(runs: list[DistalRun], kind: str, distance: int) -> float:
    """The accuracy of the run with this kind and distance."""
    for run in runs:
        if run.kind == kind and run.distance == distance:
            return run.accuracy
    raise ValueError(f"no run for kind={kind!r}, distance={distance}")


@dataclass
class TruncationResult:
    truncation: int
    reach: np.ndarray
    """``||d logit / d x_t||`` for each position of one sequence."""
    horizon: int
    """Positions, counting back from the prediction point, that receive gradient."""
    full_horizon: int
    """The same with full BPTT (the whole sequence)."""
    truncated_run: DistalRun
    """An LSTM trained at the largest distance with truncated BPTT."""


def truncation_horizon(
    truncation: int = 10, distance: int = DISTANCES[-1], seed: int = 0
) -> TruncationResult:
    """Measure the reach of truncated BPTT and train an LSTM with it at ``distance``.

    The reach is measured on an untrained LSTM (any weights show it: the cut is in the
    graph, not in the values); the trained LSTM shows the consequence.
    """
    x, _ = distal_enhancer_dataset(1, distance, seed=seed + 99)
    seed_everything(seed)
    model = LastStateClassifier("lstm", 4, 32, forget_bias=LSTM_FORGET_BIAS)
    reach = input_gradient_reach(model, x[0], truncation)
    full = input_gradient_reach(model, x[0], None)
    run = train_distal("lstm", distance, truncation=truncation, seed=seed)
    return TruncationResult(
        truncation=truncation,
        reach=reach.numpy(),
        horizon=gradient_horizon(reach),
        full_horizon=gradient_horizon(full),
        truncated_run=run,
    )
