"""Public check for ex03_bptt: gradient norms through a tanh RNN, and their decay rate."""

from __future__ import annotations

import numpy as np
import torch

from coursepkg.analysis.gradients import autograd_jacobian_norms, recurrent_matrix
from coursepkg.practice import PublicCheck


def _network(H: int, D: int, T: int, radius: float, seed: int):
    gen = torch.Generator().manual_seed(seed)
    W_h = recurrent_matrix(H, radius, seed=seed, kind="gaussian")
    W_x = 0.5 * torch.randn(H, D, generator=gen, dtype=torch.float64)
    b = 0.1 * torch.randn(H, generator=gen, dtype=torch.float64)
    x = torch.randn(T, D, generator=gen, dtype=torch.float64)
    h0 = 0.5 * torch.randn(H, generator=gen, dtype=torch.float64)
    return W_h, W_x, b, x, h0


def compare_norms(jacobian_norms, args) -> str | None:
    got = torch.as_tensor(jacobian_norms(*args)).to(torch.float64).reshape(-1)
    want = autograd_jacobian_norms(*args)
    if got.shape != want.shape:
        return f"expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    if not torch.allclose(got, want, rtol=1e-5, atol=1e-10):
        t = int((got - want).abs().argmax())
        return f"entry t={t}: expected {want[t].item():.6g}, got {got[t].item():.6g}"
    return None


def run(jacobian_norms, decay_rate) -> int:
    """Run the public checks on the student's ``jacobian_norms`` and ``decay_rate``."""
    checks = PublicCheck("ex03_bptt")
    small = _network(3, 2, 5, 0.9, seed=1)
    larger = _network(8, 4, 12, 1.2, seed=2)
    checks.check(
        "jacobian_norms on a 3-unit network, 5 steps",
        "Entry t is ||dh_T/dh_t||_2 (largest singular value); entry T-1 is one step back. "
        "One step back multiplies by diag(1 - h_s^2) W_h.",
        lambda: compare_norms(jacobian_norms, small),
    )
    checks.check(
        "jacobian_norms on an 8-unit network, 12 steps, spectral radius 1.2",
        "Build the product from h_T backwards, and take the spectral norm, not the Frobenius norm.",
        lambda: compare_norms(jacobian_norms, larger),
    )

    def rate():
        norms = 2.0 * 0.5 ** (5 - np.arange(5))  # halves with every step back
        got = decay_rate(torch.tensor(norms))
        want = np.log(0.5)
        if not isinstance(got, float):
            return f"expected a Python float, got {type(got).__name__}"
        return None if abs(got - want) < 1e-9 else f"expected {want:.6f}, got {got:.6f}"

    checks.check(
        "decay_rate of norms that halve with every step back",
        "Fit log(norms[t]) against k = T - t (not against t).",
        rate,
    )
    return checks.report()
