"""Public check for ex06_long_range: a hierarchical encoder, a dilated RNN, path lengths.

The public inputs are small random networks drawn from fixed seeds (:func:`public_input`);
the expected outputs on them are *stored* (``expected/ex06_long_range.json``), computed once
by the solution notebook, because the package holds no implementation of the exercise. The
path lengths checked here are the ones chapter 5 works out in its text.
"""

from __future__ import annotations

import torch

from coursepkg.practice import Problem, PublicCheck, expected

FUNCTIONS = ("hierarchical_encode", "dilated_rnn", "path_length")

HIERARCHY = 'chapter 5, "Hierarchical RNNs"'
DILATED = 'chapter 5, "Dilated RNNs"'
PATHS = 'chapter 5, "Path length"'


def _weights(gen: torch.Generator, H: int, C: int) -> dict:
    return {
        "W_x": torch.randn(H, C, generator=gen, dtype=torch.float64),
        "W_h": 0.6 * torch.randn(H, H, generator=gen, dtype=torch.float64),
        "b": 0.2 * torch.randn(H, generator=gen, dtype=torch.float64),
    }


def public_input(name: str):
    """The public inputs, by name (float64; drawn from fixed seeds).

    ``"chunks of 4, L = 8"`` and ``"chunks of 4, L = 10"``: ``(x, chunk, low, high)`` with
    ``B = 2``, ``C = 4``, ``H_low = 3``, ``H_high = 2`` (the second has a short last chunk;
    both share their weights and their first 8 positions). ``"dilation 1"``,
    ``"dilation 3"`` and ``"dilations 1, 2, 4"``: ``(x, layers, dilations)`` with ``B = 2``,
    ``L = 9``, ``C = 4`` and 3 units a layer.
    """
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(2, 10, 4, generator=gen, dtype=torch.float64)
    low, high = _weights(gen, 3, 4), _weights(gen, 2, 3)
    stack = [_weights(gen, 3, 4), _weights(gen, 3, 3), _weights(gen, 3, 3)]
    inputs = {
        "chunks of 4, L = 8": (x[:, :8], 4, low, high),
        "chunks of 4, L = 10": (x, 4, low, high),
        "dilation 1": (x[:, :9], stack[:1], [1]),
        "dilation 3": (x[:, :9], stack[:1], [3]),
        "dilations 1, 2, 4": (x[:, :9], stack, [1, 2, 4]),
    }
    if name not in inputs:
        raise ValueError(f"no public input {name!r}; inputs: {sorted(inputs)}")
    return inputs[name]


HIERARCHICAL_INPUTS = ("chunks of 4, L = 8", "chunks of 4, L = 10")
DILATED_INPUTS = ("dilation 1", "dilation 3", "dilations 1, 2, 4")

PATH_CASES = (
    # (L, chunk, dilations, expected, why)
    (64, None, None, 63, "a flat RNN"),
    (1, None, None, 0, "a flat RNN over a single position"),
    (64, 8, None, 14, "a hierarchy with chunks of 8"),
    (10, 4, None, 5, "a hierarchy with chunks of 4 and a short last chunk"),
    (64, None, (1, 2, 4, 8, 16), 7, "dilations 1, 2, 4, 8, 16"),
    (7, None, (1, 3, 4), 2, "dilations 1, 3, 4"),
)


def _tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch tensor, got {type(value).__name__}")
    return value.detach().to(torch.float64)


def _numbers(t: torch.Tensor) -> str:
    return str([[round(float(v), 4) for v in row] for row in t.reshape(t.shape[0], -1)])


def expected_values(hierarchical_encode, dilated_rnn, path_length) -> dict:
    """What the solution gives on the public inputs (stored; see the module docstring)."""
    return {
        "hierarchical": {
            name: _tensor(hierarchical_encode(*public_input(name)), "").tolist()
            for name in HIERARCHICAL_INPUTS
        },
        "dilated": {
            name: _tensor(dilated_rnn(*public_input(name)), "").tolist() for name in DILATED_INPUTS
        },
    }


def _compare(got, want: torch.Tensor, what: str, example: str) -> Problem | None:
    got = _tensor(got, what)
    if tuple(got.shape) != tuple(want.shape):
        return Problem(
            f"{what} returns a tensor of shape {tuple(want.shape)} here",
            example,
            f"shape {tuple(want.shape)}",
            f"shape {tuple(got.shape)}",
        )
    if torch.allclose(got, want, rtol=1e-6, atol=1e-9):
        return None
    return Problem(f"{what} gives the expected states", example, _numbers(want), _numbers(got))


def _check_hierarchy(hierarchical_encode, name: str) -> Problem | None:
    want = torch.tensor(expected.load("ex06_long_range")["hierarchical"][name], dtype=torch.float64)
    where = f'coursepkg.practice.ex06_long_range.public_input("{name}")'
    return _compare(hierarchical_encode(*public_input(name)), want, "hierarchical_encode", where)


def _check_dilated(dilated_rnn, name: str) -> Problem | None:
    want = torch.tensor(expected.load("ex06_long_range")["dilated"][name], dtype=torch.float64)
    where = f'coursepkg.practice.ex06_long_range.public_input("{name}")'
    return _compare(dilated_rnn(*public_input(name)), want, "dilated_rnn", where)


def _check_paths(path_length, cases) -> Problem | None:
    for L, chunk, dilations, want, why in cases:
        got = path_length(L, chunk=chunk, dilations=dilations)
        if isinstance(got, bool) or not isinstance(got, int) or got != want:
            return Problem(
                f"path_length is the fewest recurrent steps from position 0 to the output, "
                f"for {why}",
                f"path_length({L}, chunk={chunk}, dilations={dilations})",
                f"{want} (an int)",
                f"{got!r}",
            )
    return None


def _check_no_path(path_length) -> Problem | None:
    try:
        got = path_length(8, dilations=(2, 4))
    except ValueError:
        return None
    return Problem(
        "when no chain of steps of the given dilations covers L - 1 positions, path_length "
        "raises a ValueError",
        "path_length(8, dilations=(2, 4)): 7 positions, steps of 2 and 4",
        "ValueError",
        f"returned {got!r}",
    )


def checks(hierarchical_encode, dilated_rnn, path_length) -> PublicCheck:
    """Run the public checks on the student's three functions (prints nothing)."""
    checks = PublicCheck("ex06_long_range")
    checks.check(
        "hierarchical_encode, chunks of 4, L = 8 (whole chunks)",
        lambda: _check_hierarchy(hierarchical_encode, HIERARCHICAL_INPUTS[0]),
        hints=(
            f"Each chunk is read by the low RNN from a zero state; the high RNN reads the "
            f"chunks' last states in order ({HIERARCHY}).",
        ),
    )
    checks.check(
        "hierarchical_encode, chunks of 4, L = 10 (a short last chunk)",
        lambda: _check_hierarchy(hierarchical_encode, HIERARCHICAL_INPUTS[1]),
        hints=(
            "The last chunk has 2 positions: it still counts as a chunk, and it is filled up "
            "to 4 positions with zero rows. Where do those rows go?",
        ),
    )
    checks.check(
        "dilated_rnn, one layer of dilation 1 (a plain tanh RNN)",
        lambda: _check_dilated(dilated_rnn, DILATED_INPUTS[0]),
        hints=(f"With d = 1 the layer is an ordinary tanh RNN from a zero state ({DILATED}).",),
    )
    checks.check(
        "dilated_rnn, one layer of dilation 3",
        lambda: _check_dilated(dilated_rnn, DILATED_INPUTS[1]),
        hints=(
            "Every position keeps its own output: the state at t looks d positions back, to "
            "a state of the same layer, and to zero before the start.",
        ),
    )
    checks.check(
        "dilated_rnn, dilations 1, 2, 4",
        lambda: _check_dilated(dilated_rnn, DILATED_INPUTS[2]),
        hints=(f"Each layer reads the states of the layer below, not x ({DILATED}).",),
    )
    checks.check(
        "path_length of a flat RNN and of a hierarchy",
        lambda: _check_paths(path_length, PATH_CASES[:4]),
        hints=(f"Count the recurrent steps on the way from position 0 to the output ({PATHS}).",),
    )
    checks.check(
        "path_length of dilated stacks",
        lambda: _check_paths(path_length, PATH_CASES[4:]),
        hints=(
            f"The path covers L - 1 positions exactly, in steps of the dilations; find the "
            f"fewest ({DILATED}).",
            "Taking the largest step that fits, again and again, is not always the fewest "
            "steps: try it by hand on the second example.",
        ),
    )
    checks.check("path_length when no path exists", lambda: _check_no_path(path_length))
    return checks


def run(hierarchical_encode, dilated_rnn, path_length) -> None:
    """Run the public checks on the student's three functions and print the report."""
    checks(hierarchical_encode, dilated_rnn, path_length).report()
