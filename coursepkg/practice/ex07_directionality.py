"""Public check for ex07_directionality: reverse complements, bidirectional states, augmentation.

The expected answers are written here as strings for small public inputs, or checked as
properties (which bases each half of the state may depend on); no reference implementation
of the exercise lives in the package.
"""

from __future__ import annotations

import torch

from coursepkg.practice import PublicCheck
from coursepkg.sequences import decode, onehot, onehot_batch


def _as_tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch tensor, got {type(value).__name__}")
    return value


def _strings(x: torch.Tensor) -> list[str]:
    return [decode(row) for row in x] if x.dim() == 3 else [decode(x)]


def check_strings(got, want: list[str], shape: tuple, what: str) -> str | None:
    got = _as_tensor(got, what)
    if tuple(got.shape) != shape:
        return f"expected shape {shape}, got {tuple(got.shape)}"
    if (got.sum(-1) > 1).any() or ((got != 0) & (got != 1)).any():
        return "the result is not one-hot: every row should be four 0/1 entries with at most one 1"
    shown = _strings(got)
    if shown != want:
        return f"expected {want}, got {shown} (N: a row of zeros)"
    return None


def _weights(gen: torch.Generator, H: int, C: int) -> dict:
    return {
        "W_x": torch.randn(H, C, generator=gen, dtype=torch.float64),
        "W_h": 0.5 * torch.randn(H, H, generator=gen, dtype=torch.float64),
        "b": 0.1 * torch.randn(H, generator=gen, dtype=torch.float64),
    }


FUNCTIONS = ("reverse_complement", "bidirectional_states", "rc_augment")
STRANDS = 'chapter 6, "Two strands"'
BOTH = 'chapter 6, "Reading both ways: the bidirectional RNN"'


def checks(reverse_complement, bidirectional_states, rc_augment) -> PublicCheck:
    """Run the public checks on the student's three functions (prints nothing)."""
    result = PublicCheck("ex07_directionality")
    result.check(
        "reverse_complement of AACGTN, shape (6, 4)",
        lambda: check_strings(
            reverse_complement(onehot("AACGTN")), ["NACGTT"], (6, 4), "reverse_complement"
        ),
        hints=[
            f"Read the other strand as a cell would, 5' to 3'; with the channels in the order "
            f"A, C, G, T, where does each base's partner sit ({STRANDS})?",
            "An N pairs with nothing: its row has no 1 to move.",
        ],
    )
    result.check(
        "reverse_complement of a batch of two, shape (2, 5, 4)",
        lambda: check_strings(
            reverse_complement(onehot_batch(["ACCGT", "GGTNA"])),
            ["ACGGT", "TNACC"],
            (2, 5, 4),
            "reverse_complement",
        ),
        hints=["A batch is (B, L, 4): which of its axes are positions along one strand?"],
    )

    gen = torch.Generator().manual_seed(7)
    H, seqs = 3, ["ACGTA", "GGTCA"]
    fwd, bwd = _weights(gen, H, 4), _weights(gen, H, 4)
    x = onehot_batch(seqs).to(torch.float64)

    def shape():
        got = _as_tensor(bidirectional_states(x, fwd, bwd), "bidirectional_states")
        want = (2, 5, 2 * H)
        return (
            None if tuple(got.shape) == want else f"expected shape {want}, got {tuple(got.shape)}"
        )

    def forward_half():
        a = bidirectional_states(x, fwd, bwd)[..., :H]
        changed = x.clone()
        changed[:, -1] = torch.flip(changed[:, -1], dims=(-1,))  # another last base
        b = bidirectional_states(changed, fwd, bwd)[..., :H]
        moved = [t for t in range(4) if not torch.allclose(a[:, t], b[:, t])]
        if moved:
            return f"changing only the last base changed the forward half at positions {moved}"
        first = torch.tanh(x[:, 0] @ fwd["W_x"].T + fwd["b"])
        if not torch.allclose(a[:, 0], first, atol=1e-6):
            return "the forward half at position 0 should have read x_0 only, from a zero state"
        return None

    def backward_half():
        a = bidirectional_states(x, fwd, bwd)[..., H:]
        changed = x.clone()
        changed[:, 0] = torch.flip(changed[:, 0], dims=(-1,))  # another first base
        b = bidirectional_states(changed, fwd, bwd)[..., H:]
        moved = [t for t in range(1, 5) if not torch.allclose(a[:, t], b[:, t])]
        if moved:
            return f"changing only the first base changed the backward half at positions {moved}"
        last = torch.tanh(x[:, -1] @ bwd["W_x"].T + bwd["b"])
        if not torch.allclose(a[:, -1], last, atol=1e-6):
            return (
                "the backward half at the last position should have read that base only, "
                "from a zero state, with the weights in bwd"
            )
        return None

    result.check(
        "bidirectional_states of a batch (2, 5, 4) with H = 3",
        shape,
        hints=[f"How many numbers describe position t once both directions have read it ({BOTH})?"],
    )
    result.check(
        "the forward half at t depends on x_0 .. x_t only",
        forward_half,
        hints=[
            f"Which bases has the forward state at position t read, and from what start ({BOTH})?"
        ],
    )
    result.check(
        "the backward half at t depends on x_t .. x_{L-1} only",
        backward_half,
        hints=[
            f"Which bases has the backward state at position t read ({BOTH})?",
            "However you run the backward RNN, check where its state for position 0 ends up.",
        ],
    )

    def augment():
        x2, y2 = rc_augment(onehot_batch(["ACG", "TTN"]), torch.tensor([1, 0]))
        problem = check_strings(x2, ["ACG", "TTN", "CGT", "NAA"], (4, 3, 4), "rc_augment")
        if problem:
            return problem
        y2 = _as_tensor(y2, "rc_augment")
        return (
            None
            if y2.tolist() == [1, 0, 1, 0]
            else f"labels: expected [1, 0, 1, 0], got {y2.tolist()}"
        )

    result.check(
        "rc_augment of two sequences with labels [1, 0]",
        augment,
        hints=[
            f"Augmentation shows the model each sequence on both strands: which label does a "
            f"strand-independent property keep on the other strand ({STRANDS})?"
        ],
    )
    return result


def run(reverse_complement, bidirectional_states, rc_augment) -> None:
    """The notebook's last cell: print the public checks' report."""
    checks(reverse_complement, bidirectional_states, rc_augment).report()
