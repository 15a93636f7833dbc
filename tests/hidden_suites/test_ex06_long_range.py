"""Hidden suite for ex06_long_range (instructors only; never shipped to students).

Self-contained: the references are written out below, in this file, and every input is made
here (random networks and sequences from a hidden seed, and extreme ones). Each test grades
one function. A failure names the property, shows a small counterexample (the smallest
failing input of the test) with expected and got, and points to the chapter's section.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from coursepkg.practice import explain

SEED = 60606  # hidden seed

HIERARCHY = 'chapter 5, "Hierarchical RNNs"'
DILATED = 'chapter 5, "Dilated RNNs"'
PATHS = 'chapter 5, "Path length"'


def fail(message: str) -> None:
    raise AssertionError(message)


# --- references (trusted side) ---------------------------------------------------------------


def tanh_run(u: torch.Tensor, w: dict, back: int = 1) -> torch.Tensor:
    """(B, T, H) states of h_t = tanh(W_x u_t + W_h h_{t-back} + b), zero before the start."""
    B, T, _ = u.shape
    H = w["W_h"].shape[0]
    out = torch.zeros(B, T, H, dtype=u.dtype)
    for t in range(T):
        prev = out[:, t - back] if t >= back else torch.zeros(B, H, dtype=u.dtype)
        out[:, t] = torch.tanh(u[:, t] @ w["W_x"].T + prev @ w["W_h"].T + w["b"])
    return out


def reference_hierarchy(x, chunk, low, high) -> torch.Tensor:
    B, L, C = x.shape
    summaries = []
    for start in range(0, L, chunk):
        piece = x[:, start : start + chunk]
        if piece.shape[1] < chunk:  # zero rows at the end of the short last chunk
            piece = torch.cat([piece, torch.zeros(B, chunk - piece.shape[1], C, dtype=x.dtype)], 1)
        summaries.append(tanh_run(piece, low)[:, -1])
    return tanh_run(torch.stack(summaries, dim=1), high)[:, -1]


def reference_dilated(x, layers, dilations) -> torch.Tensor:
    u = x
    for w, d in zip(layers, dilations, strict=True):
        u = tanh_run(u, w, back=d)
    return u


def reference_path(L, chunk=None, dilations=None) -> int | None:
    """None where no path exists."""
    if chunk is not None:
        return (chunk - 1) + (math.ceil(L / chunk) - 1)
    if dilations is None:
        return L - 1
    best = [0] + [None] * (L - 1)
    for n in range(1, L):
        options = [best[n - d] for d in dilations if d <= n and best[n - d] is not None]
        best[n] = 1 + min(options) if options else None
    return best[L - 1]


def weights(gen: torch.Generator, H: int, C: int, scale: float = 1.0) -> dict:
    return {
        "W_x": scale * torch.randn(H, C, generator=gen, dtype=torch.float64),
        "W_h": scale * 0.7 * torch.randn(H, H, generator=gen, dtype=torch.float64) / H**0.5,
        "b": scale * 0.3 * torch.randn(H, generator=gen, dtype=torch.float64),
    }


def generator(offset: int) -> torch.Generator:
    return torch.Generator().manual_seed(SEED + offset)


def raised(error: Exception, *names: str) -> bool:
    """Whether the student's call raised one of the exception types ``names``."""
    return any(f"raised {name}:" in str(error).split("\n", 1)[0] for name in names)


def numbers(t: torch.Tensor) -> str:
    t = t.reshape(t.shape[0], -1)[:, :6]
    return str([[round(float(v), 4) for v in row] for row in t]) + (
        " ..." if t.shape[1] == 6 else ""
    )


def as_tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, (torch.Tensor, np.ndarray)):
        fail(f"{what} must return a tensor, got {type(value).__name__}")
    return torch.as_tensor(np.asarray(value, dtype=np.float64))


# --- hierarchical_encode -----------------------------------------------------------------------


def hierarchy_case(
    offset: int, B: int, L: int, C: int, chunk: int, H_low: int, H_high: int, scale: float = 1.0
):
    gen = generator(offset)
    x = torch.randn(B, L, C, generator=gen, dtype=torch.float64)
    return x, chunk, weights(gen, H_low, C, scale), weights(gen, H_high, H_low, scale)


def named(function: str, property: str) -> str:
    """The property, led by the function it is about."""
    return property if property.startswith(function) else f"{function}: {property}"


def assert_hierarchy(submission, cases, property: str) -> None:
    """Every case must match the reference; the first failing one is shown."""
    property = named("hierarchical_encode", property)
    for case in cases:
        x, chunk, low, high = case
        want = reference_hierarchy(*case)
        got = as_tensor(submission.call("hierarchical_encode", *case), "hierarchical_encode")
        B, L, C = x.shape
        example = (
            f"x of shape ({B}, {L}, {C}), chunk = {chunk}, H_low = {low['W_h'].shape[0]}, "
            f"H_high = {high['W_h'].shape[0]} (random weights)"
        )
        if tuple(got.shape) != tuple(want.shape):
            fail(
                explain(
                    property, example, f"shape {tuple(want.shape)}", f"shape {tuple(got.shape)}"
                )
            )
        if not torch.allclose(got, want, rtol=1e-6, atol=1e-9):
            fail(explain(property, example, numbers(want), numbers(got)))


@pytest.mark.grade(
    points=1,
    hint=f"The result is the high RNN's last state: one vector per sequence ({HIERARCHY}).",
)
def test_hierarchy_shape(submission):
    assert_hierarchy(
        submission,
        [hierarchy_case(1, 3, 12, 4, 4, 5, 2), hierarchy_case(2, 1, 6, 2, 3, 2, 7)],
        "hierarchical_encode returns the high RNN's last state, shape (B, H_high)",
    )


@pytest.mark.grade(
    points=2,
    hint=f"Each chunk is read on its own from a zero state, and the high RNN reads the chunks' "
    f"last states in order ({HIERARCHY}).",
)
def test_hierarchy_whole_chunks(submission):
    assert_hierarchy(
        submission,
        [
            hierarchy_case(3, 2, 8, 4, 4, 3, 2),
            hierarchy_case(4, 4, 30, 4, 5, 6, 3),
            hierarchy_case(5, 2, 60, 3, 12, 8, 5),
        ],
        "when L is a multiple of chunk, hierarchical_encode matches a low RNN over each chunk "
        "and a high RNN over the summaries",
    )


@pytest.mark.grade(
    points=2,
    hint="A short last chunk still counts, and it is filled up to the chunk's length with "
    "zero rows: check where those rows go.",
)
def test_hierarchy_short_last_chunk(submission):
    assert_hierarchy(
        submission,
        [
            hierarchy_case(6, 2, 10, 4, 4, 3, 2),
            hierarchy_case(7, 3, 23, 4, 5, 4, 3),
            hierarchy_case(8, 2, 41, 2, 8, 5, 4),
        ],
        "when L is not a multiple of chunk, the last chunk is zero-padded at its end and "
        "summarised like the others",
    )


@pytest.mark.grade(
    points=1,
    hint="The evidence may lie only in the last, short chunk: the summary of that chunk must "
    "reach the high RNN.",
)
def test_hierarchy_sees_the_short_last_chunk(submission):
    case = hierarchy_case(9, 2, 9, 4, 4, 3, 2)
    changed = case[0].clone()
    changed[:, -1] += 2.0  # only the last position, alone in its chunk, differs
    a = as_tensor(submission.call("hierarchical_encode", *case), "hierarchical_encode")
    b = as_tensor(submission.call("hierarchical_encode", changed, *case[1:]), "hierarchical_encode")
    if tuple(a.shape) == tuple(b.shape) and torch.allclose(a, b):
        fail(
            explain(
                "hierarchical_encode: a change in the last position, alone in a short last "
                "chunk, changes the output",
                "x of shape (2, 9, 4), chunk = 4, the last position changed",
                "a different output",
                "the same output",
            )
        )
    assert_hierarchy(submission, [case], "hierarchical_encode matches the reference")


@pytest.mark.grade(
    points=1,
    hint="Chunks of one position, and a chunk longer than the whole sequence, follow the same "
    "rules (a single short chunk is padded too).",
)
def test_hierarchy_extreme_chunks(submission):
    assert_hierarchy(
        submission,
        [
            hierarchy_case(10, 2, 7, 4, 1, 3, 2),
            hierarchy_case(11, 2, 5, 4, 8, 3, 2),
            hierarchy_case(12, 2, 16, 4, 16, 3, 2),
            hierarchy_case(13, 2, 12, 4, 4, 3, 2, scale=25.0),  # saturated tanh units
        ],
        "hierarchical_encode matches the reference for chunk = 1, chunk > L, chunk = L and "
        "large weights",
    )


@pytest.mark.grade(points=1, hint="Bad input gets an error that names the problem.")
def test_hierarchy_rejects_bad_chunks(submission):
    x, _, low, high = hierarchy_case(14, 1, 6, 4, 2, 3, 2)
    for chunk in (0, -2):
        try:
            submission.call("hierarchical_encode", x, chunk, low, high)
        except Exception as error:  # noqa: BLE001 - the student's error, as reported
            if raised(error, "ValueError", "TypeError"):
                continue
            fail(
                explain(
                    "a chunk that is not positive is a ValueError",
                    f"chunk = {chunk}",
                    "ValueError",
                    f"{type(error).__name__}: {error}",
                )
            )
        else:
            fail(
                explain(
                    "a chunk that is not positive is a ValueError",
                    f"chunk = {chunk}",
                    "ValueError",
                    "no error",
                )
            )


# --- dilated_rnn -------------------------------------------------------------------------------


def dilated_case(offset: int, B: int, L: int, C: int, sizes, dilations, scale: float = 1.0):
    gen = generator(100 + offset)
    x = torch.randn(B, L, C, generator=gen, dtype=torch.float64)
    layers, below = [], C
    for H in sizes:
        layers.append(weights(gen, H, below, scale))
        below = H
    return x, layers, list(dilations)


def assert_dilated(submission, cases, property: str) -> None:
    property = named("dilated_rnn", property)
    for case in cases:
        x, layers, dilations = case
        want = reference_dilated(*case)
        got = as_tensor(submission.call("dilated_rnn", *case), "dilated_rnn")
        B, L, C = x.shape
        sizes = [w["W_h"].shape[0] for w in layers]
        example = f"x of shape ({B}, {L}, {C}), dilations {dilations}, layer sizes {sizes}"
        if tuple(got.shape) != tuple(want.shape):
            fail(
                explain(
                    property, example, f"shape {tuple(want.shape)}", f"shape {tuple(got.shape)}"
                )
            )
        if not torch.allclose(got, want, rtol=1e-6, atol=1e-9):
            bad = (~torch.isclose(got, want, rtol=1e-6, atol=1e-9)).any(-1).any(0)
            first = int(bad.nonzero()[0])
            fail(
                explain(
                    property,
                    example,
                    f"top states at position {first}: {numbers(want[:, first])}",
                    f"{numbers(got[:, first])} (first wrong position: {first})",
                )
            )


@pytest.mark.grade(
    points=1, hint=f"The result holds the top layer's state at every position ({DILATED})."
)
def test_dilated_shape(submission):
    assert_dilated(
        submission,
        [dilated_case(1, 2, 11, 4, (3, 5), (1, 2)), dilated_case(2, 1, 4, 2, (6,), (1,))],
        "dilated_rnn returns the top layer's states, shape (B, L, H_top)",
    )


@pytest.mark.grade(points=1, hint="With dilation 1 a layer is an ordinary tanh RNN from zero.")
def test_dilated_one_layer_of_dilation_one(submission):
    assert_dilated(
        submission,
        [dilated_case(3, 3, 9, 4, (4,), (1,))],
        "one layer of dilation 1 is a plain tanh RNN",
    )


@pytest.mark.grade(
    points=1,
    hint="Before the start there is no state d positions back: it counts as zero, and the "
    "positions t < d are computed like the others.",
)
def test_dilated_zero_before_the_start(submission):
    assert_dilated(
        submission,
        [dilated_case(4, 2, 8, 4, (3,), (5,)), dilated_case(5, 2, 4, 3, (3,), (6,))],
        "h_{t-d} = 0 when t - d < 0 (including a dilation longer than the sequence)",
    )


@pytest.mark.grade(
    points=2,
    hint=f"Every position keeps its own state; the state at t looks d positions back in the "
    f"same layer ({DILATED}).",
)
def test_dilated_powers_of_two(submission):
    assert_dilated(
        submission,
        [
            dilated_case(6, 2, 16, 4, (3, 3, 3), (1, 2, 4)),
            dilated_case(7, 3, 37, 4, (4, 4, 4, 4), (1, 2, 4, 8)),
        ],
        "a stack with dilations 1, 2, 4, ... matches the reference at every position",
    )


@pytest.mark.grade(points=2, hint="Nothing requires the dilations to be powers of two, or to grow.")
def test_dilated_any_dilations(submission):
    assert_dilated(
        submission,
        [
            dilated_case(8, 2, 14, 4, (3, 4), (3, 5)),
            dilated_case(9, 2, 20, 2, (5, 2, 3), (6, 1, 4)),
            dilated_case(10, 2, 12, 4, (3, 3), (2, 3), scale=20.0),  # saturated units
        ],
        "a stack with dilations that are not powers of two matches the reference",
    )


@pytest.mark.grade(
    points=1,
    hint=f"Each layer reads the states of the layer below it; only the first reads x ({DILATED}).",
)
def test_dilated_layers_read_the_one_below(submission):
    assert_dilated(
        submission,
        [dilated_case(11, 2, 10, 4, (2, 6, 3), (1, 1, 2))],
        "layer k reads layer k-1's states (here with sizes 4 -> 2 -> 6 -> 3)",
    )


@pytest.mark.grade(points=1, hint="Bad input gets an error that names the problem.")
def test_dilated_rejects_mismatched_dilations(submission):
    x, layers, _ = dilated_case(12, 1, 6, 4, (3, 3), (1, 2))
    for dilations in ([1], [1, 0]):
        try:
            submission.call("dilated_rnn", x, layers, dilations)
        except Exception as error:  # noqa: BLE001
            if raised(error, "ValueError"):
                continue
            fail(
                explain(
                    "two layers with dilations " + str(dilations) + " are a ValueError",
                    "2 layers",
                    "ValueError",
                    f"{type(error).__name__}: {error}",
                )
            )
        else:
            fail(
                explain(
                    "two layers with dilations " + str(dilations) + " are a ValueError",
                    "2 layers",
                    "ValueError",
                    "no error",
                )
            )


# --- path_length -------------------------------------------------------------------------------


def assert_paths(submission, cases, property: str) -> None:
    property = named("path_length", property)
    for L, chunk, dilations in cases:
        want = reference_path(L, chunk, dilations)
        got = submission.call("path_length", L, chunk, dilations)
        call = f"path_length({L}, chunk={chunk}, dilations={dilations})"
        if isinstance(got, bool) or not isinstance(got, int) or got != want:
            fail(explain(property, call, f"{want} (an int)", repr(got)))


@pytest.mark.grade(points=1, hint=f"A flat RNN steps through every position once ({PATHS}).")
def test_path_flat(submission):
    assert_paths(
        submission,
        [(64, None, None), (1, None, None), (2, None, None), (50_000, None, None)],
        "a flat RNN's path from position 0 to the output",
    )


@pytest.mark.grade(
    points=2,
    hint=f"Count the low steps inside the first chunk and the high steps across the chunks; a "
    f"short last chunk is still a chunk ({HIERARCHY}).",
)
def test_path_hierarchical(submission):
    assert_paths(
        submission,
        [
            (64, 8, None),
            (10, 4, None),
            (50_000, 1000, None),
            (50_001, 1000, None),
            (5, 1, None),
            (3, 7, None),
        ],
        "a hierarchy's path from position 0 to the output",
    )


@pytest.mark.grade(
    points=1, hint=f"The path covers L - 1 positions in steps of the dilations ({DILATED})."
)
def test_path_dilated_powers_of_two(submission):
    assert_paths(
        submission,
        [
            (64, None, (1, 2, 4, 8, 16)),
            (1000, None, (1, 2, 4, 8)),
            (1, None, (1, 2)),
            (17, None, (16, 1)),
        ],
        "a dilated stack's path from position 0 to the output",
    )


@pytest.mark.grade(
    points=2,
    hint="The fewest steps, over every way of covering the distance: the largest step first "
    "is not always the fewest.",
)
def test_path_dilated_any_dilations(submission):
    gen = np.random.default_rng(SEED)
    cases = [(7, None, (1, 3, 4)), (13, None, (1, 5, 6)), (31, None, (3, 7, 11))]
    for _ in range(4):
        dilations = tuple(int(d) for d in sorted(gen.choice(np.arange(1, 13), 3, replace=False)))
        cases.append((int(gen.integers(20, 90)), None, (1, *dilations)))
    assert_paths(submission, cases, "a dilated stack's path is the fewest steps")


@pytest.mark.grade(
    points=1,
    hint="When no combination of steps covers the distance exactly, there is no path: say so "
    "with a ValueError.",
)
def test_path_without_solution(submission):
    for L, dilations in ((8, (2, 4)), (12, (3, 6)), (6, (7,))):
        try:
            got = submission.call("path_length", L, None, dilations)
        except Exception as error:  # noqa: BLE001
            if raised(error, "ValueError"):
                continue
            got = f"{type(error).__name__}: {error}"
        fail(
            explain(
                "path_length: when no chain of steps covers L - 1 positions, it raises ValueError",
                f"path_length({L}, dilations={dilations})",
                "ValueError",
                repr(got),
            )
        )
