"""The layers chapter 5 added: the distal-enhancer task at genome scale
(``coursepkg.data.enhancer``), the hierarchical and flat classifiers
(``coursepkg.models.hierarchical``) and the dilated classifier (``coursepkg.models.dilated``)."""

from __future__ import annotations

import pytest
import torch

from coursepkg.data.enhancer import background_tokens, long_enhancer_tokens, tokens_onehot
from coursepkg.models.dilated import DilatedClassifier
from coursepkg.models.hierarchical import FlatClassifier, HierarchicalClassifier
from coursepkg.sequences import DNA

# --- data ---------------------------------------------------------------------------------


def test_long_sequences_hold_exactly_one_site_where_asked():
    distance = torch.tensor([0, 17, 500, 2000, 2994])
    tokens, y = long_enhancer_tokens(5, 3000, distance, seed=3)
    assert tokens.shape == (5, 3000) and tokens.dtype == torch.uint8
    for row, label, d in zip(tokens, y, distance.tolist(), strict=True):
        text = "".join(DNA[i] for i in row.tolist())
        assert text.count("CACGTG") + text.count("GATAAG") == 1
        start = 3000 - 6 - d
        assert text[start : start + 6] == ("CACGTG" if label == 1 else "GATAAG")


def test_long_sequences_are_reproducible_and_balanced():
    a, ya = long_enhancer_tokens(10, 200, 50, seed=7)
    b, yb = long_enhancer_tokens(10, 200, 50, seed=7)
    assert torch.equal(a, b) and torch.equal(ya, yb)
    assert int(ya.sum()) == 5


def test_long_sequences_reject_bad_input():
    with pytest.raises(ValueError, match="distance"):
        long_enhancer_tokens(3, 100, 95)
    with pytest.raises(ValueError, match="shape"):
        long_enhancer_tokens(3, 100, torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="positive"):
        long_enhancer_tokens(0, 100, 5)


def test_background_holds_no_motif_and_onehot_checks_tokens():
    tokens = background_tokens(6, 4000, seed=2)
    for row in tokens:
        text = "".join(DNA[i] for i in row.tolist())
        assert "CACGTG" not in text and "GATAAG" not in text
    x = tokens_onehot(tokens[:2])
    assert x.shape == (2, 4000, 4) and torch.all(x.sum(-1) == 1)
    with pytest.raises(TypeError):
        tokens_onehot(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="0..3"):
        tokens_onehot(torch.tensor([[0, 4]]))


# --- models -------------------------------------------------------------------------------


def test_hierarchical_summaries_are_the_low_rnn_on_each_window_alone():
    torch.manual_seed(0)
    model = HierarchicalClassifier(window=5, low_hidden=3, high_hidden=2, cell="gru")
    x = tokens_onehot(torch.randint(0, 4, (2, 20)))
    summaries = model.summaries(x)
    assert summaries.shape == (2, 4, 3)
    for j in range(4):
        out = model.low(x[:, 5 * j : 5 * j + 5])
        assert torch.allclose(summaries[:, j], out[:, -1], atol=1e-6)
    assert model(x).shape == (2,)
    assert model.sequential_steps(20) == 5 + 4
    with pytest.raises(ValueError, match="multiple of the window"):
        model(tokens_onehot(torch.randint(0, 4, (2, 21))))


def test_hierarchical_motif_layer_is_causal():
    torch.manual_seed(0)
    model = HierarchicalClassifier(window=10, motif_width=4, window_classes=3)
    x = tokens_onehot(torch.randint(0, 4, (1, 10)))
    before = model.window_logits(x)
    x2 = x.clone()
    x2[0, 7] = torch.tensor([1.0, 0, 0, 0]) if x[0, 7, 0] == 0 else torch.tensor([0, 1.0, 0, 0])
    after = model.window_logits(x2)
    assert torch.allclose(before[0, :7], after[0, :7])
    assert not torch.allclose(before[0, 7:], after[0, 7:])
    with pytest.raises(ValueError, match="gru"):
        HierarchicalClassifier(cell="rnn", high_update_bias=3.0)


def test_dilated_layer_links_each_position_to_d_back():
    torch.manual_seed(0)
    model = DilatedClassifier((1, 3), hidden_size=4)
    x = tokens_onehot(torch.randint(0, 4, (2, 12))).requires_grad_(True)
    states = model.states(x)
    assert states.shape == (2, 12, 4)
    # the layer with dilation 3 alone: position 11 depends on 11, 8, 5, 2 of its input only
    layer = model.layers[1]
    u = torch.randn(1, 12, 4, requires_grad=True)
    out = DilatedClassifier.dilated_layer(layer, u, 3)
    (grad,) = torch.autograd.grad(out[0, 11].sum(), u)
    reached = grad[0].abs().sum(-1) > 0
    assert reached.nonzero().flatten().tolist() == [2, 5, 8, 11]
    # a length that is not a multiple is padded in front, so the output is still last
    assert model(tokens_onehot(torch.randint(0, 4, (2, 13)))).shape == (2,)


def test_flat_classifier_reads_the_whole_sequence():
    torch.manual_seed(0)
    model = HierarchicalClassifier(window=10, motif_width=3, window_classes=3)
    flat = FlatClassifier.from_windows(model, positive=1, negative=2)
    x = tokens_onehot(torch.randint(0, 4, (2, 30)))
    logits = model.window_logits(x)[:, -1]
    assert torch.allclose(flat(x), logits[:, 1] - logits[:, 2], atol=1e-6)
