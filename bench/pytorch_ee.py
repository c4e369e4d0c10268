"""Optional PyTorch-CPU reference for `deno task bench` (bench/pytorch.ts runs it when torch is
importable): the project's exponential Euler step (science/solvers/exponential_euler.ts) with the
same eigen-solver (science/linalg/lanczos.ts: block Lanczos, full reorthogonalisation,
Rayleigh-Ritz, thick restart, the same convergence tests, warm starts extrapolated by 1/2 as in
science/linalg/subspace_extrapolation.ts), on the same data and initial parameters, at several
thread counts. Products are Hessian-vector products by double backpropagation, batched over the
block; the eigen-solver works in float64, as the project's does.

usage: python3 bench/pytorch_ee.py DIR --threads 1,2 --steps 10
DIR holds x.npy (N x d0, float32), y.npy (N x C targets), theta0.npy (P, float32) and spec.json
({"sizes": [...], "activation": "tanh"|"elu", "k": 2, "eta_max": 0.01}). Prints one line per
thread count: `threads T gradient_ms G hvp_ms H ee_step_ms S applications_per_step A`.

Note: Debian's python3-torch uses the system BLAS; with only the reference libblas3 its matmuls
are about 10x slower than with OpenBLAS (`apt-get install libopenblas0-pthread`).
"""
import json
import sys
import time

import numpy as np
import torch

TOLERANCE, MAX_ITERATIONS, EXTRAPOLATION, MAX_BASIS_MIN = 1e-3, 60, 0.5, 24


def load(folder):
    spec = json.load(open(f"{folder}/spec.json"))
    x = torch.from_numpy(np.load(f"{folder}/x.npy"))
    y = torch.from_numpy(np.load(f"{folder}/y.npy"))
    theta = torch.from_numpy(np.load(f"{folder}/theta0.npy"))
    return spec, x, y, theta


def unflatten(sizes, theta):
    """Weights (rows x cols, row-major) then biases, layer by layer, as in science/model/layout.ts."""
    params, at = [], 0
    for cols, rows in zip(sizes[:-1], sizes[1:]):
        params.append(theta[at : at + rows * cols].view(rows, cols))
        at += rows * cols
        params.append(theta[at : at + rows])
        at += rows
    return params


def loss_fn(spec, x, y, params):
    act = torch.tanh if spec["activation"] == "tanh" else torch.nn.functional.elu
    h = x
    layers = len(params) // 2
    for n in range(layers):
        h = h @ params[2 * n].T + params[2 * n + 1]
        if n < layers - 1:
            h = act(h)
    return ((h - y) ** 2).sum() / x.shape[0]  # the authors' MSE, c = 1


class Point:
    """The objective at theta: loss, gradient, and batched Hessian products (float32)."""

    def __init__(self, spec, x, y, theta):
        self.theta = theta
        self.params = [p.detach().clone().requires_grad_() for p in unflatten(spec["sizes"], theta)]
        loss = loss_fn(spec, x, y, self.params)
        self.grads = torch.autograd.grad(loss, self.params, create_graph=True)
        self.gradient = torch.cat([g.detach().reshape(-1) for g in self.grads]).double()

    def products(self, block):  # block: P x b float64 -> P x b float64
        b = block.shape[1]
        vs, at = [], 0
        for p in self.params:
            n = p.numel()
            vs.append(block[at : at + n].T.float().reshape(b, *p.shape))
            at += n
        out = torch.autograd.grad(self.grads, self.params, vs, retain_graph=True, is_grads_batched=True)
        return torch.cat([o.reshape(b, -1) for o in out], 1).T.double()


def orthonormalise(R):
    """Two passes of QR; drops directions that vanish. Returns (Q, U) with R = Q U."""
    q, u = torch.linalg.qr(R)
    keep = u.diagonal().abs() > 1e-10 * max(1.0, float(u.diagonal().abs().max()) if u.numel() else 1.0)
    return q[:, keep], u[keep]


def ritz(T, k):
    values, vectors = torch.linalg.eigh(T)
    order = torch.argsort(values.abs(), descending=True)
    return values[order], vectors[:, order], values


def lanczos(apply, dim, start, k, block_size, value_cutoff, generator):
    """science/linalg/lanczos.ts's block Lanczos, by magnitude, k pairs, the last one value-only."""
    max_basis = max(MAX_BASIS_MIN, 2 * (k + block_size))
    blk = start[:, :block_size] if start is not None else None
    if blk is None or blk.shape[1] < block_size:
        extra = torch.randn(dim, block_size - (0 if blk is None else blk.shape[1]), generator=generator, dtype=torch.float64)
        blk = extra if blk is None else torch.cat([blk, extra], 1)
    blk, _ = orthonormalise(blk)
    Q = torch.zeros(blk.shape[0], 0, dtype=torch.float64)
    T = torch.zeros(0, 0, dtype=torch.float64)
    scale, applications, iterations = 1e-300, 0, 0
    while blk.shape[1] > 0 and iterations < MAX_ITERATIONS:
        AX = apply(blk)
        applications += blk.shape[1]
        iterations += 1
        first = Q.shape[1]
        Q = torch.cat([Q, blk], 1)
        C = Q.T @ AX
        R = AX - Q @ C
        C2 = Q.T @ R
        R -= Q @ C2
        C += C2
        m = Q.shape[1]
        T2 = torch.zeros(m, m, dtype=torch.float64)
        T2[:first, :first] = T
        T2[:, first:] = C
        T2[first:, :first] = C[:first].T
        T = 0.5 * (T2 + T2.T)
        values, coeffs, all_values = ritz(T, k)
        scale = max(scale, float(all_values.abs().max()))
        nxt, U = orthonormalise(R)
        residuals = [float((U @ coeffs[first:, i]).norm()) for i in range(min(k, m))]
        converged = len(residuals) == k and all(
            r <= TOLERANCE * scale if i < k - 1
            else r <= TOLERANCE * abs(float(values[i])) or (r <= TOLERANCE * scale and abs(float(values[i])) + r <= value_cutoff)
            for i, r in enumerate(residuals)
        )
        if converged or m >= Q.shape[0]:
            break
        if m + nxt.shape[1] > max_basis:
            keep = max(k, max_basis // 2)
            Q = Q @ coeffs[:, :keep]
            T = torch.diag(values[:keep])
        blk = nxt
    return values[:k], Q @ coeffs[:, :k], applications


def extrapolate(previous, current, weight):
    """science/linalg/subspace_extrapolation.ts: V1 + w (V1 - V0 M), M the Procrustes rotation."""
    if previous is None or current is None or previous.shape != current.shape:
        return current
    A = previous.T @ current
    values, vectors = torch.linalg.eigh(A.T @ A)
    if float(values.min()) < 0.5:
        return current
    M = A @ (vectors @ torch.diag(values.rsqrt()) @ vectors.T)
    return current + weight * (current - previous @ M)


def ee_run(spec, x, y, theta, steps, generator):
    k, eta = spec["k"], spec["eta_max"]
    previous = current = None
    total_ms = applications = 0.0
    for _ in range(steps):
        t0 = time.perf_counter()
        point = Point(spec, x, y, theta)
        start = extrapolate(previous, current, EXTRAPOLATION) if current is not None else None
        values, vectors, apps = lanczos(point.products, theta.numel(), start, k + 1, k + 1, 1 / eta, generator)
        dt = min(eta, 1 / abs(float(values[k]))) if float(values[k]) != 0 else eta
        g = point.gradient
        update = dt * g
        for m in range(k):
            lam, v = float(values[m]), vectors[:, m]
            r = dt if lam == 0 else min(-np.expm1(-lam * dt) / lam, dt)
            update += (r - dt) * float(v @ g) * v
        theta = (theta.double() - update).float()
        total_ms += (time.perf_counter() - t0) * 1000
        applications += apps
        previous, current = current, vectors
    return total_ms / steps, applications / steps


def median_ms(f, reps):
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def main():
    folder = sys.argv[1]
    threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    steps = int(sys.argv[sys.argv.index("--steps") + 1])
    spec, x, y, theta = load(folder)
    for t in threads:
        torch.set_num_threads(t)
        point = Point(spec, x, y, theta)
        v = torch.randn(theta.numel(), 1, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
        gradient = median_ms(lambda: Point(spec, x, y, theta), 8)
        hvp = median_ms(lambda: point.products(v), 8)
        step, apps = ee_run(spec, x, y, theta, steps, torch.Generator().manual_seed(0))
        print(f"threads {t} gradient_ms {gradient:.3f} hvp_ms {hvp:.3f} ee_step_ms {step:.3f} applications_per_step {apps:.2f}", flush=True)


if __name__ == "__main__":
    main()
