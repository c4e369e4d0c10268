import * as tf from "@tensorflow/tfjs";
import { assert, assertThrows } from "@std/assert";
import { selectBackend } from "../model/backend.ts";
import { ACTIVATIONS, type MlpSpec, parameterCount } from "../model/layout.ts";
import { Rng } from "../../util/rng.ts";
import {
  disposeFactors,
  firstLayerSensitivity,
  hiddenPreactivations,
  jacobianFactors,
  layerJacobian,
} from "./jacobians.ts";
import {
  centralDifferenceJacobian,
  forwardFrom,
  type Matrix,
  preactivations,
} from "../testing/float64_mlp.ts";

function randomCase(spec: MlpSpec, count: number, seed: number) {
  const rng = new Rng(seed);
  const theta = Float32Array.from({ length: parameterCount(spec.sizes) }, () => 0.8 * rng.normal());
  const inputs = Float32Array.from({ length: count * spec.sizes[0] }, () => rng.normal());
  return { theta, inputs };
}

function assertMatrixClose(got: ArrayLike<number>, want: Matrix, tol: number, what: string) {
  const cols = want[0].length;
  want.forEach((row, i) =>
    row.forEach((w, j) => {
      const g = got[i * cols + j];
      assert(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}[${i}][${j}]: ${g} vs ${w}`);
    })
  );
}

for (const activation of ACTIVATIONS) {
  Deno.test(`jacobians (${activation}): Jⁿ and S¹ match float64 central differences`, async () => {
    await selectBackend("wasm");
    const spec: MlpSpec = { sizes: [3, 5, 4, 6, 2], activation };
    const count = 4;
    const { theta, inputs } = randomCase(spec, count, 7);
    const f = jacobianFactors(spec, theta, inputs);
    const hidden = spec.sizes.length - 2;
    const dense = Array.from({ length: hidden }, (_, k) => layerJacobian(f, k + 1));
    const s1 = firstLayerSensitivity(f);
    const denseData = dense.map((t) => t.dataSync());
    const s1Data = s1.dataSync();
    for (let i = 0; i < count; i++) {
      const x = Array.from(inputs.subarray(i * 3, i * 3 + 3));
      const pre = preactivations(spec, theta, x);
      // ReLU has a kink at 0 where differences are meaningless; the seed keeps clear of it.
      assert(pre.flat().every((v) => Math.abs(v) > 1e-3), "a preactivation sits on a kink");
      for (let n = 1; n <= hidden; n++) {
        const want = centralDifferenceJacobian(
          (h) => forwardFrom(spec, theta, n, h, n + 1),
          pre[n - 1],
        );
        const size = want.length * want[0].length;
        assertMatrixClose(denseData[n - 1].subarray(i * size, (i + 1) * size), want, 1e-5, `J${n}`);
      }
      const wantS1 = centralDifferenceJacobian(
        (h) => forwardFrom(spec, theta, 1, h, spec.sizes.length - 1),
        pre[0],
      );
      const size = wantS1.length * wantS1[0].length;
      assertMatrixClose(s1Data.subarray(i * size, (i + 1) * size), wantS1, 1e-5, "S1");
    }
    tf.dispose([...dense, s1]);
    disposeFactors(f);
  });
}

Deno.test("jacobians: preactivations match the float64 forward pass", async () => {
  await selectBackend("wasm");
  const spec: MlpSpec = { sizes: [4, 7, 3, 2], activation: "elu" };
  const { theta, inputs } = randomCase(spec, 5, 3);
  const pre = hiddenPreactivations(spec, theta, inputs);
  const got = pre.map((t) => t.arraySync() as number[][]);
  for (let i = 0; i < 5; i++) {
    const want = preactivations(spec, theta, Array.from(inputs.subarray(i * 4, i * 4 + 4)));
    for (let n = 0; n < 2; n++) assertMatrixClose(got[n][i], [want[n]], 1e-5, `x̂${n + 1}`);
  }
  tf.dispose(pre);
});

Deno.test("jacobians: bad θ, inputs or layer index are clear errors", async () => {
  await selectBackend("wasm");
  const spec: MlpSpec = { sizes: [2, 3, 2], activation: "tanh" };
  const n = parameterCount(spec.sizes);
  assertThrows(
    () => jacobianFactors(spec, new Float32Array(n - 1), new Float32Array(4)),
    Error,
    "theta: length",
  );
  assertThrows(
    () => jacobianFactors(spec, new Float32Array(n), new Float32Array(3)),
    Error,
    "inputs: length 3",
  );
  assertThrows(
    () =>
      jacobianFactors(
        { sizes: [2, 2], activation: "tanh" },
        new Float32Array(6),
        new Float32Array(2),
      ),
    Error,
    "hidden layer",
  );
  const f = jacobianFactors(spec, new Float32Array(n), new Float32Array(4));
  assertThrows(() => layerJacobian(f, 2), Error, "layer: n must be an integer in 1..1");
  disposeFactors(f);
});
