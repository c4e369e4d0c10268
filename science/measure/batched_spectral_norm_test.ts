import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertThrows } from "@std/assert";
import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { selectBackend } from "../model/backend.ts";
import { Rng } from "../../util/rng.ts";
import { batchedTopEigenvalue } from "./batched_spectral_norm.ts";
import { runSync } from "../model/readback.ts";

Deno.test("batchedTopEigenvalue: per-sample top eigenvalues of MᵢᵀMᵢ match ml-matrix", async () => {
  await selectBackend("wasm");
  const rng = new Rng(4);
  const count = 5, dim = 40;
  const mats = Array.from(
    { length: count },
    (_, i) =>
      Array.from(
        { length: dim },
        () =>
          Array.from(
            { length: dim },
            () => rng.normal() * (i === 4 && rng.uniform() < 0.9 ? 0 : 1),
          ),
      ),
  );
  const stacked = tf.tensor3d(mats);
  const stackedT = tf.transpose(stacked, [0, 2, 1]);
  const result = runSync(batchedTopEigenvalue(
    (v) =>
      tf.tidy(() => {
        const mv = tf.matMul(stacked, v.expandDims(2));
        return tf.matMul(stackedT, mv).squeeze([2]) as tf.Tensor2D;
      }),
    count,
    dim,
    { tolerance: 1e-7 },
  ));
  tf.dispose([stacked, stackedT]);
  assert(result.converged, `not converged in ${result.steps} steps`);
  mats.forEach((m, i) => {
    const want = new MlMatrix(m).transpose().mmul(new MlMatrix(m));
    const top = Math.max(...new EigenvalueDecomposition(want).realEigenvalues);
    assert(Math.abs(result.values[i] - top) <= 1e-5 * top, `${i}: ${result.values[i]} vs ${top}`);
  });
});

Deno.test("batchedTopEigenvalue: exact on a rank-one operator and a zero one", async () => {
  await selectBackend("wasm");
  // Sample 0: 7·e₁e₁ᵀ (Krylov space of dimension 1); sample 1: the zero operator.
  const scale = tf.tensor2d([[7], [0]]);
  const e1 = tf.oneHot([0, 0], 6).cast("float32");
  const result = runSync(batchedTopEigenvalue(
    (v) => tf.tidy(() => tf.mul(tf.mul(scale, e1), tf.sum(tf.mul(v, e1), 1, true))),
    2,
    6,
  ));
  tf.dispose([scale, e1]);
  assertAlmostEquals(result.values[0], 7, 1e-5);
  assertAlmostEquals(result.values[1], 0, 1e-12);
  assertThrows(
    () => runSync(batchedTopEigenvalue((v) => v, 1, 2, { tolerance: 0 })),
    Error,
    "tolerance must be > 0",
  );
});
