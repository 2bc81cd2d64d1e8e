"""The seed's training loop, ported line for line to current PyTorch: the speed baseline.

Same data, model, init, loss, optimisers and schedule as the seed (see SEED_NOTES.md);
only obsolete API is replaced (Variable -> tensors, volatile -> no_grad, .data -> detach).
Data and noise come from numpy as in the seed, batches via numpy index slicing.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

A = np.array([[1.0, 2.0], [-0.1, 0.5]])
B = np.array([1.0, 2.0])


class SeedGAN:
    def __init__(self):
        self.netG = nn.Linear(2, 2)
        self.netD = nn.Sequential(
            nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 2)
        )
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, x, z):
        self.z = torch.from_numpy(z).float()
        self.fake_x = self.netG(self.z)
        self.real_x = torch.from_numpy(x).float()
        self.label = torch.ones(x.shape[0], dtype=torch.long)

    def backward_D(self):
        pred_fake = self.netD(self.fake_x.detach())
        self.loss_D_fake = self.criterion(pred_fake, self.label * 0)
        pred_real = self.netD(self.real_x)
        self.loss_D_real = self.criterion(pred_real, self.label * 1)
        self.loss_D = self.loss_D_fake + self.loss_D_real
        self.loss_D.backward()

    def backward_G(self):
        pred_fake = self.netD(self.fake_x)
        self.loss_G = self.criterion(pred_fake, self.label * 1)
        self.loss_G.backward()

    @torch.no_grad()
    def test(self, x, z):
        fake_x = self.netG(torch.from_numpy(z).float())
        pred_real = self.netD(torch.from_numpy(x).float())
        pred_fake = self.netD(fake_x)
        return fake_x.numpy(), pred_real.numpy(), pred_fake.numpy()


def init_weights(m):
    if type(m) is nn.Linear:
        nn.init.normal_(m.weight, 0.0, 0.02)


def train_seed_loop(seed: int = 0, epochs: int = 10, batch_size: int = 4, n: int = 1000):
    """Run the seed's recipe; returns per-epoch (mean D loss, D accuracy) and the final G."""
    np.random.seed(seed)
    torch.manual_seed(seed)
    X = np.random.normal(size=(n, 2)) @ A + B
    gan = SeedGAN()
    gan.netD.apply(init_weights)
    gan.netG.apply(init_weights)
    d_optim = torch.optim.Adam(gan.netD.parameters(), lr=0.05)
    g_optim = torch.optim.Adam(gan.netG.parameters(), lr=0.01)
    table = []
    for _epoch in range(epochs):
        order = np.random.permutation(n)
        losses = []
        for start in range(0, n, batch_size):
            x_batch = X[order[start : start + batch_size]]
            z_batch = np.random.normal(size=(x_batch.shape[0], 2))
            gan.forward(x_batch, z_batch)
            d_optim.zero_grad()
            gan.backward_D()
            d_optim.step()
            g_optim.zero_grad()
            gan.backward_G()
            g_optim.step()
            losses.append(gan.loss_D.item())
        _, pred_real, pred_fake = gan.test(
            X[np.random.choice(n, 100)], np.random.normal(size=(100, 2))
        )
        acc = (
            (pred_real[:, 1] > pred_real[:, 0]).mean() + (pred_fake[:, 0] > pred_fake[:, 1]).mean()
        ) / 2
        table.append((float(np.mean(losses)), float(acc)))
    return table, gan.netG
