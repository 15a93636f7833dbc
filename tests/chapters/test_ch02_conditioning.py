"""Chapter 2's conditioned models and claims."""

from __future__ import annotations

import pytest
import torch

from coursepkg import claims
from coursepkg.chapters.ch02_conditioning import experiments as ch2
from coursepkg.models import ConditionedRNN


def test_shapes_and_initial_states():
    x = torch.randn(5, 7, 6)
    types = torch.tensor([0, 1, 2, 1, 0])
    z = torch.randn(5, 10)
    for init, cond in (("zero", types), ("shared", types), ("embedding", types), ("mlp", z)):
        model = ConditionedRNN(6, 16, init, n_types=3, n_omics=10)
        assert model(x, cond).shape == (5, 7, 6)
        assert model.initial_state(cond).shape == (5, 16)
    emb = ConditionedRNN(6, 16, "embedding", n_types=3)
    h0 = emb.initial_state(types)
    assert torch.equal(h0[1], h0[3]) and not torch.equal(h0[0], h0[1])


def test_conditioned_h0_changes_the_first_prediction():
    model = ConditionedRNN(6, 16, "embedding", n_types=3)
    x = torch.randn(1, 4, 6).expand(3, -1, -1)
    y = model(x, torch.arange(3))
    assert (y[:, 0] - y[0, 0]).abs().max() > 0


def test_bad_inputs_are_named():
    model = ConditionedRNN(6, 16, "embedding", n_types=3)
    with pytest.raises(ValueError, match="x must be"):
        model(torch.randn(2, 4, 5), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="integer"):
        model.initial_state(torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="kind"):
        ConditionedRNN(6, 16, "learned")


@pytest.mark.slow
def test_conditioning_claims():
    runs, _ = ch2.compare_initial_states(n_train=600, n_test=1000, seed=0, epochs=25)
    for claim_id, value in ch2.claim_values(runs).items():
        claims.check(claim_id, value)
