"""Public check for ex02_conditioning: RNNs whose initial state depends on the condition."""

from __future__ import annotations

import torch

from coursepkg.data.expression import ExpressionSimulator
from coursepkg.practice import PublicCheck

SIM = ExpressionSimulator(n_types=3, n_genes=5, n_omics=8, length=8, seed=7)
DATA = SIM.sample(6, seed=8)


def _shapes(model, c) -> str | None:
    h0 = model.initial_state(c)
    if tuple(h0.shape) != (6, 16):
        return f"initial_state: expected shape (6, 16), got {tuple(h0.shape)}"
    y = model(DATA.x, c)
    if tuple(y.shape) != tuple(DATA.x.shape):
        return f"forward: expected shape {tuple(DATA.x.shape)}, got {tuple(y.shape)}"
    return None


def _learned(model, c) -> str | None:
    model.zero_grad()
    model(DATA.x, c).pow(2).sum().backward()
    h0 = model.initial_state(c)
    if not h0.requires_grad:
        return "h0 does not depend on any learned parameter"
    if (h0 - h0[0]).abs().max() < 1e-6:
        return "h0 is the same for every condition"
    return None


def run(CellTypeRNN, OmicsConditionedRNN) -> int:
    """Run the public checks on the student's two classes."""
    checks = PublicCheck("ex02_conditioning")
    torch.manual_seed(0)
    checks.check(
        "CellTypeRNN shapes",
        "initial_state -> (B, hidden); forward -> (B, T, G).",
        lambda: _shapes(CellTypeRNN(3, 5, 16), DATA.cell_type),
    )
    checks.check(
        "CellTypeRNN h0 is learned and depends on the cell type",
        "Use nn.Embedding(n_types, hidden) for h0.",
        lambda: _learned(CellTypeRNN(3, 5, 16), DATA.cell_type),
    )
    checks.check(
        "OmicsConditionedRNN shapes",
        "initial_state(z) -> (B, hidden); forward(x, z) -> (B, T, G).",  # noqa: E501
        lambda: _shapes(OmicsConditionedRNN(8, 5, 16), DATA.z),
    )
    checks.check(
        "OmicsConditionedRNN h0 is learned and depends on z",
        "A small MLP: Linear, tanh, Linear; a final tanh keeps h0 in the states' range.",
        lambda: _learned(OmicsConditionedRNN(8, 5, 16), DATA.z),
    )
    return checks.report()
