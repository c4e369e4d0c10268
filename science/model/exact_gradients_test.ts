import { assertLess } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend.ts";
import { installExactGradients } from "./exact_gradients.ts";
import { Rng } from "../../util/rng.ts";
import { hessian64, matVec64, relativeError, tinyProblem } from "../testing/float64_mlp.ts";
import { parameterLayout } from "./layout.ts";

await selectBackend("wasm");
installExactGradients();
installExactGradients(); // idempotent

const xs = [-2.5, -1.1, -0.3, 0.2, 0.9, 1.7];

function secondDerivative(f: (x: tf.Tensor) => tf.Tensor): Float32Array {
  const d1 = (x: tf.Tensor) => tf.grad(f)(x);
  return tf.tidy(() => tf.grad(d1)(tf.tensor1d(xs))).dataSync() as Float32Array;
}

Deno.test("second derivatives of tanh, sigmoid, exp, elu match closed forms", () => {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const cases: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number][] = [
    ["tanh", tf.tanh, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
    ["sigmoid", tf.sigmoid, (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x))],
    ["exp", tf.exp, Math.exp],
    ["elu", tf.elu, (x) => (x > 0 ? 0 : Math.exp(x))],
  ];
  for (const [name, f, d2] of cases) {
    assertLess(relativeError(secondDerivative(f), xs.map(d2)), 1e-6, name);
  }
});

Deno.test("softmax's Hessian-vector product matches its closed form", () => {
  const z = [0.3, -1.2, 2.0, 0.5], w = [1, -2, 0.5, 3], v = [0.7, 0.1, -0.4, 1.1];
  // g(z) = ⟨w, softmax(z)⟩, ∇g_i = s_i (w_i − ⟨w, s⟩); the Hessian by central differences of it.
  const grad64 = (zz: number[]) => {
    const e = zz.map(Math.exp), S = e.reduce((a, b) => a + b), s = e.map((x) => x / S);
    const ws = s.reduce((a, x, i) => a + x * w[i], 0);
    return s.map((x, i) => x * (w[i] - ws));
  };
  const h = 1e-6;
  const want = grad64(z.map((x, i) => x + h * v[i])).map((a, i) =>
    (a - grad64(z.map((x, j) => x - h * v[j]))[i]) / (2 * h)
  );
  const got = tf.tidy(() => {
    const g = (zz: tf.Tensor) => tf.sum(tf.mul(tf.softmax(zz as tf.Tensor1D), tf.tensor1d(w)));
    const dirDeriv = (zz: tf.Tensor) => tf.sum(tf.mul(tf.grad(g)(zz), tf.tensor1d(v)));
    return tf.grad(dirDeriv)(tf.tensor1d(z));
  }).dataSync();
  assertLess(relativeError(got, want), 1e-5);
});

Deno.test("matMul gradients with every transpose flag match the closed forms", () => {
  const rng = new Rng(2);
  const a = Float32Array.from({ length: 6 }, () => rng.normal());
  const b = Float32Array.from({ length: 6 }, () => rng.normal());
  const W = Float32Array.from({ length: 4 }, () => rng.normal()); // weights of the 2×2 product
  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
    const A = tf.tensor2d(a, tA ? [3, 2] : [2, 3]), B = tf.tensor2d(b, tB ? [2, 3] : [3, 2]);
    const [gA, gB] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, tA, tB), tf.tensor2d(W, [2, 2])))
    )([A, B]);
    // d/dA of Σ W ⊙ (op(A) op(B)) = W op(B)ᵀ for op(A), transposed back when tA.
    const opA = (i: number, k: number) => (tA ? a[k * 2 + i] : a[i * 3 + k]);
    const opB = (k: number, j: number) => (tB ? b[j * 3 + k] : b[k * 2 + j]);
    const wantA = new Float64Array(6), wantB = new Float64Array(6);
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 3; k++) {
        for (let j = 0; j < 2; j++) {
          wantA[tA ? k * 2 + i : i * 3 + k] += W[i * 2 + j] * opB(k, j);
          wantB[tB ? j * 3 + k : k * 2 + j] += W[i * 2 + j] * opA(i, k);
        }
      }
    }
    assertLess(relativeError(gA.dataSync(), wantA), 1e-6, `dA tA=${tA} tB=${tB}`);
    assertLess(relativeError(gB.dataSync(), wantB), 1e-6, `dB tA=${tA} tB=${tB}`);
    tf.dispose([A, B, gA, gB]);
  }
});

Deno.test("double backprop through an MLP with a logsumexp loss matches the float64 Hessian", () => {
  for (const activation of ["elu", "tanh"] as const) {
    const rng = new Rng(4);
    const sizes = [3, 4, 3];
    const { problem, theta, x, labels } = tinyProblem(rng, sizes, activation, "cross_entropy", 5);
    const v = Float64Array.from({ length: theta.length }, () => rng.normal());
    const layout = parameterLayout(sizes);
    const lossOf = (th: tf.Tensor) => {
      let h: tf.Tensor = tf.tensor2d(x, [5, 3]);
      layout.forEach((l, n) => {
        const A = tf.reshape(tf.slice(th, l.weightOffset, l.rows * l.cols), [l.rows, l.cols]);
        const pre = tf.add(
          tf.matMul(h as tf.Tensor2D, A as tf.Tensor2D, false, true),
          tf.slice(th, l.biasOffset, l.rows),
        );
        h = n < layout.length - 1 ? (activation === "elu" ? tf.elu(pre) : tf.tanh(pre)) : pre;
      });
      const y = tf.oneHot(tf.tensor1d(labels, "int32"), 3);
      const m = tf.max(h, 1, true);
      const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(h, m)), 1)), tf.squeeze(m, [1]));
      return tf.mean(tf.sub(lse, tf.sum(tf.mul(y, h), 1)));
    };
    const hv = tf.tidy(() => {
      const dir = (th: tf.Tensor) =>
        tf.sum(tf.mul(tf.grad(lossOf)(th), tf.tensor1d(Float32Array.from(v))));
      return tf.grad(dir)(tf.tensor1d(theta));
    }).dataSync();
    assertLess(relativeError(hv, matVec64(hessian64(problem, theta), v)), 1e-5, activation);
  }
});
