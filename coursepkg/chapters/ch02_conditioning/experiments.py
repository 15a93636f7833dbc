"""Chapter 2, "Conditioning the initial state": the experiments behind its claims.

Four :class:`~coursepkg.models.ConditionedRNN` models, identical except for ``h_0``
(zero, one shared learned vector, ``Embedding(cell type)``, ``MLP(z)``), are trained
under the same budget on simulated trajectories (:mod:`coursepkg.data.expression`) and
scored on held-out trajectories against the noise-free truth, overall and step by step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from coursepkg.data.expression import ExpressionData, ExpressionSimulator
from coursepkg.models.conditioned import INITS, ConditionedRNN
from coursepkg.train import fit, seed_everything, torch_threads

EARLY = 3
"""The "first few steps": predictions of x_1, x_2, x_3."""

LABELS = {
    "zero": "zero h0",
    "shared": "one learned h0",
    "embedding": "h0 = Embedding(cell type)",
    "mlp": "h0 = MLP(omics z)",
}


def simulator(seed: int = 0) -> ExpressionSimulator:
    """The chapter's simulator: 4 cell types, 6 genes, 10 omics covariates, 12 time points."""
    return ExpressionSimulator(seed=seed)


def condition_of(data: ExpressionData, init: str) -> torch.Tensor:
    """What a model with this ``init`` is given: covariates for ``mlp``, else the cell type."""
    return data.z if init == "mlp" else data.cell_type


@torch.no_grad()
def step_errors(model: ConditionedRNN, data: ExpressionData, init: str) -> torch.Tensor:
    """Mean squared error of each next-step prediction against the noise-free truth, ``(T-1,)``.

    Entry ``t`` scores the prediction of ``x_{t+1}`` made after reading ``x_0..x_t``.
    """
    model.eval()
    inputs, _ = data.next_step()
    predicted = model(inputs, condition_of(data, init))  # (N, T-1, G)
    return ((predicted - data.truth[:, 1:]) ** 2).mean(dim=(0, 2))


@dataclass
class ConditioningRun:
    init: str
    model: ConditionedRNN
    errors: torch.Tensor
    """Held-out squared error per step, ``(T-1,)``."""
    seconds: float

    @property
    def overall(self) -> float:
        return float(self.errors.mean())

    @property
    def early(self) -> float:
        return float(self.errors[:EARLY].mean())

    @property
    def late(self) -> float:
        """Error over the last third of the steps."""
        n = len(self.errors)
        return float(self.errors[n - n // 3 :].mean())


def train_conditioned(
    init: str,
    train: ExpressionData,
    test: ExpressionData,
    *,
    hidden: int = 32,
    epochs: int = 25,
    lr: float = 0.01,
    seed: int = 0,
) -> ConditioningRun:
    """Train ``ConditionedRNN(G, hidden, init)`` on next-step MSE; score it on ``test``."""
    G = train.x.shape[-1]
    with torch_threads(1):
        seed_everything(seed)
        model = ConditionedRNN(
            G, hidden, init, n_types=int(train.cell_type.max()) + 1, n_omics=train.z.shape[1]
        )
        inputs, targets = train.next_step()
        start = time.perf_counter()
        fit(
            model,
            (inputs, condition_of(train, init)),
            targets,
            F.mse_loss,
            epochs=epochs,
            batch_size=64,
            lr=lr,
            seed=seed,
            progress=False,
            desc=LABELS[init],
        )
        seconds = time.perf_counter() - start
        errors = step_errors(model, test, init)
    return ConditioningRun(init, model, errors, seconds)


def compare_initial_states(
    n_train: int = 600, n_test: int = 1000, seed: int = 0, epochs: int = 25
) -> tuple[dict[str, ConditioningRun], ExpressionData]:
    """Train the four models under the same budget; return them and the held-out data."""
    sim = simulator(seed)
    train = sim.sample(n_train, seed=seed + 1)
    test = sim.sample(n_test, seed=seed + 2)
    runs = {init: train_conditioned(init, train, test, seed=seed, epochs=epochs) for init in INITS}
    return runs, test


def error_table(runs: dict[str, ConditioningRun]) -> list[dict]:
    """One row per model: held-out MSE overall, at the first steps, and at the last third."""
    return [
        {
            "h0": LABELS[init],
            "MSE, all steps": round(run.overall, 4),
            f"MSE, first {EARLY} steps": round(run.early, 4),
            "MSE, last third": round(run.late, 4),
        }
        for init, run in runs.items()
    ]


def claim_values(runs: dict[str, ConditioningRun]) -> dict[str, float]:
    """The numbers behind the chapter's claims (see :mod:`coursepkg.claims`)."""
    zero, shared, emb, mlp = (runs[k] for k in INITS)
    return {
        "ch02.celltype_beats_zero_early": zero.early / emb.early,
        "ch02.omics_beats_shared_early": shared.early / mlp.early,
        "ch02.conditioned_win_overall": min(zero.overall, shared.overall)
        - max(emb.overall, mlp.overall),
        "ch02.gain_largest_early": (zero.early / emb.early) / (zero.late / emb.late),
    }


@torch.no_grad()
def predicted_trajectory(run: ConditioningRun, data: ExpressionData, index: int) -> torch.Tensor:
    """One-step-ahead predictions ``(T-1, G)`` of trajectory ``index``."""
    inputs, _ = data.next_step()
    cond = condition_of(data, run.init)[index : index + 1]
    return run.model(inputs[index : index + 1], cond)[0]
