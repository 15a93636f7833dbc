"""Hidden suite for ex02_conditioning (instructors only; never shipped to students).

Self-contained, and it trusts nothing the student's process computes about itself: every
score comes from a comparison made *here*, on values the student's model returned for
inputs made here.

- ``h0`` depends on the condition: rows of ``initial_state`` compared here.
- ``forward`` starts from ``h0``: the first prediction for one trajectory under several
  conditions, compared here.
- ``h0`` is learned: ``initial_state`` before and after a training run, compared here.
- ``forward`` is causal: predictions before and after a change of the future, compared here.
- Held-out forecasts: the trajectories are simulated here from a hidden seed, the model
  predicts step ``t`` from the first ``t + 1`` time points only (so reading ahead cannot
  help), and the error is measured here against the noise-free truth and compared with a
  zero-``h0`` RNN written and trained below under the same budget.

The student's models are trained in the student's process (by the grader's training
helper); what that run reports about itself (its losses) is not used.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from coursepkg.data.expression import ExpressionSimulator
from coursepkg.practice import explain

SEED = 4242017  # hidden seed
K, G, P, H = 3, 5, 8, 16
EPOCHS, LR, BATCH, N_TRAIN = 25, 0.01, 32, 300
EARLY = 3  # the first time points, where the condition matters most
MARGIN = 0.8  # a conditioned model must cut the baseline's early error to below this share

SIM = ExpressionSimulator(n_types=K, n_genes=G, n_omics=P, length=10, seed=SEED)
TRAIN = SIM.sample(N_TRAIN, seed=SEED + 1)
TEST = SIM.sample(400, seed=SEED + 2)


def fail(message: str) -> None:
    """Fail the test with ``message`` as the student's feedback (shown as it is)."""
    raise AssertionError(message)


# --- the reference: an RNN started from zero, trained here ---------------------------------


class ZeroStartRNN(nn.Module):
    """The unconditioned baseline: h0 = 0, next step = x_t + readout(h_t)."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(G, H, batch_first=True)
        self.readout = nn.Linear(H, G)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x)  # (B, T, H)
        return x + self.readout(states)


_BASELINE: dict[str, float] = {}


def baseline_error() -> float:
    """Early held-out error of the zero-h0 RNN, trained with the students' budget."""
    if "early" not in _BASELINE:
        torch.manual_seed(SEED)
        model = ZeroStartRNN()
        optimizer = torch.optim.Adam(model.parameters(), lr=LR)
        order = torch.Generator().manual_seed(SEED)
        inputs, targets = TRAIN.x[:, :-1], TRAIN.x[:, 1:]
        for _ in range(EPOCHS):
            for batch in torch.randperm(N_TRAIN, generator=order).split(BATCH):
                optimizer.zero_grad()
                nn.functional.mse_loss(model(inputs[batch]), targets[batch]).backward()
                optimizer.step()
        with torch.no_grad():
            _BASELINE["early"] = early_error(lambda x: model(x))
    return _BASELINE["early"]


def early_error(predict) -> float:
    """Mean squared error against the truth of the first EARLY forecasts, each made from
    the time points up to it only."""
    errors = []
    for t in range(EARLY):
        forecast = predict(TEST.x[:, : t + 1])[:, t]  # of x[:, t + 1]
        errors.append(((forecast - TEST.truth[:, t + 1]) ** 2).mean())
    return float(torch.stack(errors).mean())


# --- the student's side -------------------------------------------------------------------


def condition(name: str, data, rows=slice(None)) -> torch.Tensor:
    return (data.cell_type if name == "CellTypeRNN" else data.z)[rows]


def build(submission, name: str):
    first = K if name == "CellTypeRNN" else P
    return submission.new(name, first, G, H)


def as_tensor(value, what: str, shape: tuple) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        fail(f"{what} must return a torch tensor, got {type(value).__name__}")
    if tuple(value.shape) != shape:
        fail(
            explain(
                f"{what} returns a tensor of shape {shape}", "", f"{shape}", f"{tuple(value.shape)}"
            )
        )
    value = value.detach().to(torch.float64)
    if not bool(torch.isfinite(value).all()):
        fail(f"{what} returned values that are not finite (nan or inf)")
    return value


def h0_of(model, name: str, c: torch.Tensor) -> torch.Tensor:
    return as_tensor(model.call("initial_state", c), f"{name}.initial_state", (len(c), H))


def predict(model, name: str, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    return as_tensor(model.helper("predict", x, c), f"{name}.forward", tuple(x.shape))


_TRAINED: dict[str, tuple] = {}


def trained(submission, name: str):
    """``(model, h0 before training, h0 after)`` for the held-out conditions (trained once)."""
    if name not in _TRAINED:
        model = build(submission, name)
        probe = condition(name, TEST, slice(0, 8))
        before = h0_of(model, name, probe)
        model.helper(
            "train_model",
            [TRAIN.x[:, :-1], condition(name, TRAIN)],
            TRAIN.x[:, 1:],
            loss="mse",
            epochs=EPOCHS,
            lr=LR,
            batch_size=BATCH,
            timeout=60,
        )
        _TRAINED[name] = (model, before, h0_of(model, name, probe))
    return _TRAINED[name]


def distinct_conditions(name: str) -> tuple[torch.Tensor, str]:
    if name == "CellTypeRNN":
        return torch.arange(K), f"cell types 0..{K - 1}"
    return TEST.z[:4], "4 held-out omics profiles z"


# --- the checks, one class each --------------------------------------------------------------


def check_shapes(submission, name: str) -> None:
    model = build(submission, name)
    x, c = TEST.x[:6, :-1], condition(name, TEST, slice(0, 6))
    h0_of(model, name, c)
    as_tensor(model(x, c), f"{name}.forward", tuple(x.shape))


def check_depends(submission, name: str) -> None:
    model = build(submission, name)
    c, which = distinct_conditions(name)
    h0 = h0_of(model, name, c)
    gap = float((h0[1:] - h0[0]).abs().max())
    if gap <= 1e-6:
        fail(
            explain(
                f"{name}.initial_state gives different conditions different h0",
                which,
                "rows of h0 that differ",
                f"the same h0 for all (largest difference {gap:.2g})",
            )
        )
    if name == "CellTypeRNN":
        again = h0_of(model, name, torch.tensor([1, 1, 0]))
        if not (torch.allclose(again[0], again[1]) and torch.allclose(again[0], h0[1], atol=1e-6)):
            fail(
                explain(
                    "CellTypeRNN.initial_state gives the same cell type the same h0",
                    "cell types [1, 1, 0]",
                    "rows 0 and 1 equal (and equal to the h0 of type 1)",
                    "rows that differ",
                )
            )


def check_starts_from_h0(submission, name: str) -> None:
    model = build(submission, name)
    c, which = distinct_conditions(name)
    x = TEST.x[:1, :-1].expand(len(c), -1, -1).contiguous()
    first = predict(model, name, x, c)[:, 0]
    gap = float((first[1:] - first[0]).abs().max())
    if gap <= 1e-6:
        fail(
            explain(
                f"{name}.forward starts the recurrence from h0, so its first prediction "
                "depends on the condition",
                f"one trajectory, repeated with {which}",
                "first predictions that differ",
                f"the same first prediction for all (largest difference {gap:.2g})",
            )
        )


def check_learned(submission, name: str) -> None:
    _, before, after = trained(submission, name)
    change = float((after - before).abs().max())
    if change <= 1e-6:
        fail(
            explain(
                f"training {name} changes h0: initial_state is computed from learned "
                "parameters and forward starts from it",
                f"h0 of 8 held-out conditions, before and after {EPOCHS} epochs of training",
                "h0 that changes",
                f"h0 as it was (largest change {change:.2g})",
            )
        )


def check_causal(submission, name: str) -> None:
    model = build(submission, name)
    x, c = TEST.x[:4, :-1], condition(name, TEST, slice(0, 4))
    y = predict(model, name, x, c)
    for t in (0, 3, 6):
        changed = x.clone()
        changed[:, t + 1 :] += 1.0
        gap = (predict(model, name, changed, c)[:, : t + 1] - y[:, : t + 1]).abs().amax(dim=(0, 2))
        if float(gap.max()) > 1e-5:
            first = int(torch.nonzero(gap > 1e-5)[0])
            fail(
                explain(
                    f"{name}.forward is causal: the prediction at time t may use x[:, :t + 1] only",
                    f"4 trajectories of 9 time points, and a copy in which only x[:, {t + 1}:] differs",
                    f"the same predictions at t = 0..{t}" if t else "the same prediction at t = 0",
                    f"the prediction at t = {first} changes by {float(gap[first]):.3g}",
                )
            )


def check_beats_baseline(submission, name: str) -> None:
    model = trained(submission, name)[0]
    c = condition(name, TEST)
    got, base = early_error(lambda x: predict(model, name, x, c)), baseline_error()
    if not got < MARGIN * base:
        fail(
            explain(
                f"trained {name} forecasts the first {EARLY} time points of new trajectories "
                f"with less than {MARGIN:.0%} of the error of an RNN started from zero",
                f"{len(TEST)} held-out trajectories (hidden), after {EPOCHS} epochs on "
                f"{N_TRAIN} training trajectories; each forecast made from the time points "
                "up to it",
                f"mean squared error below {MARGIN * base:.4f} (zero-start RNN: {base:.4f})",
                f"{got:.4f}",
            )
        )


# --- the graded tests ---------------------------------------------------------------------

CHAPTER = 'chapter 2, "Conditioning the initial state"'


@pytest.mark.grade(
    points=1, hint="initial_state returns (B, hidden); forward returns (B, T, G) like its input."
)
def test_celltype_shapes(submission):
    check_shapes(submission, "CellTypeRNN")


@pytest.mark.grade(points=2, hint=f"h0 = g(c): each cell type gets its own h0 ({CHAPTER}).")
def test_celltype_h0_depends_on_type(submission):
    check_depends(submission, "CellTypeRNN")


@pytest.mark.grade(points=2, hint=f"The recurrence must start from h0 ({CHAPTER}).")
def test_celltype_forward_starts_from_h0(submission):
    check_starts_from_h0(submission, "CellTypeRNN")


@pytest.mark.grade(points=1, hint=f"h0 comes from parameters that training adjusts ({CHAPTER}).")
def test_celltype_h0_is_learned(submission):
    check_learned(submission, "CellTypeRNN")


@pytest.mark.grade(points=1, hint="A forecast at time t may use only what was measured up to t.")
def test_celltype_forward_is_causal(submission):
    check_causal(submission, "CellTypeRNN")


@pytest.mark.grade(
    points=3,
    hint=f"Trained, a model that knows the cell type forecasts the first steps better than one started from zero ({CHAPTER}).",
)
def test_celltype_beats_unconditioned(submission):
    check_beats_baseline(submission, "CellTypeRNN")


@pytest.mark.grade(
    points=1, hint="initial_state(z) returns (B, hidden); forward(x, z) returns (B, T, G)."
)
def test_omics_shapes(submission):
    check_shapes(submission, "OmicsConditionedRNN")


@pytest.mark.grade(
    points=2, hint=f"h0 = phi(z): different omics profiles give different h0 ({CHAPTER})."
)
def test_omics_h0_depends_on_z(submission):
    check_depends(submission, "OmicsConditionedRNN")


@pytest.mark.grade(points=2, hint=f"The recurrence must start from h0 ({CHAPTER}).")
def test_omics_forward_starts_from_h0(submission):
    check_starts_from_h0(submission, "OmicsConditionedRNN")


@pytest.mark.grade(points=1, hint=f"h0 comes from parameters that training adjusts ({CHAPTER}).")
def test_omics_h0_is_learned(submission):
    check_learned(submission, "OmicsConditionedRNN")


@pytest.mark.grade(points=1, hint="A forecast at time t may use only what was measured up to t.")
def test_omics_forward_is_causal(submission):
    check_causal(submission, "OmicsConditionedRNN")


@pytest.mark.grade(
    points=3,
    hint=f"Trained, a model that reads the baseline omics forecasts the first steps better than one started from zero ({CHAPTER}).",
)
def test_omics_beats_unconditioned(submission):
    check_beats_baseline(submission, "OmicsConditionedRNN")
