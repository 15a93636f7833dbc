"""Hidden suite for ex01_motif_fsm (instructors only; never shipped to students).

The student's process only returns the weights: the network is *run here*, on the
trusted side, with the course's own threshold RNN in float64, and compared against
string search on sequences the student never sees.
"""

from __future__ import annotations

import pytest
import torch

from coursepkg.data.motifs import motif_seen
from coursepkg.models.threshold import WEIGHT_SHAPES, ThresholdRNN
from coursepkg.sequences import DNA, onehot, onehot_batch

SEED = 20260611  # hidden seed: the student's public checks use other inputs


def weights_for(submission, motif: str) -> dict:
    weights = submission.call("motif_rnn_weights", motif)
    assert isinstance(weights, dict), (
        f"motif_rnn_weights({motif!r}) must return a dict, got {type(weights).__name__}"
    )
    missing = sorted(set(WEIGHT_SHAPES) - set(weights))
    assert not missing, f"motif_rnn_weights({motif!r}) is missing {missing}"
    out = {}
    for name in WEIGHT_SHAPES:
        value = weights[name]
        assert isinstance(value, torch.Tensor), (
            f"{name} must be a torch tensor, got {type(value).__name__}"
        )
        out[name] = value.to(torch.float64)
    return out


def random_sequences(n: int, length: int, motif: str, gen: torch.Generator, plant: float = 0.5):
    idx = torch.randint(0, 4, (n, length), generator=gen)
    seqs = ["".join(DNA[i] for i in row) for row in idx.tolist()]
    for i in range(n):
        if torch.rand(1, generator=gen).item() < plant:
            start = int(torch.randint(0, length - len(motif) + 1, (1,), generator=gen))
            seqs[i] = seqs[i][:start] + motif + seqs[i][start + len(motif) :]
    return seqs


def wrong_count(weights: dict, motif: str, seqs: list[str]) -> int:
    """How many sequences the network gets wrong at one position or more."""
    y, _ = ThresholdRNN(weights, dtype=torch.float64)(onehot_batch(seqs))
    truth = torch.stack([motif_seen(s, motif) for s in seqs]).to(y.dtype)
    return int((y != truth).any(dim=1).sum())


def assert_exact(submission, motif: str, seqs: list[str], what: str) -> None:
    weights = weights_for(submission, motif)
    try:
        ThresholdRNN(weights)
    except (ValueError, TypeError) as error:
        pytest.fail(f"motif_rnn_weights({motif!r}): {error}")
    wrong = wrong_count(weights, motif, seqs)
    assert wrong == 0, (
        f"motif {motif!r}: wrong output on {wrong} of {len(seqs)} {what} "
        f"(the sequences are hidden). {public_example(weights, motif)}"
    )


def public_examples(motif: str) -> list[str]:
    """Small inputs made from the motif alone (nothing hidden): a plain match that must
    stay bound, matches after each partial match, and near misses."""
    examples = ["TT" + motif + "CATG" * 3]
    examples += [motif[:k] + motif for k in range(len(motif) - 1, 0, -1)]
    if len(motif) > 1:
        examples.append((motif[:-1] + "T") * 3)
    return examples


def public_example(weights: dict, motif: str) -> str:
    """Expected versus got on the first public example the network gets wrong."""
    net = ThresholdRNN(weights, dtype=torch.float64)
    for seq in public_examples(motif):
        y, _ = net(onehot(seq))
        want = motif_seen(seq, motif)
        if not torch.equal(y, want.to(y.dtype)):
            shown = lambda v: "".join(str(int(b)) for b in v.tolist())  # noqa: E731
            return f"On the public input {seq!r}: expected y = {shown(want)}, got y = {shown(y)}."
    return "It is right on short examples made from the motif; try longer sequences."


@pytest.mark.grade(
    points=1,
    hint="Return a dict with W_x (H,4), W_h (H,H), b (H,), h0 (H,), w_out (H,) and b_out (), as torch tensors, with H <= 256.",
)
def test_returns_weights_of_the_right_shapes(submission):
    for motif in ("ACG", "A", "ACGTAC"):
        weights = weights_for(submission, motif)
        H = weights["b"].shape[0] if weights["b"].dim() == 1 else None
        assert H is not None, f"b must have shape (H,), got {tuple(weights['b'].shape)}"
        for name, shape in WEIGHT_SHAPES.items():
            want = tuple(H if s == "H" else s for s in shape)
            got = tuple(weights[name].shape)
            assert got == want, f"motif {motif!r}: {name} has shape {got}, expected {want}"
        assert H <= 256, f"motif {motif!r}: {H} hidden units, more than 256"


@pytest.mark.grade(
    points=2,
    hint="Start from chapter 1's ACG machine: states s0..s3 and a bound state that holds itself.",
)
def test_detects_ACG(submission):
    gen = torch.Generator().manual_seed(SEED)
    assert_exact(submission, "ACG", random_sequences(500, 40, "ACG", gen), "random sequences")


@pytest.mark.grade(
    points=1,
    hint="A one-letter motif needs only 'seen it yet?': the first occurrence switches the output on.",
)
def test_single_base_motifs(submission):
    gen = torch.Generator().manual_seed(SEED + 1)
    for motif in ("T", "C"):
        assert_exact(
            submission, motif, random_sequences(200, 20, motif, gen, plant=0.2), "random sequences"
        )


@pytest.mark.grade(
    points=3,
    hint="After a mismatch, fall back to the longest part of the motif that still matches (in ACAC, ACA then A leaves A matched; ACA then C completes it).",
)
def test_self_overlapping_motifs(submission):
    gen = torch.Generator().manual_seed(SEED + 2)
    for motif in ("AAA", "ACAC", "AACAA", "GAGAG", "TTTTTT", "ACGACG", "CAGCA"):
        assert_exact(submission, motif, random_sequences(300, 50, motif, gen), "random sequences")


@pytest.mark.grade(
    points=2, hint="Near misses: partial matches that break off must not switch the output on."
)
def test_near_misses_do_not_fire(submission):
    gen = torch.Generator().manual_seed(SEED + 3)
    for motif in ("ACG", "AACAA", "TGTGC", "GATTACA"[:6]):
        pieces = [motif[:k] for k in range(1, len(motif))] + list(DNA)
        seqs = []
        for _ in range(300):
            order = torch.randint(0, len(pieces), (12,), generator=gen).tolist()
            seqs.append("".join(pieces[i] for i in order))
        length = min(len(s) for s in seqs)
        assert_exact(submission, motif, [s[:length] for s in seqs], "sequences of partial matches")


@pytest.mark.grade(
    points=2,
    hint="Once bound, stay bound: the state after a match must hold itself whatever comes next, even thousands of bases later.",
)
def test_stays_bound_on_long_sequences(submission):
    gen = torch.Generator().manual_seed(SEED + 4)
    for motif in ("ACG", "ATAT"):
        seqs = random_sequences(20, 2000, motif, gen, plant=0.0)
        seqs = [motif + s[len(motif) :] for s in seqs[:10]] + seqs[10:]
        assert_exact(submission, motif, seqs, "sequences of 2,000 bases")


@pytest.mark.grade(
    points=2,
    hint="Build the weights from the motif itself, so that every motif of length 1 to 6 works.",
)
def test_random_motifs(submission):
    gen = torch.Generator().manual_seed(SEED + 5)
    for _ in range(16):
        length = int(torch.randint(1, 7, (1,), generator=gen))
        motif = "".join(DNA[i] for i in torch.randint(0, 4, (length,), generator=gen).tolist())
        assert_exact(submission, motif, random_sequences(150, 40, motif, gen), "random sequences")
