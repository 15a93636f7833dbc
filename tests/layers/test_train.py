import pytest
import torch
from torch import nn

from coursepkg.train import fit


def make_problem():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(200, 3, generator=gen)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3
    return x, y


def test_fit_reduces_the_loss_and_is_reproducible():
    x, y = make_problem()
    losses = []
    for _ in range(2):
        torch.manual_seed(1)
        model = nn.Linear(3, 1)
        history = fit(
            model, x, y.unsqueeze(-1), nn.functional.mse_loss, epochs=30, lr=0.05, progress=False
        )
        losses.append(history.train_loss)
    assert losses[0][-1] < 0.05 * losses[0][0]
    assert losses[0] == losses[1]


def test_early_stopping_restores_the_best_epoch():
    x, y = make_problem()
    torch.manual_seed(1)
    model = nn.Linear(3, 1)
    val = (x[:50], y[:50].unsqueeze(-1))
    history = fit(
        model,
        x,
        y.unsqueeze(-1),
        nn.functional.mse_loss,
        epochs=40,
        lr=0.05,
        val=val,
        patience=3,
        progress=False,
    )
    assert history.best_epoch == min(range(len(history.val_loss)), key=history.val_loss.__getitem__)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="disagree on N"):
        fit(
            nn.Linear(3, 1),
            torch.zeros(5, 3),
            torch.zeros(4, 1),
            nn.functional.mse_loss,
            progress=False,
        )
