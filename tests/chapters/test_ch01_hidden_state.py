"""Chapter 1's claims, checked with the same calls the chapter makes (book/01_hidden_state)."""

import numpy as np
import pytest
import torch

from coursepkg.chapters.ch01_hidden_state.experiments import (
    check_fsm_exact,
    fsm_states,
    state_cluster_purity,
    train_motif_rnn,
    transition_table,
)
from coursepkg.claims import check
from coursepkg.models import acg_detector
from coursepkg.sequences import onehot


@pytest.fixture(scope="module")
def short_run():
    """The chapter's trained network: 20-base sequences, half with ACG planted."""
    return train_motif_rnn(hidden=8, n=2000, length=20, plant=0.5, epochs=15, seed=0)


@pytest.fixture(scope="module")
def long_run():
    """The chapter's failed run: 50-base sequences as they come."""
    return train_motif_rnn(hidden=8, n=2000, length=50, plant=0.0, epochs=15, seed=0)


def test_hand_built_detector_agrees_with_string_search_everywhere():
    exact = check_fsm_exact(n=5000, length=60, seed=11)
    assert exact.n_positions == 5000 * 60
    assert check("ch01.fsm_exact", exact.mismatches)


def test_weakened_self_connection_forgets_the_motif():
    forgetful = acg_detector()
    forgetful["W_h"][2, 2] = 1.0
    weak = check_fsm_exact(n=5000, length=60, seed=11, weights=forgetful)
    assert check("ch01.self_connection_needed", weak.error_rate)


def test_trained_rnn_is_near_perfect_on_longer_sequences(short_run):
    assert short_run.train_length == 20
    assert check("ch01.trained_accuracy", short_run.test_accuracy)


def test_training_directly_on_long_sequences_stalls(long_run):
    assert check("ch01.long_training_stalls", long_run.gain_over_constant)


def test_trained_hidden_states_cluster_by_machine_state(short_run):
    trained = state_cluster_purity(short_run.model, k=4, seed=0)
    assert check("ch01.state_purity", trained.purity)


def test_untrained_control_is_clearly_worse(short_run):
    trained = state_cluster_purity(short_run.model, k=4, seed=0)
    control = state_cluster_purity(short_run.untrained, k=4, seed=0)
    assert check("ch01.purity_over_control", trained.purity - control.purity)
    # The control must not itself pass the purity claim, or the comparison means nothing.
    with pytest.raises(AssertionError, match="ch01.state_purity"):
        check("ch01.state_purity", control.purity)


def test_untrained_copy_keeps_the_initial_weights(short_run):
    trained = dict(short_run.model.named_parameters())
    for name, initial in short_run.untrained.named_parameters():
        assert not torch.equal(initial, trained[name]), f"{name} did not change in training"


def test_transition_table_is_the_acg_machine():
    A, C, G, T = range(4)
    expected = np.zeros((4, 4), dtype=int)
    expected[:, A] = 1  # an A always means "saw A" ...
    expected[1, C] = 2
    expected[2, G] = 3
    expected[3, :] = 3  # ... except in the absorbing bound state
    np.testing.assert_array_equal(transition_table(), expected)


def test_fsm_states_follow_the_sequence():
    states = fsm_states(onehot("TACAGACGT").unsqueeze(0))[0]
    assert states.tolist() == [0, 1, 2, 1, 0, 1, 2, 3, 3]


def test_experiments_are_reproducible():
    a = train_motif_rnn(n=100, length=10, epochs=1, seed=5)
    b = train_motif_rnn(n=100, length=10, epochs=1, seed=5)
    for (name, x), (_, y) in zip(
        a.model.state_dict().items(), b.model.state_dict().items(), strict=True
    ):
        assert torch.equal(x, y), name
    assert check_fsm_exact(n=50, seed=1) == check_fsm_exact(n=50, seed=1)


def test_purity_result_shapes(short_run):
    result = state_cluster_purity(short_run.model, k=3, n=20, length=10)
    assert result.hidden.shape == (200, 8)
    assert result.states.shape == result.clusters.shape == (200,)
    assert result.table.sum() == 200
    assert result.majority_share <= result.purity <= 1.0
