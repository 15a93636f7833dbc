"""Public check for ex05_methylation_lstm: the methylation LSTM's step and its loop.

The checks are properties every correct answer has (levels in [0, 1], the weighted mean
when the forget gate is 1/2, the candidate when it is shut, sites that do not read each
other, one state per step) and stored values for one small example.
"""

from __future__ import annotations

import torch

from coursepkg.practice import PublicCheck


def _t(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def stored_params() -> dict:
    """Parameters of the stored example: D = 2 signals, H = 2 sites."""
    return {
        "W_f": _t([[1.0, -0.5], [0.0, 2.0]]),
        "u_f": _t([1.0, -2.0]),
        "b_f": _t([0.5, 0.0]),
        "W_c": _t([[-1.0, 1.0], [0.5, 0.5]]),
        "u_c": _t([2.0, 1.0]),
        "b_c": _t([0.0, -1.0]),
    }


STORED_X = [[[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]]
"""The stored example's signals, ``(B, T, D) = (1, 3, 2)``."""
STORED_C0 = [[0.1, 0.8]]
STORED_STATES = [[[0.13528, 0.612332], [0.43626, 0.585757], [0.541882, 0.211272]]]
"""Its states after each of the three steps, ``(1, 3, 2)``."""


def _random(B: int, D: int, H: int, seed: int, scale: float = 1.0):
    gen = torch.Generator().manual_seed(seed)

    def draw(*shape):
        return scale * torch.randn(*shape, generator=gen, dtype=torch.float64)

    params = {k: draw(H, D) if k.startswith("W") else draw(H) for k in stored_params()}
    level = torch.rand(B, H, generator=gen, dtype=torch.float64)
    return draw(B, D), level, params


def _new_level(methylation_step, x, h, c, params) -> torch.Tensor:
    out = methylation_step(x, h, c, params)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"expected a tuple (h, c), got {type(out).__name__}")
    if tuple(out[1].shape) != tuple(c.shape):
        raise ValueError(f"c has shape {tuple(out[1].shape)}, expected {tuple(c.shape)}")
    if not torch.equal(out[0].double(), out[1].double()):
        raise ValueError(
            "the returned h differs from the returned c (the output is the cell state)"
        )
    return out[1].double()


def check_half(methylation_step) -> str | None:
    x, level, params = _random(3, 2, 4, seed=1)
    params["W_f"], params["u_f"], params["b_f"] = (
        0 * params["W_f"],
        0 * params["u_f"],
        0 * params["b_f"],
    )
    new = _new_level(methylation_step, x, level, level, params)
    # shut the gate to see the candidate alone
    params["b_f"] = torch.full_like(params["b_f"], -60.0)
    candidate = _new_level(methylation_step, x, level, level, params)
    if ((candidate <= 0) | (candidate >= 1)).any():
        return (
            "with the forget gate shut the new level must be a candidate in (0, 1), "
            f"got {candidate[0].tolist()}"
        )
    want = (level + candidate) / 2
    if not torch.allclose(new, want, atol=1e-9):
        return (
            f"with the forget gate at 1/2: old level {level[0].tolist()}, candidate "
            f"{candidate[0].tolist()}, expected {want[0].tolist()}, got {new[0].tolist()}"
        )
    return None


def check_independent(methylation_step) -> str | None:
    x, level, params = _random(2, 3, 4, seed=2, scale=2.0)
    moved = level.clone()
    moved[:, 0] = 1 - moved[:, 0]
    before = _new_level(methylation_step, x, level, level, params)
    after = _new_level(methylation_step, x, moved, moved, params)
    if not torch.allclose(before[:, 1:], after[:, 1:], rtol=0, atol=1e-12):
        return "changing site 0's previous level changed the new levels of sites 1 to 3"
    return None


def check_bounds(methylation_lstm) -> str | None:
    _, _, params = _random(1, 2, 3, seed=3, scale=30.0)
    gen = torch.Generator().manual_seed(4)
    x = 100 * torch.randn(4, 50, 2, generator=gen, dtype=torch.float64)
    c0 = torch.rand(4, 3, generator=gen, dtype=torch.float64)
    states = methylation_lstm(x, c0, params)
    if tuple(states.shape) != (4, 50, 3):
        return f"expected shape (B, T, H) = (4, 50, 3), got {tuple(states.shape)}"
    if not bool(torch.isfinite(states).all()) or states.min() < 0 or states.max() > 1:
        low, high = states.min().item(), states.max().item()
        return f"levels from {low:.4g} to {high:.4g}; they must stay in [0, 1]"
    return None


def check_stored(methylation_lstm) -> str | None:
    states = methylation_lstm(_t(STORED_X), _t(STORED_C0), stored_params())
    want = _t(STORED_STATES)
    if tuple(states.shape) != tuple(want.shape):
        return f"expected shape {tuple(want.shape)}, got {tuple(states.shape)}"
    if not torch.allclose(states.double(), want, atol=1e-5):
        return f"expected {STORED_STATES}, got {states.double().tolist()}"
    return None


FUNCTIONS = ("methylation_step", "methylation_lstm")
SECTION = 'chapter 4, "An LSTM whose cell state is a methylation level"'
GUARANTEES = 'chapter 4, "Guarantees, checked"'


def checks(methylation_step, methylation_lstm) -> PublicCheck:
    """Run the public checks on the student's two functions (prints nothing)."""
    result = PublicCheck("ex05_methylation_lstm")
    result.check(
        "methylation_step: a weighted mean of the old level and a candidate level",
        lambda: check_half(methylation_step),
        hints=[
            f"How much of the candidate enters, once the forget gate is known ({SECTION})?",
            "Both the forget gate and the candidate are levels between 0 and 1: which "
            "nonlinearity gives that?",
        ],
    )
    result.check(
        "methylation_step: sites do not read each other",
        lambda: check_independent(methylation_step),
        hints=[f"How many recurrent weights does one site have in this model ({SECTION})?"],
    )
    result.check(
        "methylation_lstm: levels stay in [0, 1] over 50 steps of extreme signals",
        lambda: check_bounds(methylation_lstm),
        hints=[
            f"A weighted mean of levels is a level: which step breaks that ({GUARANTEES})?",
            "Check the shape too: one state per step, (B, T, H).",
        ],
    )
    result.check(
        "methylation_lstm: stored states of a small example (B = 1, T = 3, H = 2)",
        lambda: check_stored(methylation_lstm),
        hints=[
            "Which state does the first step start from, and which states does the "
            "function return: before or after reading each input?"
        ],
    )
    return result


def run(methylation_step, methylation_lstm) -> None:
    """The notebook's last cell: print the public checks' report."""
    checks(methylation_step, methylation_lstm).report()
