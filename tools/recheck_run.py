#!/usr/bin/env python3
"""Recomputes a training run's recorded loss and sharpness from its artifacts alone (numpy, scipy).

    python3 tools/recheck_run.py artifacts/train/<key>

For every full measurement (a row of measurements.csv whose `snapshot` column is >= 0) it takes θ
from theta_snapshots.npy, the data from the run's `data` artifact (found by the content hash its
manifest names), and prints one JSON line: the step, the recorded loss and sharpness λ¹(ℋ), and the
same recomputed here in float64 (the loss by a forward pass, λ¹ by scipy's Lanczos on Hessian-vector
products from central differences of a hand-written gradient).

θ is one flat vector, layer by layer: Aⁿ (dₙ × dₙ₋₁, row-major), then bⁿ, for n = 1..L, with
zⁿ = Aⁿ hⁿ⁻¹ + bⁿ, hⁿ = σ(zⁿ) on hidden layers. MSE is Σ_q (z_q − y_q)² with one-hot y, averaged
over the examples (no ½; `mse_half` has it); cross-entropy is the mean of logsumexp(z) − z_y.
"""
import glob
import json
import os
import sys

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

ACTIVATIONS = {
    "elu": (lambda u: np.where(u > 0, u, np.expm1(u)), lambda u: np.where(u > 0, 1.0, np.exp(u))),
    "tanh": (np.tanh, lambda u: 1 - np.tanh(u) ** 2),
    "relu": (lambda u: np.maximum(u, 0), lambda u: (u > 0) * 1.0),
}


def layers(theta, sizes):
    """(Aⁿ, bⁿ) for n = 1..L from the flat θ."""
    out, o = [], 0
    for d_in, d_out in zip(sizes, sizes[1:]):
        a = theta[o:o + d_out * d_in].reshape(d_out, d_in)
        out.append((a, theta[o + d_out * d_in:o + d_out * (d_in + 1)]))
        o += d_out * (d_in + 1)
    return out


def loss_and_gradient(theta, sizes, activation, loss, x, y):
    act, dact = ACTIVATIONS[activation]
    ls, hs, us = layers(theta, sizes), [x], []
    for i, (a, b) in enumerate(ls):
        us.append(hs[-1] @ a.T + b)
        if i < len(ls) - 1:
            hs.append(act(us[-1]))
    z, onehot, n = us[-1], np.eye(sizes[-1])[y], len(y)
    if loss == "cross_entropy":
        e = np.exp(z - z.max(1, keepdims=True))
        value = np.mean(np.log(e.sum(1)) + z.max(1) - z[np.arange(n), y])
        g = (e / e.sum(1, keepdims=True) - onehot) / n
    else:
        c = 1.0 if loss == "mse" else 0.5
        value, g = c * np.sum((z - onehot) ** 2) / n, 2 * c * (z - onehot) / n
    grads = []
    for i in reversed(range(len(ls))):
        grads = [(g.T @ hs[i]).ravel(), g.sum(0)] + grads
        if i > 0:
            g = (g @ ls[i][0]) * dact(us[i - 1])
    return value, np.concatenate(grads)


def sharpness(gradient, theta, h=1e-5):
    """λ¹ of ℋ, with ℋv = (∇L(θ + hv) − ∇L(θ − hv)) / 2h."""
    hv = lambda v: (gradient(theta + h * v) - gradient(theta - h * v)) / (2 * h)
    op = LinearOperator((theta.size, theta.size), matvec=hv, dtype=np.float64)
    return float(eigsh(op, k=1, which="LA", tol=1e-10)[0][0])


def main(run):
    store = os.path.dirname(os.path.dirname(os.path.abspath(run)))
    manifest = json.load(open(f"{run}/manifest.json"))
    p = manifest["params"]
    data = next(f.rsplit("/", 1)[0] for f in glob.glob(f"{store}/data/*/manifest.json")
                if json.load(open(f))["contentHash"] == manifest["inputs"]["data"]["hash"])
    x = np.load(f"{data}/inputs.npy").astype(np.float64)
    y = np.load(f"{data}/labels.npy")
    sizes = [x.shape[1], *p["hidden"], len(p["classes"])]  # the labels kept, one output each
    args = (sizes, p["activation"], p["loss"], x, y)
    rows = np.atleast_1d(np.genfromtxt(f"{run}/measurements.csv", delimiter=",", names=True))
    thetas = np.load(f"{run}/theta_snapshots.npy").astype(np.float64)
    for row in rows[rows["snapshot"] >= 0]:
        theta = thetas[int(row["snapshot"])]
        loss, _ = loss_and_gradient(theta, *args)
        top = sharpness(lambda t: loss_and_gradient(t, *args)[1], theta)
        print(json.dumps({"step": int(row["step"]), "loss": row["loss"], "lossRecomputed": loss,
                          "sharpness": row["sharpness"], "sharpnessRecomputed": top}))


if __name__ == "__main__":
    main(sys.argv[1])
