import pytest
import torch

from course_utils.training import move_to, train


def regression_data(seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 3, generator=generator)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3
    return [(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]


def mse(model, batch):
    x, y = batch
    return torch.nn.functional.mse_loss(model(x).squeeze(-1), y)


def test_training_reduces_the_loss_and_records_history():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = train(model, regression_data(), mse, optimizer, epochs=5, progress=False)
    assert len(history.step_losses) == 40 and len(history.epoch_losses) == 5
    assert history.epoch_losses[-1] < 0.01 * history.epoch_losses[0]
    assert not model.training


def test_callable_batches_and_scheduler():
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / 20)
    seen = []

    def batches(epoch):
        seen.append(epoch)
        return regression_data(epoch)

    train(model, batches, mse, optimizer, epochs=2, scheduler=scheduler, progress=False)
    assert seen == [0, 1]
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * (1 - 16 / 20))


def test_errors():
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be"):
        train(model, regression_data(), mse, optimizer, epochs=0)
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        train(model, regression_data(), "mse", optimizer)
    with pytest.raises(ValueError, match="yielded nothing"):
        train(model, [], mse, optimizer, progress=False)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        train(model, regression_data(), lambda m, b: mse(m, b) * float("nan"), optimizer, progress=False)


def test_move_to_nested():
    batch = {"x": torch.zeros(2), "pair": (torch.ones(1), "label")}
    moved = move_to(batch, "cpu")
    assert moved["pair"][1] == "label" and moved["x"].device.type == "cpu"


def test_after_step_runs_after_every_optimiser_step_without_autograd():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    seen = []

    def clamp_bias(model):
        seen.append(torch.is_grad_enabled())
        model.bias.clamp_(max=0.125)  # an in-place change to a leaf: only allowed outside autograd

    history = train(model, regression_data(), mse, optimizer, epochs=2, after_step=clamp_bias, progress=False)
    assert len(seen) == len(history.step_losses) == 16 and not any(seen)
    assert float(model.bias) == 0.125  # the unclamped fit is 0.3
    with pytest.raises(TypeError, match="after_step"):
        train(model, regression_data(), mse, optimizer, after_step="clamp", progress=False)
