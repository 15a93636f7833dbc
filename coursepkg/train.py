"""One small training loop: seeded, mini-batched, with a progress bar and early stopping.

The model maps ``inputs`` to predictions; ``loss_fn(prediction, target)`` is minimised
with Adam.  Everything random (initial weights are the caller's; the batch order here)
is drawn from ``seed``, so a chapter gets the same numbers on every build.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch Generator seeded the same."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch CPU threads, then restore the previous number.

    Small recurrent models gain nothing from several threads, and when other processes
    share the cores (a parallel test run, a second notebook), multi-threaded torch can
    slow down many times over; one thread keeps their timing steady.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass
class History:
    """Losses recorded by :func:`fit`, one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1


def fit(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    *,
    epochs: int = 10,
    batch_size: int = 64,
    lr: float = 1e-2,
    seed: int = 0,
    val: tuple | None = None,
    patience: int | None = None,
    clip: float | None = 1.0,
    progress: bool = True,
    desc: str = "training",
) -> History:
    """Train ``model`` in place with Adam and return its :class:`History`.

    Parameters
    ----------
    inputs : tensor ``(N, ...)`` or tuple of tensors with a leading ``N``
        Passed to ``model(*inputs_batch)``.
    targets : tensor ``(N, ...)``
    val : optional ``(inputs, targets)`` scored after every epoch; with ``patience``,
        training stops after that many epochs without improvement and the best weights
        are restored.
    clip : gradient-norm clipping (None for none).
    """
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    n = targets.shape[0]
    for tensor in inputs:
        if tensor.shape[0] != n:
            raise ValueError(
                f"inputs and targets disagree on N: {tuple(tensor.shape)} vs {tuple(targets.shape)}"
            )
    gen = seed_everything(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    history = History()
    best, best_state, stale = float("inf"), None, 0
    bar = tqdm(range(epochs), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        model.train()
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            optimiser.zero_grad()
            loss = loss_fn(model(*(t[idx] for t in inputs)), targets[idx])
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimiser.step()
            total += loss.item() * len(idx)
        history.train_loss.append(total / n)
        postfix = {"loss": f"{history.train_loss[-1]:.4f}"}
        if val is not None:
            val_loss = evaluate(model, val[0], val[1], loss_fn)
            history.val_loss.append(val_loss)
            postfix["val"] = f"{val_loss:.4f}"
            if val_loss < best:
                best, stale, history.best_epoch = val_loss, 0, epoch
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                stale += 1
                if patience is not None and stale >= patience:
                    break
        bar.set_postfix(postfix)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> float:
    """Loss of ``model`` on a whole data set, in eval mode."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    was_training = model.training
    model.eval()
    loss = loss_fn(model(*inputs), targets).item()
    model.train(was_training)
    return loss
