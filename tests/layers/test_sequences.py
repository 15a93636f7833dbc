import pytest
import torch

from coursepkg.sequences import (
    COMPLEMENT,
    DNA,
    check_onehot,
    decode,
    onehot,
    onehot_batch,
    reverse_complement_str,
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


def test_string_reverse_complement_uses_the_pairing_and_keeps_n():
    assert reverse_complement_str("AACGTN") == "NACGTT"
    assert reverse_complement_str("acgt") == "ACGT"
    assert reverse_complement_str("AAR") == "YTT"  # IUPAC codes map to their complements
    seq = "GATTACANNC"
    assert reverse_complement_str(reverse_complement_str(seq)) == seq


def test_string_reverse_complement_names_a_bad_letter():
    with pytest.raises(ValueError, match=r"unknown dna letter 'U' at position 3"):
        reverse_complement_str("ACGU")


def test_the_complement_is_the_mirrored_channel_in_acgt_order():
    """The convention the one-hot code relies on: channel k pairs with channel 3 - k."""
    assert [DNA.index(COMPLEMENT[base]) for base in DNA] == [3, 2, 1, 0]
    x = onehot("ACGTN")
    assert decode(torch.flip(x, dims=(-1,))) == "TGCAN"  # complement, N stays a zero row


EXERCISE_FUNCTIONS = {
    "reverse_complement",
    "bidirectional_states",
    "rc_augment",
    "circular_two_pass",
    "circular_pad",
    "rotate",
}
"""ex07's and ex08's graded functions: none may be importable from coursepkg."""


def test_no_exercise_function_of_chapter_6_is_importable_from_the_package():
    import importlib
    import pkgutil

    import coursepkg

    found = []
    for module in pkgutil.walk_packages(coursepkg.__path__, "coursepkg."):
        if module.name.endswith("__main__") or ".grading." in module.name:
            continue  # the command line, and the grader (its own references live in tests)
        names = set(dir(importlib.import_module(module.name)))
        found += [f"{module.name}.{n}" for n in EXERCISE_FUNCTIONS & names]
    found += [f"coursepkg.{n}" for n in EXERCISE_FUNCTIONS & set(coursepkg.__all__)]
    assert found == []


def test_batch_of_unequal_lengths_is_refused():
    with pytest.raises(ValueError, match="one length"):
        onehot_batch(["ACG", "AC"])


def test_check_onehot_names_the_wrong_shape():
    with pytest.raises(ValueError, match=r"got shape \(4,\)"):
        check_onehot(torch.zeros(4))


def test_empty_sequence_encodes_to_zero_rows():
    assert onehot("").shape == (0, 4)
