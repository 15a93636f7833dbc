"""Chapter 2, "Conditioning the initial state": the experiments behind its claims.

Four views of ``h_0`` (zero, one shared learned vector, a learned vector per cell type, a
small MLP of baseline omics; :mod:`coursepkg.models.conditioned`) are trained for every
seed of a block, all of them at once as one :class:`ConditioningEnsemble`, and scored on
held-out trajectories against the noise-free truth, step by step.

For each seed, :func:`seeds.derive` gives the simulator's parameters (a new "world" of
cell types), the training and test trajectories, the initial weights and the batch order.
The four views of one seed share all of them, so comparing two views on one seed is a
paired comparison: they differ only in what ``h_0`` may read.

:data:`BOOK` holds the settings the notebook and :func:`claims.measure` both use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from coursepkg.data.expression import ExpressionData, ExpressionSimulator
from coursepkg.models.conditioned import VIEWS, ConditioningEnsemble, condition_features
from coursepkg.seeds import derive
from coursepkg.train import EnsembleHistory, fit_ensemble, torch_threads
from coursepkg.viz.tables import spread

EARLY = 3
"""The "first steps": predictions of x_1, x_2, x_3."""

LABELS = {
    "zero": "zero h0",
    "shared": "one learned h0",
    "type": "h0 from the cell type",
    "omics": "h0 = MLP(omics z)",
}


@dataclass(frozen=True)
class Settings:
    """Everything that decides the chapter's numbers apart from the seeds."""

    n_seeds: int = 10
    """Seeds of the block: each is a new simulated world, data set and initialisation."""
    omics_sd: float = 0.1
    """Noise of the omics covariates ``z = C s_0 + noise`` (see
    :class:`~coursepkg.data.expression.ExpressionSimulator`)."""
    n_train: int = 600
    n_test: int = 1000
    hidden: int = 32
    epochs: int = 25
    batch_size: int = 64
    lr: float = 0.01


BOOK = Settings()
"""The settings of the book (the notebook and ``claims.measure`` both use these)."""


def simulator(seed: int, settings: Settings = BOOK) -> ExpressionSimulator:
    """Seed ``seed``'s world: 4 cell types, 6 genes, 10 omics covariates, 12 time points."""
    return ExpressionSimulator(omics_sd=settings.omics_sd, seed=derive(seed, "simulator"))


def data_for(seed: int, settings: Settings = BOOK) -> tuple[ExpressionData, ExpressionData]:
    """Training and held-out trajectories of seed ``seed``'s world."""
    sim = simulator(seed, settings)
    train = sim.sample(settings.n_train, seed=derive(seed, "train"))
    test = sim.sample(settings.n_test, seed=derive(seed, "test"))
    return train, test


def _stack(datasets: list[ExpressionData], n_types: int) -> tuple[torch.Tensor, ...]:
    """Inputs, targets and condition features of every member, ``(M, N, ...)``."""
    inputs = torch.stack([d.next_step()[0] for d in datasets])
    targets = torch.stack([d.next_step()[1] for d in datasets])
    q = torch.stack([condition_features(d.cell_type, d.z, n_types) for d in datasets])
    return inputs, targets, q


def member_losses(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error of each member, ``(M,)``, for predictions ``(M, B, T, G)``."""
    return ((predicted - target) ** 2).mean(dim=(1, 2, 3))


@dataclass
class ConditioningResult:
    """Four views of ``h_0`` trained for every seed of a block, and their held-out errors."""

    seeds: tuple[int, ...]
    views: tuple[str, ...]
    errors: np.ndarray
    """Held-out squared error against the truth, ``(S, V, T-1)``: seed, view, predicted step."""
    predictions: np.ndarray
    """One-step-ahead predictions on each seed's held-out data, ``(S, V, N, T-1, G)``."""
    tests: list[ExpressionData]
    """Each seed's held-out trajectories."""
    history: EnsembleHistory
    readout_rms: np.ndarray
    """``(S,)``: RMS error of the true start ``s_0`` predicted from ``z`` by least squares."""
    measurement_rms: np.ndarray
    """``(S,)``: RMS error of the first measurement ``x_0`` as an estimate of ``s_0``."""
    seconds: float

    def _view(self, view: str) -> int:
        return self.views.index(view)

    def early(self, view: str) -> np.ndarray:
        """``(S,)`` error over the first :data:`EARLY` steps."""
        return self.errors[:, self._view(view), :EARLY].mean(axis=1)

    def late(self, view: str) -> np.ndarray:
        """``(S,)`` error over the last third of the steps."""
        n = self.errors.shape[2]
        return self.errors[:, self._view(view), n - n // 3 :].mean(axis=1)

    def overall(self, view: str) -> np.ndarray:
        """``(S,)`` error over every step."""
        return self.errors[:, self._view(view)].mean(axis=1)

    def claims(self) -> dict[str, tuple[np.ndarray, tuple[int, ...]]]:
        """Every claim of the chapter, one value per seed, paired seed by seed."""
        zero, shared, typed, omics = (self.overall(v) for v in VIEWS)
        gain_early = self.early("zero") - self.early("type")
        gain_late = self.late("zero") - self.late("type")
        values = {
            "ch02.type_beats_zero_early": self.early("zero") / self.early("type"),
            "ch02.omics_beats_shared_early": self.early("shared") / self.early("omics"),
            "ch02.omics_beats_type_early": self.early("type") / self.early("omics"),
            "ch02.conditioned_win_overall": np.minimum(zero, shared) / np.maximum(typed, omics),
            "ch02.gain_shrinks_late": gain_early - gain_late,
            "ch02.omics_pin_the_start": self.measurement_rms / self.readout_rms,
        }
        return {cid: (v, self.seeds) for cid, v in values.items()}


def start_readout(train: ExpressionData, test: ExpressionData) -> tuple[float, float]:
    """How well the data say where a cell starts: RMS error of ``s_0`` estimated two ways.

    Returns ``(from z, from x_0)``: a least-squares map from ``z`` (with an intercept),
    fitted on ``train``, applied to ``test``; and the first measurement ``x_0`` itself.
    """
    s0, z = train.truth[:, 0].double(), train.z.double()
    design = torch.cat([torch.ones(len(z), 1, dtype=z.dtype), z], dim=1)
    coef = torch.linalg.lstsq(design, s0).solution
    test_design = torch.cat([torch.ones(len(test.z), 1, dtype=z.dtype), test.z.double()], dim=1)
    from_z = (test_design @ coef - test.truth[:, 0].double()).pow(2).mean().sqrt()
    from_x0 = (test.x[:, 0] - test.truth[:, 0]).double().pow(2).mean().sqrt()
    return float(from_z), float(from_x0)


@torch_threads(1)
def compare_initial_states(
    seeds, settings: Settings = BOOK, progress: bool = False
) -> ConditioningResult:
    """Train the four views of ``h_0`` for every seed at once; score them on held-out data.

    Member ``m = s * 4 + v`` is view ``VIEWS[v]`` on seed ``seeds[s]``'s world; the four
    members of a seed share its data, initial weights (``derive(seed, "init")``) and batch
    order (``derive(seed, "batches")``).
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    pairs = [data_for(seed, settings) for seed in seeds]
    sim = simulator(seeds[0], settings)
    K = sim.n_types
    members = [(s, v) for s in range(len(seeds)) for v in VIEWS]
    model = ConditioningEnsemble(
        [v for _, v in members],
        [derive(seeds[s], "init") for s, _ in members],
        n_genes=sim.n_genes,
        n_types=K,
        n_omics=sim.n_omics,
        hidden=settings.hidden,
    )
    train_x, train_y, train_q = _stack([pairs[s][0] for s, _ in members], K)
    start = time.perf_counter()
    history = fit_ensemble(
        model,
        (train_x, train_q),
        train_y,
        member_losses,
        seeds=[derive(seeds[s], "batches") for s, _ in members],
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        lr=settings.lr,
        progress=progress,
        desc="four views of h0, every seed",
    )
    seconds = time.perf_counter() - start
    tests = [test for _, test in pairs]
    test_x, _, test_q = _stack([tests[s] for s, _ in members], K)
    with torch.no_grad():
        predicted = model(test_x, test_q)  # (M, N, T-1, G)
    truth = torch.stack([tests[s].truth[:, 1:] for s, _ in members])
    errors = ((predicted - truth) ** 2).mean(dim=(1, 3))  # (M, T-1)
    S, V = len(seeds), len(VIEWS)
    readouts = np.array([start_readout(train, test) for train, test in pairs])
    return ConditioningResult(
        seeds=seeds,
        views=VIEWS,
        errors=errors.reshape(S, V, -1).numpy(),
        predictions=predicted.reshape(S, V, *predicted.shape[1:]).numpy(),
        tests=tests,
        history=history,
        readout_rms=readouts[:, 0],
        measurement_rms=readouts[:, 1],
        seconds=seconds,
    )


def error_table(result: ConditioningResult, digits: int = 3) -> list[dict]:
    """One row per view: held-out MSE overall, early and late, as median (min-max) over seeds."""
    return [
        {
            "h0": LABELS[view],
            "MSE, all steps": spread(result.overall(view), digits),
            f"MSE, first {EARLY} steps": spread(result.early(view), digits),
            "MSE, last third": spread(result.late(view), digits),
        }
        for view in result.views
    ]
