"""The expression simulator and the distal-enhancer task: shapes, seeds and ground truth."""

from __future__ import annotations

import pytest
import torch

from coursepkg.data.enhancer import DECOY, ENHANCER, distal_enhancer_dataset
from coursepkg.data.expression import ExpressionSimulator
from coursepkg.sequences import decode


def test_expression_shapes_and_reproducibility():
    sim = ExpressionSimulator(n_types=3, n_genes=5, n_omics=7, length=9, seed=1)
    a, b = sim.sample(12, seed=2), sim.sample(12, seed=2)
    assert a.x.shape == (12, 9, 5) and a.z.shape == (12, 7) and a.cell_type.shape == (12,)
    assert torch.equal(a.x, b.x) and torch.equal(a.z, b.z)
    assert sorted(a.cell_type.tolist()) == sorted([i % 3 for i in range(12)])


def test_expression_truth_follows_the_dynamics():
    sim = ExpressionSimulator(seed=0)
    d = sim.sample(8, seed=1)
    k = d.cell_type
    mu = sim.steady[k]
    step = mu + torch.einsum("ngh,nh->ng", sim.R[k], d.truth[:, 0] - mu)
    torch.testing.assert_close(step, d.truth[:, 1])


def test_omics_carry_information_about_the_start():
    sim = ExpressionSimulator(seed=0)
    d = sim.sample(2000, seed=3)
    # least squares from z back to the true start explains most of its variance
    s0 = d.truth[:, 0]
    coef = torch.linalg.lstsq(d.z, s0 - s0.mean(0)).solution
    resid = (s0 - s0.mean(0)) - d.z @ coef
    assert resid.var() < 0.2 * s0.var()


def test_enhancer_labels_are_set_by_the_site():
    for distance in (0, 7, 30):
        x, y = distal_enhancer_dataset(40, distance, seed=distance, flank=3)
        assert x.shape == (40, 3 + 6 + distance, 4)
        assert abs(float(y.mean()) - 0.5) < 0.1
        for xi, yi in zip(x, y, strict=True):
            seq = decode(xi)
            site = seq[3:9]
            assert site == (ENHANCER if yi == 1 else DECOY)
            assert seq.count(ENHANCER) + seq.count(DECOY) == 1


def test_enhancer_bad_arguments():
    with pytest.raises(ValueError):
        distal_enhancer_dataset(10, -1)
    with pytest.raises(ValueError):
        distal_enhancer_dataset(10, 5, enhancer="ACG", decoy="ACGT")
