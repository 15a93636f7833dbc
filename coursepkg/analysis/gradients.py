"""Gradients through time: how much the last hidden state still depends on earlier ones.

For the tanh RNN ``h_t = tanh(W_h h_{t-1} + W_x x_t + b)`` the chain rule gives

    dh_T/dh_t = prod_{s=T}^{t+1} dh_s/dh_{s-1},    dh_s/dh_{s-1} = diag(1 - h_s^2) W_h

so ``||dh_T/dh_t||`` is a product of ``T - t`` factors. When every factor shrinks a vector,
the product falls exponentially in the step count ``k = T - t``: the gradient *vanishes*.

* :func:`recurrent_matrix` builds ``W_h`` with a chosen spectral radius.
* :func:`jacobian_norms` computes ``||dh_T/dh_t||_2`` for t = 0..T-1 by the product above.
* :func:`autograd_jacobian_norms` computes the same with ``torch.autograd`` (the check).
* :func:`decay_rate` fits the exponential rate: slope of ``log ||dh_T/dh_t||`` against ``k``.
* :func:`input_gradient_reach` measures how far back a (possibly truncated) BPTT sends
  gradient.

Indexing used throughout: ``h_0`` is the initial state, ``x`` has ``T`` rows and row
``t - 1`` is the input of step ``t``, so the states are ``h_1 .. h_T``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn


def _check_weights(W_h, W_x, b, x, h0) -> tuple[int, int, int]:
    if W_h.dim() != 2 or W_h.shape[0] != W_h.shape[1]:
        raise ValueError(f"W_h must be square (H, H), got {tuple(W_h.shape)}")
    H = W_h.shape[0]
    if x.dim() != 2:
        raise ValueError(f"x must be (T, D), got {tuple(x.shape)}")
    T, D = x.shape
    if T < 1:
        raise ValueError("x must have at least one row (T >= 1)")
    if tuple(W_x.shape) != (H, D):
        raise ValueError(f"W_x must be (H, D) = ({H}, {D}), got {tuple(W_x.shape)}")
    if tuple(b.shape) != (H,) or tuple(h0.shape) != (H,):
        raise ValueError(f"b and h0 must be (H,) = ({H},), got {tuple(b.shape)}, {tuple(h0.shape)}")
    return T, D, H


def recurrent_matrix(
    hidden: int, radius: float, seed: int = 0, kind: str = "orthogonal"
) -> torch.Tensor:
    """A recurrent matrix ``W_h (H, H)`` whose spectral radius is ``radius``.

    ``kind="orthogonal"``: ``radius * Q`` with ``Q`` a random orthogonal matrix. Every
    eigenvalue then has modulus ``radius`` and ``||W_h^k||_2 = radius^k`` exactly.
    ``kind="gaussian"``: an i.i.d. Gaussian matrix rescaled so its largest eigenvalue
    modulus is ``radius`` (norms of its powers approach ``radius^k`` only asymptotically).
    """
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    gen = torch.Generator().manual_seed(seed)
    A = torch.randn(hidden, hidden, generator=gen, dtype=torch.float64)
    if kind == "orthogonal":
        Q, R = torch.linalg.qr(A)
        Q = Q * torch.sign(torch.diagonal(R))  # a uniformly random orthogonal matrix
        return radius * Q
    if kind == "gaussian":
        rho = torch.linalg.eigvals(A).abs().max().real
        return radius * A / rho
    raise ValueError(f"kind must be 'orthogonal' or 'gaussian', got {kind!r}")


def tanh_states(
    W_h: torch.Tensor,
    W_x: torch.Tensor,
    b: torch.Tensor,
    x: torch.Tensor,
    h0: torch.Tensor,
    activation=torch.tanh,
) -> torch.Tensor:
    """States ``h_0 .. h_T`` as a ``(T + 1, H)`` tensor (row 0 is ``h0``)."""
    _check_weights(W_h, W_x, b, x, h0)
    states = [h0]
    for t in range(1, x.shape[0] + 1):
        states.append(activation(W_h @ states[-1] + W_x @ x[t - 1] + b))
    return torch.stack(states)


def jacobian_norms(
    W_h: torch.Tensor,
    W_x: torch.Tensor,
    b: torch.Tensor,
    x: torch.Tensor,
    h0: torch.Tensor,
    linear: bool = False,
) -> torch.Tensor:
    """Spectral norms ``||dh_T/dh_t||_2`` for t = 0..T-1, by the chain rule.

    Parameters
    ----------
    W_h : (H, H)
    W_x : (H, D)
    b : (H,)
    x : (T, D)
        Row ``t - 1`` is the input of step ``t``.
    h0 : (H,)
    linear : bool
        Drop the tanh (``h_t = W_h h_{t-1} + W_x x_t + b``); then ``dh_T/dh_t = W_h^{T-t}``.

    Returns
    -------
    torch.Tensor, shape ``(T,)``
        Entry ``t`` is the norm after ``T - t`` backward steps: entry 0 has gone all the
        way back to ``h_0``, entry ``T - 1`` is one step (``||diag(1 - h_T^2) W_h||``).
    """
    T, _, H = _check_weights(W_h, W_x, b, x, h0)
    with torch.no_grad():
        h = tanh_states(W_h, W_x, b, x, h0, activation=(lambda z: z) if linear else torch.tanh)
        J = torch.eye(H, dtype=W_h.dtype)  # dh_T/dh_T
        norms = torch.empty(T, dtype=W_h.dtype)
        for t in range(T - 1, -1, -1):
            # dh_{t+1}/dh_t = diag(1 - h_{t+1}^2) W_h ; J becomes dh_T/dh_t
            step = W_h if linear else (1 - h[t + 1] ** 2).unsqueeze(1) * W_h
            J = J @ step
            norms[t] = torch.linalg.matrix_norm(J, ord=2)
    return norms


def autograd_jacobian_norms(
    W_h: torch.Tensor, W_x: torch.Tensor, b: torch.Tensor, x: torch.Tensor, h0: torch.Tensor
) -> torch.Tensor:
    """The same norms as :func:`jacobian_norms` (tanh case), each Jacobian taken by autograd.

    For every t the states ``h_{t+1} .. h_T`` are recomputed from ``h_t`` and
    ``torch.autograd.functional.jacobian`` differentiates ``h_T`` with respect to ``h_t``.
    Slow (``O(T^2)`` steps) but independent of the hand-written product.
    """
    T, _, _ = _check_weights(W_h, W_x, b, x, h0)
    with torch.no_grad():
        h = tanh_states(W_h, W_x, b, x, h0)

    def run_from(t):
        def last_state(h_t):
            for s in range(t + 1, T + 1):
                h_t = torch.tanh(W_h @ h_t + W_x @ x[s - 1] + b)
            return h_t

        return last_state

    norms = [
        torch.linalg.matrix_norm(torch.autograd.functional.jacobian(run_from(t), h[t]), ord=2)
        for t in range(T)
    ]
    return torch.stack(norms)


def rnn_jacobian_norms(
    rnn: nn.RNN, x: torch.Tensor, h0: torch.Tensor | None = None
) -> torch.Tensor:
    """``||dh_T/dh_t||_2`` for a single-layer tanh ``torch.nn.RNN`` on one sequence ``x (T, D)``.

    Uses the module's own weights (``weight_hh_l0``, ``weight_ih_l0`` and both biases).
    """
    if rnn.num_layers != 1 or rnn.nonlinearity != "tanh":
        raise ValueError("rnn_jacobian_norms needs a single-layer tanh nn.RNN")
    W_h = rnn.weight_hh_l0.detach().double()
    W_x = rnn.weight_ih_l0.detach().double()
    b = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().double() if rnn.bias else torch.zeros(len(W_h))
    h0 = torch.zeros(len(W_h), dtype=torch.float64) if h0 is None else h0.double()
    return jacobian_norms(W_h, W_x, b, x.double(), h0)


def decay_rate(norms: torch.Tensor | np.ndarray) -> float:
    """Least-squares slope of ``log(norms[t])`` against the step count ``k = T - t``.

    ``norms ~ C exp(rate * k)`` gives ``rate``; negative when gradients vanish, positive
    when they explode. For ``||W^k|| = rho^k`` the rate is exactly ``log(rho)``.
    """
    norms = np.asarray(norms, dtype=np.float64).reshape(-1)
    if len(norms) < 2:
        raise ValueError("decay_rate needs at least two norms")
    if np.any(norms <= 0) or not np.all(np.isfinite(norms)):
        raise ValueError("decay_rate needs positive, finite norms (take fewer steps)")
    T = len(norms)
    k = T - np.arange(T)
    return float(np.polyfit(k, np.log(norms), 1)[0])


def predicted_rate(radius: float) -> float:
    """The rate the spectral radius predicts: ``log(rho)`` (per step)."""
    return math.log(radius)


def input_gradient_reach(
    model: nn.Module, x: torch.Tensor, truncation: int | None = None
) -> torch.Tensor:
    """Per-position size of ``d output / d x_t`` for one sequence, with optional truncated BPTT.

    ``model.truncated_logit(x, truncation)`` must return the prediction at the last
    position, with the hidden state detached every ``truncation`` steps (see
    :class:`coursepkg.models.LastStateClassifier`).

    Returns
    -------
    torch.Tensor, shape ``(L,)``
        ``||d logit / d x_t||`` for t = 0..L-1; exactly zero where BPTT does not reach.
    """
    x = x.detach().clone().unsqueeze(0).requires_grad_(True)  # (1, L, C)
    logit = model.truncated_logit(x, truncation)
    (grad,) = torch.autograd.grad(logit.sum(), x)
    return grad[0].norm(dim=-1)


def gradient_horizon(reach: torch.Tensor) -> int:
    """How many positions, counting back from the last, receive a non-zero gradient."""
    nonzero = torch.nonzero(reach > 0).flatten()
    if len(nonzero) == 0:
        return 0
    return int(len(reach) - nonzero.min())
