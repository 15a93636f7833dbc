"""Chapter 7's attribution and tree layers: single-position occlusion, top-k hits on marked
sites, motif-site masks, and neighbour joining beside average linkage."""

from __future__ import annotations

import dendropy
import numpy as np
import pytest
import torch

from coursepkg.analysis import occlusion, phylogeny
from coursepkg.data import regulatory
from coursepkg.models.enhancer_promoter import EnhancerPromoterLSTM
from coursepkg.sequences import onehot_batch


class _CountsG(torch.nn.Module):
    """Logit = number of G's between positions 2 and 4: only those positions matter."""

    def forward(self, x):
        return x[:, 2:5, 2].sum(1)


def test_occlusion_moves_the_logit_only_where_the_model_looks():
    x = onehot_batch(["AAGGGAA", "GGGAAAG"])
    o = occlusion.occlusion_profile(_CountsG(), x, chunk=3)
    assert o.shape == (2, 7)
    expected = torch.zeros(2, 7)
    expected[0, 2:5] = -1.0  # each G at 2..4 lost once
    expected[1, 2] = -1.0  # the second sequence has a G at 2 only within 2..4
    assert torch.equal(o, expected)


def test_occlusion_is_the_same_batched_as_one_by_one():
    torch.manual_seed(0)
    model = EnhancerPromoterLSTM(4, 3, 3).eval()
    x = onehot_batch(["ACGTACGTAC", "TTGACCATGA"])
    batched = occlusion.occlusion_profile(model, x, chunk=7)
    with torch.no_grad():
        for b in range(2):
            for t in range(10):
                y = x[b : b + 1].clone()
                y[0, t] = 0
                ref = model(y) - model(x[b : b + 1])
                assert batched[b, t] == pytest.approx(float(ref), abs=1e-6)


def test_occlusion_rejects_bad_input():
    with pytest.raises(TypeError, match="torch.Tensor"):
        occlusion.occlusion_profile(_CountsG(), np.zeros((1, 5, 4)))
    with pytest.raises(ValueError, match=r"\(B, L, 4\)"):
        occlusion.occlusion_profile(_CountsG(), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="chunk"):
        occlusion.occlusion_profile(_CountsG(), torch.zeros(1, 5, 4), chunk=0)


def test_top_k_hits_count_the_largest_magnitudes_on_sites():
    profile = np.array([[0.1, -3.0, 2.0, 0.0], [1.0, 1.0, 0.5, 0.2]])
    sites = np.array([[False, True, False, False], [False, False, True, True]])
    assert np.allclose(occlusion.top_k_hits(profile, sites, 2), [0.5, 0.0])
    assert np.allclose(occlusion.top_k_hits(profile, sites, 4), [0.25, 0.5])
    with pytest.raises(ValueError, match="k must be"):
        occlusion.top_k_hits(profile, sites, 5)
    with pytest.raises(ValueError, match="one shape"):
        occlusion.top_k_hits(profile, sites[:, :3], 1)


def test_motif_sites_mark_every_base_of_each_site():
    seq = "AA" + "CACGTG" + "TT" + "GATAAG" + "A" * 4
    mask = regulatory.motif_sites([seq])
    assert mask.shape == (1, len(seq))
    assert mask[0].tolist() == [i in range(2, 8) or i in range(10, 16) for i in range(len(seq))]
    with pytest.raises(ValueError, match="same length"):
        regulatory.motif_sites(["ACGT", "ACG"])


def test_neighbour_joining_finds_the_two_pairs_and_rejects_unknown_methods():
    names = ["a1", "a2", "g1", "g2"]
    profiles = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.0, 5.3]])
    namespace = dendropy.TaxonNamespace(names)
    nj = phylogeny.tree_from_profiles(profiles, names, "nj", namespace)
    upgma = phylogeny.tree_from_profiles(profiles, names, "average", namespace)
    assert phylogeny.robinson_foulds(nj, upgma) == (0, 0.0)  # the same unrooted split
    assert sorted(leaf.taxon.label for leaf in nj.leaf_node_iter()) == names
    with pytest.raises(ValueError, match="method must be"):
        phylogeny.tree_from_profiles(profiles, names, "ml")
    with pytest.raises(ValueError, match="len\\(names\\)"):
        phylogeny.tree_from_profiles(profiles[:2], names[:2])
