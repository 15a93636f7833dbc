"""Chapter 1's experiments on small inputs: the machine, the checks, a tiny training study.

The chapter's claims themselves are asserted on the values the book build recorded
(``test_recorded_claims.py``); nothing here trains the chapter's networks.
"""

import dataclasses

import numpy as np
import pytest
import torch

from coursepkg.chapters.ch01_hidden_state import experiments as ch1
from coursepkg.chapters.ch01_hidden_state.claims import CLAIMS, measure
from coursepkg.sequences import onehot

TINY = dataclasses.replace(
    ch1.BOOK,
    n_seeds=2,
    n_train=64,
    epochs=2,
    regimes=((10, 0.5), (10, 0.0), (12, 0.0)),
    held_out_n=20,
    held_out_length=12,
    cluster_sequences=10,
    k=3,
    restarts=2,
    check_n=50,
    check_length=30,
)


@pytest.fixture(scope="module")
def tiny_study():
    return ch1.train_motif_networks([3, 4], TINY)


def test_transition_table_is_the_acg_machine():
    A, C, G, T = range(4)
    expected = np.zeros((4, 4), dtype=int)
    expected[:, A] = 1  # an A always means "saw A" ...
    expected[1, C] = 2
    expected[2, G] = 3
    expected[3, :] = 3  # ... except in the absorbing bound state
    np.testing.assert_array_equal(ch1.transition_table(), expected)


def test_fsm_states_follow_the_sequence():
    states = ch1.fsm_states(onehot("TACAGACGT").unsqueeze(0))[0]
    assert states.tolist() == [0, 1, 2, 1, 0, 1, 2, 3, 3]


def test_detector_checks_count_disagreements_on_the_same_sequences():
    checks = ch1.detector_checks(7, TINY)
    assert checks.exact.n_positions == checks.weakened.n_positions == 50 * 30
    assert checks.exact.mismatches == 0
    assert checks.weakened.mismatches > 0
    assert ch1.weakened_detector()["W_h"][2, 2] == 1.0
    values = checks.claims()
    assert set(values) == {"ch01.fsm_exact", "ch01.self_connection_needed"}
    assert ch1.detector_checks(7, TINY).claims() == values  # same seed, same sequences


def test_a_tiny_study_is_reproducible_and_shaped(tiny_study):
    again = ch1.train_motif_networks([3, 4], TINY)
    np.testing.assert_array_equal(tiny_study.accuracy, again.accuracy)
    np.testing.assert_array_equal(tiny_study.losses, again.losses)
    assert tiny_study.accuracy.shape == (3, 2)
    assert tiny_study.losses.shape == (3, 2, TINY.epochs)
    assert np.all((tiny_study.accuracy >= 0) & (tiny_study.accuracy <= 1))


def test_regimes_of_one_seed_start_from_the_same_weights(tiny_study):
    a = tiny_study.untrained_network((10, 0.5), 1)
    b = tiny_study.untrained_network((12, 0.0), 1)
    other_seed = tiny_study.untrained_network((10, 0.5), 0)
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)
    assert not torch.equal(a.rnn.weight_hh_l0, other_seed.rnn.weight_hh_l0)
    trained = tiny_study.network((10, 0.5), 1)
    assert not torch.equal(a.rnn.weight_hh_l0, trained.rnn.weight_hh_l0)


def test_a_study_depends_on_its_seeds(tiny_study):
    other = ch1.train_motif_networks([5, 4], TINY)
    assert not np.array_equal(tiny_study.losses[:, 0], other.losses[:, 0])
    np.testing.assert_array_equal(tiny_study.losses[:, 1], other.losses[:, 1])


def test_unknown_regime_is_named(tiny_study):
    with pytest.raises(ValueError, match="no regime"):
        tiny_study.gain((50, 0.5))


def test_purity_study_pairs_trained_and_untrained(tiny_study):
    purity = ch1.purity_study(tiny_study, TINY, regime=(10, 0.5))
    assert purity.trained.shape == purity.untrained.shape == (2,)
    assert np.all(purity.majority_share <= purity.trained + 1e-12)
    trained, control = purity.example
    assert trained.hidden.shape == (10 * 12, TINY.hidden)
    assert trained.table.sum() == 10 * 12
    assert trained.table.shape[0] <= TINY.k
    values = purity.claims()
    np.testing.assert_allclose(
        values["ch01.purity_over_control"][0], purity.trained - purity.untrained
    )


def test_measure_returns_every_declared_claim(monkeypatch):
    """``measure`` (what ``coursepkg claims`` runs) measures every claim, on tiny settings."""
    small = dataclasses.replace(TINY, regimes=ch1.BOOK.regimes, n_train=32, epochs=1)
    monkeypatch.setattr(ch1, "BOOK", small)
    measured = measure(100)
    assert set(measured) == {c.id for c in CLAIMS}
    values, seeds = measured["ch01.trained_accuracy"]
    assert list(seeds) == [100, 101] and len(values) == 2
