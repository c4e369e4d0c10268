/**
 * Top-k eigenpairs of a symmetric operator known only through products (SPEC §2): block Lanczos
 * with full reorthogonalisation and Rayleigh–Ritz on the whole Krylov basis, in float64.
 *
 * A block of b vectors is applied per iteration (the operator may batch them); b = 1 is classic
 * Lanczos. Warm starts pass the previous eigenvectors as the first block. Iterations stop when
 * every wanted Ritz pair has ‖Av − θv‖ ≤ tolerance · max|θ| (max over all Ritz values, an
 * estimate of ‖A‖), when the basis spans an invariant subspace, or at the iteration cap.
 *
 * @module
 */
import { symmetricEigen } from "./dense_eigen.ts";
import { Rng } from "./rng.ts";

/** A symmetric linear operator of dimension `dim`, applied to several vectors at once. */
export interface SymmetricOperator {
  dim: number;
  apply(vectors: Float64Array[]): ArrayLike<number>[];
}

/** How "top" is meant: largest algebraic value, or largest magnitude (signed values returned). */
export type EigenOrder = "algebraic" | "magnitude";

/** Options of {@linkcode lanczosTopK}. */
export interface LanczosOptions {
  /** Number of eigenpairs wanted. */
  k: number;
  /** Default `algebraic`. */
  order?: EigenOrder;
  /** Relative residual tolerance (see the module doc); default 1e-4. */
  tolerance?: number;
  /** Cap on block iterations; default 100. */
  maxIterations?: number;
  /** Warm-start vectors (e.g. the previous eigenvectors); they form the first block. */
  start?: readonly ArrayLike<number>[];
  /** Vectors per block; default the number of start vectors, or 1 when there are none. */
  blockSize?: number;
  /** Source of random start vectors (default: a fixed seed, so results are reproducible). */
  rng?: Rng;
}

/** The result of {@linkcode lanczosTopK}. */
export interface EigenResult {
  /** The k eigenvalue estimates, in the requested order. */
  values: number[];
  /** Unit eigenvector estimates. */
  vectors: Float64Array[];
  /** ‖Av − λv‖ of each pair, computed from the stored products. */
  residuals: number[];
  /** Number of single-vector operator applications. */
  applications: number;
  iterations: number;
  converged: boolean;
}

const DEFAULT_SEED = 0x1a2c05;

/** Computes the top-k eigenpairs of `op`. */
export function lanczosTopK(op: SymmetricOperator, options: LanczosOptions): EigenResult {
  const { dim } = op;
  const k = options.k, order = options.order ?? "algebraic";
  const tolerance = options.tolerance ?? 1e-4, maxIterations = options.maxIterations ?? 100;
  if (!Number.isInteger(k) || k < 1 || k > dim) {
    throw new Error(`lanczos.k: must be an integer in 1..${dim}, got ${k}`);
  }
  if (order !== "algebraic" && order !== "magnitude") {
    throw new Error(`lanczos.order: "${order}" is not one of algebraic, magnitude`);
  }
  if (!(tolerance > 0)) throw new Error(`lanczos.tolerance: must be > 0, got ${tolerance}`);
  const start = options.start ?? [];
  start.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`lanczos.start[${i}]: length ${v.length}, not ${dim}`);
  });
  const blockSize = Math.min(options.blockSize ?? Math.max(start.length, 1), dim);
  const rng = options.rng ?? new Rng(DEFAULT_SEED);
  const randomVector = () => {
    const v = Float64Array.from({ length: dim }, () => rng.normal());
    // Draw normals in pairs so no spare is pending: Rng.state() then captures everything.
    if (dim % 2 === 1) rng.normal();
    return v;
  };

  const Q: Float64Array[] = [], AQ: Float64Array[] = [];
  let T: number[][] = [];
  let block = orthonormalise(
    [...start.slice(0, blockSize).map((v) => Float64Array.from(v))],
    Q,
    blockSize,
    randomVector,
    2,
  );
  let applications = 0, iterations = 0, converged = false;
  let ritz: ReturnType<typeof rayleighRitz> = { values: [], coeffs: [], all: [] };
  while (block.length > 0 && iterations < maxIterations) {
    const products = op.apply(block).map((p) => Float64Array.from(p));
    applications += block.length;
    iterations++;
    const first = Q.length;
    Q.push(...block);
    AQ.push(...products);
    // Coefficients Qᵢ·(AQ)ⱼ of the new products: the new columns of T = Qᵀ(AQ), and the first
    // Gram–Schmidt pass of the products against the basis.
    const coefficients = products.map((p) => Q.map((q) => dot(q, p)));
    T = extendProjection(T, coefficients, first);
    ritz = rayleighRitz(T, order, k);
    // Remainder of the new products outside the basis: its norm along each Ritz vector's last
    // block coefficients is that Ritz pair's residual (exact arithmetic, full reorthogonalisation).
    const remainder = products.map((p, j) => {
      const r = Float64Array.from(p);
      Q.forEach((q, i) => axpy(-coefficients[j][i], q, r));
      return r;
    });
    const scale = Math.max(...ritz.all.map(Math.abs), Number.MIN_VALUE);
    const enough = ritz.values.length === k;
    const residuals = ritz.coeffs.map((s) => blockResidual(remainder, s, first));
    converged = enough && residuals.every((r) => r <= tolerance * scale);
    if (converged || Q.length >= dim) break;
    block = orthonormalise(remainder, Q, remainder.length, null, 1);
    if (block.length === 0 && !enough) block = orthonormalise([], Q, 1, randomVector, 2);
  }
  if (Q.length >= dim || block.length === 0) converged = ritz.values.length === k;
  const vectors = ritz.coeffs.map((s) => combine(Q, s));
  const residuals = ritz.coeffs.map((s, i) => {
    const r = combine(AQ, s);
    const v = vectors[i];
    for (let j = 0; j < dim; j++) r[j] -= ritz.values[i] * v[j];
    return norm(r);
  });
  return { values: ritz.values, vectors, residuals, applications, iterations, converged };
}

/** T extended by the columns Qᵢ·(AQ)ⱼ of the new vectors j ≥ first (symmetrised). */
function extendProjection(T: number[][], coefficients: number[][], first: number) {
  const m = first + coefficients.length;
  const out = Array.from(
    { length: m },
    (_, i) => Array.from({ length: m }, (_, j) => T[i]?.[j] ?? 0),
  );
  coefficients.forEach((col, b) => {
    const j = first + b;
    for (let i = 0; i <= j; i++) {
      const v = i >= first ? (col[i] + coefficients[i - first][j]) / 2 : col[i];
      out[i][j] = out[j][i] = v;
    }
  });
  return out;
}

function rayleighRitz(T: number[][], order: EigenOrder, k: number) {
  const m = T.length;
  const { values, vectors } = symmetricEigen(T.flat(), m);
  const idx = values.map((_, i) => i);
  if (order === "magnitude") idx.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
  const chosen = idx.slice(0, Math.min(k, m));
  return {
    values: chosen.map((i) => values[i]),
    coeffs: chosen.map((i) => vectors[i]),
    all: values,
  };
}

function blockResidual(remainder: Float64Array[], s: Float64Array, first: number): number {
  if (remainder.length === 0) return 0;
  const r = new Float64Array(remainder[0].length);
  remainder.forEach((w, j) => {
    const c = s[first + j];
    for (let i = 0; i < r.length; i++) r[i] += c * w[i];
  });
  return norm(r);
}

/**
 * Orthonormalises `vectors` against the basis Q and each other (`passes` Gram–Schmidt passes;
 * vectors already projected once need one more, "twice is enough"), dropping those that are
 * (numerically) dependent and topping up with random vectors to `size` when `random` is given.
 */
function orthonormalise(
  vectors: Float64Array[],
  Q: readonly Float64Array[],
  size: number,
  random: (() => Float64Array) | null,
  passes: number,
): Float64Array[] {
  const out: Float64Array[] = [];
  const pending = [...vectors];
  let attempts = 0;
  while (out.length < size) {
    let v = pending.shift();
    if (!v) {
      if (!random || attempts++ > 10 * size) break;
      v = random();
    }
    const before = norm(v);
    if (before === 0) continue;
    for (let pass = 0; pass < passes; pass++) projectOut(v, Q);
    projectOut(v, out);
    projectOut(v, out);
    const after = norm(v);
    if (after <= 1e-10 * before) continue;
    for (let i = 0; i < v.length; i++) v[i] /= after;
    out.push(v);
  }
  return out;
}

function projectOut(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const q of basis) axpy(-dot(q, v), q, v);
}

/** y += a·x. */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function combine(basis: Float64Array[], s: ArrayLike<number>): Float64Array {
  const out = new Float64Array(basis[0].length);
  basis.forEach((q, j) => {
    const c = s[j];
    for (let i = 0; i < out.length; i++) out[i] += c * q[i];
  });
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}
