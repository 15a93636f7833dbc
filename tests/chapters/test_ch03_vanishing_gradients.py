"""Chapter 3's gradient analysis and claims."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from coursepkg import claims
from coursepkg.analysis.gradients import (
    autograd_jacobian_norms,
    decay_rate,
    gradient_horizon,
    input_gradient_reach,
    jacobian_norms,
    recurrent_matrix,
    rnn_jacobian_norms,
)
from coursepkg.chapters.ch03_vanishing_gradients import experiments as ch3
from coursepkg.models import LastStateClassifier


def net(H, D, T, radius, seed):
    gen = torch.Generator().manual_seed(seed)
    W_h = recurrent_matrix(H, radius, seed=seed, kind="gaussian")
    W_x = torch.randn(H, D, generator=gen, dtype=torch.float64)
    b = 0.1 * torch.randn(H, generator=gen, dtype=torch.float64)
    x = torch.randn(T, D, generator=gen, dtype=torch.float64)
    h0 = 0.5 * torch.randn(H, generator=gen, dtype=torch.float64)
    return W_h, W_x, b, x, h0


@pytest.mark.parametrize("H,D,T,radius", [(3, 2, 5, 0.8), (10, 4, 15, 1.0), (16, 3, 20, 1.4)])
def test_chain_rule_norms_match_autograd(H, D, T, radius):
    args = net(H, D, T, radius, seed=H)
    torch.testing.assert_close(
        jacobian_norms(*args), autograd_jacobian_norms(*args), rtol=1e-9, atol=1e-14
    )


def test_recurrent_matrix_has_the_requested_spectral_radius():
    for kind in ("orthogonal", "gaussian"):
        W = recurrent_matrix(20, 1.3, seed=1, kind=kind)
        assert abs(torch.linalg.eigvals(W).abs().max().item() - 1.3) < 1e-9


def test_linear_norms_are_powers_of_the_radius():
    W_h, W_x, b, x, h0 = net(8, 3, 12, 0.7, seed=2)
    W_h = recurrent_matrix(8, 0.7, seed=2)  # scaled orthogonal: ||W^k|| = 0.7^k
    norms = jacobian_norms(W_h, W_x, b, x, h0, linear=True)
    torch.testing.assert_close(norms, 0.7 ** (12 - torch.arange(12, dtype=torch.float64)))
    assert abs(decay_rate(norms) - math.log(0.7)) < 1e-10


def test_decay_rate_is_the_slope_against_steps_back():
    norms = 3.0 * np.exp(-0.25 * (10 - np.arange(10)))
    assert abs(decay_rate(norms) + 0.25) < 1e-12
    with pytest.raises(ValueError):
        decay_rate([1.0, 0.0, 2.0])


def test_bad_shapes_are_named():
    W_h, W_x, b, x, h0 = net(4, 2, 3, 0.9, seed=0)
    with pytest.raises(ValueError, match="W_x"):
        jacobian_norms(W_h, W_x.T, b, x, h0)


def test_rnn_module_norms_use_its_weights():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(4, 6, batch_first=True)
    x = torch.randn(9, 4)
    b = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().double()
    args = (
        rnn.weight_hh_l0.detach().double(),
        rnn.weight_ih_l0.detach().double(),
        b,
        x.double(),
        torch.zeros(6, dtype=torch.float64),
    )
    torch.testing.assert_close(rnn_jacobian_norms(rnn, x), autograd_jacobian_norms(*args))


def test_truncated_bptt_reaches_exactly_k_positions():
    torch.manual_seed(0)
    model = LastStateClassifier("lstm", 4, 8)
    x = torch.eye(4)[torch.randint(0, 4, (23,))]
    for k in (1, 5, 10):
        assert gradient_horizon(input_gradient_reach(model, x, k)) == k
    assert gradient_horizon(input_gradient_reach(model, x, None)) == 23
    with torch.no_grad():  # the forward values do not change
        assert torch.allclose(model.truncated_logit(x[None], 5), model(x[None]))


def test_decay_claims():
    results = ch3.gradient_decay(radii=(0.9, 1.0, 1.1), hidden=32, length=60, seed=0)
    claims.check("ch03.linear_rate_matches", ch3.linear_rate_error(results))
    claims.check("ch03.tanh_rate_bounded", ch3.tanh_rate_excess(results))
    claims.check("ch03.tanh_vanishes_at_one", results[1].tanh_rate)


def test_a_wrong_rate_fails_the_claims():
    """Forgetting the tanh derivative (linear norms in place of tanh ones) breaks the claim."""
    results = ch3.gradient_decay(radii=(1.0,), seed=0)
    with pytest.raises(AssertionError):
        claims.check("ch03.tanh_vanishes_at_one", results[0].linear_rate)


@pytest.mark.slow
def test_distal_enhancer_claims():
    runs = ch3.distal_accuracy(distances=(5, 15, 30, 60), seed=0)
    claims.check("ch03.rnn_near", ch3.accuracy_of(runs, "rnn", 5))
    claims.check("ch03.rnn_far_chance", ch3.accuracy_of(runs, "rnn", 60))
    claims.check("ch03.lstm_far", ch3.accuracy_of(runs, "lstm", 60))


@pytest.mark.slow
def test_truncation_claims():
    result = ch3.truncation_horizon(truncation=10, distance=60, seed=0)
    claims.check("ch03.tbptt_horizon", result.horizon - result.truncation)
    claims.check("ch03.tbptt_lstm_fails", result.truncated_run.accuracy)
