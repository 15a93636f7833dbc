"""The LSTM's cell-state highway, measured through the gradient.

Chapter 3 measured ``||dh_T/dh_t||`` for a tanh RNN: a product of ``T - t`` matrices
``diag(1 - h_s^2) W_h``. In an LSTM the cell state is updated additively,

    c_s = f_s * c_{s-1} + i_s * g_s,

so along the cell state alone one step back multiplies by ``diag(f_s)``, and

    dc_T/dc_t (along the cell path) = diag(f_{t+1} * f_{t+2} * ... * f_T):

a product of forget gates, with no weight matrix and no tanh derivative in it. The full
derivative adds the paths that leave the cell through ``h_s = o_s * tanh(c_s)`` and come
back through the gates; :func:`cell_jacobian_norms` measures it whole, by autograd.

Indexing as in :mod:`coursepkg.analysis.gradients`: ``c_0`` is the initial state, ``x``
has ``T`` rows and row ``t - 1`` is the input of step ``t``; entry ``t`` of a result
(``t = 0 .. T-1``) is about ``dc_T/dc_t``, ``T - t`` steps back.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from coursepkg.analysis.gates import GateRecorder
from coursepkg.models.lstm import check_lstm


def forget_gate_products(forget: torch.Tensor) -> torch.Tensor:
    """``||diag(f_{t+1} ... f_T)||_2 = max_j prod_{s=t+1}^{T} f_s[j]`` for t = 0..T-1.

    Parameters
    ----------
    forget : (T, H)
        Row ``s - 1`` is the forget gate ``f_s`` of step ``s``.

    Returns
    -------
    torch.Tensor, shape ``(T,)``
        The cell-path part of ``||dc_T/dc_t||_2``; entry ``T - 1`` is ``max_j f_T[j]``.
    """
    if forget.dim() != 2:
        raise ValueError(f"forget must be (T, H), got {tuple(forget.shape)}")
    logs = torch.log(forget.to(torch.float64))
    # suffix sums: entry t holds sum_{s=t+1}^{T} log f_s = rows t .. T-1
    suffix = torch.flip(torch.cumsum(torch.flip(logs, [0]), 0), [0])
    return torch.exp(suffix.max(dim=1).values)


def cell_jacobian_norms(lstm: nn.LSTM, x: torch.Tensor) -> torch.Tensor:
    """Spectral norms ``||dc_T/dc_t||_2`` for t = 0..T-1, the full derivative, in float64.

    The LSTM runs one step at a time from ``h_0 = c_0 = 0`` (its own fused step, on a
    float64 copy). After each step ``h_t`` is recomputed as ``o_t * tanh(c_t)`` from the
    new cell state, so the graph holds every path from ``c_t`` to ``c_T``: through the
    cell (``f``) and through ``h_t`` into the next gates. One backward pass per unit of
    ``c_T`` gives row ``j`` of every Jacobian ``dc_T/dc_t`` at once.

    Parameters
    ----------
    lstm : a one-layer, batch-first ``nn.LSTM``
    x : (T, D)
        One sequence; row ``t - 1`` is the input of step ``t``.
    """
    check_lstm(lstm)
    if x.dim() != 2 or x.shape[1] != lstm.input_size:
        raise ValueError(f"x must be (T, {lstm.input_size}), got {tuple(x.shape)}")
    T, H = x.shape[0], lstm.hidden_size
    if T < 1:
        raise ValueError("x must have at least one row")
    lstm64 = copy.deepcopy(lstm).double().requires_grad_(False)
    output_gate = GateRecorder(lstm64).layer("output")
    x = x.detach().double().unsqueeze(0)  # (1, T, D)
    c = torch.zeros(1, H, dtype=torch.float64, requires_grad=True)  # c_0
    h = torch.zeros(1, H, dtype=torch.float64)
    cells = [c]
    for t in range(T):
        _, (_, c_next) = lstm64(x[:, t : t + 1], (h.unsqueeze(0), c.unsqueeze(0)))
        o = torch.sigmoid(output_gate(torch.cat([x[:, t], h], dim=-1)))  # o_{t+1}
        c = c_next[0]
        h = o * torch.tanh(c)  # h_{t+1}, a function of c_{t+1} in the graph
        cells.append(c)
    rows = [torch.autograd.grad(c[0, j], cells[:-1], retain_graph=True) for j in range(H)]
    norms = torch.empty(T, dtype=torch.float64)
    for t in range(T):
        jacobian = torch.stack([rows[j][t][0] for j in range(H)])  # (H, H): dc_T[j]/dc_t[k]
        norms[t] = torch.linalg.matrix_norm(jacobian, ord=2)
    return norms
