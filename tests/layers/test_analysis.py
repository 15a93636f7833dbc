"""The analysis layer: gradients through time of real modules, and clusters of hidden states."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from coursepkg.analysis.gradients import (
    chain_matrix,
    gradient_horizon,
    hidden_state_jacobians,
    input_gradient_reach,
    power_norms,
    recurrent_matrix,
)
from coursepkg.analysis.states import cluster_states, contingency, purity
from coursepkg.models import LastStateClassifier


def _rnn(H: int, D: int, seed: int) -> torch.nn.RNN:
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(D, H, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(recurrent_matrix(H, 1.2, seed=seed, kind="gaussian"))
    return rnn


def _run_from(rnn: torch.nn.RNN, x: torch.Tensor, t: int):
    """h_T as a function of h_t: the module run over inputs t+1..T (rows t..T-1 of x)."""

    def last_state(h_t):
        _, h = rnn(x[t:].unsqueeze(0), h_t.view(1, 1, -1))
        return h.view(-1)

    return last_state


@pytest.mark.parametrize("H,D,T", [(3, 2, 5), (7, 4, 12)])
def test_jacobians_match_differentiating_the_rest_of_the_run(H, D, T):
    rnn = _rnn(H, D, seed=H)
    x = torch.randn(T, D, generator=torch.Generator().manual_seed(T), dtype=torch.float64)
    jacobians = hidden_state_jacobians(rnn, x)
    assert jacobians.shape == (T, H, H)
    h, _ = rnn(x.unsqueeze(0))  # the states h_1 .. h_T from h_0 = 0
    states = [torch.zeros(H, dtype=torch.float64), *h[0].detach()]
    for t in range(T):
        expected = torch.autograd.functional.jacobian(_run_from(rnn, x, t), states[t])
        torch.testing.assert_close(jacobians[t], expected, rtol=1e-9, atol=1e-12)


def test_one_step_back_is_the_tanh_derivative_times_w_h():
    rnn = _rnn(4, 3, seed=0)
    x = torch.randn(6, 3, dtype=torch.float64)
    h, _ = rnn(x.unsqueeze(0))
    last = h[0, -1].detach()
    W_h = rnn.weight_hh_l0.detach()
    expected = (1 - last**2).unsqueeze(1) * W_h
    torch.testing.assert_close(hidden_state_jacobians(rnn, x)[-1], expected)


def test_jacobians_reject_what_they_cannot_measure():
    with pytest.raises(TypeError, match="one-layer"):
        hidden_state_jacobians(torch.nn.LSTM(3, 4, batch_first=True), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="x must be"):
        hidden_state_jacobians(torch.nn.RNN(3, 4, batch_first=True), torch.zeros(5, 2))


def test_recurrent_matrix_has_the_requested_spectral_radius():
    for kind in ("orthogonal", "gaussian"):
        W = recurrent_matrix(20, 1.3, seed=1, kind=kind)
        assert abs(torch.linalg.eigvals(W).abs().max().item() - 1.3) < 1e-9
    with pytest.raises(ValueError, match="kind"):
        recurrent_matrix(3, 1.0, kind="normal")


def test_power_norms_of_a_scaled_rotation_are_powers_of_the_radius():
    W = recurrent_matrix(8, 0.7, seed=2)
    norms = power_norms(W, 12)
    torch.testing.assert_close(norms, 0.7 ** torch.arange(1, 13, dtype=torch.float64))


def test_chain_matrix_has_radius_rho_but_powers_that_grow():
    W = chain_matrix(10, 0.9, 0.3)
    assert torch.all(torch.diagonal(W) == 0.9) and torch.all(torch.triu(W, 1) == 0)
    norms = power_norms(W, 20)
    assert norms[0] > 1.1 and torch.all(norms[1:] > norms[:-1])  # grows for 20 steps
    assert abs(norms[0].item() - torch.linalg.matrix_norm(W, 2).item()) < 1e-12
    assert math.isclose(power_norms(chain_matrix(4, 0.9, 0.0), 3)[-1].item(), 0.9**3)


def test_truncated_bptt_reaches_exactly_k_positions():
    torch.manual_seed(0)
    model = LastStateClassifier("lstm", 4, 8)
    x = torch.eye(4)[torch.randint(0, 4, (23,))]
    for k in (1, 5, 10):
        assert gradient_horizon(input_gradient_reach(model, x, k)) == k
    assert gradient_horizon(input_gradient_reach(model, x, None)) == 23
    with torch.no_grad():  # the forward values do not change
        assert torch.allclose(model.truncated_logit(x[None], 5), model(x[None]))


def test_kmeans_keeps_the_best_of_its_restarts_and_is_seeded():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 5.0]])
    truth = rng.integers(0, 4, 400)
    points = torch.as_tensor(centres[truth] + 0.3 * rng.normal(size=(400, 2)))
    labels = cluster_states(points, 4, seed=1, restarts=5)
    assert purity(labels, truth) == 1.0
    np.testing.assert_array_equal(labels, cluster_states(points, 4, seed=1, restarts=5))
    assert contingency(labels, truth).sum() == 400
    with pytest.raises(ValueError, match="restarts"):
        cluster_states(points, 4, restarts=0)
    with pytest.raises(ValueError, match="k must be"):
        cluster_states(points, 401)


def _chunked_logit(model, x, k):
    """Truncated BPTT as textbooks write it: chunks of k steps from the end, state detached."""
    L = x.shape[1]
    bounds = sorted({0, *range(L % k, L, k)}) + [L]
    state = None
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if state is not None:
            state = tuple(s.detach() for s in state)
        out, state = model.rnn(x[:, a:b], state)
    return model.readout(out[:, -1]).squeeze(-1)


def test_truncated_logit_gives_the_values_and_gradients_of_chunked_bptt():
    torch.manual_seed(1)
    model = LastStateClassifier("lstm", 4, 6, forget_bias=6.0)
    x = torch.eye(4)[torch.randint(0, 4, (5, 27))]
    ours = model.truncated_logit(x, 10)
    reference = _chunked_logit(model, x, 10)
    torch.testing.assert_close(ours, reference)
    for a, b in zip(
        torch.autograd.grad(ours.sum(), list(model.parameters())),
        torch.autograd.grad(reference.sum(), list(model.parameters())),
        strict=True,
    ):
        torch.testing.assert_close(a, b)
