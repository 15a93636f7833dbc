"""Simulated gene-expression trajectories of several cell types, with known ground truth.

Each cell type ``k`` has its own starting point ``a_k`` and its own dynamics: expression
relaxes towards a type-specific steady state ``mu_k`` while rotating in gene space,

    s_0     = a_k + u,                     u ~ N(0, start_sd^2 I)   (this cell's deviation)
    s_{t+1} = mu_k + R_k (s_t - mu_k),     R_k = decay_k * (a rotation by angle_k)
    x_t     = s_t + e_t,                   e_t ~ N(0, noise_sd^2 I) (what is measured)

and every trajectory comes with baseline "omics" covariates measured before the time
course, ``z = C s_0 + N(0, omics_sd^2 I)``: a noisy linear read-out of the true starting
state (think transcription-factor activity scores). ``z`` therefore carries both the cell
type (through ``a_k``) and this cell's own deviation ``u``; the cell-type label carries
only the first. Shapes follow the course's convention: ``x`` is ``(N, T, G)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class ExpressionData:
    """Simulated trajectories and what generated them."""

    x: torch.Tensor
    """Measured expression ``(N, T, G)``."""
    truth: torch.Tensor
    """Noise-free states ``s_t``, ``(N, T, G)``."""
    cell_type: torch.Tensor
    """Cell type of each trajectory ``(N,)``, long."""
    z: torch.Tensor
    """Baseline omics covariates ``(N, P)``."""

    def __len__(self) -> int:
        return self.x.shape[0]

    def next_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(inputs, targets)`` for next-step prediction: ``x[:, :-1]`` and ``x[:, 1:]``."""
        return self.x[:, :-1], self.x[:, 1:]


@dataclass
class ExpressionSimulator:
    """The generative model above; its parameters are drawn once from ``seed``.

    Parameters
    ----------
    n_types, n_genes, n_omics : int
        Cell types K, genes G, omics covariates P.
    length : int
        Time points T per trajectory.
    """

    n_types: int = 4
    n_genes: int = 6
    n_omics: int = 10
    length: int = 12
    start_sd: float = 0.4
    noise_sd: float = 0.5
    omics_sd: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.n_types, self.n_genes, self.n_omics) < 1 or self.length < 2:
            raise ValueError("n_types, n_genes, n_omics must be >= 1 and length >= 2")
        gen = torch.Generator().manual_seed(self.seed)
        K, G, P = self.n_types, self.n_genes, self.n_omics
        self.start = 1.5 * torch.randn(K, G, generator=gen)  # a_k
        self.steady = 1.0 * torch.randn(K, G, generator=gen)  # mu_k
        self.decay = 0.75 + 0.2 * torch.rand(K, generator=gen)  # |eigenvalues| of R_k
        self.angle = (0.15 + 0.5 * torch.rand(K, generator=gen)) * math.pi / 2
        basis, _ = torch.linalg.qr(torch.randn(G, G, generator=gen))  # plane of rotation
        self.R = torch.stack([self._rotation(k, basis) for k in range(K)])  # (K, G, G)
        self.C = torch.randn(P, G, generator=gen) / math.sqrt(G)  # omics read-out

    def _rotation(self, k: int, basis: torch.Tensor) -> torch.Tensor:
        G = self.n_genes
        rot = torch.eye(G)
        c, s = math.cos(float(self.angle[k])), math.sin(float(self.angle[k]))
        for i in range(0, G - 1, 2):  # rotate in each consecutive pair of basis directions
            rot[i, i], rot[i, i + 1], rot[i + 1, i], rot[i + 1, i + 1] = c, -s, s, c
        return float(self.decay[k]) * basis @ rot @ basis.T

    def sample(self, n: int, seed: int) -> ExpressionData:
        """``n`` trajectories, cell types balanced (``i % K``), reproducible from ``seed``."""
        if n < 1:
            raise ValueError(f"n must be positive, got {n}")
        gen = torch.Generator().manual_seed(seed)
        K, G, T = self.n_types, self.n_genes, self.length
        cell_type = torch.arange(n) % K
        cell_type = cell_type[torch.randperm(n, generator=gen)]
        s = self.start[cell_type] + self.start_sd * torch.randn(n, G, generator=gen)  # s_0
        z = s @ self.C.T + self.omics_sd * torch.randn(n, self.n_omics, generator=gen)
        states = [s]
        R, mu = self.R[cell_type], self.steady[cell_type]  # (n, G, G), (n, G)
        for _ in range(T - 1):
            s = mu + torch.einsum("ngh,nh->ng", R, s - mu)
            states.append(s)
        truth = torch.stack(states, dim=1)  # (n, T, G)
        x = truth + self.noise_sd * torch.randn(n, T, G, generator=gen)
        return ExpressionData(x=x, truth=truth, cell_type=cell_type, z=z)
