import pytest
import torch

from coursepkg.data import motif_dataset, motif_seen
from coursepkg.models import (
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
