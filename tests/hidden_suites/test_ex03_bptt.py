"""Hidden suite for ex03_bptt (instructors only; never shipped to students).

The student's process returns numbers; the reference Jacobians are taken *here* with
``torch.autograd`` on random networks drawn from a hidden seed.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coursepkg.analysis.gradients import autograd_jacobian_norms, recurrent_matrix

SEED = 31337011  # hidden seed


def network(H: int, D: int, T: int, radius: float, seed: int, h0_scale: float = 0.5):
    gen = torch.Generator().manual_seed(SEED + seed)
    W_h = recurrent_matrix(H, radius, seed=SEED + seed, kind="gaussian")
    W_x = 0.7 * torch.randn(H, D, generator=gen, dtype=torch.float64)
    b = 0.2 * torch.randn(H, generator=gen, dtype=torch.float64)
    x = torch.randn(T, D, generator=gen, dtype=torch.float64)
    h0 = h0_scale * torch.randn(H, generator=gen, dtype=torch.float64)
    return W_h, W_x, b, x, h0


def student_norms(submission, args) -> torch.Tensor:
    submission.require_own("jacobian_norms")
    got = submission.call("jacobian_norms", *args)
    assert isinstance(got, (torch.Tensor, np.ndarray, list)), (
        f"jacobian_norms must return a tensor, got {type(got).__name__}"
    )
    return torch.as_tensor(np.asarray(got, dtype=np.float64))


def assert_matches(submission, args, what: str) -> None:
    got = student_norms(submission, args)
    want = autograd_jacobian_norms(*args)
    assert tuple(got.shape) == tuple(want.shape), (
        f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    )
    close = torch.isclose(got, want, rtol=1e-5, atol=1e-12)
    assert bool(close.all()), (
        f"{what}: {int((~close).sum())} of {len(want)} entries differ from autograd "
        f"(first at t={int(torch.nonzero(~close)[0])}); the network is hidden, test your "
        "function against torch.autograd.functional.jacobian on networks of your own"
    )


@pytest.mark.grade(points=1, hint="Return one norm per t = 0..T-1: a tensor of shape (T,).")
def test_norms_shape(submission):
    for H, D, T in ((3, 2, 4), (5, 1, 9)):
        got = student_norms(submission, network(H, D, T, 0.9, seed=H))
        assert tuple(got.shape) == (T,), (
            f"H={H}, D={D}, T={T}: expected shape ({T},), got {tuple(got.shape)}"
        )


@pytest.mark.grade(points=1, hint="The last entry is one step back: ||diag(1 - h_T^2) W_h||_2.")
def test_one_step_back(submission):
    args = network(6, 3, 7, 1.0, seed=11)
    got = student_norms(submission, args)
    want = autograd_jacobian_norms(*args)
    assert abs(float(got[-1]) - float(want[-1])) <= 1e-6 * float(want[-1]), (
        "entry T-1 (one step back) differs from autograd"
    )


@pytest.mark.grade(
    points=2,
    hint="Spectral norm = largest singular value (torch.linalg.matrix_norm(J, ord=2)); multiply by diag(1 - h_s^2) W_h at every step.",
)
def test_norms_match_autograd_small(submission):
    for i, (H, D, T, radius) in enumerate(((2, 2, 5, 0.8), (4, 3, 8, 1.0), (5, 4, 6, 1.3))):
        assert_matches(
            submission, network(H, D, T, radius, seed=20 + i), f"network {i + 1} (H={H}, T={T})"
        )


@pytest.mark.grade(
    points=2,
    hint="Check the order of the product and the indexing: x_t is row t-1 of x, and entry 0 goes all the way back to h_0.",
)
def test_norms_match_autograd_larger(submission):
    for i, (H, D, T, radius) in enumerate(((16, 4, 25, 0.9), (24, 4, 30, 1.1), (12, 6, 40, 1.5))):
        assert_matches(
            submission, network(H, D, T, radius, seed=40 + i), f"network {i + 1} (H={H}, T={T})"
        )


@pytest.mark.grade(points=1, hint="Use the initial state you are given: h_0 enters the first tanh.")
def test_norms_depend_on_h0(submission):
    args = list(network(6, 2, 4, 1.2, seed=60, h0_scale=3.0))
    assert_matches(submission, tuple(args), "a network started far from zero")


@pytest.mark.grade(
    points=1,
    hint="A least-squares straight line through (k, log norms[t]) with k = T - t; return its slope as a float.",
)
def test_decay_rate_of_exact_exponentials(submission):
    for rate, T in ((-0.3, 10), (0.2, 7), (-1.1, 25)):
        norms = torch.tensor(1.7 * np.exp(rate * (T - np.arange(T))))
        submission.require_own("decay_rate")
        got = submission.call("decay_rate", norms)
        assert isinstance(got, float), f"decay_rate must return a float, got {type(got).__name__}"
        assert abs(got - rate) < 1e-8, (
            f"norms proportional to exp({rate} k): expected {rate}, got {got:.6g}"
        )


@pytest.mark.grade(
    points=2,
    hint="Least squares over all T points, not a two-point difference; the x-axis is k = T - t.",
)
def test_decay_rate_of_noisy_norms(submission):
    gen = np.random.default_rng(SEED)
    for T in (8, 20, 33):
        norms = np.exp(gen.normal(size=T) - 0.4 * (T - np.arange(T)))
        want = float(np.polyfit(T - np.arange(T), np.log(norms), 1)[0])
        submission.require_own("decay_rate")
        got = submission.call("decay_rate", torch.tensor(norms))
        assert abs(float(got) - want) < 1e-8, (
            f"T={T}: expected slope {want:.6f}, got {float(got):.6f}"
        )


@pytest.mark.grade(
    points=1,
    hint="On a vanishing network (spectral radius below 1) the rate of your own norms is negative.",
)
def test_rate_of_a_vanishing_network(submission):
    args = network(10, 4, 30, 0.7, seed=80)
    norms = student_norms(submission, args)
    submission.require_own("decay_rate")
    got = float(submission.call("decay_rate", norms))
    want = float(
        np.polyfit(30 - np.arange(30), np.log(autograd_jacobian_norms(*args).numpy()), 1)[0]
    )
    assert got < 0 and abs(got - want) < 1e-5, f"expected a rate of about {want:.4f}, got {got:.4f}"
