"""Public check for ex01_motif_fsm: a threshold RNN that detects a motif and stays bound."""

from __future__ import annotations

import torch

from coursepkg.data.motifs import motif_seen
from coursepkg.models.threshold import ThresholdRNN, check_weights
from coursepkg.practice import PublicCheck
from coursepkg.sequences import onehot

PUBLIC_CASES = [
    ("ACG", "TTACGTTTT"),
    ("ACG", "ACACGA"),
    ("ACG", "TTTTTTTT"),
    ("AAA", "CAAAC"),
    ("ACAC", "TACACACT"),
]


def first_difference(motif: str, seq: str, weights: dict) -> str | None:
    """None if the network's outputs on ``seq`` match the truth, else where they differ."""
    y, _ = ThresholdRNN(weights, dtype=torch.float64)(onehot(seq))
    truth = motif_seen(seq, motif)
    for t, (got, want) in enumerate(zip(y.tolist(), truth.tolist(), strict=True)):
        if got != want:
            return (
                f"motif {motif!r} on {seq!r}: at position {t} ({seq[t]!r}) expected y={want:g}, "
                f"got y={got:g}"
            )
    return None


def run(motif_rnn_weights) -> int:
    """Run the public checks on the student's ``motif_rnn_weights``."""
    checks = PublicCheck("ex01_motif_fsm")

    def shapes():
        weights = motif_rnn_weights("ACG")
        H = check_weights(weights)
        return None if H <= 256 else f"H = {H} hidden units; at most 256 are allowed"

    checks.check(
        "returns a dict of tensors with the right shapes",
        "Keys W_x (H,4), W_h (H,H), b (H,), h0 (H,), w_out (H,), b_out (). ",
        shapes,
    )
    for motif, seq in PUBLIC_CASES:
        checks.check(
            f"motif {motif!r} on {seq!r}",
            "Write the machine's states first (how much of the motif is matched), then "
            "give each state the units it needs; a self-overlapping motif can fall back "
            "to a shorter partial match instead of to the start.",
            lambda motif=motif, seq=seq: first_difference(motif, seq, motif_rnn_weights(motif)),
        )
    return checks.report()
