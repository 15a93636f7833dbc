"""Public check for ex01_motif_fsm: a threshold RNN that detects a motif and stays bound.

The expected output on a public input is a property of the sequence alone (has the motif
occurred yet? plain string search), so nothing here knows how to build the weights. When
the network's output differs, :func:`diagnose` tells which of the machine's duties failed
(firing too early, missing an occurrence, missing one that starts inside a broken partial
match, or letting go after the motif) and picks the hints for that one. The hidden suite
uses the same diagnosis, so a student reads the same words in both places.
"""

from __future__ import annotations

import torch

from coursepkg.data.motifs import motif_seen
from coursepkg.models.threshold import ThresholdRNN, check_weights
from coursepkg.practice import Problem, PublicCheck
from coursepkg.sequences import onehot

FUNCTIONS = ("motif_rnn_weights",)

MAX_UNITS = 256

SECTION = 'chapter 1, "A toy binding problem"'
LOGIC = 'chapter 1, "Threshold units compute logic"'

PUBLIC_CASES = [
    ("ACG", "TTACGTTTT"),  # a plain match, then it must stay on
    ("ACG", "TTTTTTTT"),  # never
    ("ACG", "ACTAGCAGA"),  # partial matches that break off
    ("ACG", "ACACGA"),  # a match that starts inside a broken partial match
    ("AAA", "CAAAC"),
    ("ACAC", "TACACACT"),  # self-overlapping: it must stay on past the overlap
    ("ACAG", "TACACAGT"),  # after ACA + C, the last two bases still match
    ("AACAA", "AAACAAT"),  # after AA + A, the last two bases still match
]


def _bits(values) -> str:
    return "".join(str(int(v)) for v in values)


def diagnose(motif: str, seq: str, got, want) -> Problem:
    """Why the outputs ``got`` (0/1 per position of ``seq``) differ from the truth ``want``.

    The property that failed is the one at the first position where they differ.
    """
    got, want = [int(v) for v in got], [int(v) for v in want]
    t = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    example = f"motif {motif!r} on {seq!r}"
    expected = f"y = {_bits(want)}"
    shown = f"y = {_bits(got)}   (first difference at position {t}, base {seq[t]!r})"
    if got[t] == 1:
        return Problem(
            "the output must stay 0 until the motif has occurred; here it is 1 after "
            f"reading {seq[: t + 1]!r}, which does not contain {motif!r}",
            example,
            expected,
            shown,
            hints=(
                f"Follow {seq[: t + 1]!r} base by base on the machine you drew ({SECTION}): "
                "which state should it be in, and which units of your network are on?",
                f"A unit that stands for a longer match should fire only when the match one "
                f"letter shorter was there the step before and the right base comes now "
                f"({LOGIC}); check what reaches its threshold.",
            ),
        )
    if t > 0 and want[t - 1] == 1:
        return Problem(
            "once the motif has occurred, the output must stay 1 whatever comes next; "
            f"here it drops back to 0 at position {t}",
            example,
            expected,
            shown,
            hints=(
                f"Being bound is a state of the machine too ({SECTION}): which state follows "
                "it after each of the four bases?",
                "Look at what keeps the bound units on at the step after the motif: what "
                "do they receive from the previous hidden state when the base is not "
                "part of the motif?",
            ),
        )
    start = t - len(motif) + 1
    broken = [k for k in range(1, len(motif)) if seq[:start].endswith(motif[:k])]
    if broken:
        k = max(broken)
        return Problem(
            f"the output must switch on where the motif first ends (position {t}), also "
            f"when that occurrence begins inside an earlier partial match that breaks off "
            f"(the one starting at position {start - k})",
            example,
            expected,
            shown,
            hints=(
                f"Write the machine's state after every base of {seq[: t + 1]!r} by hand "
                f"({SECTION}), then compare with the units that are on in your network.",
                "When a partial match breaks off, the bases just read can already be the "
                "start of a new match: a self-overlapping motif does not always go back "
                "to the start state.",
            ),
        )
    return Problem(
        f"the output must switch on where the motif first ends (position {t})",
        example,
        expected,
        shown,
        hints=(
            f"Each step of a match is an AND of 'the previous state' and 'this base' "
            f"({LOGIC}); check the unit for each step of the match in turn.",
            "Check each unit's bias: with 0/1 inputs, which sums must reach the threshold "
            "and which must stay below it?",
        ),
    )


def _first_difference(motif_rnn_weights, motif: str, seq: str) -> Problem | None:
    net = ThresholdRNN(motif_rnn_weights(motif), dtype=torch.float64)
    y, _ = net(onehot(seq))
    truth = motif_seen(seq, motif)
    if torch.equal(y, truth.to(y.dtype)):
        return None
    return diagnose(motif, seq, y.tolist(), truth.tolist())


def _shapes(motif_rnn_weights) -> Problem | None:
    for motif in ("ACG", "A", "ACGTAC"):
        weights = motif_rnn_weights(motif)
        try:
            H = check_weights(weights)
        except (TypeError, ValueError) as error:
            return Problem(
                "the result must be a dict of tensors W_x (H,4), W_h (H,H), b (H,), h0 (H,), "
                "w_out (H,), b_out ()",
                f"motif {motif!r}",
                got=str(error),
            )
        if H > MAX_UNITS:
            return Problem(f"at most {MAX_UNITS} hidden units", f"motif {motif!r}", got=f"H = {H}")
    return None


def checks(motif_rnn_weights) -> PublicCheck:
    """Run the public checks on ``motif_rnn_weights`` (prints nothing)."""
    checks = PublicCheck("ex01_motif_fsm")
    checks.check(
        "returns a dict of tensors with the right shapes",
        lambda: _shapes(motif_rnn_weights),
        hints=("The task at the top of the notebook lists every key with its shape.",),
    )
    for motif, seq in PUBLIC_CASES:
        checks.check(
            f"motif {motif!r} on {seq!r}",
            lambda motif=motif, seq=seq: _first_difference(motif_rnn_weights, motif, seq),
        )
    return checks


def run(motif_rnn_weights) -> None:
    """Run the public checks on the student's ``motif_rnn_weights`` and print the report."""
    checks(motif_rnn_weights).report()
