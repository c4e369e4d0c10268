import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { extrapolateSubspace } from "./subspace_extrapolation.ts";

const dim = 6;
const unit = (i: number) => Float64Array.from({ length: dim }, (_, j) => (i === j ? 1 : 0));
const add = (a: Float64Array, b: Float64Array, s = 1) => a.map((x, i) => x + s * b[i]);
const scale = (a: Float64Array, s: number) => a.map((x) => s * x);

/** A plane turning at unit speed: vᵢ(t) = cos t·eᵢ + sin t·eᵢ₊₂ (i = 0, 1). */
const plane = (t: number) =>
  [0, 1].map((i) => add(scale(unit(i), Math.cos(t)), unit(i + 2), Math.sin(t)));

/** The same basis in another frame: columns (V·R)ⱼ = Σₗ Vₗ R[l][j]. */
function reframe(V: Float64Array[], R: number[][]): Float64Array[] {
  return R[0].map((_, j) => V.reduce((s, v, l) => add(s, v, R[l][j]), new Float64Array(dim)));
}

/** A rotation by 0.7 rad followed by a sign flip of the second vector. */
const R = [[Math.cos(0.7), Math.sin(0.7)], [-Math.sin(0.7), Math.cos(0.7)]].map((row) => [
  row[0],
  -row[1],
]);

function assertVectorsClose(actual: Float64Array[], expected: Float64Array[], tol: number) {
  assertEquals(actual.length, expected.length);
  actual.forEach((v, j) => v.forEach((x, i) => assertAlmostEquals(x, expected[j][i], tol)));
}

Deno.test("extrapolateSubspace: an unmoved subspace in a new frame is returned as it is", () => {
  const before = plane(0.3), now = reframe(before, R);
  assertVectorsClose(extrapolateSubspace(before, now, 0.5)!, now, 1e-14);
});

Deno.test("extrapolateSubspace: a turning plane moves on as V₁ + w·(V₁ − V₀), in V₁'s frame", () => {
  // Closed form: V₀ᵀV₁ = cos h·R, whose polar factor is R, so the guess is ((1 + w)V(h) − wV(0))·R.
  const h = 0.1, before = plane(0), now = reframe(plane(h), R);
  for (const w of [0.5, 1]) {
    const expected = reframe(
      plane(h).map((v, i) => add(scale(v, 1 + w), before[i], -w)),
      R,
    );
    assertVectorsClose(extrapolateSubspace(before, now, w)!, expected, 1e-14);
  }
  // With w = 1 the guess's plane is at angle atan2(2 sin h, 2 cos h − 1) ≈ 1.99h: 1e-3 from the
  // plane at 2h, where standing still is h = 0.1 away.
  const guess = extrapolateSubspace(before, now, 1)!;
  const angle = Math.atan2(2 * Math.sin(h), 2 * Math.cos(h) - 1);
  assert(Math.abs(angle - 2 * h) < 1.2e-3);
  // Every guess vector lies in the plane spanned by cos(angle)·eᵢ + sin(angle)·eᵢ₊₂.
  for (const g of guess) {
    const inPlane = [0, 1].map((i) => g[i] * Math.cos(angle) + g[i + 2] * Math.sin(angle));
    const norm2 = g.reduce((s, x) => s + x * x, 0);
    assertAlmostEquals(inPlane[0] ** 2 + inPlane[1] ** 2, norm2, 1e-13);
  }
});

Deno.test("extrapolateSubspace: nothing to extrapolate gives null", () => {
  const before = plane(0);
  assertEquals(extrapolateSubspace([], before, 0.5), null);
  assertEquals(extrapolateSubspace(before.slice(0, 1), before, 0.5), null);
  // A plane turned by 50° (cos² 0.41 < ½) is past the 45° the linear model is trusted for, one
  // turned by 40° is not.
  assertEquals(extrapolateSubspace(before, plane((50 * Math.PI) / 180), 0.5), null);
  assert(extrapolateSubspace(before, plane((40 * Math.PI) / 180), 0.5) !== null);
});

Deno.test("extrapolateSubspace: writes into the vectors `take` lends", () => {
  const lent: Float64Array[] = [];
  const take = () => {
    lent.push(new Float64Array(dim));
    return lent.at(-1)!;
  };
  const guess = extrapolateSubspace(plane(0), plane(0.1), 0.5, take)!;
  assertEquals(lent.length, 2);
  guess.forEach((g, j) => assert(g === lent[j]));
});
