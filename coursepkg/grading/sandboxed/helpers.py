"""Functions the grader may ask the student's process to run on the student's objects.

They run *inside* the student's process (they touch the student's model), so they are no
more trusted than the student's own code: a notebook can replace them, and whatever they
return is the student's claim, decoded as plain data. A hidden suite uses them to get work
done (training a model the student wrote), never as evidence for a score: the evidence comes
from calls whose results the trusted side checks itself (see
:mod:`coursepkg.grading.trusted.probes`).

Like everything in ``sandboxed/``, this module imports only torch (the student's process
has no other part of coursepkg).
"""

from __future__ import annotations

import torch
from torch import nn

LOSSES = {
    "mse": nn.functional.mse_loss,
    "bce_logits": nn.functional.binary_cross_entropy_with_logits,
}


def train_model(
    model: nn.Module,
    inputs: list,
    targets: torch.Tensor,
    loss: str = "mse",
    epochs: int = 20,
    lr: float = 1e-2,
    batch_size: int = 32,
    seed: int = 0,
) -> list:
    """Train ``model(*inputs)`` towards ``targets`` with Adam; return the mean loss per epoch.

    Mini-batches of ``batch_size`` rows in an order drawn from ``seed``: the same call
    trains the same model to the same weights.
    """
    loss_fn = LOSSES[loss]
    inputs = [torch.as_tensor(x) for x in inputs]
    n = targets.shape[0]
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad()
            batch_loss = loss_fn(model(*(x[rows] for x in inputs)), targets[rows])
            batch_loss.backward()
            optimizer.step()
            total += float(batch_loss) * len(rows)
        history.append(total / n)
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, *args) -> torch.Tensor:
    """``model(*args)`` in eval mode without gradients."""
    model.eval()
    return model(*args)


def set_mode(model: nn.Module, training: bool) -> bool:
    """``model.train(training)``; returns ``training``."""
    model.train(bool(training))
    return bool(training)


def parameter_names(model: nn.Module) -> list:
    """Names of the parameters that require a gradient, in ``named_parameters`` order."""
    return [name for name, p in model.named_parameters() if p.requires_grad]


HELPERS = {f.__name__: f for f in (train_model, predict, set_mode, parameter_names)}
