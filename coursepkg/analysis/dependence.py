"""Which inputs an output depends on, measured with autograd.

A recurrent network's state at position t can only depend on the inputs it has read. For a
forward RNN those are ``x_0 .. x_t``; for the backward half of a bidirectional RNN,
``x_t .. x_{L-1}``. :func:`input_dependence` measures this instead of assuming it: it
takes the gradient of each output position with respect to every input position and
records where it is not zero.

    read[t, s] = 1  when  d (v . out_t) / d x_s  is not zero

with ``v`` a random vector (so that no unit is left out by a lucky cancellation). A
structural zero (no path in the graph from ``x_s`` to ``out_t``) is exactly zero, whatever
the weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


def input_dependence(
    fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, seed: int = 0
) -> np.ndarray:
    """``read (L_out, L_in)`` booleans: whether output position t depends on input position s.

    Parameters
    ----------
    fn : callable
        ``(1, L_in, C) -> (1, L_out, H)``, e.g. a recurrent network's states.
    x : torch.Tensor, ``(L_in, C)``
        The input, one sequence.
    seed : int
        Seeds the random direction ``v`` each output is read along.
    """
    if not isinstance(x, torch.Tensor) or x.dim() != 2:
        raise ValueError(f"x must be one sequence (L, C), got {getattr(x, 'shape', type(x))}")
    x = x.detach().clone().unsqueeze(0).requires_grad_(True)  # (1, L_in, C)
    out = fn(x)
    if out.dim() != 3 or out.shape[0] != 1:
        raise ValueError(f"fn must return (1, L_out, H), got {tuple(out.shape)}")
    gen = torch.Generator().manual_seed(seed)
    direction = torch.randn(out.shape[-1], generator=gen, dtype=out.dtype)
    read = np.zeros((out.shape[1], x.shape[1]), dtype=bool)
    for t in range(out.shape[1]):
        (grad,) = torch.autograd.grad(out[0, t] @ direction, x, retain_graph=True)
        read[t] = (grad[0] != 0).any(dim=-1).numpy()
    return read
