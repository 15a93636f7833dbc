"""Hidden suite for ex09_interpretation (instructors only; never shipped to students).

Self-contained: the classifiers are built here (``DirectionalLSTM`` of the course package,
weights drawn from a hidden seed) and sent to the student's process as
``protocol.ModelSpec``s, which the worker rebuilds in evaluation mode (float32). The
reference scores are computed here, on a float64 copy of the same model, by reading every
mutant (written out below). The diagnosis is the public check's (:func:`diagnose_ism`), and
a gradient-based estimate is recognised here too.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from coursepkg.grading.protocol import ModelSpec
from coursepkg.models.bidirectional import DirectionalLSTM
from coursepkg.practice.ex09_interpretation import SECTION, as_matrix, diagnose_ism

SEED = 9090917  # hidden seed
LETTERS = "ACGT"


def fail(message: str) -> None:
    """Fail the test with ``message`` as the student's feedback (shown as it is)."""
    raise AssertionError(message)


# --- models and inputs (trusted side) ---------------------------------------------------------


def classifier(seed: int, direction="both", hidden=8, dropout=0.25, gain=4.0, spread=0.6):
    """A DirectionalLSTM with weights uniform in [-spread, spread] from the hidden seed,
    the read-out scaled by ``gain``; returned with its kwargs (for the ModelSpec)."""
    kwargs = {"direction": direction, "hidden_size": hidden, "dropout": dropout}
    gen = np.random.default_rng(SEED + seed)
    model = DirectionalLSTM(**kwargs)
    with torch.no_grad():
        for parameter in model.parameters():
            values = gen.uniform(-spread, spread, size=parameter.shape)
            parameter.copy_(torch.from_numpy(values))
        model.readout.weight.mul_(gain)
    return model.eval(), kwargs


def onehot(seq: str) -> torch.Tensor:
    x = torch.zeros(len(seq), 4)
    for i, letter in enumerate(seq):
        x[i, LETTERS.index(letter)] = 1.0
    return x


def random_seq(seed: int, length: int) -> str:
    gen = np.random.default_rng(SEED + 1000 + seed)
    return "".join(gen.choice(list(LETTERS), size=length))


# --- the reference ----------------------------------------------------------------------------


def reference(model, x: torch.Tensor) -> tuple[np.ndarray, float]:
    """(scores (L, 4), logit of x): every mutant read by a float64 copy of the model."""
    model = copy.deepcopy(model).double().eval()
    x = x.double()
    L = x.shape[0]
    mutants, where = [], []
    for i in range(L):
        for b in range(4):
            if x[i, b] == 1:
                continue
            mutant = x.clone()
            mutant[i] = 0.0
            mutant[i, b] = 1.0
            mutants.append(mutant)
            where.append((i, b))
    with torch.no_grad():
        logit = float(model(x.unsqueeze(0))[0])
        logits = model(torch.stack(mutants)) if mutants else torch.zeros(0)
    scores = np.zeros((L, 4))
    for (i, b), value in zip(where, logits.tolist(), strict=True):
        scores[i, b] = value - logit
    return scores, logit


def first_order(model, x: torch.Tensor) -> np.ndarray:
    """The gradient estimate of the same changes (what ISM is not)."""
    model = copy.deepcopy(model).double().eval()
    x = x.double().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(x.unsqueeze(0)).sum(), x)
    return (grad - (grad * x).sum(dim=1, keepdim=True)).detach().numpy()


# --- the student's side -----------------------------------------------------------------------


def student_scores(submission, model, kwargs, x: torch.Tensor) -> np.ndarray:
    submission.require_own("ism_scores")
    got = submission.call("ism_scores", ModelSpec.of(model, **kwargs), x)
    try:
        return as_matrix(got)
    except (TypeError, ValueError) as error:
        fail(f"ism_scores: {error}")


def assert_ism(submission, model, kwargs, seq: str, what: str) -> None:
    x = onehot(seq)
    got = student_scores(submission, model, kwargs, x)
    want, logit = reference(model, x)
    atol = 2e-5 * max(1.0, abs(logit), float(np.abs(want).max()))
    shown = seq if len(seq) <= 30 else f"{seq[:12]}...{seq[-6:]}"
    example = f"{what}, sequence {shown!r} (L = {len(seq)}) (hidden)"
    problem = diagnose_ism(got, want, x.numpy(), example, reference_logit=logit, atol=atol)
    if problem is None:
        return
    lead = "ism_scores differs from the change in logit of each mutant."
    if got.shape == want.shape and np.allclose(got, first_order(model, x), rtol=1e-3, atol=atol):
        fail(
            f"{lead}\nyour scores are a first-order (gradient) estimate of the changes; the "
            "task asks for the changes themselves, each mutant read by the model\n"
            + "\n".join(problem.lines()[1:])
        )
    hint = f"\nWhat to look at: {problem.hints[0]}" if problem.hints else ""
    fail("\n".join([lead, *problem.lines()]) + hint)


# --- the graded tests -------------------------------------------------------------------------


@pytest.mark.grade(points=1, hint="Return one score per position and base: shape (L, 4).")
def test_scores_shape(submission):
    model, kwargs = classifier(1)
    for L in (1, 5, 13):
        got = student_scores(submission, model, kwargs, onehot(random_seq(L, L)))
        if got.shape != (L, 4):
            fail(
                f"ism_scores of a sequence of length {L}: expected shape ({L}, 4), got {got.shape}"
            )


@pytest.mark.grade(
    points=2,
    hint=f"At the reference base the 'mutant' is the sequence itself: its score is 0 ({SECTION}).",
)
def test_zero_at_the_reference_base(submission):
    model, kwargs = classifier(2, hidden=6)
    for L in (4, 11):
        seq = random_seq(20 + L, L)
        x = onehot(seq)
        got = student_scores(submission, model, kwargs, x)
        if got.shape != (L, 4):
            fail(
                f"ism_scores of a sequence of length {L}: expected shape ({L}, 4), got {got.shape}"
            )
        at_reference = got[x.numpy() != 0]
        if np.abs(at_reference).max() > 1e-6:
            i = int(np.argmax(np.abs(at_reference)))
            fail(
                f"ism_scores of {seq!r} (hidden): the score of the reference base is 0, since "
                f"that 'mutant' is the sequence itself\nat position {i} ({seq[i]}), column "
                f"{seq[i]}: expected 0, got {at_reference[i]:+.6g}"
            )


@pytest.mark.grade(
    points=3,
    hint=f"scores[i, b] is the change in the model's logit when base i becomes b ({SECTION}).",
)
def test_scores_match_every_mutant(submission):
    for k, (direction, hidden, L) in enumerate(
        (("both", 8, 6), ("forward", 5, 9), ("both", 12, 12))
    ):
        model, kwargs = classifier(30 + k, direction=direction, hidden=hidden)
        assert_ism(
            submission, model, kwargs, random_seq(30 + k, L), f"a {direction} LSTM, H = {hidden}"
        )


@pytest.mark.grade(
    points=2,
    hint="Every position of a long sequence gets its four scores, each from its own mutant.",
)
def test_scores_of_a_long_sequence(submission):
    model, kwargs = classifier(40, hidden=16, spread=0.4)
    assert_ism(submission, model, kwargs, random_seq(40, 150), "a bidirectional LSTM, H = 16")


@pytest.mark.grade(
    points=1,
    hint="The scores are changes in the logit, the model's raw output, whatever its size.",
)
def test_scores_of_a_confident_model(submission):
    model, kwargs = classifier(50, hidden=6, gain=40.0)
    assert_ism(submission, model, kwargs, random_seq(50, 10), "a model with large logits")
    model, kwargs = classifier(51, direction="backward", hidden=6, gain=0.2)
    assert_ism(submission, model, kwargs, random_seq(51, 10), "a model with small logits")


@pytest.mark.grade(
    points=1,
    hint="The same model with more dropout predicts the same logits: dropout is active only "
    "in training mode.",
)
def test_scores_do_not_depend_on_dropout(submission):
    seq = random_seq(60, 9)
    without, kwargs = classifier(60, dropout=0.0)
    assert_ism(submission, without, kwargs, seq, "a model without dropout")
    model, kwargs = classifier(60, dropout=0.6)
    x = onehot(seq)
    got, want = student_scores(submission, model, kwargs, x), reference(model, x)[0]
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=2e-5):
        fail(
            f"ism_scores of {seq!r} (hidden): the same weights with dropout 0.6 instead of 0 "
            "give other scores, so dropout acts while your function runs the model; a model "
            "that predicts ignores its dropout\n"
            f"expected: position 0 ({seq[0]}); columns A, C, G, T: {np.round(want[0], 4).tolist()}"
            f"\ngot:      {np.round(got[0], 4).tolist()}"
        )


@pytest.mark.grade(
    points=1,
    hint="A sequence of one base has three mutants; a sequence of one letter repeated has "
    "three per position.",
)
def test_scores_of_extreme_sequences(submission):
    model, kwargs = classifier(70, hidden=4)
    for seq in ("G", "AAAAAAAA", "TTTTTTTTTTTTTTTTTTTT"):
        assert_ism(submission, model, kwargs, seq, "a bidirectional LSTM, H = 4")
