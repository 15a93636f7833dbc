"""Chapter 3, "Vanishing gradients and BPTT": the experiments behind its claims.

* :func:`gradient_decay` measures ``||dh_T/dh_t||`` through time for tanh RNNs
  (``torch.nn.RNN`` modules, by autograd) whose recurrent matrix has a chosen spectral
  radius, beside the linear RNN with the same matrix, and fits the rate of change;
  :func:`nonnormal_growth` does the same for a non-normal matrix of spectral radius 0.9.
* :func:`distal_study` trains vanilla RNNs (an :class:`~coursepkg.models.ElmanEnsemble`,
  every seed at once) and LSTMs (fused ``torch.nn.LSTM``, seeds spread over both cores by
  :func:`coursepkg.seeds.map_seeds`) on the distal-enhancer task at several distances,
  and an LSTM with truncated BPTT, for every seed of a block.
* :func:`truncation_horizon` measures how far back truncated BPTT sends gradient.

Every function takes its seeds as arguments and gives the same numbers on every run; every
random source is drawn from :func:`coursepkg.seeds.derive`. :data:`BOOK` holds the settings
the notebook and :func:`claims.measure` both use.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from coursepkg.analysis.gradients import (
    chain_matrix,
    gradient_horizon,
    hidden_state_jacobians,
    input_gradient_reach,
    power_norms,
    recurrent_matrix,
)
from coursepkg.data.enhancer import distal_enhancer_dataset
from coursepkg.models.elman import ElmanEnsemble
from coursepkg.models.last_state import LastStateClassifier
from coursepkg.seeds import derive, submit_seeds
from coursepkg.sequences import onehot, random_dna
from coursepkg.train import fit, fit_ensemble, seed_everything, torch_threads
from coursepkg.viz.tables import spread


@dataclass(frozen=True)
class Settings:
    """Everything that decides the chapter's numbers apart from the seeds."""

    radii: tuple[float, ...] = (0.9, 1.0, 1.1)
    """Spectral radii of the recurrent matrices compared."""
    hidden_decay: int = 32
    length_decay: int = 60
    input_scale: float = 0.5
    """Standard deviation of the input weights of the decay networks."""
    chain_coupling: float = 0.3
    """Coupling of the non-normal chain matrix (spectral radius ``radii[0]``)."""
    chain_input_scale: float = 0.1
    """Smaller inputs for the chain network, so its units stay in tanh's linear range."""
    n_seeds: int = 8
    distances: tuple[int, ...] = (5, 15, 30, 60)
    """Bases between the enhancer site and the prediction point."""
    hidden: int = 16
    n_train: int = 600
    n_val: int = 400
    n_test: int = 1000
    epochs: int = 30
    """At most this many epochs; a run stops earlier once it classifies ``solved`` of its
    validation sequences correctly."""
    solved: float = 0.99
    """Validation accuracy at which a run counts as solved and stops."""
    batch_size: int = 32
    lr: float = 0.01
    clip: float = 1.0
    forget_bias: float = 6.0
    """Initial forget-gate bias of the LSTM: ``sigmoid(6) = 0.9975``, a memory of hundreds of
    steps before any training (the "chrono" idea of Tallec and Ollivier, 2018: set the
    forget gate to the time scale of the task)."""
    input_bias: float = -3.0
    """Initial input-gate bias of the LSTM: ``sigmoid(-3) = 0.047``, so the cell starts out
    writing little of each base into its long memory."""
    truncation: int = 10
    """Window of truncated BPTT (steps)."""


BOOK = Settings()
"""The settings of the book (the notebook and ``claims.measure`` both use these)."""


# --- gradient norms through time ---------------------------------------------------------


def tanh_rnn(W_h: torch.Tensor, input_scale: float, seed: int, inputs: int = 4) -> torch.nn.RNN:
    """A float64 ``torch.nn.RNN`` (tanh) with recurrent matrix ``W_h``, Gaussian input weights
    of standard deviation ``input_scale`` (from ``derive(seed, "W_x")``) and zero biases."""
    H = W_h.shape[0]
    rnn = torch.nn.RNN(inputs, H, batch_first=True).double()
    gen = torch.Generator().manual_seed(derive(seed, "W_x"))
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(W_h)
        rnn.weight_ih_l0.copy_(
            input_scale * torch.randn(H, inputs, generator=gen, dtype=torch.float64)
        )
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.zero_()
    return rnn


@dataclass
class DecayResult:
    """Gradient norms through time for one recurrent matrix."""

    name: str
    radius: float
    """Spectral radius ``rho`` of ``W_h``."""
    norm: float
    """``||W_h||_2``, its largest singular value (``= rho`` when ``W_h`` is normal)."""
    linear_norms: np.ndarray
    """``||dh_T/dh_t|| = ||W_h^{T-t}||`` of the linear RNN, indexed by t = 0..T-1."""
    tanh_norms: np.ndarray
    """The same for the tanh RNN with the same weights and input (autograd)."""
    linear_rate: float
    """Fitted rate of the linear norms: slope of their log against ``k = T - t``."""
    tanh_rate: float
    """The same for the tanh norms."""

    @property
    def log_radius(self) -> float:
        return math.log(self.radius)

    @property
    def log_norm(self) -> float:
        return math.log(self.norm)


def _decay(name: str, W_h: torch.Tensor, radius: float, x: torch.Tensor, scale: float, seed: int):
    """Both networks with ``W_h``; ``radius`` is given, as the eigenvalues of a non-normal
    matrix are numerically fragile (those of the chain are exactly its diagonal)."""
    T = x.shape[0]
    norm = float(torch.linalg.matrix_norm(W_h, ord=2))
    linear = power_norms(W_h, T).flip(0).numpy()  # entry t: T - t steps back
    jacobians = hidden_state_jacobians(tanh_rnn(W_h, scale, seed), x)
    tanh = torch.linalg.matrix_norm(jacobians, ord=2).detach().numpy()
    # the rate: least-squares slope of log ||dh_T/dh_t|| against the steps back, k = T - t
    k = np.arange(T, 0, -1)
    linear_rate, tanh_rate = (float(np.polyfit(k, np.log(n), 1)[0]) for n in (linear, tanh))
    return DecayResult(name, radius, norm, linear, tanh, linear_rate, tanh_rate)


@torch_threads(1)
def gradient_decay(seed: int, settings: Settings = BOOK, radii=None) -> list[DecayResult]:
    """``||dh_T/dh_t||`` for ``W_h = rho Q`` at each radius, on one random DNA sequence.

    ``Q`` (from ``derive(seed, "Q")``) is the same for every radius, so the networks differ
    only in ``rho``; so are the input weights and the sequence. ``rho Q`` is normal, so
    ``||W_h^k|| = rho^k`` exactly and the linear rate is ``log rho``; the tanh multiplies
    each backward step by ``diag(1 - h_s^2)``, whose norm is at most 1, so every backward
    step changes ``log ||dh_T/dh_t||`` by at most ``log ||W_h||_2`` (here ``log rho``), and so
    does the least-squares slope, a weighted mean of those steps.
    """
    radii = settings.radii if radii is None else radii
    gen = torch.Generator().manual_seed(derive(seed, "sequence"))
    x = onehot(random_dna(settings.length_decay, generator=gen), dtype=torch.float64)  # (T, 4)
    Q = recurrent_matrix(settings.hidden_decay, 1.0, seed=derive(seed, "Q"))
    return [_decay(f"rho Q, rho = {r:g}", r * Q, r, x, settings.input_scale, seed) for r in radii]


@torch_threads(1)
def nonnormal_growth(seed: int, settings: Settings = BOOK) -> tuple[DecayResult, DecayResult]:
    """A normal ``rho Q`` and the non-normal :func:`chain_matrix`, both of spectral radius
    ``rho = settings.radii[0]``, with small inputs (``settings.chain_input_scale``)."""
    rho, H = settings.radii[0], settings.hidden_decay
    gen = torch.Generator().manual_seed(derive(seed, "sequence"))
    x = onehot(random_dna(settings.length_decay, generator=gen), dtype=torch.float64)
    normal = recurrent_matrix(H, rho, seed=derive(seed, "Q"))
    chain = chain_matrix(H, rho, settings.chain_coupling)
    scale = settings.chain_input_scale
    return (
        _decay(f"normal (rho Q), rho = {rho:g}", normal, rho, x, scale, seed),
        _decay(f"chain, rho = {rho:g}", chain, rho, x, scale, seed),
    )


def rate_table(results: list[DecayResult]) -> list[dict]:
    """One row per matrix: ``log rho``, ``log ||W_h||`` and the two fitted rates."""
    return [
        {
            "recurrent matrix": r.name,
            "log rho": round(r.log_radius, 4),
            "log ||W_h||_2": round(r.log_norm, 4),
            "linear RNN, fitted": round(r.linear_rate, 4),
            "tanh RNN, fitted": round(r.tanh_rate, 4),
        }
        for r in results
    ]


@dataclass
class DecayChecks:
    """The deterministic claims about gradient norms, from :func:`gradient_decay` and
    :func:`nonnormal_growth` on the same seed."""

    decay: list[DecayResult]
    nonnormal: tuple[DecayResult, DecayResult]

    def claims(self) -> dict[str, float]:
        every = [*self.decay, *self.nonnormal]
        at_one = min(self.decay, key=lambda r: abs(r.radius - 1.0))
        normal = [r for r in every if abs(r.norm - r.radius) < 1e-9]
        return {
            "ch03.linear_rate_matches": max(abs(r.linear_rate - r.log_radius) for r in normal),
            "ch03.tanh_rate_bounded": max(r.tanh_rate - r.log_norm for r in every),
            "ch03.tanh_vanishes_at_one": at_one.tanh_rate,
            "ch03.nonnormal_grows": self.nonnormal[1].linear_rate,
        }


def decay_checks(seed: int, settings: Settings = BOOK) -> DecayChecks:
    return DecayChecks(gradient_decay(seed, settings), nonnormal_growth(seed, settings))


# --- the distal-enhancer task ------------------------------------------------------------


def task_data(seed: int, distance: int, settings: Settings = BOOK) -> dict:
    """Seed ``seed``'s training, validation and held-out sequences at ``distance``."""
    return {
        part: distal_enhancer_dataset(n, distance, seed=derive(seed, part, distance))
        for part, n in (
            ("train", settings.n_train),
            ("val", settings.n_val),
            ("test", settings.n_test),
        )
    }


def solved(x_val: torch.Tensor, y_val: torch.Tensor, level: float, ensemble: bool = False):
    """``stop(model)`` for :func:`coursepkg.train.fit`: True once the model classifies at
    least a share ``level`` of the validation sequences correctly (for an ensemble: every
    member does)."""

    @torch.no_grad()
    def stop(model) -> bool:
        logits = model(x_val)[:, :, -1, 0] if ensemble else model(x_val)
        accuracy = ((logits > 0).float() == y_val).float().mean(dim=-1)
        return bool((accuracy >= level).all())

    return stop


def last_position_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of each member at the last position: logits ``(S, B, L, 1)``,
    labels ``(S, B)``; returns ``(S,)``."""
    last = logits[:, :, -1, 0]
    return F.binary_cross_entropy_with_logits(last, labels, reduction="none").mean(dim=1)


@torch_threads(1)
def train_rnns(seeds, distance: int, settings: Settings = BOOK) -> np.ndarray:
    """Held-out accuracy ``(S,)`` of vanilla tanh RNNs, one per seed, trained together.

    Member ``s`` is an Elman RNN with ``settings.hidden`` units whose answer is read off
    its last hidden state; it trains on seed ``s``'s data with Adam, gradient clipping at
    ``settings.clip`` (per member) and keeps the weights of its best validation epoch.
    Training stops early once every member classifies ``settings.solved`` of its validation
    sequences correctly.
    """
    data = [task_data(seed, distance, settings) for seed in seeds]
    model = ElmanEnsemble([derive(seed, "init", "rnn") for seed in seeds], 4, settings.hidden)

    def stacked(part):
        return torch.stack([d[part][0] for d in data]), torch.stack([d[part][1] for d in data])

    val = stacked("val")
    fit_ensemble(
        model,
        *stacked("train"),
        last_position_losses,
        seeds=[derive(seed, "batches", "rnn") for seed in seeds],
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        lr=settings.lr,
        val=val,
        clip=settings.clip,
        progress=False,
        stop=solved(*val, settings.solved, ensemble=True),
    )
    x, y = stacked("test")
    with torch.no_grad():
        predicted = (model(x)[:, :, -1, 0] > 0).float()
    return (predicted == y).float().mean(dim=1).numpy()


def train_lstm(seed: int, distance: int, settings: Settings = BOOK, truncation=None) -> float:
    """Held-out accuracy of one LSTM (fused ``torch.nn.LSTM``) on seed ``seed``'s data.

    Initial forget and input gate biases from ``settings``; Adam, gradient clipping, the
    weights of the best validation epoch kept (:func:`coursepkg.train.fit`), and an early
    stop once ``settings.solved`` of the validation sequences are classified correctly.
    With ``truncation``, training uses truncated BPTT with that window.
    """
    data = task_data(seed, distance, settings)
    with torch_threads(1):
        seed_everything(derive(seed, "init", "lstm"))
        model = LastStateClassifier(
            "lstm",
            4,
            settings.hidden,
            truncation=truncation,
            forget_bias=settings.forget_bias,
            input_bias=settings.input_bias,
        )
        fit(
            model,
            *data["train"],
            F.binary_cross_entropy_with_logits,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            lr=settings.lr,
            seed=derive(seed, "batches", "lstm"),
            val=data["val"],
            clip=settings.clip,
            progress=False,
            stop=solved(*data["val"], settings.solved),
        )
        x, y = data["test"]
        with torch.no_grad():
            return float(((model(x) > 0).float() == y).float().mean())


def lstm_runs(seed: int, settings: Settings = BOOK) -> dict:
    """Every LSTM of one seed: full BPTT at each distance, truncated BPTT at the largest.

    Module-level so that :func:`coursepkg.seeds.map_seeds` can run seeds in other processes.
    """
    full = {d: train_lstm(seed, d, settings) for d in settings.distances}
    truncated = train_lstm(seed, max(settings.distances), settings, settings.truncation)
    return {"full": full, "truncated": truncated}


@dataclass
class DistalStudy:
    """Held-out accuracy on the distal-enhancer task, every model, distance and seed."""

    seeds: tuple[int, ...]
    distances: tuple[int, ...]
    rnn: np.ndarray
    """``(D, S)`` vanilla RNN accuracy."""
    lstm: np.ndarray
    """``(D, S)`` LSTM accuracy (full BPTT)."""
    truncated: np.ndarray
    """``(S,)`` accuracy at the largest distance of the LSTM trained with truncated BPTT."""
    seconds: float

    def at(self, kind: str, distance: int) -> np.ndarray:
        """``(S,)`` accuracy of ``kind`` (``"rnn"`` or ``"lstm"``) at ``distance``."""
        if distance not in self.distances:
            raise ValueError(f"no runs at distance {distance}; distances: {self.distances}")
        table = {"rnn": self.rnn, "lstm": self.lstm}[kind]
        return table[self.distances.index(distance)]

    def claims(self) -> dict[str, tuple[np.ndarray, tuple[int, ...]]]:
        near, far = min(self.distances), max(self.distances)
        values = {
            "ch03.rnn_near": self.at("rnn", near),
            "ch03.rnn_far_below_lstm": self.at("lstm", far) - self.at("rnn", far),
            "ch03.lstm_far": self.at("lstm", far),
            "ch03.truncated_below_full": self.at("lstm", far) - self.truncated,
        }
        return {cid: (v, self.seeds) for cid, v in values.items()}


def distal_study(seeds, settings: Settings = BOOK, processes: int = 2) -> DistalStudy:
    """Train every model of the task for every seed (see the module docstring).

    The LSTMs of different seeds run in ``processes`` processes (one torch thread each);
    the vanilla RNNs of all seeds train together, one ensemble per distance, meanwhile.
    Within a seed, the RNN and the LSTMs read the same sequences.
    """
    seeds = tuple(int(s) for s in seeds)
    start = time.perf_counter()
    pending = submit_seeds(lstm_runs, seeds, processes=processes, settings=settings)
    rnn = np.stack([train_rnns(seeds, d, settings) for d in settings.distances])
    lstm = [future.result() for future in pending]
    return DistalStudy(
        seeds=seeds,
        distances=tuple(settings.distances),
        rnn=rnn,
        lstm=np.array([[run["full"][d] for run in lstm] for d in settings.distances]),
        truncated=np.array([run["truncated"] for run in lstm]),
        seconds=time.perf_counter() - start,
    )


def accuracy_table(study: DistalStudy) -> list[dict]:
    """Rows ``{"distance", "vanilla RNN", "LSTM"}``: median (min-max) over seeds."""
    return [
        {
            "distance (bases)": d,
            "vanilla RNN": spread(study.at("rnn", d)),
            "LSTM": spread(study.at("lstm", d)),
        }
        for d in study.distances
    ]


# --- truncated BPTT ----------------------------------------------------------------------


@dataclass
class TruncationResult:
    truncation: int
    reach: np.ndarray
    """``||d logit / d x_t||`` for each position of one sequence."""
    horizon: int
    """Positions, counting back from the prediction point, that receive gradient."""
    full_horizon: int
    """The same with full BPTT (the whole sequence)."""

    def claims(self) -> dict[str, float]:
        return {"ch03.tbptt_horizon": self.horizon - self.truncation}


def truncation_horizon(seed: int, settings: Settings = BOOK) -> TruncationResult:
    """How far back truncated BPTT sends gradient, on one sequence at the largest distance.

    Measured on an untrained LSTM (any weights show it: the cut is in the graph, not in the
    values).
    """
    x, _ = distal_enhancer_dataset(1, max(settings.distances), seed=derive(seed, "reach"))
    with torch_threads(1):
        seed_everything(derive(seed, "init", "lstm"))
        model = LastStateClassifier("lstm", 4, settings.hidden, forget_bias=settings.forget_bias)
        reach = input_gradient_reach(model, x[0], settings.truncation)
        full = input_gradient_reach(model, x[0], None)
    return TruncationResult(
        truncation=settings.truncation,
        reach=reach.numpy(),
        horizon=gradient_horizon(reach),
        full_horizon=gradient_horizon(full),
    )
