"""Public check for ex09_interpretation: in silico mutagenesis of a classifier.

The public model is a small bidirectional LSTM with fixed random weights
(:func:`public_model`, float64, in evaluation mode, with dropout that acts only in training
mode); the public inputs are two sequences (:data:`SEQUENCES`). What the solution gives on
them is *stored* (``expected/ex09_interpretation.json``, written by ``coursepkg
exercises``), because the package holds no implementation of the exercise.

:func:`diagnose_ism` turns a wrong answer into the property that failed and the hints that
fit it (a score at the reference base, the sign, the order of the channels, probabilities
instead of logits); the hidden suite uses it too, so a student reads the same words in both
places.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch

from coursepkg.models.bidirectional import DirectionalLSTM
from coursepkg.practice import Problem, PublicCheck, expected
from coursepkg.sequences import DNA, onehot

FUNCTIONS = ("ism_scores",)

SECTION = 'chapter 7, "Reading a classifier by mutating it"'

SEQUENCES = {"short": "ACGTTGCA", "long": "GATTACAGGCTTACGCATAT"}
"""The public sequences (one-hot, float64, in the checks)."""


def public_model() -> DirectionalLSTM:
    """The public classifier: ``DirectionalLSTM("both", hidden_size=8, dropout=0.3)`` in
    float64 and evaluation mode; ``model(x)`` maps ``(B, L, 4)`` to ``(B,)`` logits.

    Its weights are drawn uniformly from [-0.5, 0.5] by NumPy's generator with seed 909 (the
    same on every machine and version of torch), the read-out scaled by 4 so that
    substitutions move the logit visibly. Building it leaves torch's random state as it was.
    """
    gen = np.random.default_rng(909)
    with torch.random.fork_rng(devices=[]):
        model = DirectionalLSTM("both", hidden_size=8, dropout=0.3).double()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.from_numpy(gen.uniform(-0.5, 0.5, size=parameter.shape)))
        model.readout.weight.mul_(4.0)
    return model.eval()


def sequence(name: str) -> torch.Tensor:
    """The public sequence ``name`` of :data:`SEQUENCES`, one-hot ``(L, 4)`` float64."""
    return onehot(SEQUENCES[name]).to(torch.float64)


def as_matrix(value) -> np.ndarray:
    """The student's scores as a float64 array (a tensor, an array or nested lists)."""
    if not isinstance(value, (torch.Tensor, np.ndarray, list, tuple)):
        raise TypeError(f"ism_scores must return a tensor, got {type(value).__name__}")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _row(values) -> str:
    return "[" + ", ".join(f"{v:+.4g}" for v in values) + "]"


def _at(x: np.ndarray, i: int) -> str:
    return f"position {i} ({DNA[int(np.argmax(x[i]))]}); columns A, C, G, T"


def diagnose_ism(
    got,
    want: np.ndarray,
    x: np.ndarray,
    example: str,
    reference_logit: float | None = None,
    atol: float = 1e-9,
) -> Problem | None:
    """None when ``got`` matches the ISM scores ``want`` of the one-hot ``x`` (L, 4), else
    the property that failed. ``reference_logit`` (the model's logit for ``x``) lets the
    diagnosis recognise changes of a probability instead of a logit."""
    got = as_matrix(got)
    want, x = np.asarray(want, dtype=np.float64), np.asarray(x, dtype=np.float64)
    if got.shape != want.shape:
        return Problem(
            "ism_scores returns one score per position and base: shape (L, 4)",
            example,
            f"shape {want.shape}",
            f"shape {got.shape}",
            hints=("Column b is the substitution to base b, for every base, the reference too.",),
        )
    if not np.isfinite(got).all():
        return Problem("the scores are finite numbers", example, "", "nan or inf")
    tol = {"rtol": 1e-4, "atol": atol}
    reference = x != 0
    off = ~reference
    wrong = np.flatnonzero(np.abs(np.where(reference, got, 0.0)).max(axis=1) > atol)
    if len(wrong):
        i = int(wrong[0])
        return Problem(
            "the score of the reference base is 0: that 'mutant' is the sequence itself",
            example,
            f"{_at(x, i)}: {_row(want[i])}",
            _row(got[i]),
            hints=(
                f"Each score compares a mutant with the unmutated sequence ({SECTION}).",
                "Scores centred or shifted in any way are no longer changes from the "
                "unmutated sequence.",
            ),
        )
    if np.allclose(got, want, **tol):
        return None
    bad = np.flatnonzero(~np.isclose(got, want, **tol).all(axis=1))
    i = int(bad[0])
    where = (f"{_at(x, i)}: {_row(want[i])}", _row(got[i]))
    if np.allclose(got, -want, **tol):
        return Problem(
            "scores[i, b] is the mutant's logit minus the unmutated sequence's: a positive "
            "score means the substitution raises the logit; yours have the opposite sign",
            example,
            *where,
            hints=("Which of the two logits comes first in the difference?",),
        )
    for perm in itertools.permutations(range(4)):
        if perm != (0, 1, 2, 3) and np.allclose(got[off], want[:, perm][off], **tol):
            order = "".join(DNA[k] for k in perm)
            return Problem(
                "column b of the scores is the substitution to base b, columns in the order "
                f"A, C, G, T; your columns hold the substitutions to {', '.join(order)}",
                example,
                *where,
                hints=(f"Check which channel your mutant sets to 1 for each column ({SECTION}).",),
            )
    if reference_logit is not None:
        sigmoid = 1 / (1 + np.exp(-(reference_logit + want)))
        probability = np.where(reference, 0.0, sigmoid - 1 / (1 + np.exp(-reference_logit)))
        if np.allclose(got, probability, rtol=1e-4, atol=atol):
            return Problem(
                "the scores are changes in the model's output logit; yours are changes in "
                "a probability (the logit passed through a sigmoid)",
                example,
                *where,
                hints=("The model already returns logits: compare them as they come.",),
            )
    return Problem(
        "scores[i, b] is the change in the model's logit when base i of the sequence is "
        "replaced by base b",
        example,
        *where,
        hints=(
            f"Score each mutant by what the model returns for it ({SECTION}).",
            "A gradient only estimates how the logit would change; the task asks for the "
            "change itself, with each mutant read by the model in evaluation mode.",
        ),
    )


# --- the checks -------------------------------------------------------------------------------


def expected_values(ism_scores) -> dict:
    """What the solution gives on the public inputs (stored; see the module docstring)."""
    return {
        name: as_matrix(ism_scores(public_model(), sequence(name))).tolist() for name in SEQUENCES
    }


def _check(ism_scores, name: str) -> Problem | None:
    model, x = public_model(), sequence(name)
    want = np.array(expected.load("ex09_interpretation")[name])
    with torch.no_grad():
        logit = float(model(x.unsqueeze(0))[0])
    example = f"the public model and {SEQUENCES[name]!r} (L = {len(x)})"
    got = ism_scores(model, x.clone())
    return diagnose_ism(got, want, x.numpy(), example, reference_logit=logit, atol=1e-9)


def _check_repeatable(ism_scores) -> Problem | None:
    model, x = public_model(), sequence("short")
    first = as_matrix(ism_scores(model, x.clone()))
    if model.training:
        return Problem(
            "ism_scores leaves the model as it was given: in evaluation mode",
            "the public model",
            "model.training == False",
            "model.training == True",
            hints=(f"Dropout belongs to training, not to explaining predictions ({SECTION}).",),
        )
    second = as_matrix(ism_scores(model, x.clone()))
    if first.shape != second.shape or not np.allclose(first, second, rtol=0, atol=1e-12):
        return Problem(
            "the same sequence gets the same scores every time",
            f"{SEQUENCES['short']!r}, scored twice",
            "the same scores twice",
            "different scores",
            hints=(f"Is something random active while the model predicts? ({SECTION})",),
        )
    return None


def checks(ism_scores) -> PublicCheck:
    """Run the public checks on the student's function (prints nothing)."""
    checks = PublicCheck("ex09_interpretation")
    checks.check(
        f"ism_scores of {SEQUENCES['short']!r} under the public model",
        lambda: _check(ism_scores, "short"),
    )
    checks.check(
        f"ism_scores of {SEQUENCES['long']!r} under the public model",
        lambda: _check(ism_scores, "long"),
    )
    checks.check(
        "ism_scores gives the same scores twice and leaves the model in evaluation mode",
        lambda: _check_repeatable(ism_scores),
    )
    return checks


def run(ism_scores) -> None:
    """Run the public checks on the student's function and print the report."""
    checks(ism_scores).report()
