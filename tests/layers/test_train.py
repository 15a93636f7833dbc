import pytest
import torch
from torch import nn

from coursepkg.train import clip_per_member, fit, fit_ensemble


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


def _member_mse(prediction, target):
    return ((prediction - target) ** 2).mean(dim=tuple(range(1, prediction.dim())))


class Stacked(nn.Module):
    """S linear models ``y = x . w_s + b_s`` with the member as the first axis."""

    def __init__(self, S: int):
        super().__init__()
        gen = torch.Generator().manual_seed(3)
        self.w = nn.Parameter(torch.randn(S, 3, generator=gen))
        self.b = nn.Parameter(torch.zeros(S))

    def forward(self, x):  # (S, B, 3) -> (S, B)
        return torch.einsum("sbc,sc->sb", x, self.w) + self.b[:, None]

    def member(self, s):
        model = nn.Linear(3, 1)
        with torch.no_grad():
            model.weight.copy_(self.w[s : s + 1])
            model.bias.copy_(self.b[s : s + 1])
        return model


def test_fit_ensemble_trains_each_member_as_fit_trains_it_alone():
    x, y = make_problem()
    X = torch.stack([x, 2 * x])
    Y = torch.stack([y, -y])
    ensemble = Stacked(2)
    alone = ensemble.member(1)
    history = fit_ensemble(
        ensemble,
        X,
        Y,
        _member_mse,
        seeds=[7, 8],
        epochs=3,
        batch_size=32,
        lr=0.05,
        clip=0.5,
        progress=False,
    )
    single = fit(
        alone,
        X[1],
        Y[1].unsqueeze(-1),
        nn.functional.mse_loss,
        epochs=3,
        batch_size=32,
        lr=0.05,
        seed=8,
        clip=0.5,
        progress=False,
    )
    assert history.member(1).train_loss == pytest.approx(single.train_loss, rel=1e-5)
    torch.testing.assert_close(ensemble.w[1], alone.weight[0].detach(), rtol=1e-5, atol=1e-6)


def test_fit_ensemble_keeps_each_members_best_epoch_and_can_stop():
    x, y = make_problem()
    X, Y = torch.stack([x, x]), torch.stack([y, y])
    val = (X[:, :50], Y[:, :50])
    calls = []

    def stop(model):
        calls.append(1)
        return len(calls) == 4

    history = fit_ensemble(
        Stacked(2),
        X,
        Y,
        _member_mse,
        seeds=[1, 2],
        epochs=10,
        lr=0.05,
        val=val,
        progress=False,
        stop=stop,
    )
    assert history.epochs_run == 4 and len(history.val_loss) == 4
    for s in range(2):
        losses = [epoch[s] for epoch in history.val_loss]
        assert history.best_epoch[s] == min(range(4), key=losses.__getitem__)


def test_clipping_is_per_member():
    model = Stacked(2)
    model.w.grad = torch.tensor([[3.0, 4.0, 0.0], [0.3, 0.4, 0.0]])
    model.b.grad = torch.zeros(2)
    norms = clip_per_member(model.parameters(), 1.0)
    torch.testing.assert_close(norms, torch.tensor([5.0, 0.5]))
    torch.testing.assert_close(model.w.grad[0].norm(), torch.tensor(1.0), rtol=1e-5, atol=0)
    torch.testing.assert_close(model.w.grad[1], torch.tensor([0.3, 0.4, 0.0]))  # untouched


def test_fit_ensemble_refuses_mismatched_members():
    x, y = make_problem()
    with pytest.raises(ValueError, match="one seed per member"):
        fit_ensemble(Stacked(2), torch.stack([x, x]), torch.stack([y, y]), _member_mse, seeds=[1])
    with pytest.raises(ValueError, match="first axis"):
        fit_ensemble(
            Stacked(3), torch.stack([x, x]), torch.stack([y, y]), _member_mse, seeds=[1, 2]
        )
