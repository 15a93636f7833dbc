"""Chapter 3's measurements on small inputs: gradient norms, rates, truncation, a tiny study.

The chapter's claims are asserted on the values the book build recorded
(``test_recorded_claims.py``); nothing here trains the chapter's networks.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from coursepkg.chapters.ch03_vanishing_gradients import experiments as ch3
from coursepkg.chapters.ch03_vanishing_gradients.claims import CLAIMS, measure

TINY = dataclasses.replace(
    ch3.BOOK,
    hidden_decay=6,
    length_decay=12,
    n_seeds=2,
    distances=(2, 4),
    hidden=4,
    n_train=32,
    n_val=16,
    n_test=16,
    epochs=2,
    truncation=3,
)


def test_fitted_rates_are_slopes_against_steps_back():
    (result,) = ch3.gradient_decay(2, TINY, radii=(1.0,))
    k = len(result.tanh_norms) - np.arange(len(result.tanh_norms))
    for norms, rate in ((result.tanh_norms, result.tanh_rate), (result.linear_norms, 0.0)):
        residual = np.log(norms) - rate * k
        assert abs(np.polyfit(k, residual, 1)[0]) < 1e-9  # nothing left to fit
    assert abs(result.linear_rate) < 1e-10


def test_decay_of_a_normal_matrix_follows_its_radius():
    results = ch3.gradient_decay(0, TINY, radii=(0.7, 1.2))
    for r in results:
        assert abs(r.norm - r.radius) < 1e-12  # rho Q is normal
        k = len(r.linear_norms) - np.arange(len(r.linear_norms))
        np.testing.assert_allclose(r.linear_norms, r.radius**k, rtol=1e-10)
        assert abs(r.linear_rate - math.log(r.radius)) < 1e-10
        assert r.tanh_rate <= r.log_norm + 1e-12
        assert np.all(r.tanh_norms <= r.linear_norms * (1 + 1e-12))


def test_chain_matrix_grows_although_its_radius_is_below_one():
    normal, chain = ch3.nonnormal_growth(0, TINY)
    assert chain.radius == normal.radius == TINY.radii[0]
    assert chain.norm > 1 > chain.radius
    assert chain.linear_rate > 0 > normal.linear_rate


def test_decay_checks_measure_every_gradient_claim():
    checks = ch3.decay_checks(1, TINY)
    values = checks.claims()
    assert set(values) == {
        "ch03.linear_rate_matches",
        "ch03.tanh_rate_bounded",
        "ch03.tanh_vanishes_at_one",
        "ch03.nonnormal_grows",
    }
    assert values["ch03.linear_rate_matches"] < 1e-9
    assert values["ch03.tanh_rate_bounded"] <= 0
    assert ch3.decay_checks(1, TINY).claims() == values


def test_truncation_horizon_is_k():
    result = ch3.truncation_horizon(0, TINY)
    assert result.horizon == TINY.truncation
    assert result.full_horizon == len(result.reach)
    assert result.claims() == {"ch03.tbptt_horizon": 0}


def test_solved_stops_on_validation_accuracy():
    x = torch.eye(4)[torch.randint(0, 4, (8, 5))]
    y = torch.ones(8)

    class Always(torch.nn.Module):
        def __init__(self, logit):
            super().__init__()
            self.logit = logit

        def forward(self, x):
            return torch.full((x.shape[0],), self.logit)

    assert ch3.solved(x, y, 0.99)(Always(1.0))
    assert not ch3.solved(x, y, 0.99)(Always(-1.0))


def test_a_tiny_study_is_reproducible_and_paired():
    a = ch3.distal_study([3, 4], TINY, processes=1)
    b = ch3.distal_study([3, 4], TINY, processes=1)
    np.testing.assert_array_equal(a.rnn, b.rnn)
    np.testing.assert_array_equal(a.lstm, b.lstm)
    assert a.rnn.shape == a.lstm.shape == (2, 2) and a.truncated.shape == (2,)
    values = a.claims()
    np.testing.assert_allclose(values["ch03.rnn_far_below_lstm"][0], a.lstm[1] - a.rnn[1])
    with pytest.raises(ValueError, match="no runs at distance"):
        a.at("rnn", 60)
    assert [row["distance (bases)"] for row in ch3.accuracy_table(a)] == [2, 4]


def test_the_lstm_starts_with_the_chapters_gate_biases():
    from coursepkg.models import LastStateClassifier

    model = LastStateClassifier("lstm", 4, 3, forget_bias=6.0, input_bias=-3.0)
    H = 3
    assert torch.all(model.rnn.bias_ih_l0[:H] == -3.0)
    assert torch.all(model.rnn.bias_ih_l0[H : 2 * H] == 6.0)
    assert torch.all(model.rnn.bias_hh_l0[: 2 * H] == 0.0)
    with pytest.raises(ValueError, match="input_bias applies"):
        LastStateClassifier("rnn", 4, 3, input_bias=-3.0)


def test_measure_returns_every_declared_claim(monkeypatch):
    monkeypatch.setattr(ch3, "BOOK", dataclasses.replace(TINY, distances=(2, 60), n_seeds=2))
    monkeypatch.setattr(ch3, "submit_seeds", _serial)
    measured = measure(300)
    assert set(measured) == {c.id for c in CLAIMS}
    assert list(measured["ch03.lstm_far"][1]) == [300, 301]


def _serial(fn, seeds, processes=2, **kwargs):
    from coursepkg.seeds import submit_seeds

    return submit_seeds(fn, seeds, processes=1, **kwargs)
