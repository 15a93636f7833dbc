import pytest
import torch

from coursepkg.data import motif_dataset, motif_seen
from coursepkg.models import (
    ElmanEnsemble,
    ElmanRNN,
    ThresholdRNN,
    acg_detector,
    acg_machine_states,
    check_weights,
    elman_step,
)
from coursepkg.sequences import onehot


def test_motif_seen_switches_on_at_the_end_of_the_first_match():
    assert motif_seen("TTACGAC", "ACG").tolist() == [0, 0, 0, 0, 1, 1, 1]
    assert motif_seen("ACACA", "ACG").sum() == 0


def test_acg_detector_is_exact_on_random_sequences():
    x, y, _ = motif_dataset(2000, 40, seed=11)
    out, _ = ThresholdRNN(acg_detector())(x)
    assert torch.equal(out, y)


def test_acg_detector_walks_through_the_machine_states():
    _, h = ThresholdRNN(acg_detector())(onehot("AACGTT"))
    assert acg_machine_states(h).tolist() == [1, 1, 2, 3, 3, 3]


def test_a_detector_without_the_self_connection_forgets_the_match():
    weights = acg_detector()
    weights["W_h"][2, 2] = 0.0
    out, _ = ThresholdRNN(weights)(onehot("ACGTT"))
    assert out.tolist() == [0, 0, 1, 0, 0]


def test_weights_with_a_wrong_shape_are_named():
    weights = acg_detector()
    weights["W_h"] = torch.zeros(3, 4)
    with pytest.raises(ValueError, match=r"W_h must have shape \(3, 3\)"):
        check_weights(weights)
    with pytest.raises(ValueError, match="missing"):
        check_weights({"W_x": torch.zeros(3, 4)})


def test_elman_rnn_shapes_and_step_match_the_fused_module():
    torch.manual_seed(0)
    model = ElmanRNN(4, 5, 2)
    x = onehot("ACGTTGCA").unsqueeze(0)
    assert model(x).shape == (1, 8, 2)
    states = model.states(x)
    h = torch.zeros(1, 5)
    rnn = model.rnn
    for t in range(8):
        h = elman_step(
            x[:, t], h, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0
        )
        assert torch.allclose(h, states[:, t], atol=1e-6)


def test_elman_rnn_rejects_unbatched_input_with_a_clear_error():
    with pytest.raises(ValueError, match=r"\(B, L, C\)"):
        ElmanRNN(4, 3)(onehot("ACG"))


def test_ensemble_members_are_elman_rnns_of_their_own():
    ensemble = ElmanEnsemble([4, 5, 6], 4, 5, 2)
    x = torch.eye(4)[torch.randint(0, 4, (3, 7, 9), generator=torch.Generator().manual_seed(0))]
    out = ensemble(x)
    assert out.shape == (3, 7, 9, 2) and ensemble.states(x).shape == (3, 7, 9, 5)
    for s in range(3):
        torch.testing.assert_close(out[s], ensemble.member(s)(x[s]), atol=1e-6, rtol=1e-5)


def test_a_members_weights_depend_only_on_its_seed():
    alone = ElmanEnsemble([9], 4, 5)
    among = ElmanEnsemble([1, 9, 2], 4, 5)
    assert torch.equal(alone.W_h[0], among.W_h[1])
    assert not torch.equal(among.W_h[0], among.W_h[1])


def test_ensemble_input_errors_are_named():
    ensemble = ElmanEnsemble([1, 2], 4, 3)
    with pytest.raises(ValueError, match=r"\(S, B, L, C\)"):
        ensemble(torch.zeros(3, 2, 5, 4))
    with pytest.raises(ValueError, match="does not exist"):
        ensemble.member(2)
    with pytest.raises(ValueError, match="at least one member"):
        ElmanEnsemble([], 4, 3)
