/**
 * Seeded synthetic datasets (SCIENCE.md §7): XOR in the unit square, labels of a random teacher MLP,
 * and Gaussian mixtures, each balanced over its classes (the remainder of N to the lowest ones).
 *
 * @module
 */
import { Rng } from "../../util/rng.ts";
import { perClassCounts } from "./preprocess.ts";

/** Inputs (N × dim, row-major) and integer labels. */
export interface SyntheticData {
  inputs: Float32Array;
  labels: Int32Array;
  dim: number;
}

/**
 * XOR: x uniform in [0, 1]², label 1 exactly when one coordinate is above 1/2. Drawn per class
 * (uniform over the class's two quadrants), so the classes are balanced.
 */
export function xorData(n: number, seed: number): SyntheticData {
  const counts = perClassCounts(n, 2), rng = new Rng(seed);
  const labels = rng.shuffle(counts.flatMap((k, c) => Array<number>(k).fill(c)));
  const inputs = new Float32Array(2 * n);
  labels.forEach((label, i) => {
    const high0 = rng.uniform() < 0.5; // which of the class's two quadrants
    const high1 = label === 1 ? !high0 : high0;
    inputs[2 * i] = 0.5 * (rng.uniform() + (high0 ? 1 : 0));
    inputs[2 * i + 1] = 0.5 * (rng.uniform() + (high1 ? 1 : 0));
  });
  return { inputs, labels: Int32Array.from(labels), dim: 2 };
}

/** A teacher network: tanh MLP dim-hidden-classes, Xavier-normal (gain √2), biases 0. */
export interface Teacher {
  w1: Float64Array; // hidden × dim
  w2: Float64Array; // classes × hidden
  dim: number;
  hidden: number;
  classes: number;
}

/** The teacher drawn from a seed. */
export function makeTeacher(dim: number, hidden: number, classes: number, seed: number): Teacher {
  const rng = new Rng(seed);
  const draw = (rows: number, cols: number) =>
    Float64Array.from({ length: rows * cols }, () => (2 / Math.sqrt(rows + cols)) * rng.normal());
  return { w1: draw(hidden, dim), w2: draw(classes, hidden), dim, hidden, classes };
}

/** The teacher's label of one input: argmax of w2·tanh(w1·x). */
export function teacherLabel(t: Teacher, x: ArrayLike<number>): number {
  const h = Array.from({ length: t.hidden }, (_, i) => {
    let s = 0;
    for (let j = 0; j < t.dim; j++) s += t.w1[i * t.dim + j] * x[j];
    return Math.tanh(s);
  });
  let best = 0, bestValue = -Infinity;
  for (let c = 0; c < t.classes; c++) {
    let s = 0;
    for (let i = 0; i < t.hidden; i++) s += t.w2[c * t.hidden + i] * h[i];
    if (s > bestValue) [best, bestValue] = [c, s];
  }
  return best;
}

/**
 * Teacher-labelled data: x ~ N(0, I_dim) labelled by a seeded random teacher; draws are kept
 * until each class has its balanced share (an error if a class stays too rare).
 */
export function teacherData(
  n: number,
  options: { dim: number; hidden: number; classes: number; seed: number },
): SyntheticData {
  const { dim, hidden, classes, seed } = options;
  const teacher = makeTeacher(dim, hidden, classes, seed);
  const rng = new Rng(seed + 1);
  const need = perClassCounts(n, classes);
  const byClass: number[][][] = Array.from({ length: classes }, () => []);
  for (let draws = 0, left = n; left > 0; draws++) {
    if (draws > 1000 * n) {
      const have = byClass.map((b) => b.length);
      throw new Error(
        `teacher: after ${draws} draws the classes have [${have}] of [${need}] examples; ` +
          "choose another seed, fewer classes or a wider teacher",
      );
    }
    const x = Array.from({ length: dim }, () => rng.normal());
    const c = teacherLabel(teacher, x);
    if (byClass[c].length < need[c]) {
      byClass[c].push(x);
      left--;
    }
  }
  const order = rng.shuffle(byClass.flatMap((xs, c) => xs.map((x) => ({ x, c }))));
  return {
    inputs: Float32Array.from(order.flatMap((o) => o.x)),
    labels: Int32Array.from(order, (o) => o.c),
    dim,
  };
}

/**
 * A Gaussian mixture: class means μ_c with entries N(0, separation²/dim) (so ‖μ_c‖ ≈
 * separation), inputs μ_c + N(0, I_dim), balanced over the classes.
 */
export function gaussianMixtureData(
  n: number,
  options: { dim: number; classes: number; separation: number; seed: number },
): SyntheticData & { means: Float64Array } {
  const { dim, classes, separation, seed } = options;
  const rng = new Rng(seed);
  const scale = separation / Math.sqrt(dim);
  const means = Float64Array.from({ length: classes * dim }, () => scale * rng.normal());
  const labels = rng.shuffle(
    perClassCounts(n, classes).flatMap((k, c) => Array<number>(k).fill(c)),
  );
  const inputs = new Float32Array(n * dim);
  labels.forEach((c, i) => {
    for (let j = 0; j < dim; j++) inputs[i * dim + j] = means[c * dim + j] + rng.normal();
  });
  return { inputs, labels: Int32Array.from(labels), dim, means };
}
