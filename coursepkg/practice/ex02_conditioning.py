"""Public check for ex02_conditioning: RNNs whose initial state depends on the condition.

Every check is a property a correct model has whatever its weights, so nothing here knows
how to build one: the shapes; ``h0`` differs between conditions and is the same for the
same condition; ``forward`` starts from ``h0`` (its first prediction changes with the
condition); ``h0`` is learned (a gradient step changes it); and ``forward`` is causal (the
prediction at ``t`` does not change when the trajectory changes after ``t``).
"""

from __future__ import annotations

import torch

from coursepkg.data.expression import ExpressionSimulator
from coursepkg.practice import Problem, PublicCheck

FUNCTIONS = ("CellTypeRNN", "OmicsConditionedRNN")

K, G, P, H = 3, 5, 8, 16
SIM = ExpressionSimulator(n_types=K, n_genes=G, n_omics=P, length=8, seed=7)
DATA = SIM.sample(6, seed=8)

CHAPTER = 'chapter 2, "Conditioning the initial state"'


def _inputs(name: str):
    """The public inputs of one class: a model, trajectories and conditions."""
    if name == "CellTypeRNN":
        return (K, G, H), DATA.cell_type, torch.arange(K), torch.tensor([1, 1, 0])
    return (P, G, H), DATA.z, DATA.z[:3], None


def _tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch tensor, got {type(value).__name__}")
    return value


def _shapes(cls, name: str) -> Problem | None:
    args, condition, _, _ = _inputs(name)
    torch.manual_seed(0)
    model = cls(*args)
    h0 = _tensor(model.initial_state(condition), f"{name}.initial_state")
    if tuple(h0.shape) != (len(condition), H):
        return Problem(
            f"{name}.initial_state returns h0 of shape (B, hidden)",
            f"{name}{args} on a batch of B = {len(condition)}",
            f"{(len(condition), H)}",
            f"{tuple(h0.shape)}",
        )
    y = _tensor(model(DATA.x, condition), f"{name}.forward")
    if tuple(y.shape) != tuple(DATA.x.shape):
        return Problem(
            f"{name}.forward returns one prediction per time point: shape (B, T, G), like x",
            f"x of shape {tuple(DATA.x.shape)}",
            f"{tuple(DATA.x.shape)}",
            f"{tuple(y.shape)}",
        )
    return None


def _depends(cls, name: str) -> Problem | None:
    args, _, distinct, repeated = _inputs(name)
    torch.manual_seed(0)
    model = cls(*args)
    with torch.no_grad():
        h0 = _tensor(model.initial_state(distinct), f"{name}.initial_state")
    gap = float((h0[1:] - h0[0]).abs().max()) if len(h0) > 1 else 0.0
    if gap < 1e-6:
        what = "cell types 0, 1, 2" if name == "CellTypeRNN" else "the first 3 omics profiles z"
        return Problem(
            f"{name}.initial_state gives different conditions different h0",
            what,
            "rows of h0 that differ",
            f"the same h0 for all of them (largest difference {gap:.2g})",
        )
    if repeated is not None:
        with torch.no_grad():
            again = model.initial_state(repeated)
        if not (torch.allclose(again[0], again[1]) and torch.allclose(again[0], h0[1])):
            return Problem(
                f"{name}.initial_state gives the same cell type the same h0",
                "cell types [1, 1, 0]",
                "rows 0 and 1 equal to each other (and to the h0 of type 1)",
                "rows that differ",
            )
    return None


def _learned(cls, name: str) -> Problem | None:
    args, condition, _, _ = _inputs(name)
    torch.manual_seed(0)
    model = cls(*args)
    before = model.initial_state(condition).detach().clone()
    if not model.initial_state(condition).requires_grad:
        return Problem(
            f"{name}.initial_state is computed from learned parameters",
            f"h0 for a batch of {len(condition)}",
            "a tensor that requires a gradient",
            "a tensor that does not (no learned parameter went into it)",
        )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    model(DATA.x[:, :-1], condition).sub(DATA.x[:, 1:]).pow(2).mean().backward()
    optimizer.step()
    after = model.initial_state(condition).detach()
    if float((after - before).abs().max()) < 1e-7:
        return Problem(
            f"training {name} changes h0: forward starts from initial_state's output",
            "one gradient step on the next-step error of 6 public trajectories",
            "h0 changes",
            "h0 is exactly as before",
        )
    return None


def _starts_from_h0(cls, name: str) -> Problem | None:
    args, _, distinct, _ = _inputs(name)
    torch.manual_seed(0)
    model = cls(*args)
    x = DATA.x[:1].expand(len(distinct), -1, -1).contiguous()
    with torch.no_grad():
        first = _tensor(model(x, distinct), f"{name}.forward")[:, 0]
    gap = float((first[1:] - first[0]).abs().max())
    if gap < 1e-6:
        return Problem(
            f"{name}.forward starts the recurrence from h0, so the first prediction depends "
            "on the condition",
            f"one public trajectory, repeated with {len(distinct)} different conditions",
            "first predictions that differ",
            f"the same first prediction for every condition (largest difference {gap:.2g})",
        )
    return None


def _causal(cls, name: str) -> Problem | None:
    args, condition, _, _ = _inputs(name)
    torch.manual_seed(0)
    model = cls(*args)
    t = 3
    changed = DATA.x.clone()
    changed[:, t + 1 :] += 1.0
    with torch.no_grad():
        y = _tensor(model(DATA.x, condition), f"{name}.forward")
        y2 = model(changed, condition)
    gap = (y[:, : t + 1] - y2[:, : t + 1]).abs().amax(dim=(0, 2))
    if float(gap.max()) > 1e-5:
        first = int(torch.nonzero(gap > 1e-5)[0])
        return Problem(
            f"{name}.forward is causal: the prediction at time t (of x[:, t + 1]) may use "
            "x[:, :t + 1] only",
            f"the public trajectories x, and a copy in which only x[:, {t + 1}:] differs",
            f"the same predictions at t = 0..{t}" if t else "the same prediction at t = 0",
            f"the prediction at t = {first} changes by {float(gap[first]):.3g}",
        )
    return None


CHECKS = [
    ("shapes of initial_state and forward", _shapes, ("The task at the top lists each shape.",)),
    (
        "h0 depends on the condition",
        _depends,
        (
            f"h0 = g(condition): different conditions must lead to different h0 ({CHAPTER}).",
            "initial_state must read its argument: each condition gets its own h0.",
        ),
    ),
    (
        "h0 is learned",
        _learned,
        (
            f"h0 comes out of layers with parameters that training adjusts ({CHAPTER}).",
            "If forward never uses initial_state's output, no gradient reaches its parameters.",
        ),
    ),
    (
        "forward starts from h0",
        _starts_from_h0,
        (
            f"The whole point of the chapter: the recurrence starts from h0 ({CHAPTER}).",
            "Look at what forward hands the recurrent layer as its initial state.",
        ),
    ),
    (
        "forward is causal",
        _causal,
        (
            "A forecast at time t may use only what has been measured up to t.",
            "Check which time points the recurrent layer reads before it predicts step t.",
        ),
    ),
]


def checks(CellTypeRNN, OmicsConditionedRNN) -> PublicCheck:
    """Run the public checks on the student's two classes (prints nothing)."""
    checks = PublicCheck("ex02_conditioning")
    for name, cls in (("CellTypeRNN", CellTypeRNN), ("OmicsConditionedRNN", OmicsConditionedRNN)):
        for label, test, hints in CHECKS:
            checks.check(
                f"{name}: {label}", lambda test=test, cls=cls, name=name: test(cls, name), hints
            )
    return checks


def run(CellTypeRNN, OmicsConditionedRNN) -> None:
    """Run the public checks on the student's two classes and print the report."""
    checks(CellTypeRNN, OmicsConditionedRNN).report()
