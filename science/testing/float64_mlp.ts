/**
 * Plain-JS float64 reference of the MLP, its losses and their derivatives, for tests only: the
 * one reference the float32 tfjs numerics (objective, curvature, Jacobians, alignment) are
 * compared with.
 *
 * Written independently of the tfjs code and of science/model/layout.ts (loops over arrays, its
 * own parameter offsets, no shared helpers). Dense Hessians come from central differences of the
 * float64 analytic gradient (truncation ~h², far below float32 rounding).
 *
 * @module
 */

/** Activations of the reference (the same names as science/model/layout.ts). */
export type Activation64 = "elu" | "tanh" | "relu";
/** Losses of the reference (the same names as science/model/loss.ts). */
export type Loss64 = "mse" | "mse_half" | "cross_entropy";

/** A tiny problem: widths, activation, loss, inputs X (N×d₀ row-major), targets Y (N×C). */
export interface Problem64 {
  sizes: number[];
  activation: Activation64;
  loss: Loss64;
  x: Float64Array;
  y: Float64Array;
  n: number;
}

function act(a: Activation64, v: number): [number, number, number] {
  // value, first and second derivative
  if (a === "tanh") {
    const t = Math.tanh(v);
    return [t, 1 - t * t, -2 * t * (1 - t * t)];
  }
  if (a === "relu") return v > 0 ? [v, 1, 0] : [0, 0, 0];
  return v > 0 ? [v, 1, 0] : [Math.exp(v) - 1, Math.exp(v), Math.exp(v)];
}

interface Forward64 {
  /** inputs to each layer: h[0] = x, h[n] = σ(pre[n−1]) */
  h: Float64Array[];
  /** preactivations of each layer (the last is the output z) */
  pre: Float64Array[];
}

function forward64(p: Problem64, theta: ArrayLike<number>): Forward64 {
  const h = [p.x], pre: Float64Array[] = [];
  let off = 0;
  for (let l = 1; l < p.sizes.length; l++) {
    const din = p.sizes[l - 1], dout = p.sizes[l];
    const z = new Float64Array(p.n * dout);
    for (let i = 0; i < p.n; i++) {
      for (let r = 0; r < dout; r++) {
        let s = theta[off + dout * din + r];
        for (let c = 0; c < din; c++) s += theta[off + r * din + c] * h[l - 1][i * din + c];
        z[i * dout + r] = s;
      }
    }
    off += dout * din + dout;
    pre.push(z);
    if (l < p.sizes.length - 1) h.push(z.map((v) => act(p.activation, v)[0]));
  }
  return { h, pre };
}

/** A dense row-major matrix of plain numbers. */
export type Matrix = number[][];

/** σ in float64. */
export function sigma(activation: Activation64, x: number): number {
  return act(activation, x)[0];
}

/** The weight matrices A¹ … Aᴸ of θ (layer by layer: A row-major, then b). */
export function weightsOf(sizes: readonly number[], theta: ArrayLike<number>): Matrix[] {
  return layerOffsets(sizes).map(({ offset, rows, cols }) =>
    Array.from(
      { length: rows },
      (_, i) => Array.from({ length: cols }, (_, j) => theta[offset + i * cols + j]),
    )
  );
}

/** The biases b¹ … bᴸ of θ. */
export function biasesOf(sizes: readonly number[], theta: ArrayLike<number>): number[][] {
  return layerOffsets(sizes).map(({ offset, rows, cols }) =>
    Array.from({ length: rows }, (_, i) => theta[offset + rows * cols + i])
  );
}

function layerOffsets(sizes: readonly number[]) {
  const out: { offset: number; rows: number; cols: number }[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    out.push({ offset, rows: sizes[l], cols: sizes[l - 1] });
    offset += sizes[l] * sizes[l - 1] + sizes[l];
  }
  return out;
}

/** A v. */
export function matVec(a: Matrix, v: number[]): number[] {
  return a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
}

/** A B. */
export function matMul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

/** x̂^{until} as a function of x̂ⁿ (n ≥ 1): the forward pass from layer n on, for one input. */
export function forwardFrom(
  net: { sizes: readonly number[]; activation: Activation64 },
  theta: ArrayLike<number>,
  n: number,
  pre: number[],
  until: number,
): number[] {
  const a = weightsOf(net.sizes, theta), b = biasesOf(net.sizes, theta);
  let h = pre;
  for (let m = n; m < until; m++) {
    h = matVec(a[m], h.map((v) => sigma(net.activation, v))).map((v, i) => v + b[m][i]);
  }
  return h;
}

/** All preactivations x̂¹ … x̂ᴸ of one input. */
export function preactivations(
  net: { sizes: readonly number[]; activation: Activation64 },
  theta: ArrayLike<number>,
  x: number[],
): number[][] {
  const C = net.sizes.at(-1)!;
  const one: Problem64 = {
    sizes: [...net.sizes],
    activation: net.activation,
    loss: "mse",
    x: Float64Array.from(x),
    y: new Float64Array(C),
    n: 1,
  };
  return forward64(one, theta).pre.map((z) => Array.from(z));
}

/** The Jacobian of g at p by float64 central differences (columns = input coordinates). */
export function centralDifferenceJacobian(
  g: (p: number[]) => number[],
  p: number[],
  eps = 1e-6,
): Matrix {
  const columns = p.map((_, j) => {
    const plus = p.slice(), minus = p.slice();
    plus[j] += eps;
    minus[j] -= eps;
    const gp = g(plus), gm = g(minus);
    return gp.map((v, i) => (v - gm[i]) / (2 * eps));
  });
  return columns[0].map((_, i) => columns.map((col) => col[i]));
}

/** Per-sample loss value, its gradient g = ∂l/∂z and Hessian Q = ∂²l/∂z² (C×C, row-major). */
function lossParts(p: Problem64, z: Float64Array, i: number): [number, number[], number[]] {
  const C = p.sizes.at(-1)!;
  const zi = Array.from(z.subarray(i * C, i * C + C)), yi = p.y.subarray(i * C, i * C + C);
  const Q = new Array(C * C).fill(0);
  if (p.loss === "cross_entropy") {
    const m = Math.max(...zi);
    const e = zi.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const prob = e.map((v) => v / s);
    let value = m + Math.log(s);
    for (let q = 0; q < C; q++) value -= yi[q] * zi[q];
    for (let a = 0; a < C; a++) {
      for (let b = 0; b < C; b++) Q[a * C + b] = (a === b ? prob[a] : 0) - prob[a] * prob[b];
    }
    return [value, prob.map((v, q) => v - yi[q]), Q];
  }
  const c = p.loss === "mse" ? 1 : 0.5;
  let value = 0;
  for (let q = 0; q < C; q++) {
    value += c * (zi[q] - yi[q]) ** 2;
    Q[q * C + q] = 2 * c;
  }
  return [value, zi.map((v, q) => 2 * c * (v - yi[q])), Q];
}

/** The network outputs f(xᵢ, θ), N × C row-major. */
export function output64(p: Problem64, theta: ArrayLike<number>): Float64Array {
  return forward64(p, theta).pre.at(-1)!;
}

/** L(θ) = (1/N) Σ l(f(xᵢ, θ), yᵢ). */
export function loss64(p: Problem64, theta: ArrayLike<number>): number {
  const { pre } = forward64(p, theta);
  let s = 0;
  for (let i = 0; i < p.n; i++) s += lossParts(p, pre.at(-1)!, i)[0];
  return s / p.n;
}

/** Σᵢ Jᵢᵀ cᵢ for output cotangents c (N×C): reverse-mode backpropagation in float64. */
export function backprop64(p: Problem64, theta: ArrayLike<number>, cot: Float64Array) {
  const { h, pre } = forward64(p, theta);
  const P = theta.length, L = p.sizes.length - 1;
  const out = new Float64Array(P);
  const offsets: number[] = [];
  let off = 0;
  for (let l = 1; l <= L; l++) {
    offsets.push(off);
    off += p.sizes[l] * p.sizes[l - 1] + p.sizes[l];
  }
  let delta = Float64Array.from(cot); // ∂/∂ preactivation of layer l
  for (let l = L; l >= 1; l--) {
    const din = p.sizes[l - 1], dout = p.sizes[l], o = offsets[l - 1];
    const back = new Float64Array(p.n * din);
    for (let i = 0; i < p.n; i++) {
      for (let r = 0; r < dout; r++) {
        const d = delta[i * dout + r];
        out[o + dout * din + r] += d;
        for (let c = 0; c < din; c++) {
          out[o + r * din + c] += d * h[l - 1][i * din + c];
          back[i * din + c] += d * theta[o + r * din + c];
        }
      }
    }
    if (l > 1) back.forEach((v, j) => (back[j] = v * act(p.activation, pre[l - 2][j])[1]));
    delta = back;
  }
  return out;
}

/** Output cotangents gᵢ/N of the loss at θ (N×C). */
function outputGradients(p: Problem64, theta: ArrayLike<number>): Float64Array {
  const z = forward64(p, theta).pre.at(-1)!, C = p.sizes.at(-1)!;
  const g = new Float64Array(p.n * C);
  for (let i = 0; i < p.n; i++) lossParts(p, z, i)[1].forEach((v, q) => (g[i * C + q] = v / p.n));
  return g;
}

/** ∇L(θ), analytic. */
export function gradient64(p: Problem64, theta: ArrayLike<number>): Float64Array {
  return backprop64(p, theta, outputGradients(p, theta));
}

/**
 * ℋv exactly, by forward-over-reverse differentiation in float64 (Pearlmutter's R-operator,
 * written out for this MLP), for operators too large for a dense Hessian. Each layer's
 * preactivation z, its directional derivative Rz along v, and the backward pass δ with its own
 * derivative Rδ = Rback ⊙ σ′(z) + back ⊙ σ″(z) ⊙ Rz.
 */
export function hessianVectorProduct64(
  p: Problem64,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const { h, pre } = forward64(p, theta);
  const L = p.sizes.length - 1, offsets = layerOffsets(p.sizes);
  // Forward: Rh⁰ = 0; Rzˡ = Vᴬ hˡ⁻¹ + Aˡ Rhˡ⁻¹ + Vᵇ; Rhˡ = σ′(zˡ) ⊙ Rzˡ.
  const rh: Float64Array[] = [new Float64Array(p.x.length)], rz: Float64Array[] = [];
  for (let l = 1; l <= L; l++) {
    const { offset: o, rows: dout, cols: din } = offsets[l - 1];
    const z = new Float64Array(p.n * dout);
    for (let i = 0; i < p.n; i++) {
      for (let r = 0; r < dout; r++) {
        let s = v[o + dout * din + r];
        for (let c = 0; c < din; c++) {
          s += v[o + r * din + c] * h[l - 1][i * din + c] +
            theta[o + r * din + c] * rh[l - 1][i * din + c];
        }
        z[i * dout + r] = s;
      }
    }
    rz.push(z);
    if (l < L) rh.push(z.map((x, j) => act(p.activation, pre[l - 1][j])[1] * x));
  }
  // Output: δᴸ = gᵢ/N and Rδᴸ = Qᵢ Rzᴸ/N per example.
  const C = p.sizes[L], delta = new Float64Array(p.n * C), rdelta = new Float64Array(p.n * C);
  for (let i = 0; i < p.n; i++) {
    const [, g, Q] = lossParts(p, pre[L - 1], i);
    for (let a = 0; a < C; a++) {
      delta[i * C + a] = g[a] / p.n;
      for (let b = 0; b < C; b++) rdelta[i * C + a] += (Q[a * C + b] * rz[L - 1][i * C + b]) / p.n;
    }
  }
  return backpropR(p, theta, v, { h, pre, rh, rz }, delta, rdelta);
}

/** The backward half of {@linkcode hessianVectorProduct64}: R(∇L) layer by layer. */
function backpropR(
  p: Problem64,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
  f: { h: Float64Array[]; pre: Float64Array[]; rh: Float64Array[]; rz: Float64Array[] },
  delta: Float64Array,
  rdelta: Float64Array,
): Float64Array {
  const out = new Float64Array(theta.length), offsets = layerOffsets(p.sizes);
  for (let l = p.sizes.length - 1; l >= 1; l--) {
    const { offset: o, rows: dout, cols: din } = offsets[l - 1];
    const back = new Float64Array(p.n * din), rback = new Float64Array(p.n * din);
    for (let i = 0; i < p.n; i++) {
      for (let r = 0; r < dout; r++) {
        const d = delta[i * dout + r], rd = rdelta[i * dout + r];
        out[o + dout * din + r] += rd;
        for (let c = 0; c < din; c++) {
          const x = i * din + c, w = o + r * din + c;
          out[w] += rd * f.h[l - 1][x] + d * f.rh[l - 1][x];
          back[x] += d * theta[w];
          rback[x] += d * v[w] + rd * theta[w];
        }
      }
    }
    if (l === 1) break;
    delta = new Float64Array(back.length);
    rdelta = new Float64Array(back.length);
    for (let x = 0; x < back.length; x++) {
      const [, d1, d2] = act(p.activation, f.pre[l - 2][x]);
      delta[x] = back[x] * d1;
      rdelta[x] = rback[x] * d1 + back[x] * d2 * f.rz[l - 2][x];
    }
  }
  return out;
}

/** Dense symmetric matrix (row-major P×P) by central differences of a vector function of θ. */
function jacobianOfGradient(
  theta: ArrayLike<number>,
  grad: (t: Float64Array) => Float64Array,
  h = 1e-5,
): Float64Array {
  const P = theta.length, M = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    const tp = Float64Array.from(theta), tm = Float64Array.from(theta);
    tp[j] += h;
    tm[j] -= h;
    const gp = grad(tp), gm = grad(tm);
    for (let i = 0; i < P; i++) M[i * P + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < i; j++) M[i * P + j] = M[j * P + i] = (M[i * P + j] + M[j * P + i]) / 2;
  }
  return M;
}

/** The dense Hessian ℋ = ∇²L (P×P row-major). */
export function hessian64(p: Problem64, theta: ArrayLike<number>): Float64Array {
  return jacobianOfGradient(theta, (t) => gradient64(p, t));
}

/** The dense residual part H = Hessian of (1/N)Σ⟨stopgrad gᵢ, f(xᵢ, θ)⟩. */
export function residualHessian64(p: Problem64, theta: ArrayLike<number>): Float64Array {
  const g = outputGradients(p, theta);
  return jacobianOfGradient(theta, (t) => backprop64(p, t, g));
}

/** The dense Gauss–Newton matrix G = (1/N) Σ Jᵢᵀ Qᵢ Jᵢ, with Jᵢ from unit cotangents. */
export function gaussNewton64(p: Problem64, theta: ArrayLike<number>): Float64Array {
  const P = theta.length, C = p.sizes.at(-1)!;
  const z = forward64(p, theta).pre.at(-1)!;
  const G = new Float64Array(P * P);
  for (let i = 0; i < p.n; i++) {
    const rows: Float64Array[] = [];
    for (let q = 0; q < C; q++) {
      const cot = new Float64Array(p.n * C);
      cot[i * C + q] = 1;
      rows.push(backprop64(p, theta, cot)); // row q of Jᵢ
    }
    const Q = lossParts(p, z, i)[2];
    for (let a = 0; a < C; a++) {
      for (let b = 0; b < C; b++) {
        const w = Q[a * C + b] / p.n;
        if (w === 0) continue;
        for (let r = 0; r < P; r++) {
          const wr = w * rows[a][r];
          for (let c = 0; c < P; c++) G[r * P + c] += wr * rows[b][c];
        }
      }
    }
  }
  return G;
}

/** M·v for a dense row-major square matrix. */
export function matVec64(M: Float64Array, v: ArrayLike<number>): Float64Array {
  const P = v.length, out = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    let s = 0;
    for (let j = 0; j < P; j++) s += M[i * P + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** ‖a − b‖ / ‖b‖. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/**
 * A seeded tiny problem for tests: inputs ~ N(0, 1), labels uniform, θ ~ N(0, scale²) (weights
 * and biases), everything rounded to float32 so that the float32 code sees the same numbers.
 */
export function tinyProblem(
  rng: { normal(): number; int(n: number): number },
  sizes: number[],
  activation: Activation64,
  loss: Loss64,
  n: number,
  scale = 0.7,
): { problem: Problem64; theta: Float32Array; x: Float32Array; labels: Int32Array } {
  const C = sizes.at(-1)!;
  const x = Float32Array.from({ length: n * sizes[0] }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, () => rng.int(C));
  let P = 0;
  for (let l = 1; l < sizes.length; l++) P += sizes[l] * sizes[l - 1] + sizes[l];
  const theta = Float32Array.from({ length: P }, () => scale * rng.normal());
  return { problem: labelledProblem(sizes, activation, loss, x, labels), theta, x, labels };
}

/** The problem of inputs X (N×d₀ row-major) and class labels, whose targets Y are one-hot rows. */
export function labelledProblem(
  sizes: number[],
  activation: Activation64,
  loss: Loss64,
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
): Problem64 {
  const C = sizes.at(-1)!, n = labels.length;
  const y = new Float64Array(n * C);
  for (let i = 0; i < n; i++) y[i * C + labels[i]] = 1;
  return { sizes, activation, loss, x: Float64Array.from(x), y, n };
}
