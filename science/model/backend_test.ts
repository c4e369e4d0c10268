import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { BackendUnavailableError, parseBackendRequest, selectBackend } from "./backend.ts";

/** A seeded float64 reference: C = A·B and the row sums of C, in plain JS numbers. */
function reference(a: number[][], b: number[][]): { product: number[][]; rowSums: number[] } {
  const product = a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
  return { product, rowSums: product.map((row) => row.reduce((s, x) => s + x, 0)) };
}

function seededMatrix(rows: number, cols: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}

for (const name of ["wasm", "cpu"] as const) {
  Deno.test(`${name} backend: matmul and reduction match a float64 reference`, async () => {
    const choice = await selectBackend(name);
    assertEquals(choice.name, name);
    assertEquals(tf.getBackend(), name);
    const a = seededMatrix(37, 53, 1), b = seededMatrix(53, 29, 2);
    const ref = reference(a, b);
    const c = tf.matMul(tf.tensor2d(a), tf.tensor2d(b));
    const got = await c.array() as number[][];
    const sums = await c.sum(1).array() as number[];
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < b[0].length; j++) {
        assert(Math.abs(got[i][j] - ref.product[i][j]) <= 1e-5 * (1 + Math.abs(ref.product[i][j])));
      }
      assert(Math.abs(sums[i] - ref.rowSums[i]) <= 1e-4 * (1 + Math.abs(ref.rowSums[i])));
    }
    tf.dispose(c);
  });
}

Deno.test("tensorflow backend: clear error when tfjs-node is not installed", async () => {
  const err = await assertRejects(() => selectBackend("tensorflow"), BackendUnavailableError);
  assert(err.message.includes("tfjs-node"), err.message);
  assert(!err.message.includes("\n"), "one line, not a stack trace");
});

Deno.test("webgpu backend: clear error when Deno has no hardware adapter", async () => {
  const err = await assertRejects(() => selectBackend("webgpu"), BackendUnavailableError);
  assert(err.message.includes("webgpu"), err.message);
});

Deno.test("auto falls back to wasm and says why it passed over the others", async () => {
  const choice = await selectBackend("auto");
  assertEquals(choice.name, "wasm");
  assertEquals(choice.skipped.length, 2);
  assert(choice.skipped[0].includes("tensorflow"));
});

Deno.test("an unknown backend name is rejected with the allowed values", () => {
  const err = assertThrows(() => parseBackendRequest("cuda"));
  assert(err instanceof Error && err.message.includes("wasm, cpu, tensorflow, webgpu, auto"));
});

Deno.test("webgpu on a software adapter computes a matmul when explicitly allowed", async () => {
  Deno.env.set("EOS_WEBGPU_ALLOW_FALLBACK", "1");
  try {
    const choice = await selectBackend("webgpu");
    assertEquals(choice.name, "webgpu");
    const a = seededMatrix(8, 5, 3), b = seededMatrix(5, 4, 4);
    const ref = reference(a, b);
    const got = await tf.matMul(tf.tensor2d(a), tf.tensor2d(b)).array() as number[][];
    got.forEach((row, i) => row.forEach((x, j) => assert(Math.abs(x - ref.product[i][j]) < 1e-5)));
  } catch (e) {
    // Machines without even a software adapter must still give the clear message.
    assert(e instanceof BackendUnavailableError && e.message.includes("no WebGPU adapter"), `${e}`);
  } finally {
    Deno.env.delete("EOS_WEBGPU_ALLOW_FALLBACK");
    await selectBackend("wasm");
  }
});
