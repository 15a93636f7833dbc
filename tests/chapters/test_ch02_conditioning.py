"""Chapter 2's ensemble of four views of h0, and its experiment on small inputs.

The chapter's claims are asserted on the values the book build recorded
(``test_recorded_claims.py``); nothing here trains the chapter's 40 networks.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from coursepkg.chapters.ch02_conditioning import experiments as ch2
from coursepkg.chapters.ch02_conditioning.claims import CLAIMS, measure
from coursepkg.data.expression import ExpressionSimulator
from coursepkg.models.conditioned import (
    VIEWS,
    ConditioningEnsemble,
    condition_features,
    view_mask,
)

TINY = dataclasses.replace(ch2.BOOK, n_seeds=2, n_train=24, n_test=16, hidden=8, epochs=2)


@pytest.fixture(scope="module")
def data():
    return ExpressionSimulator(n_types=3, n_genes=5, n_omics=4, length=6, seed=1).sample(6, 2)


def _ensemble(seeds=(1, 1, 1, 1)):
    return ConditioningEnsemble(VIEWS, seeds, n_genes=5, n_types=3, n_omics=4, hidden=8, width=6)


def _inputs(data, members=4):
    q = condition_features(data.cell_type, data.z, 3)
    x = data.x[:, :-1]
    return x.expand(members, -1, -1, -1), q.expand(members, -1, -1)


def test_each_view_reads_only_what_it_may(data):
    model = _ensemble()
    x, q = _inputs(data)
    h0 = model.initial_state(q)  # (4, B, H)
    zero, shared, typed, omics = h0
    assert torch.equal(zero, torch.zeros_like(zero))
    assert torch.allclose(shared, shared[0].expand_as(shared))  # one vector for every cell
    types = data.cell_type
    for a in range(len(types)):
        for b in range(len(types)):
            same = torch.allclose(typed[a], typed[b])
            assert same == bool(types[a] == types[b])  # a vector per cell type, nothing more
    assert not torch.allclose(omics[0], omics[1])  # z differs from cell to cell
    assert model(x, q).shape == (4, len(types), 5, 5)


def test_members_with_one_seed_share_their_weights_and_differ_only_in_the_mask():
    model = _ensemble((1, 1, 2, 1))
    assert torch.equal(model.W_h[0], model.W_h[1]) and torch.equal(model.U[0], model.U[3])
    assert not torch.equal(model.W_h[0], model.W_h[2])
    assert view_mask("omics", 3, 4).tolist() == [1, 0, 0, 0, 1, 1, 1, 1]


def test_bad_inputs_are_named(data):
    model = _ensemble()
    x, q = _inputs(data)
    with pytest.raises(ValueError, match="x must be"):
        model(x[:, :, :, :4], q)
    with pytest.raises(ValueError, match="q must be"):
        model(x, q[:, :, :5])
    with pytest.raises(TypeError, match="integers"):
        condition_features(data.cell_type.float(), data.z, 3)
    with pytest.raises(ValueError, match="lie in"):
        condition_features(data.cell_type + 3, data.z, 3)
    with pytest.raises(ValueError, match="view must be"):
        view_mask("embedding_of_type", 3, 4)
    with pytest.raises(ValueError, match="one seed per view"):
        ConditioningEnsemble(VIEWS, (1, 2), 5, 3, 4)


def test_a_tiny_comparison_is_reproducible_and_paired():
    a = ch2.compare_initial_states([4, 5], TINY)
    b = ch2.compare_initial_states([4, 5], TINY)
    np.testing.assert_array_equal(a.errors, b.errors)
    T = ch2.simulator(4).length
    assert a.errors.shape == (2, 4, T - 1)
    assert a.predictions.shape == (2, 4, TINY.n_test, T - 1, 6)
    values = a.claims()
    assert set(values) == {c.id for c in CLAIMS}
    for claim_values, seeds in values.values():
        assert len(claim_values) == 2 and list(seeds) == [4, 5]
    assert np.all(a.readout_rms > 0) and np.all(a.measurement_rms > 0)
    rows = ch2.error_table(a)
    assert [row["h0"] for row in rows] == [ch2.LABELS[v] for v in VIEWS]


def test_start_readout_recovers_the_start_from_z():
    train, test = ch2.data_for(3, TINY)
    from_z, from_x0 = ch2.start_readout(train, test)
    assert from_z < from_x0  # z is a sharper read-out of s_0 than one noisy measurement


def test_measure_returns_every_declared_claim(monkeypatch):
    monkeypatch.setattr(ch2, "BOOK", TINY)
    measured = measure(200)
    assert set(measured) == {c.id for c in CLAIMS}
    assert list(measured["ch02.type_beats_zero_early"][1]) == [200, 201]
