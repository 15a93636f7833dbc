import pytest
import torch

from coursepkg.sequences import (
    check_onehot,
    decode,
    onehot,
    onehot_batch,
    reverse_complement,
    reverse_complement_str,
    rotate,
    validate,
)


def test_dna_onehot_uses_acgt_channel_order():
    x = onehot("ACGT")
    assert torch.equal(x, torch.eye(4))


def test_ambiguous_bases_become_zero_rows():
    x = onehot("ANR")
    assert x[1].sum() == 0 and x[2].sum() == 0 and x[0, 0] == 1


def test_lower_case_is_accepted():
    assert torch.equal(onehot("acgt"), onehot("ACGT"))


def test_unknown_letter_is_named_with_its_position():
    with pytest.raises(ValueError, match=r"unknown dna letter 'X' at position 2"):
        onehot("ACXG")


def test_protein_alphabet_has_twenty_channels_in_order():
    x = onehot("ACDEFGHIKLMNPQRSTVWY", alphabet="protein")
    assert torch.equal(x, torch.eye(20))
    with pytest.raises(ValueError, match="unknown protein letter 'B'|position"):
        onehot("AC1", alphabet="protein")


def test_non_string_input_is_a_type_error():
    with pytest.raises(TypeError, match="expected a sequence as str"):
        validate(["A", "C"])


def test_unknown_alphabet_is_named():
    with pytest.raises(ValueError, match="unknown alphabet 'rna'"):
        onehot("ACGU", alphabet="rna")


def test_reverse_complement_matches_the_string_version():
    assert reverse_complement_str("AACGTN") == "NACGTT"
    x = onehot("AACGTTGGC")
    assert decode(reverse_complement(x)) == "GCCAACGTT"


def test_reverse_complement_keeps_n_rows_zero_and_is_an_involution():
    x = onehot_batch(["ACNGT", "TTNAA"])
    rc = reverse_complement(x)
    assert rc[:, 2].sum() == 0
    assert torch.equal(reverse_complement(rc), x)


def test_reverse_complement_rejects_protein_shapes():
    with pytest.raises(ValueError, match="expected 4 channels"):
        reverse_complement(torch.zeros(5, 20))


def test_rotate_has_the_meaning_of_torch_roll():
    x = onehot("ACGTT")
    out = rotate(x, 2)
    for i in range(5):
        assert torch.equal(out[(i + 2) % 5], x[i])
    assert decode(rotate(x, -1)) == "CGTTA"


def test_batch_of_unequal_lengths_is_refused():
    with pytest.raises(ValueError, match="one length"):
        onehot_batch(["ACG", "AC"])


def test_check_onehot_names_the_wrong_shape():
    with pytest.raises(ValueError, match=r"got shape \(4,\)"):
        check_onehot(torch.zeros(4))


def test_empty_sequence_encodes_to_zero_rows():
    assert onehot("").shape == (0, 4)
