"""Optional PyTorch-CPU reference for `deno task bench` (bench/pytorch.ts runs it when torch is
importable): the project's exponential Euler step (science/solvers/exponential_euler.ts) with the
same eigen-solver (science/linalg/lanczos.ts: block Lanczos, full reorthogonalisation,
Rayleigh-Ritz, thick restart, the same convergence tests, warm starts extrapolated by 1/2 as in
science/linalg/subspace_extrapolation.ts), on the same data and initial parameters, at several
thread counts. Products are Hessian-vector products by double backpropagation, batched over the
block; the eigen-solver works in float64, as the project's does.

usage: OPENBLAS_NUM_THREADS=T OMP_NUM_THREADS=T python3 bench/pytorch_ee.py DIR --threads T --steps 10
(bench/pytorch.ts runs it once per thread count, so that the BLAS's own pool has T threads too)
DIR holds x.npy (N x d0, float32), y.npy (N x C targets), theta0.npy (P, float32) and spec.json
({"sizes": [...], "activation": "tanh"|"elu", "k": 2, "eta_max": 0.01}). Prints one line:
`threads T gradient_ms G hvp_ms H ee_step_ms S applications_per_step A`.

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

    def products(self, rows):  # rows: b x P float64 -> b x P float64
        b = rows.shape[0]
        vs, at = [], 0
        for p in self.params:
            n = p.numel()
            vs.append(rows[:, at : at + n].float().reshape(b, *p.shape))
            at += n
        out = torch.autograd.grad(self.grads, self.params, vs, retain_graph=True, is_grads_batched=True)
        return torch.cat([o.reshape(b, -1) for o in out], 1).double()


def orthonormalise(R):
    """Orthonormal rows spanning R's (b x P) by two Cholesky QR passes, as the project's
    block_orthonormalise.ts settles a block; rows that vanish are dropped. Returns (Q, U) with
    R = U^T Q."""
    U = torch.eye(R.shape[0], dtype=torch.float64)
    Q = R
    for _ in range(2):
        G = Q @ Q.T
        d = G.diagonal()
        keep = d > 1e-20 * max(float(d.max()), 1e-300) if d.numel() else d > 0
        if not bool(keep.all()):
            Q, U, G = Q[keep], U[keep], G[keep][:, keep]
        if Q.shape[0] == 0:
            break
        L = torch.linalg.cholesky(G)
        Q = torch.linalg.inv(L) @ Q  # L⁻¹ is b x b: a matmul is faster than a triangular solve
        U = L.T @ U
    return Q.contiguous(), U


def ritz(T, k):
    values, vectors = torch.linalg.eigh(T)
    order = torch.argsort(values.abs(), descending=True)
    return values[order], vectors[:, order], values


def lanczos(apply, dim, start, k, block_size, value_cutoff, generator):
    """science/linalg/lanczos.ts's block Lanczos, by magnitude, k pairs, the last one value-only.
    Vectors are rows (b x P), so that every product with the basis is a contiguous matmul."""
    max_basis = max(MAX_BASIS_MIN, 2 * (k + block_size))
    blk = start[:block_size] if start is not None else torch.zeros(0, dim, dtype=torch.float64)
    if blk.shape[0] < block_size:
        extra = torch.randn(block_size - blk.shape[0], dim, generator=generator, dtype=torch.float64)
        blk = torch.cat([blk, extra], 0)
    blk, _ = orthonormalise(blk)
    basis = torch.empty(max_basis + block_size, dim, dtype=torch.float64)  # Q, row by row
    T = torch.zeros(0, 0, dtype=torch.float64)
    m = scale = applications = iterations = 0
    recurrence = None
    while blk.shape[0] > 0 and iterations < MAX_ITERATIONS:
        AX = apply(blk)
        applications += blk.shape[0]
        iterations += 1
        first, m = m, m + blk.shape[0]
        basis[first:m] = blk
        Q = basis[:m]
        C, R = split_off_basis(AX, Q, first, recurrence)
        T2 = torch.zeros(m, m, dtype=torch.float64)
        T2[:first, :first] = T
        T2[:, first:] = C
        T2[first:, :first] = C[:first].T
        T = 0.5 * (T2 + T2.T)
        values, coeffs, all_values = ritz(T, k)
        scale = max(scale, float(all_values.abs().max()))
        nxt, U = orthonormalise(R)
        residuals = (U @ coeffs[first:, :k]).norm(dim=0).tolist()
        if len(residuals) == k and converged(values, residuals, k, scale, value_cutoff) or m >= dim:
            break
        recurrence = (first, U)
        if m + nxt.shape[0] > max_basis:
            keep = max(k, max_basis // 2)
            basis[:keep] = coeffs[:, :keep].T @ Q
            m, T, recurrence = keep, torch.diag(values[:keep]), None
        blk = nxt
    return values[:k], coeffs[:, :k].T @ basis[:m], applications


def split_off_basis(AX, Q, first, recurrence):
    """_lanczos_steps.ts's splitOffBasis: the products' coefficients along the basis Q (m x b) and
    their remainder. Along the newest block they are computed, along the block before they are
    known by symmetry (the factor U of the remainder that became the newest block), and one pass
    over the whole basis restores orthogonality, repeated when it removed much (DGKS)."""
    if recurrence is None:
        C = Q @ AX.T
        R = AX - C.T @ Q
    else:
        before_first, U = recurrence
        C = torch.zeros(Q.shape[0], AX.shape[0], dtype=torch.float64)
        C[first:] = Q[first:] @ AX.T
        C[before_first:first] = U.T  # q_j . (A x_l) = x_l . R_j = U[l][j]
        R = AX - C[before_first:].T @ Q[before_first:]
    before = R.norm(dim=1)
    for _ in range(2):
        correction = Q @ R.T
        R = R - correction.T @ Q
        C += correction
        if bool((correction.pow(2).sum(0) < 0.5 * before.pow(2)).all()):
            break
        before = R.norm(dim=1)
    return C, R


def converged(values, residuals, k, scale, value_cutoff):
    """The tests of science/linalg/lanczos.ts: vectors to TOLERANCE * scale, the last pair's value
    to TOLERANCE * |theta|, or below the cutoff once it passes the vector test."""
    for i, r in enumerate(residuals):
        vector_test = r <= TOLERANCE * scale
        magnitude = abs(float(values[i]))
        ok = vector_test if i < k - 1 else (r <= TOLERANCE * magnitude or (vector_test and magnitude + r <= value_cutoff))
        if not ok:
            return False
    return True


def extrapolate(previous, current, weight):
    """science/linalg/subspace_extrapolation.ts: V1 + w (V1 - V0 M), M the Procrustes rotation."""
    if previous is None or current is None or previous.shape != current.shape:
        return current
    A = previous @ current.T  # rows are vectors: A = V0^T V1
    values, vectors = torch.linalg.eigh(A.T @ A)
    if float(values.min()) < 0.5:
        return current
    M = A @ (vectors @ torch.diag(values.rsqrt()) @ vectors.T)
    return current + weight * (current - M.T @ previous)


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
            lam, v = float(values[m]), vectors[m]
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
    t = int(sys.argv[sys.argv.index("--threads") + 1])
    steps = int(sys.argv[sys.argv.index("--steps") + 1])
    spec, x, y, theta = load(folder)
    torch.set_num_threads(t)
    point = Point(spec, x, y, theta)
    v = torch.randn(1, theta.numel(), dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    gradient = median_ms(lambda: Point(spec, x, y, theta), 8)
    hvp = median_ms(lambda: point.products(v), 8)
    step, apps = ee_run(spec, x, y, theta, steps, torch.Generator().manual_seed(0))
    print(f"threads {t} gradient_ms {gradient:.3f} hvp_ms {hvp:.3f} ee_step_ms {step:.3f} applications_per_step {apps:.2f}")


if __name__ == "__main__":
    main()
