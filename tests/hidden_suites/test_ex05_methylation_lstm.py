"""Hidden suite for ex05_methylation_lstm (instructors only; never shipped to students).

``methylation_step(x, h, c, params) -> (h, c)`` and ``methylation_lstm(x, c0, params) ->
(B, T, H)``: the methylation LSTM of chapter 4 (sigmoid candidate, input gate tied to
``1 - f``, diagonal recurrence, ``h = c``, ``h_0 = c_0``). Every input is made here from a
hidden seed, in float64; the references below are written independently of the course
package. On a failure the message shows a small public example with the expected and the
received values.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

SEED = 50521  # hidden seed
KEYS = ("W_f", "u_f", "b_f", "W_c", "u_c", "b_c")
SECTION = "chapter 4, 'An LSTM whose cell state is a methylation level'"


# --- references ---------------------------------------------------------------------------


def reference_step(x, h, c, params):
    """One step, site by site (a loop over sites: nothing can mix them)."""
    B, H = c.shape
    new = torch.empty_like(c)
    for j in range(H):
        f = torch.sigmoid(x @ params["W_f"][j] + params["u_f"][j] * h[:, j] + params["b_f"][j])
        cand = torch.sigmoid(x @ params["W_c"][j] + params["u_c"][j] * h[:, j] + params["b_c"][j])
        new[:, j] = cand + f * (c[:, j] - cand)
    return new, new


def reference_states(x, c0, params):
    """States after every step, ``(B, T, H)``, starting from ``h_0 = c_0``."""
    h = c = c0
    out = []
    for t in range(x.shape[1]):
        h, c = reference_step(x[:, t], h, c, params)
        out.append(c)
    return torch.stack(out, dim=1)


# --- inputs -------------------------------------------------------------------------------


def random_params(D: int, H: int, seed: int, scale: float = 1.0) -> dict:
    gen = torch.Generator().manual_seed(SEED + seed)

    def draw(*shape):
        return scale * torch.randn(*shape, generator=gen, dtype=torch.float64)

    return {
        "W_f": draw(H, D),
        "u_f": draw(H),
        "b_f": draw(H),
        "W_c": draw(H, D),
        "u_c": draw(H),
        "b_c": draw(H),
    }


def random_inputs(B: int, T: int | None, D: int, H: int, seed: int, scale: float = 1.0):
    gen = torch.Generator().manual_seed(SEED + 1000 + seed)
    shape = (B, D) if T is None else (B, T, D)
    x = scale * torch.randn(*shape, generator=gen, dtype=torch.float64)
    level = torch.rand(B, H, generator=gen, dtype=torch.float64)
    return x, level


def public_params() -> dict:
    """The small example's parameters: D = 2 signals, H = 2 sites."""
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    return {
        "W_f": t([[0.5, -1.0], [1.5, 0.2]]),
        "u_f": t([2.0, -1.0]),
        "b_f": t([0.3, -0.4]),
        "W_c": t([[-1.0, 0.5], [0.8, 1.2]]),
        "u_c": t([-1.5, 2.5]),
        "b_c": t([-0.2, 0.1]),
    }


def show(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in value.items()) + "}"
    return str(np.round(np.asarray(value), 4).tolist())


# --- calling the student --------------------------------------------------------------------


def as64(value, what: str, shape: tuple) -> torch.Tensor:
    assert isinstance(value, (torch.Tensor, np.ndarray)), (
        f"{what} must be a tensor, got {type(value).__name__}"
    )
    assert tuple(value.shape) == shape, f"{what} must have shape {shape}, got {tuple(value.shape)}"
    return torch.as_tensor(np.asarray(value, dtype=np.float64))


def student_step(submission, x, h, c, params):
    submission.require_own("methylation_step")
    out = submission.call("methylation_step", x, h, c, params)
    assert isinstance(out, (tuple, list)) and len(out) == 2, (
        f"methylation_step must return a tuple (h, c), got {type(out).__name__}"
    )
    shape = tuple(c.shape)
    return (
        as64(out[0], "methylation_step: the returned h", shape),
        as64(out[1], "methylation_step: the returned c", shape),
    )


def student_states(submission, x, c0, params):
    submission.require_own("methylation_lstm")
    out = submission.call("methylation_lstm", x, c0, params)
    B, T, _ = x.shape
    return as64(out, "methylation_lstm: the result", (B, T, c0.shape[1]))


def differs(got: torch.Tensor, want: torch.Tensor, tol: float = 1e-8) -> bool:
    return not bool(torch.isfinite(got).all()) or bool(
        ((got - want).abs() > tol * (1 + want.abs())).any()
    )


def public_step_report(submission) -> str:
    params = public_params()
    x = torch.tensor([[1.0, -0.5]], dtype=torch.float64)
    h = c = torch.tensor([[0.2, 0.9]], dtype=torch.float64)
    _, got = student_step(submission, x, h, c, params)
    want, _ = reference_step(x, h, c, params)
    example = f"methylation_step(x={show(x)}, h={show(h)}, c={show(c)}, params={show(params)})"
    if differs(got, want):
        return f"public example: {example}: expected c = {show(want)}, got {show(got)}"
    return f"(your function is right on the small public example {example}; the difference shows on larger inputs)"


def public_states_report(submission) -> str:
    params = public_params()
    x = torch.tensor([[[1.0, -0.5], [0.0, 2.0], [-1.0, 1.0]]], dtype=torch.float64)
    c0 = torch.tensor([[0.2, 0.9]], dtype=torch.float64)
    got = student_states(submission, x, c0, params)
    want = reference_states(x, c0, params)
    example = f"methylation_lstm(x={show(x)}, c0={show(c0)}, params={show(params)})"
    if differs(got, want):
        return f"public example: {example}: expected {show(want)}, got {show(got)}"
    return f"(your function is right on the small public example {example}; the difference shows on larger inputs)"


# --- methylation_step -----------------------------------------------------------------------


@pytest.mark.grade(
    points=1,
    hint="Return a tuple (h, c) of two (B, H) tensors; in this model the output is the cell state.",
)
def test_step_returns_the_new_state(submission):
    for B, D, H in ((3, 2, 4), (1, 5, 1)):
        x, level = random_inputs(B, None, D, H, seed=B)
        h, c = student_step(submission, x, level, level, random_params(D, H, seed=B))
        assert not differs(h, c, tol=0), (
            "methylation_step: the returned h must equal the returned c"
        )


@pytest.mark.grade(
    points=2,
    hint=f"Check your step on small examples of your own, with D and H different ({SECTION}).",
)
def test_step_matches_the_model_on_random_inputs(submission):
    for i, (B, D, H) in enumerate(((4, 3, 5), (2, 6, 2), (3, 4, 4), (5, 1, 3))):
        params = random_params(D, H, seed=10 + i)
        x, level = random_inputs(B, None, D, H, seed=10 + i)
        h = torch.rand(B, H, generator=torch.Generator().manual_seed(SEED + i), dtype=torch.float64)
        _, got = student_step(submission, x, h, level, params)
        want, _ = reference_step(x, h, level, params)
        if differs(got, want):
            raise AssertionError(
                f"methylation_step: the new level differs from the model's on B={B}, D={D}, "
                f"H={H}.\n" + public_step_report(submission)
            )


@pytest.mark.grade(
    points=1,
    hint=f"When the forget gate is shut the new level is the candidate, which is itself a "
    f"methylation level ({SECTION}).",
)
def test_candidate_is_a_level(submission):
    D, H = 2, 3
    params = random_params(D, H, seed=20, scale=3.0)
    params["W_f"], params["u_f"] = 0 * params["W_f"], 0 * params["u_f"]
    params["b_f"] = torch.full((H,), -60.0, dtype=torch.float64)  # f = 0
    x, level = random_inputs(4, None, D, H, seed=20, scale=3.0)
    _, got = student_step(submission, x, level, level, params)
    want, _ = reference_step(x, level, level, params)
    if differs(got, want):
        raise AssertionError(
            "methylation_step: with the forget gate at 0 (W_f = 0, u_f = 0, b_f = -60) the new "
            f"level must be the candidate: expected {show(want[0])} (first row), got {show(got[0])}"
        )


@pytest.mark.grade(
    points=1,
    hint=f"The input gate is not a separate gate here: it is tied to the forget gate, so the "
    f"update is a weighted mean of the old level and the candidate ({SECTION}).",
)
def test_update_is_a_weighted_mean(submission):
    D, H = 3, 2
    params = random_params(D, H, seed=30)
    params["W_f"], params["u_f"] = 0 * params["W_f"], 0 * params["u_f"]
    params["b_f"] = torch.zeros(H, dtype=torch.float64)  # f = 1/2 exactly
    x, level = random_inputs(3, None, D, H, seed=30)
    _, got = student_step(submission, x, level, level, params)
    want, _ = reference_step(x, level, level, params)
    if differs(got, want):
        raise AssertionError(
            "methylation_step: with the forget gate at exactly 1/2 (W_f = 0, u_f = 0, b_f = 0) the "
            "new level must lie halfway between the old level and the candidate: old level "
            f"{show(level[0])}, expected {show(want[0])}, got {show(got[0])} (first row)"
        )


@pytest.mark.grade(
    points=1,
    hint=f"Each site's gates read only that site's own previous level: the recurrent weights "
    f"u_f and u_c are one number per site ({SECTION}).",
)
def test_sites_are_independent(submission):
    B, D, H = 2, 3, 4
    params = random_params(D, H, seed=40, scale=2.0)
    x, level = random_inputs(B, None, D, H, seed=40)
    moved = level.clone()
    moved[:, 1] = 1.0 - moved[:, 1]  # site 1's previous level (h and c) changes
    _, before = student_step(submission, x, level, level, params)
    _, after = student_step(submission, x, moved, moved, params)
    others = [0, 2, 3]
    if differs(after[:, others], before[:, others], tol=1e-12):
        raise AssertionError(
            "methylation_step: changing the previous level of site 1 only changed the new "
            f"levels of other sites: sites 0, 2, 3 went from {show(before[0, others])} to "
            f"{show(after[0, others])} (first row)"
        )


@pytest.mark.grade(
    points=1,
    hint="Huge inputs and weights saturate both gates at 0 or 1; the level must stay a finite "
    "number in [0, 1].",
)
def test_step_extreme_inputs_stay_in_the_unit_interval(submission):
    B, D, H = 6, 4, 5
    params = random_params(D, H, seed=50, scale=50.0)
    x, level = random_inputs(B, None, D, H, seed=50, scale=1e3)
    _, got = student_step(submission, x, level, level, params)
    want, _ = reference_step(x, level, level, params)
    if not bool(torch.isfinite(got).all()) or got.min() < 0 or got.max() > 1:
        raise AssertionError(
            "methylation_step: with saturated gates the new level left [0, 1] or is not finite: "
            f"got values from {got.min().item():.4g} to {got.max().item():.4g}"
        )
    if differs(got, want):
        raise AssertionError(
            "methylation_step: with saturated gates the new level differs from the model's.\n"
            + public_step_report(submission)
        )


# --- methylation_lstm -----------------------------------------------------------------------


@pytest.mark.grade(
    points=1,
    hint="Return the state after every step, a (B, T, H) tensor: one row per time step of x.",
)
def test_states_have_one_row_per_step(submission):
    for B, T, D, H in ((3, 7, 2, 4), (2, 1, 3, 2)):
        x, c0 = random_inputs(B, T, D, H, seed=60 + T)
        student_states(submission, x, c0, random_params(D, H, seed=60 + T))


@pytest.mark.grade(
    points=2,
    hint=f"Check your loop on small examples of your own, with B, T, D and H all different "
    f"({SECTION}).",
)
def test_states_match_the_model_on_random_inputs(submission):
    for i, (B, T, D, H) in enumerate(((4, 9, 3, 5), (2, 15, 2, 3), (3, 6, 4, 4))):
        params = random_params(D, H, seed=70 + i)
        x, c0 = random_inputs(B, T, D, H, seed=70 + i)
        got = student_states(submission, x, c0, params)
        want = reference_states(x, c0, params)
        if differs(got, want):
            first = int(torch.nonzero((got - want).abs() > 1e-8 * (1 + want.abs()))[0, 1])
            raise AssertionError(
                f"methylation_lstm: the states differ from the model's on B={B}, T={T}, D={D}, "
                f"H={H}, first at step {first}.\n" + public_states_report(submission)
            )


@pytest.mark.grade(
    points=1,
    hint=f"The recurrence starts from the given initial state: the output before the first "
    f"step is the initial level ({SECTION}).",
)
def test_first_step_starts_from_the_initial_level(submission):
    B, T, D, H = 3, 4, 2, 3
    params = random_params(D, H, seed=80, scale=2.0)
    params["u_f"] = torch.full((H,), 4.0, dtype=torch.float64)
    params["u_c"] = torch.full((H,), -4.0, dtype=torch.float64)
    x, c0 = random_inputs(B, T, D, H, seed=80)
    got = student_states(submission, x, c0, params)
    want = reference_states(x, c0, params)
    if differs(got[:, 0], want[:, 0]):
        raise AssertionError(
            f"methylation_lstm: the state after the first step is wrong, starting from "
            f"c0 = {show(c0[0])} with recurrent weights u_f = 4, u_c = -4: expected "
            f"{show(want[0, 0])}, got {show(got[0, 0])} (first row)"
        )


@pytest.mark.grade(
    points=1,
    hint="Row t of the result is the state after step t: the first row already depends on the "
    "first time point of x, and the last row on the last one.",
)
def test_states_are_aligned_with_the_inputs(submission):
    B, T, D, H = 2, 5, 2, 2
    params = random_params(D, H, seed=90)
    params["W_f"], params["u_f"] = 0 * params["W_f"], 0 * params["u_f"]
    params["b_f"] = torch.full((H,), -60.0, dtype=torch.float64)  # f = 0: state = candidate(x_t)
    params["u_c"] = 0 * params["u_c"]
    x, c0 = random_inputs(B, T, D, H, seed=90)
    got = student_states(submission, x, c0, params)
    want = reference_states(x, c0, params)
    if differs(got, want):
        raise AssertionError(
            "methylation_lstm: with the forget gate at 0 and no recurrence, the state after step "
            f"t is the candidate of x[:, t] alone: expected {show(want[0, :, 0])} at site 0 of "
            f"the first sequence, got {show(got[0, :, 0])}"
        )


@pytest.mark.grade(
    points=1,
    hint="x has shape (B, T, D): the batch comes first, time second. Test with B equal to T.",
)
def test_batch_and_time_axes(submission):
    for B, T in ((4, 4), (1, 6), (6, 2)):
        D, H = 3, 2
        params = random_params(D, H, seed=100 + B)
        x, c0 = random_inputs(B, T, D, H, seed=100 + B)
        got = student_states(submission, x, c0, params)
        want = reference_states(x, c0, params)
        if differs(got, want):
            raise AssertionError(
                f"methylation_lstm: with B={B} sequences of T={T} steps the states differ from "
                f"the model's (first sequence, site 0: expected {show(want[0, :, 0])}, got "
                f"{show(got[0, :, 0])})"
            )


@pytest.mark.grade(
    points=1,
    hint="Over long sequences with saturated gates the levels must stay finite and in [0, 1].",
)
def test_long_extreme_sequences_stay_in_the_unit_interval(submission):
    B, T, D, H = 3, 200, 2, 4
    params = random_params(D, H, seed=110, scale=40.0)
    x, c0 = random_inputs(B, T, D, H, seed=110, scale=100.0)
    got = student_states(submission, x, c0, params)
    want = reference_states(x, c0, params)
    if not bool(torch.isfinite(got).all()) or got.min() < 0 or got.max() > 1:
        raise AssertionError(
            "methylation_lstm: over 200 steps with saturated gates the levels left [0, 1] or are "
            f"not finite: got values from {got.min().item():.4g} to {got.max().item():.4g}"
        )
    if differs(got, want):
        raise AssertionError(
            "methylation_lstm: over 200 steps with saturated gates the states differ from the "
            "model's.\n" + public_states_report(submission)
        )
