"""Gradients through time: how much the last hidden state still depends on earlier ones.

For the tanh RNN ``h_t = tanh(W_h h_{t-1} + W_x x_t + b)`` the chain rule gives

    dh_T/dh_t = prod_{s=T}^{t+1} dh_s/dh_{s-1},    dh_s/dh_{s-1} = diag(1 - h_s^2) W_h

so ``||dh_T/dh_t||`` is a product of ``T - t`` factors, each at most ``||W_h||_2`` in size.
When every factor shrinks a vector, the product falls exponentially in the step count
``k = T - t``: the gradient *vanishes*.

This module measures those quantities on real modules, without writing the product out:

* :func:`recurrent_matrix` builds ``W_h`` with a chosen spectral radius (a scaled random
  orthogonal matrix, or a rescaled Gaussian one); :func:`chain_matrix` a *non-normal* one
  whose spectral radius says little about how its powers behave.
* :func:`power_norms` gives ``||W^k||_2`` for ``k = 1..K``: the gradient of a *linear* RNN,
  where ``dh_T/dh_t = W_h^{T-t}``.
* :func:`hidden_state_jacobians` asks ``torch.autograd`` for ``dh_T/dh_t`` of a
  ``torch.nn.RNN`` module on one sequence, every ``t`` at once.
* :func:`input_gradient_reach` measures how far back a (possibly truncated) BPTT sends
  gradient; :func:`gradient_horizon` counts the positions it reaches.
"""

from __future__ import annotations

import torch
from torch import nn


def recurrent_matrix(
    hidden: int, radius: float, seed: int = 0, kind: str = "orthogonal"
) -> torch.Tensor:
    """A recurrent matrix ``W_h (H, H)`` (float64) whose spectral radius is ``radius``.

    ``kind="orthogonal"``: ``radius * Q`` with ``Q`` a random orthogonal matrix. Every
    eigenvalue then has modulus ``radius`` and ``||W_h^k||_2 = radius^k`` exactly (``W_h``
    is normal, so its norm equals its spectral radius).
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


def chain_matrix(hidden: int, radius: float, coupling: float) -> torch.Tensor:
    """A non-normal ``W_h (H, H)`` (float64): each unit keeps ``radius`` of itself and passes
    ``coupling`` of itself on to the next unit::

        W_h = radius * I + coupling * N,     N[i, i - 1] = 1  (a shift down the chain)

    ``W_h`` is triangular, so every eigenvalue is ``radius``: its spectral radius is
    ``radius``. But ``||W_h||_2`` is about ``radius + coupling``, and a signal travelling
    down the chain can grow for as many steps as the chain is long before ``radius^k``
    wins: ``W_h^k = sum_j C(k, j) radius^(k-j) coupling^j N^j`` with ``N^H = 0``.
    """
    if hidden < 1:
        raise ValueError(f"hidden must be >= 1, got {hidden}")
    shift = torch.diag(torch.ones(hidden - 1, dtype=torch.float64), -1)
    return radius * torch.eye(hidden, dtype=torch.float64) + coupling * shift


def power_norms(W: torch.Tensor, steps: int) -> torch.Tensor:
    """``||W^k||_2`` for ``k = 1..steps`` as a ``(steps,)`` tensor.

    For a linear RNN ``h_t = W h_{t-1} + ...`` this is ``||dh_T/dh_{T-k}||_2``.
    """
    if W.dim() != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square, got {tuple(W.shape)}")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    power = torch.eye(W.shape[0], dtype=W.dtype)
    norms = []
    for _ in range(steps):
        power = W @ power
        norms.append(torch.linalg.matrix_norm(power, ord=2))
    return torch.stack(norms)


def hidden_state_jacobians(rnn: nn.RNN, x: torch.Tensor) -> torch.Tensor:
    """``dh_T/dh_t`` of a one-layer ``torch.nn.RNN`` on one sequence, from autograd.

    The module is stepped one position at a time from ``h_0 = 0`` (its own weights, its
    own nonlinearity), keeping every state ``h_0 .. h_T`` in the graph; then one backward
    pass per unit ``i`` of ``h_T`` gives row ``i`` of every Jacobian at once.

    Parameters
    ----------
    rnn : torch.nn.RNN
        One layer, ``batch_first=True``.
    x : torch.Tensor, shape ``(T, D)``
        Row ``t - 1`` is the input of step ``t``.

    Returns
    -------
    torch.Tensor, shape ``(T, H, H)``
        Entry ``t`` is ``dh_T/dh_t`` for ``t = 0..T-1`` (entry ``T - 1`` is one step back).
    """
    if not isinstance(rnn, nn.RNN) or rnn.num_layers != 1 or not rnn.batch_first:
        raise TypeError("hidden_state_jacobians needs a one-layer torch.nn.RNN(batch_first=True)")
    if x.dim() != 2 or x.shape[1] != rnn.input_size or x.shape[0] < 1:
        raise ValueError(f"x must be (T, {rnn.input_size}) with T >= 1, got {tuple(x.shape)}")
    T, H = x.shape[0], rnn.hidden_size
    dtype = rnn.weight_hh_l0.dtype
    x = x.to(dtype)
    states = [torch.zeros(1, 1, H, dtype=dtype, requires_grad=True)]  # h_0, shape (1, 1, H)
    for t in range(T):
        _, h = rnn(x[t].view(1, 1, -1), states[-1])
        states.append(h)
    last = states[-1].view(H)
    jacobians = torch.empty(T, H, H, dtype=dtype)
    for i in range(H):
        rows = torch.autograd.grad(last[i], states[:-1], retain_graph=i < H - 1)
        for t, row in enumerate(rows):
            jacobians[t, i] = row.view(H)
    return jacobians


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
