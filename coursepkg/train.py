"""One small training loop: seeded, mini-batched, with a progress bar and early stopping.

The model maps ``inputs`` to predictions; ``loss_fn(prediction, target)`` is minimised
with Adam.  Everything random (initial weights are the caller's; the batch order here)
is drawn from ``seed``, so a chapter gets the same numbers on every build.

:func:`fit` trains one model; :func:`fit_ensemble` trains the ``S`` members of an ensemble
(every parameter with the member as its first axis) together, each exactly as :func:`fit`
would train it alone, so that the seeds of a claim cost little more than one.
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
    stop: Callable[[nn.Module], bool] | None = None,
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
    stop : optional ``stop(model) -> bool``, asked after every epoch; training ends when
        it says True (e.g. once the model classifies every validation example correctly).
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
        if stop is not None and stop(model):
            break
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


# --- training the members of an ensemble together ----------------------------------------


@dataclass
class EnsembleHistory:
    """Per-member losses recorded by :func:`fit_ensemble`: one ``(S,)`` list per epoch."""

    train_loss: list[list[float]] = field(default_factory=list)
    val_loss: list[list[float]] = field(default_factory=list)
    best_epoch: list[int] = field(default_factory=list)
    """For each member, the epoch whose weights were kept (-1 without validation)."""
    epochs_run: int = 0

    def member(self, s: int) -> History:
        """Member ``s``'s losses as a plain :class:`History`."""
        return History(
            train_loss=[epoch[s] for epoch in self.train_loss],
            val_loss=[epoch[s] for epoch in self.val_loss],
            best_epoch=self.best_epoch[s] if self.best_epoch else -1,
        )


def _as_tuple(inputs) -> tuple[torch.Tensor, ...]:
    return inputs if isinstance(inputs, tuple) else (inputs,)


def _member_rows(tensor: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``tensor[s, index[s]]`` for every member: ``(S, N, ...)``, ``(S, b)`` -> ``(S, b, ...)``."""
    members = torch.arange(tensor.shape[0]).unsqueeze(1)  # (S, 1)
    return tensor[members, index]


def clip_per_member(parameters, max_norm: float) -> torch.Tensor:
    """Clip each member's gradient to norm ``max_norm``, as ``clip_grad_norm_`` would alone.

    Every parameter has the member as its first axis; member ``s``'s norm is taken over its
    slice of every parameter. Returns the norms before clipping, ``(S,)``.
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        raise ValueError("no gradients to clip: call backward() first")
    squares = torch.stack([g.reshape(len(g), -1).pow(2).sum(1) for g in grads]).sum(0)  # (S,)
    norms = squares.sqrt()
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))
    return norms


def fit_ensemble(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    *,
    seeds,
    epochs: int = 10,
    batch_size: int = 64,
    lr: float = 1e-2,
    val: tuple | None = None,
    clip: float | None = None,
    progress: bool = True,
    desc: str = "training",
    stop: Callable[[nn.Module], bool] | None = None,
) -> EnsembleHistory:
    """Train the ``S`` members of an ensemble together, each exactly as :func:`fit` would alone.

    The model's parameters all have the member as their first axis (e.g.
    :class:`coursepkg.models.ElmanRNN`'s ensemble, ``ElmanEnsemble``), and so do the data:
    member ``s`` trains on ``inputs[s]`` and ``targets[s]`` (``(S, N, ...)``), in its own
    batch order drawn from ``seeds[s]``. ``loss_fn(prediction, target)`` returns one loss
    per member, ``(S,)``; their sum is minimised, so each member's gradient is its own
    loss's gradient, and Adam (which works element by element) updates each member as if it
    were trained alone. Clipping (``clip``) is per member (:func:`clip_per_member`).

    With ``val = (inputs, targets)`` (also ``(S, N_val, ...)``), each member keeps the
    weights of its own epoch with the lowest validation loss. ``stop(model) -> bool`` is
    asked after every epoch, as in :func:`fit`; it decides for the whole ensemble.
    """
    inputs = _as_tuple(inputs)
    S, n = targets.shape[:2]
    seeds = [int(s) for s in seeds]
    if len(seeds) != S:
        raise ValueError(f"give one seed per member: {S} members, {len(seeds)} seeds")
    for tensor in inputs:
        if tuple(tensor.shape[:2]) != (S, n):
            raise ValueError(
                f"inputs must be (S, N, ...) = ({S}, {n}, ...) like the targets, "
                f"got {tuple(tensor.shape)}"
            )
    params = list(model.parameters())
    for p in params:
        if p.dim() == 0 or p.shape[0] != S:
            raise ValueError(
                f"every parameter needs the member as its first axis ({S}), got {tuple(p.shape)}"
            )
    gens = [torch.Generator().manual_seed(seed) for seed in seeds]
    optimiser = torch.optim.Adam(params, lr=lr)
    history = EnsembleHistory()
    best = torch.full((S,), float("inf"))
    best_state = None
    bar = tqdm(range(epochs), desc=desc, disable=not progress, leave=False)
    for _ in bar:
        model.train()
        order = torch.stack([torch.randperm(n, generator=g) for g in gens])  # (S, n)
        total = torch.zeros(S)
        for start in range(0, n, batch_size):
            idx = order[:, start : start + batch_size]  # (S, b)
            optimiser.zero_grad()
            losses = loss_fn(
                model(*(_member_rows(t, idx) for t in inputs)), _member_rows(targets, idx)
            )
            if losses.shape != (S,):
                raise ValueError(f"loss_fn must return one loss per member, (S,) = ({S},)")
            losses.sum().backward()
            if clip is not None:
                clip_per_member(params, clip)
            optimiser.step()
            total += losses.detach() * idx.shape[1]
        history.train_loss.append((total / n).tolist())
        history.epochs_run += 1
        postfix = {"loss": f"{float(total.mean() / n):.4f}"}
        if val is not None:
            val_loss = evaluate_ensemble(model, val[0], val[1], loss_fn)
            history.val_loss.append(val_loss.tolist())
            improved = val_loss < best
            best = torch.where(improved, val_loss, best)
            best_state = _keep_improved(model, best_state, improved)
            if not history.best_epoch:
                history.best_epoch = [-1] * S
            for s in torch.nonzero(improved).flatten().tolist():
                history.best_epoch[s] = len(history.val_loss) - 1
            postfix["val"] = f"{float(val_loss.mean()):.4f}"
        bar.set_postfix(postfix)
        if stop is not None and stop(model):
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


def _keep_improved(model: nn.Module, kept: dict | None, improved: torch.Tensor) -> dict:
    """Copy the members that ``improved`` (``(S,)`` bool) into ``kept``, a state dict."""
    current = model.state_dict()
    if kept is None:
        return {k: v.detach().clone() for k, v in current.items()}
    for name, value in current.items():
        mask = improved.view(-1, *([1] * (value.dim() - 1)))
        kept[name] = torch.where(mask, value.detach(), kept[name])
    return kept


@torch.no_grad()
def evaluate_ensemble(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> torch.Tensor:
    """Each member's loss on its own data set, ``(S,)``, in eval mode."""
    was_training = model.training
    model.eval()
    losses = loss_fn(model(*_as_tuple(inputs)), targets)
    model.train(was_training)
    return losses.detach()
