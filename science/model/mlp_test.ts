import { assert, assertEquals, assertLess, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend.ts";
import { Rng } from "../../util/rng.ts";
import {
  activate,
  initTheta,
  layerTensors,
  loadThetaNpy,
  mlpOutput,
  saveThetaNpy,
  validateMlpSpec,
} from "./mlp.ts";
import { parameterLayout } from "./layout.ts";
import { output64, relativeError, tinyProblem } from "../testing/float64_mlp.ts";

await selectBackend("wasm");

Deno.test("initTheta: Xavier-normal with gain √2, zero biases, seeded", () => {
  const spec = { sizes: [300, 200, 10], activation: "elu" as const };
  const theta = initTheta(spec, new Rng(1));
  assertEquals(theta, initTheta(spec, new Rng(1)));
  for (const l of parameterLayout(spec.sizes)) {
    const w = theta.subarray(l.weightOffset, l.biasOffset);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    const want = 2 / Math.sqrt(l.rows + l.cols);
    assertLess(Math.abs(std / want - 1), 5 / Math.sqrt(w.length)); // a few standard errors
    assertLess(Math.abs(mean), 5 * want / Math.sqrt(w.length));
    assert(theta.subarray(l.biasOffset, l.end).every((b) => b === 0));
  }
});

Deno.test("mlpOutput matches the float64 forward pass for each activation", () => {
  for (const activation of ["elu", "tanh", "relu"] as const) {
    const rng = new Rng(8);
    const sizes = [4, 6, 5, 3];
    const { problem, theta, x } = tinyProblem(rng, sizes, activation, "mse", 6);
    const layers = layerTensors({ sizes, activation }, theta);
    const z = mlpOutput({ sizes, activation }, layers, tf.tensor2d(x, [6, 4]));
    assertLess(relativeError(z.dataSync(), output64(problem, theta)), 1e-6, activation);
    tf.dispose([z, ...layers.flatMap((l) => [l.weight, l.weightT, l.bias])]);
  }
});

Deno.test("activate: tanh within 2.5e-7 of Math.tanh (float64), saturating at ±1 exactly", () => {
  // Every float32 step near 0, then a grid to saturation, both signs.
  const near = Array.from({ length: 2001 }, (_, i) => (i - 1000) * 1e-6);
  const wide = Array.from({ length: 4001 }, (_, i) => (i - 2000) * 0.005);
  const xs = Float32Array.from([...near, ...wide, -40, 40]);
  const y = tf.tidy(() => activate("tanh", tf.tensor1d(xs)).dataSync());
  let worst = 0;
  xs.forEach((x, i) => (worst = Math.max(worst, Math.abs(y[i] - Math.tanh(x)))));
  assertLess(worst, 2.5e-7);
  assertEquals([y[xs.length - 2], y[xs.length - 1]], [-1, 1]);
});

Deno.test("θ round-trips through a numpy-readable float32 .npy file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spec = { sizes: [3, 4, 2], activation: "tanh" as const };
    const theta = initTheta(spec, new Rng(2));
    const path = join(dir, "theta.npy");
    await saveThetaNpy(path, theta);
    const bytes = await Deno.readFile(path);
    const header = new TextDecoder().decode(bytes.subarray(10, 80));
    assert(header.includes("'descr': '<f4'") && header.includes(`'shape': (${theta.length},)`));
    assertEquals(await loadThetaNpy(path, spec), theta);
    await assertRejects(
      () => loadThetaNpy(path, { sizes: [3, 5, 2], activation: "tanh" }),
      Error,
      "does not match MLP [3,5,2]",
    );
    assertEquals([...Deno.readDirSync(dir)].length, 1); // no temporary file left behind
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validateMlpSpec names the bad field", () => {
  assertThrows(
    () => validateMlpSpec({ sizes: [2, 3], activation: "gelu" as "elu" }),
    Error,
    "mlp.activation",
  );
  assertThrows(() => validateMlpSpec({ sizes: [2], activation: "elu" }), Error, "sizes");
});
