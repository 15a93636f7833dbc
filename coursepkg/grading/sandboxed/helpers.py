"""Functions the grader may ask the student's process to run on the student's objects.

They run *inside* the student's process (they touch the student's model), so their
results are treated like any other answer from there: decoded as plain data. The
grader names them; nothing here decides a score.
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.train import fit

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
    """Train a student's model with :func:`coursepkg.train.fit`; return the epoch losses."""
    history = fit(
        model,
        tuple(inputs),
        targets,
        LOSSES[loss],
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        progress=False,
    )
    return history.train_loss


@torch.no_grad()
def predict(model: nn.Module, *args) -> torch.Tensor:
    """``model(*args)`` in eval mode without gradients."""
    model.eval()
    return model(*args)


HELPERS = {f.__name__: f for f in (train_model, predict)}


def initial_state_gradients(model: nn.Module, x: torch.Tensor, condition: torch.Tensor) -> dict:
    """Which parameters ``initial_state`` uses, and whether ``forward`` sends gradient to them.

    Returns ``{"h0_params": [names whose gradient from sum(h0^2) is non-zero],
    "forward_grad": total |gradient| of those parameters from sum(forward(x, condition)^2)}``.
    """
    model.zero_grad()
    model.initial_state(condition).pow(2).sum().backward()
    names = [
        n for n, p in model.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0
    ]
    model.zero_grad()
    model(x, condition).pow(2).sum().backward()
    params = dict(model.named_parameters())
    total = sum(float(params[n].grad.abs().sum()) for n in names if params[n].grad is not None)
    model.zero_grad()
    return {"h0_params": names, "forward_grad": total}


HELPERS["initial_state_gradients"] = initial_state_gradients
