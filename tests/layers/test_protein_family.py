"""A protein family: the next-residue model (coursepkg.models.residue_lm), judging sequences
against the family (coursepkg.analysis.homology) and conservation along its alignment
(coursepkg.analysis.conservation)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from coursepkg.analysis.conservation import AlignedFamily, mean_pairwise_distance
from coursepkg.analysis.homology import ProfileHMM, nearest_identity
from coursepkg.data import real
from coursepkg.models.residue_lm import END, IGNORE, ResidueLM, encode_family
from coursepkg.sequences import PROTEIN


@pytest.fixture(scope="module")
def fn3() -> AlignedFamily:
    return AlignedFamily.from_biopython(real.fn3_seed())


def test_encode_family_shifts_targets_by_one_and_ends_each_chain():
    x, targets = encode_family(["ACD", "WY"])
    assert x.shape == (2, 4, 20) and targets.shape == (2, 4)
    assert x[0, 0].sum() == 0 and x[0, 1, PROTEIN.index("A")] == 1
    assert targets[0].tolist() == [PROTEIN.index(c) for c in "ACD"] + [END]
    assert targets[1].tolist() == [PROTEIN.index("W"), PROTEIN.index("Y"), END, IGNORE]
    assert encode_family(["AXA"])[1][0, 1] == IGNORE  # nothing to predict at an unknown residue
    with pytest.raises(ValueError, match="empty"):
        encode_family(["AC", ""])


def test_log_probs_add_up_to_the_loss():
    torch.manual_seed(0)
    model = ResidueLM(hidden_size=8)
    seqs = ["ACDEFG", "KLMN"]
    x, targets = encode_family(seqs)
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(
            model(x).reshape(-1, 21), targets.reshape(-1), ignore_index=IGNORE, reduction="sum"
        )
        logp = model.log_probs(seqs)
    end = sum(  # the log-probability of the end of each chain
        torch.log_softmax(model(x), -1)[b, len(s), END] for b, s in enumerate(seqs)
    )
    assert [len(v) for v in logp] == [6, 4]
    torch.testing.assert_close(-(sum(v.sum() for v in logp) + end), loss)


def test_a_shorter_sequence_is_not_changed_by_padding():
    torch.manual_seed(0)
    model = ResidueLM(hidden_size=8)
    alone = model.log_probs(["ACDK"])[0]
    batched = model.log_probs(["ACDK", "ACDKLMNPQRST"])[0]
    torch.testing.assert_close(alone, batched)


def test_samples_are_reproducible_protein_sequences():
    torch.manual_seed(0)
    model = ResidueLM(hidden_size=8)
    first = model.sample(5, max_length=30, generator=torch.Generator().manual_seed(1))
    again = model.sample(5, max_length=30, generator=torch.Generator().manual_seed(1))
    assert first == again and all(set(s) <= set(PROTEIN) and len(s) <= 30 for s in first)
    with pytest.raises(ValueError, match="temperature"):
        model.sample(2, temperature=0.0)


def test_a_cold_sampler_follows_the_model():
    """With the read-out biased towards 'A then end', a low temperature writes exactly that."""
    model = ResidueLM(hidden_size=4)
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.zero_()
        model.readout.bias[PROTEIN.index("A")] = 5.0
    samples = model.sample(4, max_length=6, temperature=0.01)
    assert samples == ["AAAAAA"] * 4  # never ends: 'A' always wins, cut at max_length


def test_the_profile_hmm_recognises_the_family_and_not_its_shuffles(fn3):
    hmm = ProfileHMM(fn3.names, fn3.rows)
    members = fn3.sequences[:10]
    rng = np.random.default_rng(0)
    shuffles = ["".join(rng.permutation(list(s))) for s in members]
    member_bits, shuffled_bits = hmm.scores(members), hmm.scores(shuffles)
    assert np.all(member_bits >= 24.5)  # Pfam's gathering threshold for fn3
    assert np.all(np.isfinite(shuffled_bits)) and np.all(shuffled_bits < member_bits)
    assert hmm.scores(["", members[0]])[0] == -math.inf
    with pytest.raises(ValueError, match="not a protein"):
        hmm.scores(["ACD1"])


def test_nearest_identity():
    assert nearest_identity(["ACDEFGHIK"], ["WWWW", "ACDEFGHIK", "ACDEFGHIW"])[0] == 1.0
    assert nearest_identity(["ACDEFGHIK"], ["ACDEFGHIW"])[0] == pytest.approx(8 / 9)
    assert nearest_identity([""], ["ACD"])[0] == 0.0


def test_conservation_of_columns():
    rows = ["AC-W", "AD-W", "AE-Y", "AF-W"]
    family = AlignedFamily([f"s{i}" for i in range(4)], rows)
    columns, conservation = family.conservation(min_occupancy=0.5)
    assert columns.tolist() == [0, 1, 3]  # column 2 is all gaps
    assert conservation[0] == pytest.approx(1.0)  # one residue
    assert conservation[1] == pytest.approx(1 - math.log(4) / math.log(20))  # four, even
    assert family.sequences == ["ACW", "ADW", "AEY", "AFW"]
    assert family.residue_index[0].tolist() == [0, 1, -1, 2]
    per_residue = [np.arange(3) + 10 * k for k in range(4)]
    assert [v.tolist() for v in family.column_values(per_residue, [0, 1, 2, 3], columns)] == [
        [0, 10, 20, 30],
        [1, 11, 21, 31],
        [2, 12, 22, 32],
    ]


def test_mean_pairwise_distance():
    assert mean_pairwise_distance(np.array([[0.0, 0.0], [3.0, 4.0]])) == 5.0
    assert math.isnan(mean_pairwise_distance(np.zeros((1, 2))))
