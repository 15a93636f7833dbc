"""Chapter 6's models: reading direction, strand symmetry, circles; and input_dependence."""

import numpy as np
import pytest
import torch
from torch import nn

from coursepkg.analysis.dependence import input_dependence
from coursepkg.models.bidirectional import DirectionalLSTM
from coursepkg.models.circular import CircularLSTM
from coursepkg.models.strand import StrandSymmetric
from coursepkg.sequences import onehot, onehot_batch, reverse_complement_str

SEQS = ["ACGTTGCANA", "GGATCCTTAC", "TTTTACGCGA"]


def x_of(seqs=SEQS):
    return onehot_batch(seqs)


def test_each_direction_reads_its_own_side():
    torch.manual_seed(0)
    x = onehot("ACGTTGCATG")
    L = 10
    t = np.arange(L)
    after, before = t[None, :] <= t[:, None], t[None, :] >= t[:, None]
    for direction, H in (("forward", 5), ("backward", 5)):
        model = DirectionalLSTM(direction, H)
        read = input_dependence(model.states, x)
        assert (read == (after if direction == "forward" else before)).all(), direction
    both = DirectionalLSTM("both", 4)
    assert (input_dependence(lambda z: both.states(z)[..., :4], x) == after).all()
    assert (input_dependence(lambda z: both.states(z)[..., 4:], x) == before).all()


def test_backward_direction_is_a_forward_lstm_on_the_reversed_sequence():
    torch.manual_seed(1)
    model = DirectionalLSTM("backward", 6, per_position=True)
    x = x_of()
    with torch.no_grad():
        out, _ = model.lstm(x.flip(1))
        assert torch.equal(model.states(x), out.flip(1))
        summary = model.summary(model.states(x))
        assert torch.equal(summary, out[:, -1])  # the state after reading all of x


def test_readouts_have_the_documented_shapes():
    x = x_of()
    assert DirectionalLSTM("both", 4)(x).shape == (3,)
    assert DirectionalLSTM("forward", 4, output_size=3)(x).shape == (3, 3)
    assert DirectionalLSTM("backward", 4, per_position=True)(x).shape == (3, 10)
    with pytest.raises(ValueError, match="direction must be one of"):
        DirectionalLSTM("sideways")
    with pytest.raises(ValueError, match="expected 4 channels"):
        DirectionalLSTM("forward")(torch.zeros(2, 5, 20))


def test_forget_bias_sets_the_forget_gates_of_both_directions():
    model = DirectionalLSTM("both", 3, forget_bias=3.0)
    for name, bias in model.lstm.named_parameters():
        if name.startswith("bias_ih"):
            assert torch.equal(bias[3:6], torch.full((3,), 3.0))
        if name.startswith("bias_hh"):
            assert torch.equal(bias[3:6], torch.zeros(3))


def _other_strand(seqs):
    return onehot_batch([reverse_complement_str(s) for s in seqs])


def test_strand_symmetric_models_give_exactly_the_same_answer_on_both_strands():
    torch.manual_seed(2)
    x, other = x_of(), _other_strand(SEQS)
    per_sequence = StrandSymmetric(DirectionalLSTM("forward", 5))
    per_base = StrandSymmetric(DirectionalLSTM("both", 5, per_position=True), per_position=True)
    with torch.no_grad():
        assert torch.equal(per_sequence(x), per_sequence(other))
        assert torch.equal(per_base(x), per_base(other).flip(1))
        plain = DirectionalLSTM("forward", 5)
        assert not torch.allclose(plain(x), plain(other))  # not true of a plain network


def test_strand_symmetric_reads_the_other_strand_with_the_same_weights():
    class Recorder(nn.Module):
        def __init__(self):
            super().__init__()
            self.seen = []

        def forward(self, x):
            self.seen.append(x.clone())
            return x.sum(dim=(1, 2))

    recorder = Recorder()
    StrandSymmetric(recorder)(x_of())
    assert len(recorder.seen) == 2
    assert any(torch.equal(seen, x_of()) for seen in recorder.seen)
    assert any(torch.equal(seen, _other_strand(SEQS)) for seen in recorder.seen)
    assert list(StrandSymmetric(DirectionalLSTM()).parameters())  # g's weights are its own


def test_two_pass_starts_the_second_turn_where_the_first_ended():
    torch.manual_seed(3)
    model = CircularLSTM("two_pass", 6)
    x = x_of()
    with torch.no_grad():
        _, last = model.lstm(x)
        second, _ = model.lstm(x, last)
        assert torch.equal(model.states(x), second)
        assert torch.equal(model.states(x, "linear"), model.lstm(x)[0])


def test_duplication_answers_on_a_copy_with_a_whole_turn_of_context():
    torch.manual_seed(4)
    x = x_of()
    for bidirectional, copies in ((False, 2), (True, 3)):
        model = CircularLSTM("duplication", 5, bidirectional=bidirectional)
        with torch.no_grad():
            out, _ = model.lstm(torch.cat([x] * copies, dim=1))
            assert torch.equal(model.states(x), out[:, 10:20])


@pytest.mark.parametrize("bidirectional", [False, True])
def test_circular_methods_are_nearly_equivariant_and_linear_is_not(bidirectional):
    torch.manual_seed(5)
    rng = np.random.default_rng(0)
    seq = "".join(rng.choice(list("ACGT"), 300))
    x = onehot(seq)[None]
    for method, tolerance in (("two_pass", 1e-4), ("duplication", 1e-4), ("linear", None)):
        model = CircularLSTM(method, 8, bidirectional=bidirectional)
        with torch.no_grad():
            here = model(x)[0]
            there = model(onehot(seq[71:] + seq[:71])[None])[0]  # opened 71 bases on
        change = (torch.roll(there, 71) - here).abs().max().item()
        if tolerance is None:
            assert change > 1e-3
        else:
            assert change < tolerance, (method, change)


def test_circular_model_rejects_unknown_methods_and_empty_circles():
    with pytest.raises(ValueError, match="method must be one of"):
        CircularLSTM("three_pass")
    with pytest.raises(ValueError, match="at least one base"):
        CircularLSTM()(torch.zeros(1, 0, 4))


def test_input_dependence_checks_its_input():
    with pytest.raises(ValueError, match=r"one sequence \(L, C\)"):
        input_dependence(lambda z: z, torch.zeros(1, 3, 4))
