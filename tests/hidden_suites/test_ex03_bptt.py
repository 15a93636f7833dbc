"""Hidden suite for ex03_bptt (instructors only; never shipped to students).

Self-contained: the reference Jacobians are taken *here* with ``torch.autograd`` (written
out below) on random networks drawn from a hidden seed, and every test grades one
function on inputs made here: ``decay_rate`` is always handed norms computed here, never
the student's own, so a wrong ``jacobian_norms`` costs no ``decay_rate`` point. A failure
shows a public counterexample where there is one (the public network SMALL of the public
check, whose expected norms are computed here too), and the diagnosis is the public
check's, so a student reads the same words in both places.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coursepkg.practice.ex03_bptt import BPTT, DECAY, diagnose_norms, diagnose_rate, small

SEED = 31337011  # hidden seed


def fail(message: str) -> None:
    """Fail the test with ``message`` as the student's feedback (shown as it is)."""
    raise AssertionError(message)


# --- the reference --------------------------------------------------------------------------


def states(W_h, W_x, b, x, h0) -> list[torch.Tensor]:
    """h_0 .. h_T of the tanh RNN, x_t being row t - 1 of x."""
    h = [h0]
    for t in range(1, x.shape[0] + 1):
        h.append(torch.tanh(W_h @ h[-1] + W_x @ x[t - 1] + b))
    return h


def jacobians(W_h, W_x, b, x, h0) -> list[torch.Tensor]:
    """dh_T/dh_t for t = 0..T-1, each by autograd through the remaining steps."""
    T = x.shape[0]
    h = states(W_h, W_x, b, x, h0)

    def run_from(t):
        def last(h_t):
            for s in range(t + 1, T + 1):
                h_t = torch.tanh(W_h @ h_t + W_x @ x[s - 1] + b)
            return h_t

        return last

    return [torch.autograd.functional.jacobian(run_from(t), h[t]) for t in range(T)]


def reference_norms(*network) -> torch.Tensor:
    return torch.stack([torch.linalg.matrix_norm(J, ord=2) for J in jacobians(*network)])


def network(H: int, D: int, T: int, radius: float, seed: int, h0_scale: float = 0.5):
    """A random network whose recurrent matrix has the given spectral radius."""
    gen = torch.Generator().manual_seed(SEED + seed)
    W = torch.randn(H, H, generator=gen, dtype=torch.float64)
    W_h = radius * W / torch.linalg.eigvals(W).abs().max()
    W_x = 0.7 * torch.randn(H, D, generator=gen, dtype=torch.float64)
    b = 0.2 * torch.randn(H, generator=gen, dtype=torch.float64)
    x = torch.randn(T, D, generator=gen, dtype=torch.float64)
    h0 = h0_scale * torch.randn(H, generator=gen, dtype=torch.float64)
    return W_h, W_x, b, x, h0


# --- the student's side -----------------------------------------------------------------------


def student_norms(submission, args) -> torch.Tensor:
    got = submission.call("jacobian_norms", *args)
    if not isinstance(got, (torch.Tensor, np.ndarray, list)):
        fail(f"jacobian_norms must return a tensor, got {type(got).__name__}")
    try:
        return torch.as_tensor(np.asarray(got, dtype=np.float64))
    except (TypeError, ValueError):
        fail("jacobian_norms must return a tensor of numbers")


def assert_matches(submission, args, what: str) -> None:
    """The student's norms on the hidden network ``args`` equal autograd's."""
    got, want = student_norms(submission, args), reference_norms(*args)
    problem = diagnose_norms(got, want, f"{what} (hidden)")
    if problem is None:
        return
    lead = f"jacobian_norms differs from autograd on {what} (hidden)."
    public = small()
    public_got, public_want = student_norms(submission, public), reference_norms(*public)
    example = "the public network SMALL of the public check (H = 3, T = 5)"
    public_problem = diagnose_norms(public_got, public_want, example)
    if public_problem is not None:
        problem = public_problem
    if tuple(got.shape) == tuple(want.shape):
        frobenius = torch.stack([torch.linalg.matrix_norm(J) for J in jacobians(*args)])
        if bool(torch.isclose(got, frobenius, rtol=1e-5).all()):
            fail(
                "\n".join(
                    [
                        lead,
                        "entry t is the spectral norm of dh_T/dh_t (its largest singular value); "
                        "your entries are the Frobenius norms of the right Jacobians",
                        *problem.lines()[1:],
                    ]
                )
            )
    fail("\n".join([lead, *problem.lines(), f"What to look at: {problem.hints[0]}"]))


def assert_rate(submission, norms: np.ndarray, what: str) -> None:
    """decay_rate of norms made here equals the least-squares slope computed here."""
    T = len(norms)
    want = float(np.polyfit(T - np.arange(T), np.log(norms), 1)[0])
    got = submission.call("decay_rate", torch.tensor(norms))
    problem = diagnose_rate(got, want, what)
    if problem is not None:
        fail("\n".join([*problem.lines(), f"What to look at: {problem.hints[0]}"]))


# --- the graded tests -------------------------------------------------------------------------


@pytest.mark.grade(points=1, hint="Return one norm per t = 0..T-1: a tensor of shape (T,).")
def test_norms_shape(submission):
    for H, D, T in ((3, 2, 4), (5, 1, 9)):
        got = student_norms(submission, network(H, D, T, 0.9, seed=H))
        if tuple(got.shape) != (T,):
            fail(
                f"jacobian_norms on a network with H = {H}, D = {D}, T = {T}: expected shape ({T},), got {tuple(got.shape)}"
            )


@pytest.mark.grade(
    points=1,
    hint=f"The last entry is one step back: the norm of a single step's Jacobian ({BPTT}).",
)
def test_one_step_back(submission):
    args = network(6, 3, 7, 1.0, seed=11)
    got, want = student_norms(submission, args), reference_norms(*args)
    if got.shape != want.shape or not bool(torch.isclose(got[-1], want[-1], rtol=1e-6)):
        assert_matches(submission, args, "a network with H = 6, T = 7")


@pytest.mark.grade(
    points=2,
    hint=f"Entry t is the spectral norm of dh_T/dh_t, a product of one-step Jacobians ({BPTT}).",
)
def test_norms_match_autograd_small(submission):
    for i, (H, D, T, radius) in enumerate(((2, 2, 5, 0.8), (4, 3, 8, 1.0), (5, 4, 6, 1.3))):
        assert_matches(
            submission, network(H, D, T, radius, seed=20 + i), f"network {i + 1} (H = {H}, T = {T})"
        )


@pytest.mark.grade(
    points=2,
    hint="Check the order of the factors and the indexing: x_t is row t-1 of x, and entry 0 goes all the way back to h_0.",
)
def test_norms_match_autograd_larger(submission):
    for i, (H, D, T, radius) in enumerate(((16, 4, 25, 0.9), (24, 4, 30, 1.1), (12, 6, 40, 1.5))):
        assert_matches(
            submission, network(H, D, T, radius, seed=40 + i), f"network {i + 1} (H = {H}, T = {T})"
        )


@pytest.mark.grade(points=1, hint="Use the initial state you are given: h_0 enters the first step.")
def test_norms_depend_on_h0(submission):
    assert_matches(
        submission, network(6, 2, 4, 1.2, seed=60, h0_scale=3.0), "a network started far from zero"
    )


@pytest.mark.grade(
    points=1, hint=f"The slope of a straight line through the points (k, log norms[t]) ({DECAY})."
)
def test_decay_rate_of_exact_exponentials(submission):
    for rate, T in ((-0.3, 10), (0.2, 7), (-1.1, 25)):
        assert_rate(
            submission,
            1.7 * np.exp(rate * (T - np.arange(T))),
            f"norms proportional to exp({rate} k), T = {T}",
        )


@pytest.mark.grade(points=2, hint=f"A least-squares fit over all T points ({DECAY}).")
def test_decay_rate_of_noisy_norms(submission):
    gen = np.random.default_rng(SEED)
    for T in (8, 20, 33):
        assert_rate(
            submission,
            np.exp(gen.normal(size=T) - 0.4 * (T - np.arange(T))),
            f"noisy norms, T = {T} (hidden)",
        )


@pytest.mark.grade(
    points=1,
    hint=f"Below spectral radius 1 the gradients vanish: the rate of their norms is negative ({DECAY}).",
)
def test_rate_of_a_vanishing_network(submission):
    norms = reference_norms(*network(10, 4, 30, 0.7, seed=80)).numpy()
    assert_rate(
        submission, norms, "the gradient norms of a network with spectral radius 0.7 (hidden)"
    )
