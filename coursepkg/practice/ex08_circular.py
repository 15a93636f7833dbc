"""Public check for ex08_circular: the two-pass RNN, circular padding and rotation.

The expected answers are stored here for small public inputs (strings for padding and
rotation, numbers for the two-pass states of one small network); no reference
implementation of the exercise lives in the package.
"""

from __future__ import annotations

import torch

from coursepkg.practice import PublicCheck
from coursepkg.sequences import decode, onehot_batch

TWO_PASS_WEIGHTS = {
    "W_x": [[0.27, -1.27, 0.50, 0.42], [-0.64, -0.66, -0.14, -0.10]],
    "W_h": [[-1.53, 0.63], [-1.34, 1.43]],
    "b": [-0.94, 2.20],
}
"""A tanh RNN with H = 2, run over the circle ``ACGT``."""

TWO_PASS_STATES = [
    [0.832790, 0.999405],
    [-0.993391, 0.952047],
    [0.932820, 0.999851],
    [-0.866113, 0.979285],
]
"""Its second-pass states, ``(L, H) = (4, 2)`` (six decimals)."""

ONE_PASS_STATES = [
    [-0.584980, 0.915420],
    [-0.628096, 0.998603],
    [0.817790, 0.999653],
    [-0.814897, 0.984730],
]
"""The states of one pass from a zero state, for comparison."""


def _tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch tensor, got {type(value).__name__}")
    return value


def check_strings(got, want: list[str], what: str) -> str | None:
    got = _tensor(got, what)
    shape = (len(want), len(want[0]), 4)
    if tuple(got.shape) != shape:
        return f"expected shape {shape}, got {tuple(got.shape)}"
    shown = [decode(row) for row in got]
    return None if shown == want else f"expected {want}, got {shown}"


def check_two_pass(circular_two_pass) -> str | None:
    weights = {k: torch.tensor(v, dtype=torch.float64) for k, v in TWO_PASS_WEIGHTS.items()}
    x = onehot_batch(["ACGT"]).to(torch.float64)
    got = _tensor(circular_two_pass(x, weights), "circular_two_pass")
    want = torch.tensor([TWO_PASS_STATES], dtype=torch.float64)
    if tuple(got.shape) != tuple(want.shape):
        return f"expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    if torch.allclose(got.double(), want, atol=1e-5):
        return None
    if torch.allclose(
        got.double(), torch.tensor([ONE_PASS_STATES], dtype=torch.float64), atol=1e-5
    ):
        return "these are the states of a single pass from a zero state"
    return f"expected {want[0].tolist()}, got {got[0].double().tolist()}"


FUNCTIONS = ("circular_two_pass", "circular_pad", "rotate")
CIRCLES = 'chapter 6, "Circular genomes"'


def checks(circular_two_pass, circular_pad, rotate) -> PublicCheck:
    """Run the public checks on the student's three functions (prints nothing)."""
    result = PublicCheck("ex08_circular")
    result.check(
        "circular_two_pass of the circle ACGT with a 2-unit network",
        lambda: check_two_pass(circular_two_pass),
        hints=[f"On a circle, what has the network read just before position 0 ({CIRCLES})?"],
    )
    x = onehot_batch(["ACGTT", "GATCA"])
    result.check(
        "circular_pad of a batch of two circles, context 2",
        lambda: check_strings(circular_pad(x, 2), ["TTACGTT", "CAGATCA"], "circular_pad"),
        hints=[f"Which bases come just before x_0 when the sequence is a circle ({CIRCLES})?"],
    )
    result.check(
        "circular_pad with a context of 7, longer than the circle (5)",
        lambda: check_strings(circular_pad(x, 7), ["TTACGTTACGTT", "CAGATCAGATCA"], "circular_pad"),
        hints=["Walking back 7 bases round a circle of 5 passes the start more than once."],
    )
    result.check(
        "circular_pad with a context of 0",
        lambda: check_strings(circular_pad(x, 0), ["ACGTT", "GATCA"], "circular_pad"),
        hints=["With no context, what is left to put in front?"],
    )
    result.check(
        "rotate by 2 and by -1",
        lambda: (
            check_strings(rotate(x, 2), ["TTACG", "CAGAT"], "rotate")
            or check_strings(rotate(x, -1), ["CGTTA", "ATCAG"], "rotate")
        ),
        hints=[
            "The contract gives the meaning with torch.roll's convention: where does the base "
            f"at position i go, and which axis holds the positions ({CIRCLES})?"
        ],
    )
    result.check(
        "rotate by 7 and by -10 (shifts beyond the length)",
        lambda: (
            check_strings(rotate(x, 7), ["TTACG", "CAGAT"], "rotate")
            or check_strings(rotate(x, -10), ["ACGTT", "GATCA"], "rotate")
        ),
        hints=["Going once round a circle brings every base back where it was."],
    )
    return result


def run(circular_two_pass, circular_pad, rotate) -> None:
    """The notebook's last cell: print the public checks' report."""
    checks(circular_two_pass, circular_pad, rotate).report()
