"""Hidden suite for ex07_directionality (instructors only; never shipped to students).

Inputs are random one-hot DNA (with N rows) and random tanh-RNN weights drawn here from a
hidden seed; the references are written out below, in this file.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

SEED = 70713  # hidden seed
LETTERS = "ACGT"


# --- references and inputs (trusted side) -------------------------------------------------


def onehot(seq: str) -> torch.Tensor:
    x = torch.zeros(len(seq), 4)
    for i, letter in enumerate(seq):
        if letter in LETTERS:
            x[i, LETTERS.index(letter)] = 1
    return x


def as_text(x) -> str:
    """A one-hot tensor (L, 4) as letters (N for a zero row, ? for anything else)."""
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
    x = np.asarray(x)
    if x.ndim == 3:
        return "[" + ", ".join(repr(as_text(s)) for s in x) + "]"
    return repr(as_text(x))


def other_strand(seq: str) -> str:
    pairs = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}
    return "".join(pairs[b] for b in reversed(seq))


def random_seqs(gen: np.random.Generator, n: int, length: int, n_share: float = 0.15) -> list[str]:
    letters = np.array(list("ACGTN"))
    p = [(1 - n_share) / 4] * 4 + [n_share]
    return ["".join(gen.choice(letters, size=length, p=p)) for _ in range(n)]


def tanh_states(x: torch.Tensor, w: dict, reverse: bool = False) -> torch.Tensor:
    """(B, L, H) states of h_t = tanh(W_x x_t + W_h h_prev + b) from zeros, read forwards or
    backwards, returned in sequence order."""
    B, L, _ = x.shape
    h = torch.zeros(B, w["W_h"].shape[0], dtype=x.dtype)
    out = [None] * L
    for t in range(L - 1, -1, -1) if reverse else range(L):
        h = torch.tanh(x[:, t] @ w["W_x"].T + h @ w["W_h"].T + w["b"])
        out[t] = h
    return torch.stack(out, dim=1)


def weights(gen: torch.Generator, H: int, C: int) -> dict:
    return {
        "W_x": torch.randn(H, C, generator=gen, dtype=torch.float64),
        "W_h": 0.6 * torch.randn(H, H, generator=gen, dtype=torch.float64) / H**0.5,
        "b": 0.2 * torch.randn(H, generator=gen, dtype=torch.float64),
    }


def tensor_from(value, what: str) -> torch.Tensor:
    assert isinstance(value, (torch.Tensor, np.ndarray)), (
        f"{what} must return a tensor, got {type(value).__name__}"
    )
    return torch.as_tensor(np.asarray(value, dtype=np.float64))


def call_rc(submission, x: torch.Tensor) -> torch.Tensor:
    submission.require_own("reverse_complement")
    return tensor_from(submission.call("reverse_complement", x), "reverse_complement")


# --- reverse_complement -----------------------------------------------------------------------


def assert_rc(submission, seqs: list[str], batched: bool) -> None:
    x = torch.stack([onehot(s) for s in seqs]) if batched else onehot(seqs[0])
    got = call_rc(submission, x)
    want_text = [other_strand(s) for s in seqs]
    want = torch.stack([onehot(s) for s in want_text]) if batched else onehot(want_text[0])
    what = f"reverse_complement of {shown(x)} (shape {tuple(x.shape)})"
    assert tuple(got.shape) == tuple(want.shape), (
        f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    )
    assert torch.equal(got, want.to(got.dtype)), f"{what}: expected {shown(want)}, got {shown(got)}"


@pytest.mark.grade(
    points=2,
    hint="The reverse complement is the other strand read 5' to 3': both the order of the "
    "bases and the bases themselves change (chapter 6, 'Two strands').",
)
def test_reverse_complement_of_one_sequence(submission):
    assert_rc(submission, ["ACCGTTAG"], batched=False)
    gen = np.random.default_rng(SEED)
    for length in (1, 7, 30):
        assert_rc(submission, random_seqs(gen, 1, length, n_share=0.0), batched=False)


@pytest.mark.grade(
    points=2,
    hint="A batch has shape (B, L, 4): each sequence is reverse-complemented on its own, and "
    "the order of the sequences in the batch stays as it was.",
)
def test_reverse_complement_of_a_batch(submission):
    assert_rc(submission, ["AACGT", "GGGTC", "TACAT"], batched=True)
    gen = np.random.default_rng(SEED + 1)
    assert_rc(submission, random_seqs(gen, 6, 25, n_share=0.0), batched=True)


@pytest.mark.grade(
    points=2,
    hint="An N is a row of zeros: it has no complement, and it must stay a row of zeros, at "
    "its mirrored position.",
)
def test_reverse_complement_keeps_n_rows_zero(submission):
    assert_rc(submission, ["ANCGN"], batched=False)
    gen = np.random.default_rng(SEED + 2)
    assert_rc(submission, random_seqs(gen, 4, 20, n_share=0.3), batched=True)


# --- bidirectional_states ---------------------------------------------------------------------


def call_bi(submission, x, fwd, bwd) -> torch.Tensor:
    submission.require_own("bidirectional_states")
    return tensor_from(submission.call("bidirectional_states", x, fwd, bwd), "bidirectional_states")


def bi_case(seed: int, B: int, L: int, H: int, C: int = 4):
    gen = torch.Generator().manual_seed(SEED + seed)
    seqs = random_seqs(np.random.default_rng(SEED + seed), B, L)
    x = torch.stack([onehot(s) for s in seqs]).to(torch.float64)
    if C != 4:
        x = torch.randn(B, L, C, generator=gen, dtype=torch.float64)
    return x, weights(gen, H, C), weights(gen, H, C)


@pytest.mark.grade(points=1, hint="Return one state per position: shape (B, L, 2H).")
def test_bidirectional_states_shape(submission):
    for B, L, H in ((2, 6, 3), (1, 9, 5)):
        x, fwd, bwd = bi_case(10 + L, B, L, H)
        got = call_bi(submission, x, fwd, bwd)
        assert tuple(got.shape) == (B, L, 2 * H), (
            f"bidirectional_states with B={B}, L={L}, H={H}: expected shape {(B, L, 2 * H)}, "
            f"got {tuple(got.shape)}"
        )


@pytest.mark.grade(
    points=2,
    hint="The first half of the last axis is the forward RNN (weights fwd), read left to right "
    "from a zero state.",
)
def test_forward_half(submission):
    for B, L, H, C in ((2, 7, 4, 4), (3, 12, 6, 5)):
        x, fwd, bwd = bi_case(20 + L, B, L, H, C)
        got = call_bi(submission, x, fwd, bwd)
        want = tanh_states(x, fwd)
        assert tuple(got.shape) == (B, L, 2 * H), (
            f"expected shape {(B, L, 2 * H)}, got {tuple(got.shape)}"
        )
        close = torch.isclose(got[..., :H], want, atol=1e-6).all(dim=(0, 2))
        bad = [t for t in range(L) if not close[t]]
        assert not bad, (
            f"bidirectional_states (B={B}, L={L}, H={H}): the forward half differs from a "
            f"tanh RNN with the weights fwd read from position 0 at positions {bad}"
        )


@pytest.mark.grade(
    points=3,
    hint="At position t the backward half must hold the state that has read x_t .. x_{L-1}: "
    "the backward RNN reads right to left, but its states are laid out in the sequence's "
    "order (chapter 6, 'Reading both ways').",
)
def test_backward_half_is_aligned(submission):
    for B, L, H, C in ((2, 6, 4, 4), (1, 11, 5, 3)):
        x, fwd, bwd = bi_case(40 + L, B, L, H, C)
        got = call_bi(submission, x, fwd, bwd)
        want = tanh_states(x, bwd, reverse=True)
        assert tuple(got.shape) == (B, L, 2 * H), (
            f"expected shape {(B, L, 2 * H)}, got {tuple(got.shape)}"
        )
        close = torch.isclose(got[..., H:], want, atol=1e-6).all(dim=(0, 2))
        bad = [t for t in range(L) if not close[t]]
        if not bad:
            continue
        last_alone = torch.tanh(x[:, -1] @ bwd["W_x"].T + bwd["b"])
        if torch.allclose(got[:, 0, H:], last_alone, atol=1e-6):
            detail = (
                "at position 0 your backward half has read only the last base x_{L-1}; it "
                "should have read the whole sequence x_0 .. x_{L-1}"
            )
        else:
            detail = f"it differs from the reference at positions {bad}"
        raise AssertionError(f"bidirectional_states (B={B}, L={L}, H={H}): backward half: {detail}")


@pytest.mark.grade(
    points=2,
    hint="Which bases may the state at t depend on? The forward half: x_0 .. x_t; the backward "
    "half: x_t .. x_{L-1}, through the weights in bwd.",
)
def test_each_half_reads_its_own_side(submission):
    L, H = 8, 4
    x, fwd, bwd = bi_case(60, 1, L, H)
    base = call_bi(submission, x, fwd, bwd)
    for s in (0, 3, L - 1):
        changed = x.clone()
        changed[0, s] = torch.roll(changed[0, s], 1)  # another base at position s
        if torch.equal(changed, x):
            changed[0, s] = torch.tensor([1.0, 0, 0, 0], dtype=x.dtype)
        other = call_bi(submission, changed, fwd, bwd)
        moved_f = [t for t in range(L) if not torch.allclose(base[0, t, :H], other[0, t, :H])]
        moved_b = [t for t in range(L) if not torch.allclose(base[0, t, H:], other[0, t, H:])]
        want_f, want_b = list(range(s, L)), list(range(0, s + 1))
        assert moved_f == want_f and moved_b == want_b, (
            f"bidirectional_states (L={L}): changing base {s} should change the forward half at "
            f"positions {want_f} and the backward half at {want_b}; yours changed the forward "
            f"half at {moved_f} and the backward half at {moved_b}"
        )


# --- rc_augment ---------------------------------------------------------------------------------


def call_augment(submission, x, y):
    submission.require_own("rc_augment")
    result = submission.call("rc_augment", x, y)
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"rc_augment must return a pair (x2, y2), got {type(result).__name__}"
    )
    return tensor_from(result[0], "rc_augment (x2)"), tensor_from(result[1], "rc_augment (y2)")


@pytest.mark.grade(
    points=2,
    hint="x2 holds the batch, then the reverse complement of each of its sequences, in the "
    "same order: (2B, L, 4).",
)
def test_rc_augment_sequences(submission):
    gen = np.random.default_rng(SEED + 80)
    for B, L in ((2, 5), (5, 17)):
        seqs = random_seqs(gen, B, L)
        x = torch.stack([onehot(s) for s in seqs])
        x2, _ = call_augment(submission, x, torch.arange(B))
        want = torch.stack([onehot(s) for s in seqs + [other_strand(s) for s in seqs]])
        what = f"rc_augment of {shown(x)}"
        assert tuple(x2.shape) == (2 * B, L, 4), (
            f"{what}: expected x2 of shape {(2 * B, L, 4)}, got {tuple(x2.shape)}"
        )
        assert torch.equal(x2, want.to(x2.dtype)), (
            f"{what}: expected x2 = {shown(want)}, got {shown(x2)}"
        )


@pytest.mark.grade(
    points=2,
    hint="Every sequence in x2 needs its label in y2 at the same index: the labels of the "
    "copies are those of the sequences they were made from.",
)
def test_rc_augment_labels(submission):
    gen = np.random.default_rng(SEED + 90)
    for B, L in ((3, 4), (6, 9)):
        seqs = random_seqs(gen, B, L)
        x = torch.stack([onehot(s) for s in seqs])
        for y in (torch.arange(10, 10 + B), torch.linspace(0.1, 0.9, B, dtype=torch.float64)):
            x2, y2 = call_augment(submission, x, y)
            want = torch.cat([y, y]).to(torch.float64)
            assert tuple(y2.shape) == tuple(want.shape), (
                f"rc_augment with labels {y.tolist()}: expected y2 of shape {tuple(want.shape)}, "
                f"got {tuple(y2.shape)}"
            )
            assert torch.allclose(y2, want), (
                f"rc_augment with labels {y.tolist()}: expected y2 = {want.tolist()}, "
                f"got {y2.tolist()}"
            )
