"""The layers chapter 7 added: the regulatory and species simulators, the classifier and the
next-nucleotide model, unit correlations, and trees rebuilt and compared."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import torch

from coursepkg.analysis import phylogeny, units
from coursepkg.data import regulatory, species
from coursepkg.models import enhancer_promoter
from coursepkg.models.enhancer_promoter import EnhancerPromoterLSTM
from coursepkg.models.nucleotide_lm import NucleotideLM, next_base_loss
from coursepkg.sequences import onehot, onehot_batch

# --- the regulatory simulator ------------------------------------------------------------------


def test_features_are_measured_on_the_string():
    length = 80
    seq = list("A" * length)
    seq[5:11] = "CACGTG"
    seq[14:20] = "GATAAG"  # a gap of 3 after the first site
    at = regulatory.tata_position(length)
    seq[at : at + 6] = "TATAAA"
    seq[70:72] = "CG"
    f = regulatory.features(["".join(seq)])
    assert f["motif_count"][0] == 2 and f["spacing"][0] == 3
    assert f["tata_count"][0] == 1 and f["tata_at_tss"][0] == 1
    assert f["cpg_density"][0] == pytest.approx(2 / length)  # CACGTG holds a CG too


def test_the_dataset_follows_its_grammar():
    data = regulatory.enhancer_promoter_dataset(200, seed=1)
    assert set(data.labels) == {0, 1} and data.labels.sum() == 100
    promoters, enhancers = data.labels == 1, data.labels == 0
    assert np.all(data.features["tata_at_tss"][promoters] == 1)  # TATA_SHARE = 1
    assert np.all(data.features["motif_count"][enhancers] >= 2)
    assert (
        data.features["cpg_density"][promoters].mean()
        > data.features["cpg_density"][enhancers].mean()
    )
    again = regulatory.enhancer_promoter_dataset(200, seed=1)
    assert again.sequences == data.sequences


def test_the_regulatory_simulator_names_bad_input():
    with pytest.raises(ValueError, match="n >= 2"):
        regulatory.enhancer_promoter_dataset(1)
    with pytest.raises(ValueError, match="at least 80"):
        regulatory.enhancer_promoter_dataset(10, length=40)
    with pytest.raises(ValueError, match="same length"):
        regulatory.features(["A" * 80, "A" * 81])


# --- the species simulator ---------------------------------------------------------------------


def test_the_species_tree_is_ultrametric_with_twelve_tips():
    tree = species.species_tree()
    depths = [leaf.distance_from_root() for leaf in tree.leaf_node_iter()]
    assert len(depths) == 12 and np.allclose(depths, 1.0)


def test_species_genomes_are_reproducible_and_differ_by_species():
    a = species.simulate_species(500, seed=3)
    b = species.simulate_species(500, seed=3)
    assert a.genomes == b.genomes and a.names == sorted(a.genomes)
    assert all(len(g) == 500 and set(g) <= set("ACGT") for g in a.genomes.values())
    assert a.genomes["sp01"] != a.genomes["sp12"]
    with pytest.raises(ValueError, match="sigma"):
        species.simulate_species(500, sigma=0)


# --- models --------------------------------------------------------------------------------------


def test_the_classifier_gives_one_logit_per_sequence_and_a_summary_per_unit():
    model = EnhancerPromoterLSTM(hidden_size=3, filters=2)
    x = onehot_batch(["ACGTACGTAC", "TTTTAAAACC"])
    assert model(x).shape == (2,)
    assert model.summary(x).shape == (2, 6) and model.states(x).shape == (2, 10, 6)
    torch.testing.assert_close(model.summary(x), model.states(x).mean(1))
    with pytest.raises(ValueError, match=r"\(B, L, 4\)"):
        model(onehot("ACGT"))
    with pytest.raises(TypeError, match="torch.Tensor"):
        model([[0, 1, 0, 0]])
    with pytest.raises(ValueError, match="hidden_size"):
        EnhancerPromoterLSTM(hidden_size=0)


def test_the_classifier_module_imports_only_torch():
    """It is rebuilt in the grader's sandbox (MODEL_MODULES), where nothing else of
    coursepkg is importable."""
    from coursepkg.grading.sandboxed import MODEL_MODULES

    assert enhancer_promoter.__name__ in MODEL_MODULES
    tree = ast.parse(inspect.getsource(enhancer_promoter))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "torch"}


def test_the_next_base_loss_scores_the_following_base():
    x = onehot_batch(["ACGT"])
    logits = torch.zeros(1, 4, 4)
    logits[0, :3] = torch.log(torch.tensor([0.7, 0.1, 0.1, 0.1]))  # always bets on A
    # targets C, G, T: each gets probability 0.1
    assert next_base_loss(logits, x).item() == pytest.approx(-np.log(0.1))
    model = NucleotideLM(5)
    assert model(x).shape == (1, 4, 4) and model.states(x).shape == (1, 4, 5)
    with pytest.raises(ValueError, match="L >= 2"):
        next_base_loss(torch.zeros(1, 1, 4), onehot_batch(["A"]))


# --- unit correlations --------------------------------------------------------------------------


def test_unit_correlations_are_pearson_and_constant_units_track_nothing():
    rng = np.random.default_rng(0)
    feature = rng.normal(size=50)
    activity = np.stack([feature * 2 + 1, -feature, rng.normal(size=50), np.ones(50)], axis=1)
    r = units.unit_correlations(activity, feature)
    assert r[0] == pytest.approx(1) and r[1] == pytest.approx(-1) and r[3] == 0
    assert r[2] == pytest.approx(np.corrcoef(activity[:, 2], feature)[0, 1])
    assert units.best_unit(activity[:, 1:], feature) == (0, pytest.approx(-1))


def test_unit_correlations_leave_out_undefined_features_and_name_bad_shapes():
    feature = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    activity = np.array([[1.0], [2.0], [100.0], [4.0], [5.0]])
    assert units.unit_correlations(activity, feature)[0] == pytest.approx(1)
    with pytest.raises(ValueError, match=r"\(N, U\)"):
        units.unit_correlations(np.zeros(5), feature)


# --- trees ---------------------------------------------------------------------------------------


def test_kmer_profiles_count_every_position():
    profile = phylogeny.kmer_profile("AAAC", 2)
    assert profile.shape == (16,) and profile.sum() == pytest.approx(1)
    assert profile[0] == pytest.approx(2 / 3) and profile[1] == pytest.approx(1 / 3)  # AA, AC
    with pytest.raises(ValueError, match="k <="):
        phylogeny.kmer_profile("AC", 3)


def test_a_tree_is_at_distance_zero_from_itself_and_rf_needs_one_namespace():
    truth = species.species_tree()
    assert phylogeny.robinson_foulds(truth, truth) == (0, 0.0)
    with pytest.raises(ValueError, match="TaxonNamespace"):
        phylogeny.robinson_foulds(species.species_tree(), truth)


class _CountingModel(torch.nn.Module):
    """States that are the running share of each base: a model whose species means are the
    genomes' base compositions."""

    def states(self, x):
        return x.cumsum(1) / torch.arange(1, x.shape[1] + 1)[None, :, None]


def test_rebuilt_trees_join_species_that_write_alike():
    genomes = {
        "a1": "A" * 300 + "C" * 100,
        "a2": "A" * 290 + "C" * 110,
        "g1": "G" * 300 + "T" * 100,
        "g2": "G" * 280 + "T" * 120,
    }
    for tree in (
        phylogeny.rebuild_species_tree(_CountingModel(), genomes, window=100),
        phylogeny.kmer_tree(genomes, k=1),
    ):
        groups = [
            sorted(leaf.taxon.label for leaf in child.leaf_iter())
            for child in tree.seed_node.child_nodes()
        ]
        assert sorted(groups) == [["a1", "a2"], ["g1", "g2"]]
        heights = [leaf.distance_from_root() for leaf in tree.leaf_node_iter()]
        assert np.allclose(heights, heights[0])  # UPGMA trees are ultrametric
    with pytest.raises(ValueError, match="at least 3 species"):
        phylogeny.kmer_tree({"a": "ACGT", "b": "ACGT"})
    with pytest.raises(ValueError, match="no window"):
        phylogeny.rebuild_species_tree(_CountingModel(), {**genomes, "x": "ACG"}, window=100)


def test_the_grader_can_rebuild_a_trained_classifier_from_its_spec(tmp_path):
    """What exercise 9's suite does: send a classifier as a ModelSpec; the worker builds it
    from the module the sandbox stages, with the same weights and outputs."""
    from coursepkg.grading import protocol
    from coursepkg.grading.sandboxed.worker import build_model
    from coursepkg.grading.trusted import sandbox

    torch.manual_seed(0)
    model = EnhancerPromoterLSTM(hidden_size=3, filters=2, width=5).eval()
    spec = protocol.ModelSpec.of(model, hidden_size=3, filters=2, width=5)
    rebuilt = build_model(spec)
    x = onehot_batch(["ACGTACGTACGTAAAT"])
    torch.testing.assert_close(rebuilt(x), model(x))
    sandbox.stage_skeleton(tmp_path)
    assert (tmp_path / "coursepkg" / "models" / "enhancer_promoter.py").is_file()
