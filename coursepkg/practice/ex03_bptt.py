"""Public check for ex03_bptt: gradient norms through a tanh RNN, and their decay rate.

The public inputs are two small networks, written out below (``SMALL``) or drawn from a
fixed seed (``LARGER``); the expected norms and rates on them are *stored*
(``expected/ex03_bptt.json``), computed once by the solution notebook, because the package
holds no implementation of the exercise. The rate of norms that halve with every step back
is known exactly (``log 0.5``) and needs nothing stored.

:func:`diagnose_norms` and :func:`diagnose_rate` turn a wrong answer into the property
that failed and the hints that fit it; the hidden suite uses them too.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from coursepkg.practice import Problem, PublicCheck, expected, format_numbers

FUNCTIONS = ("jacobian_norms", "decay_rate")

BPTT = 'chapter 3, "Backpropagation through time"'
DECAY = 'chapter 3, "Measuring the decay"'

SMALL = {
    "W_h": [[0.5, -0.4, 0.2], [0.3, 0.6, -0.5], [-0.2, 0.4, 0.7]],
    "W_x": [[0.8, -0.3], [0.1, 0.9], [-0.6, 0.4]],
    "b": [0.1, -0.2, 0.05],
    "x": [[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4], [0.6, 0.6], [-0.3, -0.9]],
    "h0": [0.2, -0.4, 0.3],
}
"""The public network SMALL: H = 3 units, D = 2 inputs, T = 5 steps (float64)."""


def small() -> tuple[torch.Tensor, ...]:
    """``(W_h, W_x, b, x, h0)`` of the public network SMALL, as float64 tensors."""
    return tuple(
        torch.tensor(SMALL[k], dtype=torch.float64) for k in ("W_h", "W_x", "b", "x", "h0")
    )


def larger() -> tuple[torch.Tensor, ...]:
    """The public network LARGER: H = 8, D = 4, T = 12, recurrent spectral radius 1.2."""
    gen = torch.Generator().manual_seed(2)
    W = torch.randn(8, 8, generator=gen, dtype=torch.float64)
    W_h = 1.2 * W / torch.linalg.eigvals(W).abs().max()
    W_x = 0.5 * torch.randn(8, 4, generator=gen, dtype=torch.float64)
    b = 0.1 * torch.randn(8, generator=gen, dtype=torch.float64)
    x = torch.randn(12, 4, generator=gen, dtype=torch.float64)
    h0 = 0.5 * torch.randn(8, generator=gen, dtype=torch.float64)
    return W_h, W_x, b, x, h0


NETWORKS = {"SMALL": small, "LARGER": larger}


def as_vector(value) -> torch.Tensor:
    """The student's result as a float64 vector (a tensor, an array or a list)."""
    if not isinstance(value, (torch.Tensor, np.ndarray, list, tuple)):
        raise TypeError(f"jacobian_norms must return a tensor, got {type(value).__name__}")
    return torch.as_tensor(np.asarray(value, dtype=np.float64))


def diagnose_norms(got: torch.Tensor, want: torch.Tensor, example: str) -> Problem | None:
    """None when ``got`` matches ``want`` (entry t = ||dh_T/dh_t||_2), else why not.

    The diagnosis escalates only as far as the evidence goes: the shape, then the entry
    one step back (a single step's Jacobian and its norm), then the product over steps.
    """
    T = len(want)
    if tuple(got.shape) != (T,):
        return Problem(
            "jacobian_norms returns one norm per t = 0..T-1: a tensor of shape (T,)",
            example,
            f"shape ({T},)",
            f"shape {tuple(got.shape)}",
            hints=("Entry t is one number, the norm of the matrix dh_T/dh_t.",),
        )
    close = torch.isclose(got, want, rtol=1e-5, atol=1e-12)
    if bool(close.all()):
        return None
    if not bool(torch.isfinite(got).all()):
        return Problem(
            "jacobian_norms returns finite numbers",
            example,
            format_numbers(want),
            format_numbers(got),
        )
    if T > 1 and bool(torch.isclose(got, want.flip(0), rtol=1e-5, atol=1e-12).all()):
        return Problem(
            "entry t is ||dh_T/dh_t||: entry T-1 is one step back, entry 0 goes all the way "
            "back to h_0",
            example,
            format_numbers(want),
            f"{format_numbers(got)}   (the same numbers, in the opposite order)",
            hints=("Which end of your array holds the Jacobian one step back?",),
        )
    shown = (format_numbers(want), format_numbers(got)) if T <= 6 else ("", "")
    if not bool(close[-1]):
        return Problem(
            "already one step back (entry T-1, the norm of dh_T/dh_{T-1}) differs",
            example,
            shown[0] or f"entry T-1 = {want[-1]:.6g}",
            shown[1] or f"entry T-1 = {got[-1]:.6g}",
            hints=(
                f"One step of the recurrence takes a small change of h_(T-1) to a change of "
                f"h_T: which operations does it pass through, and what does each do to it? "
                f"({BPTT})",
                "Compute dh_T/dh_(T-1) of the SMALL network with "
                "torch.autograd.functional.jacobian and compare it with your matrix before "
                "taking any norm: if the matrices agree, look at the norm; the task asks for "
                "the spectral norm (the largest singular value).",
            ),
        )
    t = int(torch.nonzero(~close)[-1])
    return Problem(
        "one step back is right, but the product over several steps is not: entry t is the "
        f"norm of dh_T/dh_t, and entry {t} ({T - t} steps back) differs",
        example,
        shown[0] or f"entry {t} = {want[t]:.6g}",
        shown[1] or f"entry {t} = {got[t]:.6g}",
        hints=(
            f"dh_T/dh_t is a product of one-step Jacobians, one per step between t and T "
            f"({BPTT}): check the order of the factors, and at which state each one is taken.",
            "Compare your two-steps-back matrix with torch.autograd.functional.jacobian on the "
            "SMALL network; matrix products do not commute.",
        ),
    )


def diagnose_rate(got, want: float, example: str) -> Problem | None:
    """None when ``got`` is the float ``want``, else why not."""
    if not isinstance(got, float):
        return Problem(
            "decay_rate returns a Python float",
            example,
            "a float",
            type(got).__name__,
            hints=("float(...) turns a numpy or torch number into a Python float.",),
        )
    if math.isclose(got, want, rel_tol=1e-8, abs_tol=1e-10):
        return None
    if math.isclose(got, -want, rel_tol=1e-8, abs_tol=1e-10):
        return Problem(
            "decay_rate is the slope of log(norms[t]) against k = T - t, the number of steps "
            "between h_t and h_T: norms that shrink with every step back give a negative rate",
            example,
            f"{want:.6f}",
            f"{got:.6f}   (the right size, the wrong sign)",
            hints=(f"Which way does k run along the array? ({DECAY})",),
        )
    return Problem(
        "decay_rate is the least-squares slope of log(norms[t]) against k = T - t, over all "
        "T points",
        example,
        f"{want:.6f}",
        f"{got:.6f}",
        hints=(
            f"A straight line fitted to the points (k, log norms[t]), all of them ({DECAY}).",
            "Fit the logarithm of the norms, not the norms; and a slope from two points is "
            "not a least-squares slope.",
        ),
    )


def expected_values(jacobian_norms, decay_rate) -> dict:
    """What the solution gives on the public inputs (stored; see the module docstring)."""
    norms = {name: as_vector(jacobian_norms(*make())).tolist() for name, make in NETWORKS.items()}
    return {"norms": norms, "rate_of_larger": decay_rate(torch.tensor(norms["LARGER"]))}


def _check_norms(jacobian_norms, name: str) -> Problem | None:
    want = torch.tensor(expected.load("ex03_bptt")["norms"][name], dtype=torch.float64)
    network = NETWORKS[name]()
    H, T = network[0].shape[0], network[3].shape[0]
    where = f"coursepkg.practice.ex03_bptt.{name.lower()}()"
    example = f"the public network {name} (H = {H}, T = {T}; {where})"
    return diagnose_norms(as_vector(jacobian_norms(*network)), want, example)


def _check_halving(decay_rate) -> Problem | None:
    norms = 2.0 * 0.5 ** (5 - np.arange(5))  # halves with every step back
    return diagnose_rate(
        decay_rate(torch.tensor(norms)), math.log(0.5), f"norms {format_numbers(norms)} (T = 5)"
    )


def _check_rate_of_larger(decay_rate) -> Problem | None:
    stored = expected.load("ex03_bptt")
    norms = torch.tensor(stored["norms"]["LARGER"], dtype=torch.float64)
    return diagnose_rate(
        decay_rate(norms), stored["rate_of_larger"], "the expected norms of the network LARGER"
    )


def checks(jacobian_norms, decay_rate) -> PublicCheck:
    """Run the public checks on the student's two functions (prints nothing)."""
    checks = PublicCheck("ex03_bptt")
    checks.check(
        "jacobian_norms on the 3-unit network SMALL, 5 steps",
        lambda: _check_norms(jacobian_norms, "SMALL"),
    )
    checks.check(
        "jacobian_norms on the 8-unit network LARGER, 12 steps, spectral radius 1.2",
        lambda: _check_norms(jacobian_norms, "LARGER"),
    )
    checks.check(
        "decay_rate of norms that halve with every step back", lambda: _check_halving(decay_rate)
    )
    checks.check(
        "decay_rate of the norms of LARGER (not a straight line)",
        lambda: _check_rate_of_larger(decay_rate),
    )
    return checks


def run(jacobian_norms, decay_rate) -> None:
    """Run the public checks on the student's two functions and print the report."""
    checks(jacobian_norms, decay_rate).report()
