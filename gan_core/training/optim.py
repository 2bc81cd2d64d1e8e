"""Adam and SGD on a flat (R, P) parameter buffer, one hyperparameter set per run.

Same update rules as torch.optim.Adam / SGD(momentum) with default options, written as a
few whole-buffer operations so that R runs cost about what one does. A hyperparameter is
a Python float when every run shares it (cheapest) or an (R, 1) column when runs differ.
"""

from __future__ import annotations

import math

import torch

# A hyperparameter shared by every run of a stack, or one value per run.
PerRun = float | list[float] | tuple[float, ...]


def column(values: PerRun, runs: int) -> float | torch.Tensor:
    """A float if all runs share the value, else an (R, 1) float tensor."""
    if isinstance(values, (list, tuple)):
        floats = [float(v) for v in values]
    else:
        floats = [float(values)] * runs
    if len(floats) != runs:
        raise ValueError(f"expected {runs} values, got {len(floats)}")
    if all(v == floats[0] for v in floats):
        return floats[0]
    return torch.tensor(floats).unsqueeze(1)


class StackedAdam:
    def __init__(
        self, params: torch.Tensor, lr: PerRun, beta1: PerRun, beta2: PerRun, eps: float = 1e-8
    ) -> None:
        self.params = params
        self.runs = params.shape[0]
        self.lr, self.beta1, self.beta2 = (column(v, self.runs) for v in (lr, beta1, beta2))
        self.eps = eps
        self.exp_avg = torch.zeros_like(params)
        self.exp_avg_sq = torch.zeros_like(params)
        self.steps = 0

    @torch.no_grad()
    def step(self, grad: torch.Tensor) -> None:
        self.steps += 1
        b1, b2, t = self.beta1, self.beta2, self.steps
        self.exp_avg.lerp_(grad, 1 - b1)
        lr = self.lr
        if isinstance(b1, float) and isinstance(b2, float) and isinstance(lr, float):
            # Every run shares the hyperparameters: scalar arithmetic, as torch.optim.Adam.
            self.exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            denom = (self.exp_avg_sq.sqrt() / math.sqrt(1 - b2**t)).add_(self.eps)
            self.params.addcdiv_(self.exp_avg, denom, value=-lr / (1 - b1**t))
        else:
            b1, b2 = torch.as_tensor(b1), torch.as_tensor(b2)
            self.exp_avg_sq.mul_(b2).add_((1 - b2) * grad * grad)
            denom = (self.exp_avg_sq.sqrt() / torch.sqrt(1 - b2**t)).add_(self.eps)
            self.params.sub_(self.lr / (1 - b1**t) * self.exp_avg / denom)

    def state(self) -> dict:
        return {"exp_avg": self.exp_avg, "exp_avg_sq": self.exp_avg_sq, "steps": self.steps}

    def load_state(self, state: dict) -> None:
        self.exp_avg.copy_(state["exp_avg"])
        self.exp_avg_sq.copy_(state["exp_avg_sq"])
        self.steps = int(state["steps"])


class StackedSGD:
    """SGD with heavy-ball momentum (PyTorch's form: buf = m·buf + g; p -= lr·buf)."""

    def __init__(self, params: torch.Tensor, lr: PerRun, momentum: PerRun) -> None:
        self.params = params
        self.runs = params.shape[0]
        self.lr, self.momentum = column(lr, self.runs), column(momentum, self.runs)
        self.buffer = torch.zeros_like(params)
        self.steps = 0

    @torch.no_grad()
    def step(self, grad: torch.Tensor) -> None:
        # PyTorch starts the buffer at the first gradient; starting from zero is the same.
        self.steps += 1
        self.buffer.mul_(self.momentum).add_(grad)
        self.params.sub_(self.lr * self.buffer)

    def state(self) -> dict:
        return {"buffer": self.buffer, "steps": self.steps}

    def load_state(self, state: dict) -> None:
        self.buffer.copy_(state["buffer"])
        self.steps = int(state["steps"])


def make_optimizer(
    kind: str, params: torch.Tensor, lr: PerRun, beta1: PerRun, beta2: PerRun
) -> StackedAdam | StackedSGD:
    if kind == "adam":
        return StackedAdam(params, lr, beta1, beta2)
    return StackedSGD(params, lr, beta1)
