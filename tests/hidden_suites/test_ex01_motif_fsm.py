"""Hidden suite for ex01_motif_fsm (instructors only; never shipped to students).

Self-contained: the student's process only returns the weights. The network is run *here*,
in float64, by the threshold recurrence written out below, and compared with plain string
search on sequences drawn from a hidden seed. A failure names the property that failed and
shows a small public counterexample: one made from the motif alone, or else the shortest
end of the failing hidden sequence that still fails, with the expected and the actual
outputs (the diagnosis is the public check's, so the words are the same in both places).
"""

from __future__ import annotations

import pytest
import torch

from coursepkg.practice.ex01_motif_fsm import diagnose

SEED = 20260611  # hidden seed: the student's public checks use other inputs
DNA = "ACGT"
MAX_UNITS = 256
SHAPES = {
    "W_x": ("H", 4),
    "W_h": ("H", "H"),
    "b": ("H",),
    "h0": ("H",),
    "w_out": ("H",),
    "b_out": (),
}
SHRINK_LIMIT = 80  # hidden counterexamples longer than this are described, not shrunk


def fail(message: str) -> None:
    """Fail the test with ``message`` as the student's feedback (shown as it is)."""
    raise AssertionError(message)


def seen(seq: str, motif: str) -> list[int]:
    """The truth: 1 at t when ``motif`` ends at or before t in ``seq`` (string search)."""
    first = seq.find(motif)
    end = len(seq) if first < 0 else first + len(motif) - 1
    return [int(t >= end) for t in range(len(seq))]


def onehot(seqs: list[str]) -> torch.Tensor:
    """``(B, L, 4)`` float64 one-hot in ACGT order (all sequences of one length)."""
    index = torch.tensor([[DNA.index(base) for base in seq] for seq in seqs])
    return torch.nn.functional.one_hot(index, 4).to(torch.float64)


def run(weights: dict, seqs: list[str]) -> torch.Tensor:
    """Outputs ``(B, L)`` of the threshold RNN h_t = step(W_h h_{t-1} + W_x x_t + b)."""
    x = onehot(seqs)
    h = weights["h0"].expand(len(seqs), -1)
    drive = x @ weights["W_x"].T + weights["b"]  # (B, L, H)
    outputs = []
    for t in range(x.shape[1]):
        h = (drive[:, t] + h @ weights["W_h"].T > 0).to(torch.float64)
        outputs.append((h @ weights["w_out"] + weights["b_out"] > 0).to(torch.float64))
    return torch.stack(outputs, dim=1)


def outputs(weights: dict, seq: str) -> list[int]:
    return [int(v) for v in run(weights, [seq])[0].tolist()]


def weights_for(submission, motif: str) -> dict:
    """The student's weights for ``motif``, checked and converted to float64 here."""
    weights = submission.call("motif_rnn_weights", motif)
    call = f"motif_rnn_weights({motif!r})"
    if not isinstance(weights, dict):
        fail(f"{call} must return a dict of tensors, got {type(weights).__name__}")
    missing = sorted(set(SHAPES) - set(weights))
    if missing:
        fail(f"{call} returned a dict without {missing}; it needs {sorted(SHAPES)}")
    out = {}
    for name in SHAPES:
        if not isinstance(weights[name], torch.Tensor):
            fail(f"{call}: {name} must be a torch tensor, got {type(weights[name]).__name__}")
        out[name] = weights[name].detach().to(torch.float64)
    if out["b"].dim() != 1:
        fail(f"{call}: b must have shape (H,), got {tuple(out['b'].shape)}")
    H = out["b"].shape[0]
    for name, shape in SHAPES.items():
        want = tuple(H if s == "H" else s for s in shape)
        if tuple(out[name].shape) != want:
            fail(
                f"{call}: {name} has shape {tuple(out[name].shape)}; with H = {H} hidden units "
                f"it must be {want}"
            )
        if not bool(torch.isfinite(out[name]).all()):
            fail(f"{call}: {name} holds values that are not finite (nan or inf)")
    if H > MAX_UNITS:
        fail(f"{call}: {H} hidden units; at most {MAX_UNITS} are allowed")
    return out


def random_sequences(n: int, length: int, motif: str, gen: torch.Generator, plant: float = 0.5):
    idx = torch.randint(0, 4, (n, length), generator=gen)
    seqs = ["".join(DNA[i] for i in row) for row in idx.tolist()]
    for i in range(n):
        if torch.rand(1, generator=gen).item() < plant:
            start = int(torch.randint(0, length - len(motif) + 1, (1,), generator=gen))
            seqs[i] = seqs[i][:start] + motif + seqs[i][start + len(motif) :]
    return seqs


def public_examples(motif: str) -> list[str]:
    """Small inputs made from the motif alone (nothing hidden): a plain match that must
    stay bound, matches right after each partial match, and near misses."""
    examples = ["TT" + motif + "CATG" * 3]
    examples += [motif[:k] + motif for k in range(len(motif) - 1, 0, -1)]
    examples += [motif[:k] + motif[j:] for k in range(1, len(motif)) for j in range(1, k + 1)]
    if len(motif) > 1:
        examples.append((motif[:-1] + "T") * 3)
    return examples


def fails(weights: dict, motif: str, seq: str) -> bool:
    return outputs(weights, seq) != seen(seq, motif)


def shrink(weights: dict, motif: str, seq: str) -> str | None:
    """The shortest end of ``seq`` (cut at its first error) that still fails, or None when
    the failing stretch is too long to show."""
    got, want = outputs(weights, seq), seen(seq, motif)
    seq = seq[: next(t for t, (g, w) in enumerate(zip(got, want, strict=True)) if g != w) + 1]
    if len(seq) > SHRINK_LIMIT:
        return None
    while len(seq) > 1 and fails(weights, motif, seq[1:]):
        seq = seq[1:]
        got, want = outputs(weights, seq), seen(seq, motif)
        seq = seq[: next(t for t, (g, w) in enumerate(zip(got, want, strict=True)) if g != w) + 1]
    return seq


def assert_exact(submission, motif: str, seqs: list[str], what: str) -> None:
    """Every output on every sequence must match string search."""
    weights = weights_for(submission, motif)
    y = run(weights, seqs)
    truth = torch.tensor([seen(s, motif) for s in seqs], dtype=torch.float64)
    wrong = [i for i in range(len(seqs)) if not torch.equal(y[i], truth[i])]
    if not wrong:
        return
    lead = (
        f"motif_rnn_weights({motif!r}): the network's output is wrong on {len(wrong)} of "
        f"{len(seqs)} {what} (hidden)."
    )
    example = next((s for s in public_examples(motif) if fails(weights, motif, s)), None)
    if example is None:
        example = shrink(weights, motif, min((seqs[i] for i in wrong), key=len))
    if example is None:
        seq = seqs[wrong[0]]
        got, want = outputs(weights, seq), seen(seq, motif)
        t = next(t for t, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
        fail(
            f"{lead}\nOn a hidden sequence of {len(seq):,} bases the first wrong output is at "
            f"position {t:,}: expected y = {want[t]}, got y = {got[t]}"
            + (f" (the motif ended at position {want.index(1):,})." if 1 in want else ".")
        )
    problem = diagnose(motif, example, outputs(weights, example), seen(example, motif))
    fail("\n".join([lead, *problem.lines(), f"What to look at: {problem.hints[0]}"]))


@pytest.mark.grade(
    points=1,
    hint="The task at the top of the notebook lists each key with its shape; every tensor uses the same H (at most 256).",
)
def test_returns_weights_of_the_right_shapes(submission):
    for motif in ("ACG", "A", "ACGTAC"):
        weights_for(submission, motif)


@pytest.mark.grade(
    points=2,
    hint='Start from the ACG machine of chapter 1, "A toy binding problem": a state for each part of the motif matched so far, and the bound state.',
)
def test_detects_ACG(submission):
    gen = torch.Generator().manual_seed(SEED)
    assert_exact(submission, "ACG", random_sequences(500, 40, "ACG", gen), "random sequences")


@pytest.mark.grade(
    points=1,
    hint='A one-letter motif needs two states: not seen yet, and seen (chapter 1, "A toy binding problem").',
)
def test_single_base_motifs(submission):
    gen = torch.Generator().manual_seed(SEED + 1)
    for motif in ("T", "C"):
        assert_exact(
            submission, motif, random_sequences(200, 20, motif, gen, plant=0.2), "random sequences"
        )


@pytest.mark.grade(
    points=3,
    hint='Draw the machine for the motif of the counterexample and follow the input through it base by base (chapter 1, "A toy binding problem"): where does each mismatch lead?',
)
def test_self_overlapping_motifs(submission):
    gen = torch.Generator().manual_seed(SEED + 2)
    for motif in ("AAA", "ACAC", "AACAA", "GAGAG", "TTTTTT", "ACGACG", "CAGCA"):
        assert_exact(submission, motif, random_sequences(300, 50, motif, gen), "random sequences")


@pytest.mark.grade(
    points=2,
    hint='Partial matches that break off must not switch the output on (chapter 1, "Threshold units compute logic").',
)
def test_near_misses_do_not_fire(submission):
    gen = torch.Generator().manual_seed(SEED + 3)
    for motif in ("ACG", "AACAA", "TGTGC", "GATTAC"):
        pieces = [motif[:k] for k in range(1, len(motif))] + list(DNA)
        seqs = []
        for _ in range(300):
            order = torch.randint(0, len(pieces), (12,), generator=gen).tolist()
            seqs.append("".join(pieces[i] for i in order))
        length = min(len(s) for s in seqs)
        assert_exact(submission, motif, [s[:length] for s in seqs], "sequences of partial matches")


@pytest.mark.grade(
    points=2,
    hint='Once bound, always bound, even thousands of bases later (chapter 1, "A toy binding problem").',
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
