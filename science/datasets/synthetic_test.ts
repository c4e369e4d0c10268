import { assert, assertEquals, assertThrows } from "@std/assert";
import { gaussianMixtureData, makeTeacher, teacherData, xorData } from "./synthetic.ts";

Deno.test("synthetic: XOR points lie in the unit square with the XOR label, balanced, seeded", () => {
  const d = xorData(129, 5);
  assertEquals(d.dim, 2);
  let ones = 0;
  for (let i = 0; i < 129; i++) {
    const [a, b] = [d.inputs[2 * i], d.inputs[2 * i + 1]];
    assert(a >= 0 && a < 1 && b >= 0 && b < 1);
    assertEquals(d.labels[i], (a > 0.5) !== (b > 0.5) ? 1 : 0);
    ones += d.labels[i];
  }
  assertEquals(ones, 64);
  assertEquals(xorData(129, 5).inputs, d.inputs);
});

Deno.test("synthetic: teacher labels are the argmax of the teacher's float64 forward pass", () => {
  const options = { dim: 4, hidden: 8, classes: 3, seed: 2 };
  const d = teacherData(30, options);
  const t = makeTeacher(4, 8, 3, 2);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30; i++) {
    const x = d.inputs.subarray(4 * i, 4 * i + 4);
    const h = Array.from(
      { length: 8 },
      (_, r) => Math.tanh([0, 1, 2, 3].reduce((s, j) => s + t.w1[r * 4 + j] * x[j], 0)),
    );
    const z = [0, 1, 2].map((c) => h.reduce((s, v, r) => s + t.w2[c * 8 + r] * v, 0));
    assertEquals(d.labels[i], z.indexOf(Math.max(...z)));
    counts[d.labels[i]]++;
  }
  assertEquals(counts, [10, 10, 10]);
  assertThrows(
    () => teacherData(10, { dim: 1, hidden: 1, classes: 3, seed: 0 }),
    Error,
    "teacher: after",
  );
});

Deno.test("synthetic: Gaussian mixture class means match μ_c within sampling error", () => {
  const n = 4000, dim = 3;
  const d = gaussianMixtureData(n, { dim, classes: 2, separation: 3, seed: 1 });
  for (let c = 0; c < 2; c++) {
    for (let j = 0; j < dim; j++) {
      let s = 0, k = 0;
      for (let i = 0; i < n; i++) if (d.labels[i] === c) (s += d.inputs[i * dim + j], k++);
      assertEquals(k, 2000);
      // Unit noise: the sample mean is within 5 standard errors (5/√2000 ≈ 0.11).
      assert(Math.abs(s / k - d.means[c * dim + j]) < 0.12, `${c},${j}`);
    }
  }
});
