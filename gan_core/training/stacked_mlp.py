"""A stack of R small MLPs of one shape, trained side by side, with hand-written backprop.

Why not nn.Module and autograd: these networks have a few dozen weights, so a training step
is all per-operation overhead. Writing forward and backward as a handful of batched matrix
products (and keeping every parameter of a network in one flat buffer, so the optimiser
is a few whole-buffer operations) makes one run several times faster than the autograd
loop, and the same code trains hundreds of runs at once for a sweep: run r uses slice r of
every tensor. A single run is simply R = 1.

Shapes: parameters live in `flat` (R, P); layer i has W (R, in, out) and b (R, 1, out),
views into `flat`; inputs are (R, n, in). A layer computes h @ W + b.
"""

from __future__ import annotations

import math
from typing import Literal, overload

import torch

# Each layer as a (weights, bias) pair of views into the flat parameter buffer.
Layers = list[tuple[torch.Tensor, torch.Tensor]]

# Each activation with its derivative written in terms of its own output h = f(a),
# which is what the forward pass keeps.
ACTIVATIONS = {
    "tanh": (torch.tanh, lambda h: 1.0 - h * h),
    "sigmoid": (torch.sigmoid, lambda h: h * (1.0 - h)),
    "relu": (torch.relu, lambda h: (h > 0).to(h.dtype)),
    "leaky_relu": (
        lambda a: torch.nn.functional.leaky_relu(a, 0.2),
        lambda h: torch.where(h > 0, 1.0, 0.2),
    ),
    "elu": (torch.nn.functional.elu, lambda h: torch.where(h > 0, 1.0, h + 1.0)),
}


class StackedMLP:
    def __init__(self, sizes: list[int], activation: str, runs: int):
        self.sizes = list(sizes)  # [in, hidden..., out]
        self.activation, self.derivative = ACTIVATIONS[activation]
        self.runs = runs
        self.shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        self.numel = sum(i * o + o for i, o in self.shapes)
        self.flat = torch.zeros(runs, self.numel)
        self.layers = self.views(self.flat)

    def views(self, flat: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(W, b) views of each layer into a flat (R, P) buffer (weights first, then bias)."""
        layers, offset = [], 0
        for fan_in, fan_out in self.shapes:
            w = flat[:, offset : offset + fan_in * fan_out].view(-1, fan_in, fan_out)
            offset += fan_in * fan_out
            b = flat[:, offset : offset + fan_out].view(-1, 1, fan_out)
            offset += fan_out
            layers.append((w, b))
        return layers

    @torch.no_grad()
    def initialise(self, stds: list[float], generators: list[torch.Generator]) -> None:
        """Run r from generators[r]: W ~ N(0, stds[r]) (the seed's init), b ~ U(±1/sqrt(fan_in))
        (PyTorch's default bias law)."""
        for r, (std, generator) in enumerate(zip(stds, generators)):
            for (w, b), (fan_in, _) in zip(self.layers, self.shapes):
                w[r].normal_(0.0, std, generator=generator)
                bound = 1.0 / math.sqrt(fan_in)
                b[r].uniform_(-bound, bound, generator=generator)

    def forward(
        self, x: torch.Tensor, layers: Layers | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output (R, n, out) and the inputs of each layer, which backward needs."""
        inputs, h = [], x
        layers = layers or self.layers
        for i, (w, b) in enumerate(layers):
            inputs.append(h)
            h = torch.baddbmm(b, h, w)
            if i < len(layers) - 1:
                h = self.activation(h)
        return h, inputs

    # What backward returns depends on what it is asked for: the overloads let a caller that
    # asks for one gradient use it without a None check.
    @overload
    def backward(
        self,
        inputs: list[torch.Tensor],
        d_out: torch.Tensor,
        param_grads: Literal[True] = ...,
        input_grad: Literal[False] = ...,
    ) -> tuple[torch.Tensor, None]: ...
    @overload
    def backward(
        self,
        inputs: list[torch.Tensor],
        d_out: torch.Tensor,
        param_grads: Literal[False],
        input_grad: Literal[True],
    ) -> tuple[None, torch.Tensor]: ...
    @overload
    def backward(
        self,
        inputs: list[torch.Tensor],
        d_out: torch.Tensor,
        param_grads: bool = ...,
        input_grad: bool = ...,
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]: ...
    def backward(
        self,
        inputs: list[torch.Tensor],
        d_out: torch.Tensor,
        param_grads: bool = True,
        input_grad: bool = False,
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """Gradients for a loss whose derivative w.r.t. the output is `d_out`.

        Returns (flat parameter gradient (R, P) or None, gradient w.r.t. the input or None).
        """
        grads, delta = [], d_out
        for i in range(len(self.layers) - 1, -1, -1):
            w, _ = self.layers[i]
            if param_grads:
                grads.append(delta.sum(dim=1).reshape(self.runs, -1))
                grads.append(torch.bmm(inputs[i].transpose(1, 2), delta).reshape(self.runs, -1))
            if i > 0 or input_grad:
                delta = torch.bmm(delta, w.transpose(1, 2))
                if i > 0:
                    delta = delta * self.derivative(inputs[i])
        flat_grad = torch.cat(grads[::-1], dim=1) if param_grads else None
        return flat_grad, (delta if input_grad else None)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward(x)[0]
