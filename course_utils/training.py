"""A small, explicit training loop: progress bar, loss history, device handling, optional schedule."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm


@dataclass
class History:
    """Loss of every step, and the mean loss of every epoch."""

    step_losses: list = field(default_factory=list)
    epoch_losses: list = field(default_factory=list)


def move_to(batch, device):
    """Move a tensor, or a tuple/list/dict of tensors, to `device`; other values pass through."""
    if hasattr(batch, "to"):
        return batch.to(device)
    if isinstance(batch, (tuple, list)):
        return type(batch)(move_to(item, device) for item in batch)
    if isinstance(batch, dict):
        return {key: move_to(value, device) for key, value in batch.items()}
    return batch


def train(model, batches, loss_fn, optimizer, *, epochs: int = 1, device: str = "cpu", scheduler=None,
          after_step=None, progress: bool = True, desc: str = "training") -> History:
    """Train `model` for `epochs` passes over `batches` and return the loss history.

    batches: an iterable that can be iterated once per epoch (a DataLoader, a list), or a callable
        taking the epoch number and returning such an iterable.
    loss_fn(model, batch) -> scalar tensor; the batch has already been moved to `device`.
    scheduler: stepped after every optimiser step (per-step schedules such as linear decay).
    after_step(model): called after every optimiser step (and scheduler step), outside autograd, e.g.
        to clamp a parameter into its range or to record its value.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if after_step is not None and not callable(after_step):
        raise TypeError(f"after_step must be callable as after_step(model), got {type(after_step).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable as loss_fn(model, batch), got {type(loss_fn).__name__}")
    model.to(device)
    model.train()
    history = History()
    for epoch in range(epochs):
        epoch_batches = batches(epoch) if callable(batches) else batches
        total = len(epoch_batches) if hasattr(epoch_batches, "__len__") else None
        running, count = 0.0, 0
        bar = tqdm(epoch_batches, total=total, desc=f"{desc} {epoch + 1}/{epochs}", disable=not progress, leave=False)
        for batch in bar:
            loss = loss_fn(model, move_to(batch, device))
            value = float(loss.detach())
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"the loss became {value} at epoch {epoch + 1}, step {count + 1}; try a smaller learning rate")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            if after_step is not None:
                with torch.no_grad():
                    after_step(model)
            history.step_losses.append(value)
            running, count = running + value, count + 1
            bar.set_postfix(loss=f"{running / count:.4f}", refresh=False)  # a redraw per step costs more than the step
        if count == 0:
            raise ValueError(f"batches yielded nothing in epoch {epoch + 1}")
        history.epoch_losses.append(running / count)
    model.eval()
    return history
