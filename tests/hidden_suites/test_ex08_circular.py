"""Hidden suite for ex08_circular (instructors only; never shipped to students).

Inputs (random one-hot circles, random tanh-RNN weights, contexts and shifts) are drawn
here from a hidden seed; the references are written out below, in this file.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

SEED = 80821  # hidden seed
LETTERS = "ACGT"


# --- references and inputs (trusted side) -------------------------------------------------


def onehot(seq: str) -> torch.Tensor:
    x = torch.zeros(len(seq), 4)
    for i, letter in enumerate(seq):
        if letter in LETTERS:
            x[i, LETTERS.index(letter)] = 1
    return x


def batch(seqs: list[str]) -> torch.Tensor:
    return torch.stack([onehot(s) for s in seqs])


def as_text(x) -> str:
    rows = []
    for row in np.asarray(x, dtype=float):
        if row.sum() == 0:
            rows.append("N")
        elif row.sum() == 1 and set(np.unique(row)) <= {0.0, 1.0}:
            rows.append(LETTERS[int(row.argmax())])
        else:
            rows.append("?")
    return "".join(rows)


def shown(x) -> str:
    return "[" + ", ".join(repr(as_text(s)) for s in np.asarray(x)) + "]"


def random_seqs(gen: np.random.Generator, n: int, length: int) -> list[str]:
    return ["".join(gen.choice(list("ACGT"), size=length)) for _ in range(n)]


def pad_reference(seq: str, context: int) -> str:
    L = len(seq)
    return "".join(seq[(i - context) % L] for i in range(L + context))


def rotate_reference(seq: str, shift: int) -> str:
    L = len(seq)
    out = [""] * L
    for i, base in enumerate(seq):
        out[(i + shift) % L] = base
    return "".join(out)


def tanh_pass(x: torch.Tensor, w: dict, h: torch.Tensor):
    """One pass of h_t = tanh(W_x x_t + W_h h_{t-1} + b) from ``h``: (states (B, L, H), last)."""
    states = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ w["W_x"].T + h @ w["W_h"].T + w["b"])
        states.append(h)
    return torch.stack(states, dim=1), h


def two_pass_reference(x: torch.Tensor, w: dict) -> torch.Tensor:
    zero = torch.zeros(x.shape[0], w["W_h"].shape[0], dtype=x.dtype)
    _, last = tanh_pass(x, w, zero)
    states, _ = tanh_pass(x, w, last)
    return states


def weights(gen: torch.Generator, H: int, C: int, scale: float = 1.2) -> dict:
    return {
        "W_x": torch.randn(H, C, generator=gen, dtype=torch.float64),
        "W_h": scale * torch.randn(H, H, generator=gen, dtype=torch.float64) / H**0.5,
        "b": 0.3 * torch.randn(H, generator=gen, dtype=torch.float64),
    }


def tensor_from(value, what: str) -> torch.Tensor:
    assert isinstance(value, (torch.Tensor, np.ndarray)), (
        f"{what} must return a tensor, got {type(value).__name__}"
    )
    return torch.as_tensor(np.asarray(value, dtype=np.float64))


# --- circular_two_pass ------------------------------------------------------------------------


def call_two_pass(submission, x, w) -> torch.Tensor:
    submission.require_own("circular_two_pass")
    return tensor_from(submission.call("circular_two_pass", x, w), "circular_two_pass")


def two_pass_case(seed: int, B: int, L: int, H: int):
    gen = torch.Generator().manual_seed(SEED + seed)
    x = batch(random_seqs(np.random.default_rng(SEED + seed), B, L)).to(torch.float64)
    return x, weights(gen, H, 4)


@pytest.mark.grade(points=1, hint="Return the second pass's state at every position: (B, L, H).")
def test_two_pass_shape(submission):
    for B, L, H in ((2, 5, 3), (1, 12, 6)):
        x, w = two_pass_case(L, B, L, H)
        got = call_two_pass(submission, x, w)
        assert tuple(got.shape) == (B, L, H), (
            f"circular_two_pass with B={B}, L={L}, H={H}: expected shape {(B, L, H)}, "
            f"got {tuple(got.shape)}"
        )


@pytest.mark.grade(
    points=3,
    hint="A circle has no start: the second pass begins in the state the first pass ended in, "
    "having read the whole circle once (chapter 6, 'Circular genomes').",
)
def test_two_pass_states(submission):
    for B, L, H in ((2, 6, 4), (3, 10, 5), (1, 3, 2)):
        x, w = two_pass_case(100 + L, B, L, H)
        got = call_two_pass(submission, x, w)
        want = two_pass_reference(x, w)
        assert tuple(got.shape) == tuple(want.shape), (
            f"expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
        )
        if torch.allclose(got, want, atol=1e-6):
            continue
        zero = torch.zeros(B, H, dtype=x.dtype)
        first, _ = tanh_pass(x, w, zero)
        if torch.allclose(got, first, atol=1e-6):
            detail = "your states are those of a single pass started from a zero state"
        else:
            bad = [t for t in range(L) if not torch.allclose(got[:, t], want[:, t], atol=1e-6)]
            detail = f"they differ from the reference at positions {bad}"
        raise AssertionError(f"circular_two_pass (B={B}, L={L}, H={H}): {detail}")


@pytest.mark.grade(
    points=2,
    hint="At the first position of the second pass the state has already read every base of "
    "the circle: changing the last base must change it.",
)
def test_two_pass_first_state_has_read_the_whole_circle(submission):
    L, H = 7, 4
    x, w = two_pass_case(200, 1, L, H)
    base = call_two_pass(submission, x, w)
    changed = x.clone()
    changed[0, -1] = torch.roll(changed[0, -1], 1)
    other = call_two_pass(submission, changed, w)
    assert not torch.allclose(base[0, 0], other[0, 0]), (
        f"circular_two_pass (L={L}): changing the last base of the circle left the state at "
        "position 0 unchanged, so that state has not read the end of the circle"
    )


# --- circular_pad -----------------------------------------------------------------------------


def assert_pad(submission, seqs: list[str], context: int) -> None:
    x = batch(seqs)
    submission.require_own("circular_pad")
    got = tensor_from(submission.call("circular_pad", x, context), "circular_pad")
    want = batch([pad_reference(s, context) for s in seqs])
    what = f"circular_pad of {shown(x)} with context {context}"
    assert tuple(got.shape) == tuple(want.shape), (
        f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    )
    assert torch.equal(got, want.to(got.dtype)), f"{what}: expected {shown(want)}, got {shown(got)}"


@pytest.mark.grade(
    points=2,
    hint="The bases that precede x_0 on the circle come first, in the order the circle "
    "gives them, and x itself last (chapter 6, 'Circular genomes').",
)
def test_pad_shorter_than_the_circle(submission):
    assert_pad(submission, ["ACGTT", "GATCA"], 2)
    gen = np.random.default_rng(SEED + 300)
    for L, context in ((9, 4), (20, 19), (6, 6)):
        assert_pad(submission, random_seqs(gen, 3, L), context)


@pytest.mark.grade(
    points=2,
    hint="A context longer than the circle goes round it more than once; the output always has "
    "L + context positions.",
)
def test_pad_longer_than_the_circle(submission):
    assert_pad(submission, ["ACG"], 7)
    gen = np.random.default_rng(SEED + 310)
    for L, context in ((4, 9), (5, 23)):
        assert_pad(submission, random_seqs(gen, 2, L), context)


@pytest.mark.grade(points=1, hint="With no context there is nothing to add: the circle as it is.")
def test_pad_zero_context(submission):
    gen = np.random.default_rng(SEED + 320)
    assert_pad(submission, random_seqs(gen, 2, 6), 0)


# --- rotate -----------------------------------------------------------------------------------


def assert_rotate(submission, seqs: list[str], shift: int) -> None:
    x = batch(seqs)
    submission.require_own("rotate")
    got = tensor_from(submission.call("rotate", x, shift), "rotate")
    want = batch([rotate_reference(s, shift) for s in seqs])
    what = f"rotate of {shown(x)} by {shift}"
    assert tuple(got.shape) == tuple(want.shape), (
        f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    )
    assert torch.equal(got, want.to(got.dtype)), f"{what}: expected {shown(want)}, got {shown(got)}"


@pytest.mark.grade(
    points=3,
    hint="A positive shift moves every base towards the end of its sequence, and the bases "
    "that fall off the end come round to the front, in every sequence of the batch.",
)
def test_rotate_small_shifts(submission):
    assert_rotate(submission, ["ACGTT"], 2)
    assert_rotate(submission, ["ACGTT", "GGATC"], -1)
    gen = np.random.default_rng(SEED + 400)
    for L, shift in ((8, 3), (11, -4), (6, 0)):
        assert_rotate(submission, random_seqs(gen, 3, L), shift)


@pytest.mark.grade(
    points=2,
    hint="Any integer shift is allowed: going round a circle of length L by L bases brings "
    "every base back.",
)
def test_rotate_large_shifts(submission):
    gen = np.random.default_rng(SEED + 410)
    for L, shift in ((5, 7), (6, -14), (4, 4), (9, 100)):
        assert_rotate(submission, random_seqs(gen, 2, L), shift)
