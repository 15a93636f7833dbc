"""Hidden suite for ex02_conditioning (instructors only; never shipped to students).

The student's models are built and trained in the student's process; the held-out
trajectories are simulated *here* from a hidden seed, and only their inputs are sent
over to be predicted. The error is computed here against the noise-free truth and
compared with an unconditioned baseline (zero h0) trained here under the same budget.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from coursepkg.data.expression import ExpressionSimulator
from coursepkg.models.conditioned import ConditionedRNN
from coursepkg.train import fit, seed_everything

SEED = 4242017  # hidden seed
K, G, P, H = 3, 5, 8, 16
EPOCHS, LR, N_TRAIN = 15, 0.01, 300
EARLY = 3

SIM = ExpressionSimulator(n_types=K, n_genes=G, n_omics=P, length=10, seed=SEED)
TRAIN = SIM.sample(N_TRAIN, seed=SEED + 1)
TEST = SIM.sample(400, seed=SEED + 2)


def early_error(predicted: torch.Tensor) -> float:
    truth = TEST.truth[:, 1:]
    return float(((predicted[:, :EARLY] - truth[:, :EARLY]) ** 2).mean())


_BASELINE = {}


def baseline_error() -> float:
    """Zero-h0 RNN trained here with the same budget."""
    if "early" not in _BASELINE:
        seed_everything(0)
        model = ConditionedRNN(G, H, "zero")
        inputs, targets = TRAIN.next_step()
        fit(
            model,
            (inputs, TRAIN.cell_type),
            targets,
            F.mse_loss,
            epochs=EPOCHS,
            lr=LR,
            batch_size=32,
            progress=False,
        )
        with torch.no_grad():
            _BASELINE["early"] = early_error(model(TEST.next_step()[0], TEST.cell_type))
    return _BASELINE["early"]


def helper(submission, name: str, model, *args, **kwargs):
    """Run a grading helper (coursepkg.grading.sandboxed.helpers) on a student object."""
    return model.helper(name, *args, **kwargs)


def condition(name: str, data) -> torch.Tensor:
    return data.cell_type if name == "CellTypeRNN" else data.z


def build(submission, name: str):
    first = K if name == "CellTypeRNN" else P
    return submission.new(name, first, G, H)


def as_tensor(value, what: str) -> torch.Tensor:
    assert isinstance(value, torch.Tensor), (
        f"{what} must return a torch tensor, got {type(value).__name__}"
    )
    return value.detach().to(torch.float32)


def check_shapes(submission, name: str) -> None:
    m = build(submission, name)
    x, c = TEST.x[:6, :-1], condition(name, TEST)[:6]
    h0 = as_tensor(m.call("initial_state", c), "initial_state")
    assert tuple(h0.shape) == (6, H), (
        f"{name}.initial_state: expected shape (6, {H}), got {tuple(h0.shape)}"
    )
    y = as_tensor(m(x, c), "forward")
    assert tuple(y.shape) == tuple(x.shape), (
        f"{name}.forward: expected shape {tuple(x.shape)}, got {tuple(y.shape)}"
    )


def check_learned_and_used(submission, name: str) -> None:
    m = build(submission, name)
    x, c = TEST.x[:8, :-1], condition(name, TEST)[:8]
    info = helper(submission, "initial_state_gradients", m, x, c)
    assert info["h0_params"], (
        f"{name}.initial_state has no parameters that receive a gradient: h0 must be learned"
    )
    assert info["forward_grad"] > 0, (
        f"{name}.forward sends no gradient to the parameters of initial_state: forward must "
        "start the recurrence from initial_state(...)"
    )


def check_depends(submission, name: str) -> None:
    m = build(submission, name)
    helper(
        submission,
        "train_model",
        m,
        [TRAIN.x[:, :-1], condition(name, TRAIN)],
        TRAIN.x[:, 1:],
        loss="mse",
        epochs=3,
        lr=LR,
        timeout=30,
    )
    if name == "CellTypeRNN":
        c = torch.arange(K)
        x = TEST.x[:1, :-1].expand(K, -1, -1).contiguous()
    else:
        c = TEST.z[:4]
        x = TEST.x[:1, :-1].expand(4, -1, -1).contiguous()
    h0 = as_tensor(m.call("initial_state", c), "initial_state")
    assert (h0 - h0[0]).abs().max() > 1e-4, f"{name}: h0 is the same for every condition"
    y = as_tensor(helper(submission, "predict", m, x, c), "forward")
    assert (y[:, 0] - y[0, 0]).abs().max() > 1e-4, (
        f"{name}: the same trajectory gets the same first prediction whatever the condition"
    )
    if name == "CellTypeRNN":
        again = as_tensor(m.call("initial_state", torch.tensor([1, 1, 0])), "initial_state")
        assert torch.allclose(again[0], again[1]) and torch.allclose(again[0], h0[1], atol=1e-5), (
            "CellTypeRNN: the same cell type must give the same h0"
        )


def check_beats_baseline(submission, name: str) -> None:
    m = build(submission, name)
    losses = helper(
        submission,
        "train_model",
        m,
        [TRAIN.x[:, :-1], condition(name, TRAIN)],
        TRAIN.x[:, 1:],
        loss="mse",
        epochs=EPOCHS,
        lr=LR,
        timeout=60,
    )
    assert losses and losses[-1] < losses[0], f"{name}: the training loss did not go down"
    predicted = as_tensor(
        helper(submission, "predict", m, TEST.x[:, :-1], condition(name, TEST)), "forward"
    )
    got, base = early_error(predicted), baseline_error()
    assert got < 0.8 * base, (
        f"{name}: on held-out trajectories (hidden) the error of the first {EARLY} predictions is "
        f"{got:.4f}, not clearly below the {base:.4f} of an RNN started from zero "
        "(needs below 80% of it)"
    )


@pytest.mark.grade(
    points=1, hint="initial_state returns (B, hidden); forward returns (B, T, G) like its input."
)
def test_celltype_shapes(submission):
    check_shapes(submission, "CellTypeRNN")


@pytest.mark.grade(
    points=2,
    hint="h0 comes from a learned table (nn.Embedding), and forward must start the RNN from it.",
)
def test_celltype_h0_learned_and_used(submission):
    check_learned_and_used(submission, "CellTypeRNN")


@pytest.mark.grade(
    points=2,
    hint="Different cell types must get different h0 (one row of the embedding each), and that must change the predictions.",
)
def test_celltype_h0_depends_on_type(submission):
    check_depends(submission, "CellTypeRNN")


@pytest.mark.grade(
    points=3,
    hint="Trained, the model must predict the first steps of unseen trajectories better than an RNN started from zero.",
)
def test_celltype_beats_unconditioned(submission):
    check_beats_baseline(submission, "CellTypeRNN")


@pytest.mark.grade(
    points=1, hint="initial_state(z) returns (B, hidden); forward(x, z) returns (B, T, G)."
)
def test_omics_shapes(submission):
    check_shapes(submission, "OmicsConditionedRNN")


@pytest.mark.grade(
    points=2, hint="h0 = MLP(z) with learned layers, and forward must start the RNN from it."
)
def test_omics_h0_learned_and_used(submission):
    check_learned_and_used(submission, "OmicsConditionedRNN")


@pytest.mark.grade(
    points=2, hint="Different covariates z must give different h0 and different predictions."
)
def test_omics_h0_depends_on_z(submission):
    check_depends(submission, "OmicsConditionedRNN")


@pytest.mark.grade(
    points=3,
    hint="Trained, the model must predict the first steps of unseen trajectories better than an RNN started from zero.",
)
def test_omics_beats_unconditioned(submission):
    check_beats_baseline(submission, "OmicsConditionedRNN")
