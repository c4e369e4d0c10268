/**
 * A float64 plain-JS MLP, independent of tfjs: the reference the measurement tests compare with.
 *
 * @module
 */
import { type Activation, type MlpSpec, parameterLayout } from "../model/layout.ts";

/** A dense row-major matrix of plain numbers. */
export type Matrix = number[][];

/** σ in float64. */
export function sigma(activation: Activation, x: number): number {
  if (activation === "tanh") return Math.tanh(x);
  if (activation === "relu") return Math.max(x, 0);
  return x > 0 ? x : Math.expm1(x);
}

/** The weight matrices A¹ … Aᴸ of θ as float64 matrices. */
export function weightsOf(spec: MlpSpec, theta: ArrayLike<number>): Matrix[] {
  return parameterLayout(spec.sizes).map((l) =>
    Array.from(
      { length: l.rows },
      (_, i) => Array.from({ length: l.cols }, (_, j) => theta[l.weightOffset + i * l.cols + j]),
    )
  );
}

/** The biases b¹ … bᴸ of θ. */
export function biasesOf(spec: MlpSpec, theta: ArrayLike<number>): number[][] {
  return parameterLayout(spec.sizes).map((l) =>
    Array.from({ length: l.rows }, (_, i) => theta[l.biasOffset + i])
  );
}

/** A v. */
export function matVec(a: Matrix, v: number[]): number[] {
  return a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
}

/** A B. */
export function matMul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

/** x̂^{n+1} as a function of x̂ⁿ (n ≥ 1), i.e. one step of the forward pass from layer n on. */
export function forwardFrom(
  spec: MlpSpec,
  theta: ArrayLike<number>,
  n: number,
  pre: number[],
  until: number,
): number[] {
  const a = weightsOf(spec, theta), b = biasesOf(spec, theta);
  let h = pre;
  for (let m = n; m < until; m++) {
    h = matVec(a[m], h.map((v) => sigma(spec.activation, v))).map((v, i) => v + b[m][i]);
  }
  return h;
}

/** All preactivations x̂¹ … x̂ᴸ of one input. */
export function preactivations(spec: MlpSpec, theta: ArrayLike<number>, x: number[]): number[][] {
  const a = weightsOf(spec, theta), b = biasesOf(spec, theta);
  const out: number[][] = [];
  let h = matVec(a[0], x).map((v, i) => v + b[0][i]);
  out.push(h);
  for (let m = 1; m < a.length; m++) {
    h = matVec(a[m], h.map((v) => sigma(spec.activation, v))).map((v, i) => v + b[m][i]);
    out.push(h);
  }
  return out;
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
